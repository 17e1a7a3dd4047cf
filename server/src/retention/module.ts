/**
 * The retention module: the scheduled purge of records past their configured age
 * (`retention.*`), on one instance at a time, in batches, audited, counted in /metrics. It owns no
 * table; it deletes expired rows of the modules that keep them (retention/store.ts).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { parseDuration } from '../duration.ts';
import { FileBlobStore } from '../domains/fieldservice/index.ts';
import { defineModule } from '../module.ts';
import { Retention, type RetentionPolicy } from './service.ts';
import { RETENTION_KINDS, type RetentionKind } from './store.ts';

export interface RetentionModuleApi {
  /** Rows this instance purged since it started, per kind. */
  purged(): Readonly<Record<RetentionKind, number>>;
}

/** The policy the configuration says. */
export function retentionPolicy(config: ResolvedConfig): RetentionPolicy {
  const r = config.retention;
  const age = (value: string) => (value === 'off' ? null : parseDuration(value));
  return {
    maxAgeMs: Object.fromEntries(RETENTION_KINDS.map((kind) => [kind, age(r[kind])])) as Record<RetentionKind, number | null>,
    batchSize: r.batchSize,
    maxBatches: 1000,
  };
}

export const retentionModule = defineModule({
  name: 'retention',
  dependencies: ['db', 'audit'],
  config: ['retention'],
  async start({ config, db, audit, clock, log }: { config: ResolvedConfig; db: Database; audit: AuditSink; clock: Clock; log: Logger }) {
    const blobs = new FileBlobStore(path.join(config.dataDir, 'blobs'));
    const retention = new Retention({ db, audit, clock, deleteBlob: (key) => blobs.delete(key) }, retentionPolicy(config));
    const everyMs = parseDuration(config.retention.interval);
    let timer: NodeJS.Timeout | undefined;
    let running: Promise<unknown> = Promise.resolve();
    const tick = () => {
      running = retention
        .run()
        .then((run) => {
          if (run.ran && Object.values(run.purged).some((n) => n > 0)) log.info({ event: 'retention.purge', purged: run.purged }, 'expired records purged');
        })
        .catch((err: unknown) => log.error({ event: 'retention.failed', err }, 'the retention purge failed; it runs again at the next interval'));
    };
    return {
      api: { purged: () => retention.totals },
      serve() {
        timer = setInterval(tick, everyMs);
        timer.unref();
      },
      async stop() {
        if (timer) clearInterval(timer);
        await running;
      },
    };
  },
});
