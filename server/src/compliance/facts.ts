/**
 * What the compliance report is evaluated against: the live configuration and the state behind
 * it (signing-key and app-key ages, the last recorded `audit verify`, the breach clocks of open
 * incidents), and the transport policies compiled into the server (TLS, HSTS). Gathered once per
 * report; the evaluators (evaluators.ts) only read this object, so a test can hand them a
 * weakened copy and see which controls turn red.
 */
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { AuditSink } from '../audit/index.ts';
import type { MasterKey } from '../security/index.ts';
import { searchAudit } from '../audit/index.ts';
import { listKeys } from '../oauth/index.ts';
import { AppKeys } from '../apisec/index.ts';
import { runningClocks } from '../privacy/index.ts';
import { HSTS, TLS_POLICY, type HstsPolicy } from '../http/index.ts';

export type MasterKeySource = 'environment' | 'configuration file' | 'generated file';

export interface ComplianceFacts {
  config: ResolvedConfig;
  /** When the facts were read (ms since the epoch). */
  now: number;
  /** Where the master key comes from; never its value. */
  masterKeySource: MasterKeySource;
  tls: { minVersion: string; ciphers: string };
  hsts: HstsPolicy;
  signingKeys: { kid: string; alg: string; createdAt: number; activatedAt: number | null; retiredAt: number | null }[];
  appKeys: { id: string; appId: string; status: string; createdAt: number; expiresAt: number | null }[];
  /**
   * The newest `audit.verify` record: a verification of the database's chain through the admin
   * API, the console or `palisade audit verify` (not `--archive`, which checks files), with the
   * range it covered (null in records older than the range's recording) and where it ran.
   */
  lastAuditVerify: { at: number; ok: boolean; checked: number | null; firstSeq: number | null; lastSeq: number | null; via: 'api' | 'cli' | null } | null;
  /** Open personal-data breach incidents whose 72-hour clock runs (negative: overdue). */
  incidents: { id: string; secondsLeft: number }[];
}

export interface FactSources {
  config: ResolvedConfig;
  db: Database;
  clock: Clock;
  master: MasterKey;
  audit: AuditSink;
}

/** Where the master key came from, as the configuration was loaded (config/load.ts). */
export function masterKeySource(config: ResolvedConfig): MasterKeySource {
  if (!config.masterKey) return 'generated file';
  return config.masterKeyFrom === 'environment' ? 'environment' : 'configuration file';
}

const integer = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) ? value : null);
const time = (at: Date | string | null): number | null => (at === null ? null : new Date(at).getTime());

export async function gatherFacts(sources: FactSources): Promise<ComplianceFacts> {
  const { config, db, clock } = sources;
  const appKeys = new AppKeys({ db, clock, master: sources.master, apps: config.clients.map((c) => c.id), audit: sources.audit });
  const [keys, keyLists, verified, clocks] = await Promise.all([
    listKeys(db),
    Promise.all(config.clients.map((c) => appKeys.list(c.id))),
    searchAudit(db, { action: 'audit.verify', limit: 1 }),
    runningClocks(db, clock),
  ]);
  const last = verified.events[0];
  return {
    config,
    now: clock.now(),
    masterKeySource: masterKeySource(config),
    tls: { minVersion: TLS_POLICY.minVersion, ciphers: TLS_POLICY.ciphers },
    hsts: { ...HSTS },
    signingKeys: keys.map((k) => ({ kid: k.kid, alg: k.alg, createdAt: new Date(k.createdAt).getTime(), activatedAt: time(k.activatedAt), retiredAt: time(k.retiredAt) })),
    appKeys: keyLists.flat().map((k) => ({ id: k.id, appId: k.appId, status: k.status, createdAt: Date.parse(k.createdAt), expiresAt: k.expiresAt === null ? null : Date.parse(k.expiresAt) })),
    lastAuditVerify: last ? { at: last.at, ok: last.outcome === 'success', checked: integer(last.detail?.checked), firstSeq: integer(last.detail?.firstSeq), lastSeq: integer(last.detail?.lastSeq), via: last.detail?.via === 'api' || last.detail?.via === 'cli' ? last.detail.via : null } : null,
    incidents: clocks.map((c) => ({ id: c.incident, secondsLeft: c.seconds })),
  };
}
