/**
 * The devices module: device trust (posture, compliance and platform attestation at every code
 * exchange and refresh, combined with what the MDM says), remote wipe and lock, MDM
 * notifications and the scheduled inventory sync, and the signed app configuration.
 */
import type { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { SessionsModuleApi } from '../sessions/index.ts';
import { defineModule } from '../module.ts';
import { DeviceCommands } from './commands/service.ts';
import { deviceCommandRoutes, deviceProblemAtTokenEndpoint, deviceProblemForLocked, deviceProblemForRevoked } from './commands/routes.ts';
import { configuredMdms } from './mdm/adapters.ts';
import { MdmSchema } from './mdm/config.ts';
import { MdmStore } from './mdm/store.ts';
import { MdmIngest, type OnDeviceChange } from './mdm/ingest.ts';
import { MdmSync } from './mdm/sync.ts';
import { mdmRoutes } from './mdm/routes.ts';
import { DeviceTrust, type MdmView } from './trust.ts';
import { appConfigRoutes } from './app-config.ts';
import { isBrowserClient } from './posture/compliance.ts';
import { attestationForApps } from './attestation/index.ts';

export interface DevicesModuleDeps {
  config: ResolvedConfig;
  db: Database;
  clock: Clock;
  log: Logger;
  audit: AuditSink;
  sessions: SessionsModuleApi;
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  /** The private JWK that signs now (commands and app configuration are signed with it). */
  signingKey(): JWK;
  /** The TLS pins the signed app configuration carries. */
  pins: { current: string; backups: string[] };
  /** Clients whose sign-ins are not judged (the development start page). */
  exemptClients: string[];
  /** First-party browser clients besides the configured ones (the admin console). */
  browserClients?: readonly string[];
  /** Trust anchors for App Attest in place of Apple's root (tests only). */
  appAttestRoots?: readonly X509Certificate[];
}

export const devicesModule = defineModule({
  name: 'devices',
  dependencies: ['db', 'audit', 'sessions', 'signing-keys'],
  config: ['devicePolicy', 'mdm'],
  configSchema: { mdm: MdmSchema },
  migrations: ['0014_device_posture.sql', '0015_device_commands.sql', '0016_mdm_devices.sql', '0017_device_claims.sql'],
  async start(deps: DevicesModuleDeps) {
    const { config, db, clock, log, audit, claimOnce } = deps;
    const { sessions, devices } = deps.sessions;
    const issuer = config.publicUrl;
    // Remote wipe and lock: commands are signed with whichever key signs now.
    const commands = new DeviceCommands({ db, clock, sessions, devices, audit, issuer, signingKey: deps.signingKey });
    // Posture and compliance combined with what the MDM says (the MDM's facts win; a device no
    // MDM manages is BYOD). Platform attestation is verified for the apps that configure it
    // (clients[].attestation); Play Integrity refuses.
    const mdmStore = new MdmStore(db, clock);
    const mdmView: MdmView = { stateFor: (input) => mdmStore.stateFor({ ...input, platform: input.platform ?? 'unknown' }) };
    const attestation = attestationForApps(config.clients, { clock, ...(deps.appAttestRoots ? { roots: deps.appAttestRoots } : {}) });
    const trust = new DeviceTrust({ db, clock, sessions, policy: config.devicePolicy, mdm: mdmView, claimOnce, audit, attestation, exemptClients: deps.exemptClients, browserClients: [...config.clients.filter(isBrowserClient).map((c) => c.id), ...(deps.browserClients ?? [])] });
    // A change the MDM reports reaches the Palisade devices that named that MDM device id in
    // their posture: a wipe or retire event orders a remote wipe (app data only); any other
    // change re-evaluates the device against the policy, and a device now out of policy loses
    // its sessions on every instance through the revocation feed. Called after the change is
    // stored and the vendor answered; a failure is logged, never thrown back.
    const onDeviceChange: OnDeviceChange = async (change) => {
      for (const id of await devices.idsByMdmDeviceId(change.mdmDeviceId)) {
        if (change.removed && /wipe|retire/i.test(change.event ?? '')) {
          await commands.orderCommand(id, 'wipe', `mdm:${change.vendor}`, `${change.vendor} ${change.event}`);
        } else {
          await trust.reevaluate(id, `mdm.${change.source}`);
        }
      }
    };
    // Notifications at /mdm/v1/<vendor>/events and the scheduled inventory sync of every
    // configured MDM, into one store that the device policy reads.
    const mdms = configuredMdms(config.mdm);
    const ingest = new MdmIngest({ store: mdmStore, onDeviceChange, log });
    const sync = new MdmSync({ mdms, store: mdmStore, ingest, audit, clock, log });
    const tokenEndpoint = `${issuer}/oauth2/token`;
    const api = {
      trust,
      commands,
      /** A revoked token's session that a wipe or lock ended is told so, with the command. */
      problemForRevoked: (claims: Parameters<typeof deviceProblemForRevoked>[1]) => deviceProblemForRevoked(commands, claims),
      /** A session locked by a device lock the app has not acknowledged. */
      problemForLocked: (sessionId: string) => deviceProblemForLocked(commands, sessionId),
      /** A refresh from a device ordered to wipe or lock is answered with the signed command. */
      problemAtTokenEndpoint: (form: URLSearchParams, dpop: string | undefined) => deviceProblemAtTokenEndpoint(commands, { form, dpop, tokenEndpoint, now: clock.now(), claimOnce }),
    };
    return {
      api,
      async routes(app) {
        await app.register(deviceCommandRoutes, { commands, audit, clock, keylessApps: [...config.clients.filter((c) => c.appKey === 'off').map((c) => c.id), ...(deps.browserClients ?? [])] });
        await app.register(appConfigRoutes, { trust, issuer, pins: deps.pins, signingKey: deps.signingKey, clock });
        if (mdms.size > 0) await app.register(mdmRoutes, { mdms, ingest, audit });
      },
      serve: () => sync.start(),
      // Before the audit trail and the database close: a sync in progress is aborted and its records written.
      stop: () => sync.stop(),
    };
  },
});

export type DevicesModuleApi = Awaited<ReturnType<typeof devicesModule.start>>['api'];
