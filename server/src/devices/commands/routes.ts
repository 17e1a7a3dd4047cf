/**
 * The HTTP side of remote wipe and lock (service.ts):
 * - administrators order (`POST /admin/v1/devices/{id}/wipe|lock`: `sessions.end`, with step-up,
 *   as ending a device's sessions) and read the report (`GET /admin/v1/device-commands`:
 *   `sessions.read`);
 * - the app acknowledges (`POST /api/v1/device/commands/{id}/ack`) with its device key — its
 *   tokens are gone, but the app key is still required like on every /api route;
 * - the problems the pipeline answers a wiped or locked device with, at the API
 *   (`deviceProblemForRevoked`, `deviceProblemForLocked`) and at the token endpoint
 *   (`deviceProblemAtTokenEndpoint`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { decodeProtectedHeader, calculateJwkThumbprint } from 'jose';
import { Problem, problems, verifyDpopProof, type AccessClaims, NO_QUERY, StringEnum } from '../../http/index.ts';
import { parseDuration } from '../../duration.ts';
import type { AuditSink } from '../../audit/index.ts';
import type { Clock } from '../../clock.ts';
import { DeviceCommandError, type DeviceCommands, type DeviceCommandWithDevice, type Delivery } from './service.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
// Params, query and bodies are TypeBox schemas: the handlers' types are inferred from them (the
// TypeBox type provider). Query parameters arrive as text and are not coerced (http/app.ts).
const IdParams = Type.Object({ id: Type.String({ minLength: 36, maxLength: 36, pattern: UUID }) }, { additionalProperties: false });
const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
const AckBody = Type.Object({ proof: Type.String({ minLength: 1, maxLength: 8192 }) }, { additionalProperties: false });
const ReportQuery = Type.Object(
  {
    state: Type.Optional(StringEnum(['pending', 'delivered', 'acknowledged', 'outstanding'], { description: '`outstanding`: pending or delivered' })),
    olderThan: Type.Optional(Type.String({ pattern: '^[0-9]{1,6}(ms|s|m|h|d)$', description: 'Only commands ordered at least this long ago (e.g. `24h`, `7d`).' })),
    deviceId: Type.Optional(Type.String({ minLength: 36, maxLength: 36, pattern: UUID })),
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
  },
  { additionalProperties: false },
);
const time = { type: 'string', format: 'date-time' } as const;
const nullableTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const CommandSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'deviceId', 'kind', 'state', 'reason', 'requestedBy', 'requestedAt', 'deliveredAt', 'acknowledgedAt', 'deliveryCount'],
  properties: {
    id: { type: 'string' },
    deviceId: { type: 'string' },
    kind: { type: 'string', enum: ['wipe', 'lock'] },
    state: { type: 'string', enum: ['pending', 'delivered', 'acknowledged'] },
    reason: { type: 'string' },
    requestedBy: { type: 'string', description: 'An administrator’s user id, `cli`, or `mdm:<vendor>`.' },
    requestedAt: time,
    deliveredAt: nullableTime,
    acknowledgedAt: nullableTime,
    deliveryCount: { type: 'integer', minimum: 0 },
  },
} as const;

const ReportItem = {
  ...CommandSchema,
  required: [...CommandSchema.required, 'device'],
  properties: {
    ...CommandSchema.properties,
    device: {
      type: 'object',
      additionalProperties: false,
      required: ['userId', 'clientId', 'state', 'lastSeenAt'],
      properties: { userId: { type: 'string' }, clientId: { type: 'string' }, state: { type: 'string' }, lastSeenAt: time },
    },
  },
} as const;

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function commandView(c: DeviceCommandWithDevice | Omit<DeviceCommandWithDevice, 'userId' | 'clientId' | 'jkt' | 'deviceState' | 'lastSeenAt'>) {
  return {
    id: c.id,
    deviceId: c.deviceId,
    kind: c.kind,
    state: c.state,
    reason: c.reason,
    requestedBy: c.requestedBy,
    requestedAt: new Date(c.requestedAt).toISOString(),
    deliveredAt: iso(c.deliveredAt),
    acknowledgedAt: iso(c.acknowledgedAt),
    deliveryCount: c.deliveryCount,
  };
}

export interface DeviceCommandRoutesDeps {
  commands: DeviceCommands;
  audit: AuditSink;
  clock: Clock;
  /** Apps without an app key (browser clients): their devices acknowledge without one. */
  keylessApps?: readonly string[];
}

