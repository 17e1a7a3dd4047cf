/**
 * Retention: records past their configured age are deleted by a scheduled purge. One kind at a
 * time, in batches of `batchSize` rows, each batch its own short owner transaction under an
 * advisory lock, so only one instance purges at a time (another instance's run finds the lock
 * taken and leaves it at that) and a purge never holds many locks for long. Each run that deletes
 * something is audited (`retention.purge`, counts per kind); the counts since start are in
 * `/metrics` (`palisade_retention_purged_total{kind}`). Audit records are not purged here: they
 * keep their 7-year rule and leave only through `palisade audit purge`, after a verified archive.
 */
import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { purgeEndedDevices } from '../sessions/index.ts';
import {
  purgeEndedSessions,
  purgeJobEvents,
  purgeLocations,
  purgePhotos,
  purgeReplayState,
  RETENTION_KINDS,
  tryRetentionLock,
  type RetentionKind,
} from './store.ts';

/** The advisory lock of the purge (one instance at a time). */
export const RETENTION_LOCK = 7_150_020;

export interface RetentionPolicy {
  /** Age after which each kind is purged, in ms; `null`: kept. */
  maxAgeMs: Record<RetentionKind, number | null>;
  batchSize: number;
  /** Batches per kind per run at most, so one run ends even when years have piled up. */
  maxBatches: number;
}

export interface RetentionDeps {
  db: Database;
  audit: AuditSink;
  clock: Clock;
  /** Deletes a photo's bytes once its row is gone. */
  deleteBlob?: (key: string) => Promise<unknown>;
}

export interface PurgeRun {
  /** False when another instance held the lock. */
  ran: boolean;
  purged: Record<RetentionKind, number>;
}

const none = (): Record<RetentionKind, number> => Object.fromEntries(RETENTION_KINDS.map((k) => [k, 0])) as Record<RetentionKind, number>;

export class Retention {
  private readonly deps: RetentionDeps;
  private readonly policy: RetentionPolicy;
  /** Rows purged by this instance since it started, per kind (the metrics). */
  readonly totals = none();

  constructor(deps: RetentionDeps, policy: RetentionPolicy) {
    this.deps = deps;
    this.policy = policy;
  }

  /** One run over every kind; audited when it deleted anything. */
  async run(): Promise<PurgeRun> {
    const purged = none();
    const now = this.deps.clock.now();
    for (const kind of RETENTION_KINDS) {
      const maxAge = this.policy.maxAgeMs[kind];
      if (maxAge === null) continue;
      const cutoff = new Date(now - maxAge);
      for (let batch = 0; batch < this.policy.maxBatches; batch++) {
        const result = await this.batch(kind, cutoff);
        if (result === undefined) return { ran: false, purged };
        purged[kind] += result;
        this.totals[kind] += result;
        if (result < this.policy.batchSize) break;
      }
    }
    const total = Object.values(purged).reduce((a, b) => a + b, 0);
    if (total > 0) {
      const maxAgeDays = Object.fromEntries(RETENTION_KINDS.map((k) => [k, this.policy.maxAgeMs[k] === null ? null : Math.round(this.policy.maxAgeMs[k]! / 86_400_000)]));
      await this.deps.db.transaction((tx) => this.deps.audit.record(tx, { action: 'retention.purge', outcome: 'success', actor: { userId: 'system' }, resource: { type: 'retention' }, detail: { purged: { ...purged }, maxAgeDays } }));
    }
    return { ran: true, purged };
  }

  /** One batch of one kind; undefined when another instance holds the lock. */
  private async batch(kind: RetentionKind, cutoff: Date): Promise<number | undefined> {
    const limit = this.policy.batchSize;
    const outcome = await this.deps.db.asOwner(async (q) => {
      if (!(await tryRetentionLock(q, RETENTION_LOCK))) return undefined;
      switch (kind) {
        case 'endedSessions':
          return { n: await purgeEndedSessions(q, cutoff, limit), blobs: [] };
        case 'endedDevices':
          return { n: await purgeEndedDevices(q, cutoff, limit), blobs: [] };
        case 'jobEvents':
          return { n: await purgeJobEvents(q, cutoff, limit), blobs: [] };
        case 'locations':
          return { n: await purgeLocations(q, cutoff, limit), blobs: [] };
        case 'photos': {
          const blobs = await purgePhotos(q, cutoff, limit);
          return { n: blobs.length, blobs };
        }
        case 'replayState':
          return { n: await purgeReplayState(q, cutoff, limit), blobs: [] };
      }
    });
    if (!outcome) return undefined;
    // After the commit: a blob whose row is gone is unreachable; deleting it first could lose a photo a rollback kept.
    for (const key of outcome.blobs) await this.deps.deleteBlob?.(key);
    return outcome.n;
  }
}
