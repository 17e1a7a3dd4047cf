/**
 * The privacy module: the data subject's rights (export, erasure, legal holds) over the admin API
 * and the CLI (`palisade privacy`). It owns the legal holds and the erasure register (migration
 * 0020) and reads every module's personal tables through its store.
 */
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { Sessions } from '../sessions/index.ts';
import type { BlobStore, SensitiveCipher } from '../domains/fieldservice/index.ts';
import type { PersonKeys } from '../security/index.ts';
import { defineModule } from '../module.ts';
import type { Logger } from 'pino';
import type { Alert } from '../audit/index.ts';
import { privacyRoutes } from './routes.ts';
import { dueAlerts, runningClocks } from './breach.ts';

export interface PrivacyModuleApi {
  /** Seconds left on each running breach clock (negative: overdue). */
  breachClocks(): Promise<{ incident: string; seconds: number }[]>;
}

/** How often an instance looks for breach alerts that fell due. */
const BREACH_CHECK_MS = 60_000;

export const privacyModule = defineModule({
  name: 'privacy',
  dependencies: ['db', 'audit', 'sessions', 'fieldservice'],
  permissions: ['privacy.export', 'privacy.erase'],
  problems: ['legal-hold'],
  migrations: ['0020_privacy.sql'],
  async start(deps: {
    config: ResolvedConfig;
    db: Database;
    audit: AuditSink;
    clock: Clock;
    log: Logger;
    sessions: Pick<Sessions, 'revokeAllOfUser'>;
    raise: (alert: Alert) => void;
    /** The field-service module's photo store and person keys: what the export reads and the erasure deletes and shreds. */
    blobs: BlobStore;
    personKeys: PersonKeys;
    /** The field-service cipher: erasure removes the person's name from encrypted free text. */
    cipher: SensitiveCipher;
  }) {
    const { db, audit, clock, log, sessions, blobs, personKeys, cipher } = deps;
    let timer: NodeJS.Timeout | undefined;
    let checking: Promise<unknown> = Promise.resolve();
    // The 48 h and 68 h alerts of the breach clock: each claimed in the database, so with several
    // instances it is raised once.
    const check = () => {
      checking = dueAlerts({ db, clock })
        .then((due) => {
          for (const d of due) {
            deps.raise({
              rule: 'breach_clock',
              key: `incident:${d.incidentId}`,
              severity: d.alert.severity,
              summary: `Breach incident ${d.incidentId}: ${d.alert.name} since detection; the supervisory authority must be notified by ${d.notifyBy.toISOString()} (GDPR Art. 33). Run palisade incident report.`,
              at: clock.now(),
              detail: { incident: d.incidentId, elapsed: d.alert.name, notifyBy: d.notifyBy.toISOString(), suppressed: 0 },
            });
          }
        })
        .catch((err: unknown) => log.error({ event: 'breach_clock.failed', err }, 'checking the breach clock failed; it is checked again in a minute'));
    };
    const api: PrivacyModuleApi = { breachClocks: () => runningClocks(db, clock) };
    return {
      api,
      async routes(app) {
        await app.register(privacyRoutes, { db, audit, clock, sessions, blobs, personKeys, cipher });
      },
      serve() {
        check();
        timer = setInterval(check, BREACH_CHECK_MS);
        timer.unref();
      },
      async stop() {
        if (timer) clearInterval(timer);
        await checking;
      },
    };
  },
});