export async function deviceCommandRoutes(server: FastifyInstance, deps: DeviceCommandRoutesDeps): Promise<void> {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  const { commands } = deps;
  const security = [{ bearer: [] }];
  const actor = (request: FastifyRequest) => ({ userId: request.auth!.sub, sessionId: request.auth!.sid });
  // The authorization stage decides (`sessions.read` for the report, `sessions.end` with step-up
  // to order); this records its refusals, and any later one, under the admin action.
  const labels = new WeakMap<FastifyRequest, string>();
  const label = (action: string) => async (request: FastifyRequest) => {
    labels.set(request, action);
  };
  app.addHook('onError', async (request, _reply, error) => {
    const action = labels.get(request);
    if (!action) return;
    const status = (error as { status?: number; statusCode?: number }).status ?? (error as { statusCode?: number }).statusCode;
    const resource = { type: 'device', ...((request.params as { id?: string }).id ? { id: (request.params as { id: string }).id } : {}) };
    if (status === 403) deps.audit.emit({ action: `admin.${action}`, outcome: 'denied', actor: actor(request), resource });
  });

  for (const kind of ['wipe', 'lock'] as const) {
    app.post(
      `/admin/v1/devices/:id/${kind}`,
      {
        onRequest: [app.authenticate, label(`device.${kind}`)],
        config: { permission: 'sessions.end' },
        schema: {
          tags: ['admin'],
          summary:
            kind === 'wipe'
              ? 'Order a remote wipe of the app’s data on a device: its sessions and unlock keys end now, it cannot sign in again, and its next call or refresh receives the signed command (admin, sensitive: step-up)'
              : 'Order a remote lock of the app on a device: its sessions are locked now and its next call or refresh receives the signed command (admin, sensitive: step-up)',
          security,
          params: IdParams,
          querystring: NO_QUERY,
          body: ReasonBody,
          response: {
            201: { description: 'The command was recorded', ...CommandSchema },
            200: { description: 'A command of this kind was already outstanding for the device: it is returned', ...CommandSchema },
          },
        },
      },
      async (request, reply) => {
        try {
          const { command, created } = await commands.orderCommand(request.params.id, kind, request.auth!.sub, request.body.reason);
          deps.audit.emit({ action: `admin.device.${kind}`, outcome: 'success', actor: actor(request), resource: { type: 'device', id: request.params.id }, detail: { commandId: command.id, created } });
          return reply.code(created ? 201 : 200).send(commandView(command));
        } catch (error) {
          if (error instanceof DeviceCommandError && error.code === 'ERR_UNKNOWN_DEVICE') throw problems.notFound();
          if (error instanceof DeviceCommandError && error.code === 'ERR_DEVICE_NOT_ACTIVE') {
            throw new Problem({ type: 'device-not-active', status: 409, title: 'The device is not active', detail: error.message });
          }
          throw error;
        }
      },
    );
  }

  app.get(
    '/admin/v1/device-commands',
    {
      onRequest: [app.authenticate, label('device_commands.list')],
      config: { permission: 'sessions.read' },
      schema: {
        tags: ['admin'],
        summary: 'Wipe and lock commands, oldest first (admin). `state=pending&olderThan=7d`: the devices that never came back',
        security,
        querystring: ReportQuery,
        response: { 200: { type: 'object', additionalProperties: false, required: ['commands'], properties: { commands: { type: 'array', items: ReportItem } } } },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = q.limit === undefined ? 500 : Math.min(500, Math.max(1, Number(q.limit)));
      const list = await commands.list({
        ...(q.state ? { state: q.state } : {}),
        ...(q.olderThan ? { requestedBefore: new Date(deps.clock.now() - parseDuration(q.olderThan)) } : {}),
        ...(q.deviceId ? { deviceId: q.deviceId } : {}),
        limit,
      });
      deps.audit.emit({ action: 'admin.device_commands.list', outcome: 'success', actor: actor(request), resource: { type: 'device_commands' }, detail: { count: list.length, ...(q.state ? { state: q.state } : {}) } });
      return { commands: list.map((c) => ({ ...commandView(c), device: { userId: c.userId, clientId: c.clientId, state: c.deviceState, lastSeenAt: new Date(c.lastSeenAt).toISOString() } })) };
    },
  );

  app.post(
    '/api/v1/device/commands/:id/ack',
    {
      // No bearer token: the device's tokens were revoked. The device key proves the caller, the
      // app key (checked for every /api route, apisec/app-keys.ts) names the app; there is no
      // session signing key to sign the request with, and a forged proof counts as a failed
      // authentication against the lockout.
      // A keyless browser app (the console, the field app's web build in development) has no app
      // key to send: the command's device must then be one of those apps' (keylessAck).
      config: { signing: 'off', keylessAck: true, rateLimit: { class: 'auth', failureStatuses: [401] } },
      schema: {
        tags: ['devices'],
        summary: 'Acknowledge a wipe or lock command, after carrying it out: a JWS signed with the device key',
        description:
          'Body `{ proof }`: a compact JWS with header `{ typ: "palisade-command-ack+jwt", alg, jwk: <the device key’s public JWK> }` and payload `{ jti: <command id>, iat }`, ' +
          'signed with the device (DPoP) key the command names in `jkt`. Accepted once; needs the app key. See docs/remote-wipe.md.',
        security: [{ appKey: [] }],
        params: IdParams,
        querystring: NO_QUERY,
        body: AckBody,
        response: { 200: CommandSchema },
      },
    },
    async (request) => {
      try {
        const command = await commands.acknowledge(request.params.id, request.body.proof, request.appKey?.appId, request.appKey ? undefined : (deps.keylessApps ?? []));
        return commandView(command);
      } catch (error) {
        if (!(error instanceof DeviceCommandError)) throw error;
        // An unknown command is answered like a refused proof: no oracle for command ids.
        if (error.code === 'ERR_ACK_REPLAYED') throw problems.commandAlreadyAcknowledged();
        // Without an app key only a keyless browser app's device may acknowledge; any other app
        // is told what it is missing, as every /api route tells it.
        if (error.code === 'ERR_APP_KEY_REQUIRED') throw problems.missingAppKey();
        throw problems.commandAckRefused(error.code === 'ERR_UNKNOWN_COMMAND' ? 'unknown command' : error.message);
      }
    },
  );
}

function problemOf(delivery: Delivery, oauth: boolean): Problem {
  const { command, jws } = delivery;
  return command.kind === 'wipe' ? problems.deviceWiped(jws, command.id, oauth) : problems.deviceLocked(jws, command.id, oauth);
}

/**
 * The bearer stage found the token's session revoked: `device-wiped` with the command when the
 * token's device (its verified `cnf.jkt`, user and app) was wiped, else undefined.
 */
export async function deviceProblemForRevoked(commands: DeviceCommands, claims: AccessClaims): Promise<Problem | undefined> {
  const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
  if (typeof jkt !== 'string') return undefined;
  const command = await commands.wipeFor({ userId: claims.sub, clientId: claims.client_id, jkt });
  return command ? problemOf(await commands.deliver(command), false) : undefined;
}

/** The session guard found the session locked: `device-locked` while a device lock is unacknowledged. */
export async function deviceProblemForLocked(commands: DeviceCommands, sessionId: string): Promise<Problem | undefined> {
  const command = await commands.lockFor(sessionId);
  return command ? problemOf(await commands.deliver(command), false) : undefined;
}

/**
 * The token endpoint, before oidc-provider: a refresh from a wiped device (whose refresh tokens
 * the wipe deleted) or from a locked one that has not acknowledged is answered with the command.
 * The device is known by the DPoP proof's key and the app; the proof must hold (signature, method,
 * URL, freshness, single use) before anything is handed out or counted. Anything else — no
 * proof, no command, a proof that fails — goes on to oidc-provider unchanged.
 */
export async function deviceProblemAtTokenEndpoint(
  commands: DeviceCommands,
  request: { form: URLSearchParams; dpop: string | undefined; tokenEndpoint: string; now: number; claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean> },
): Promise<Problem | undefined> {
  const { form, dpop } = request;
  const clientId = form.get('client_id');
  if (form.get('grant_type') !== 'refresh_token' || !clientId || !dpop || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(dpop)) return undefined;
  let jkt: string;
  try {
    const jwk = decodeProtectedHeader(dpop).jwk;
    if (!jwk) return undefined;
    jkt = await calculateJwkThumbprint(jwk, 'sha256');
  } catch {
    return undefined;
  }
  // The thumbprint is only a lookup key until the proof is verified below.
  const command = await commands.forKey(clientId, jkt);
  if (!command) return undefined;
  try {
    await verifyDpopProof({ proof: dpop, method: 'POST', url: request.tokenEndpoint, jkt, now: request.now, claimOnce: request.claimOnce });
  } catch {
    return undefined;
  }
  return problemOf(await commands.deliver(command), true);
}
