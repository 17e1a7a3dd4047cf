/**
 * Configuration changes are audited: at start, each instance compares its effective
 * configuration (secrets redacted, credentials cut out of URLs) with the last one recorded and,
 * when anything differs, records `config.change` with the settings that changed, before and
 * after. Configuration lives in files and environment variables outside Palisade's reach, so
 * this is where a change becomes visible: at the first start that uses it.
 */
import type { Database } from '../db/index.ts';
import type { PalisadeConfig, ResolvedConfig } from '../config/index.ts';
import { asRole } from './sealer.ts';
import { lastConfigChangeDetail } from './events-store.ts';
import { redact } from '../security/index.ts';
import type { AuditSink } from './trail.ts';

type Flat = Record<string, unknown>;

function flatten(value: unknown, prefix: string, out: Flat): Flat {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out[prefix] = value;
  }
  return out;
}

/**
 * URLs lose what can carry secrets: credentials, query string and fragment
 * (`?sslpassword=…`, `?api_key=…`). A webhook URL is kept to its origin, because the path of a
 * Slack incoming webhook *is* the secret.
 */
function withoutUrlSecrets(value: unknown, path: string): unknown {
  if (Array.isArray(value)) return value.map((v) => withoutUrlSecrets(v, `${path}[]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutUrlSecrets(v, path ? `${path}.${k}` : k)]));
  }
  if (typeof value !== 'string' || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '[redacted]';
  }
  if (path === 'monitoring.webhooks[].url') return `${url.origin}/[redacted]`;
  const credentials = url.username || url.password ? '[redacted]@' : '';
  return `${url.protocol}//${credentials}${url.host}${url.pathname === '/' && !value.endsWith('/') ? '' : url.pathname}${url.search ? '?[redacted]' : ''}`;
}

/**
 * What loading adds to the settings (config/load.ts ResolvedConfig): not settings, never recorded.
 * The type lists every such key, so a new one that is not named here fails the type check.
 */
const DERIVED: Record<Exclude<keyof ResolvedConfig, keyof PalisadeConfig>, true> = { production: true, publicUrl: true, developmentDefaults: true, warnings: true, source: true, masterKeyFrom: true };

/** The configuration as it may be recorded: only schema settings, secrets redacted, URL credentials removed. */
export function configSnapshot(config: ResolvedConfig): Flat {
  const settings = Object.fromEntries(Object.entries(config).filter(([k]) => !(k in DERIVED)));
  const cleaned = withoutUrlSecrets(redact({ ...settings, masterKey: settings.masterKey === undefined ? undefined : '[redacted]' }), '') as Record<string, unknown>;
  return flatten(cleaned, '', {});
}

export async function recordConfiguration(db: Database, audit: AuditSink, config: ResolvedConfig): Promise<boolean> {
  const current = configSnapshot(config);
  const raw = (await asRole(db, 'palisade_audit_reader', (q) => lastConfigChangeDetail(q))) as { config?: Flat } | string | null | undefined;
  const previous = (typeof raw === 'string' ? (JSON.parse(raw) as { config?: Flat }) : raw)?.config;
  const before: Flat = {};
  const after: Flat = {};
  for (const key of new Set([...Object.keys(previous ?? {}), ...Object.keys(current)])) {
    if (JSON.stringify(previous?.[key]) === JSON.stringify(current[key])) continue;
    if (previous && key in previous) before[key] = previous[key];
    if (key in current) after[key] = current[key];
  }
  if (previous && Object.keys(before).length + Object.keys(after).length === 0) return false;
  await db.transaction((tx) =>
    audit.record(tx, {
      action: 'config.change',
      outcome: 'success',
      reason: previous ? 'changed' : 'first_start',
      actor: { userId: 'system' },
      resource: { type: 'config', id: config.source },
      changes: previous ? { before, after } : { after: current },
      detail: { config: current },
    }),
  );
  return true;
}
