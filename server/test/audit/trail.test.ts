/**
 * The audit trail's append paths hold up against what requests send and what databases do:
 * strings no database would store are made storable instead of poisoning the batched path, a row
 * the database still refuses is dropped, counted and recorded as `audit.unwritable` without
 * holding back the rows around it, and only an unreachable database keeps events queued — with
 * every event that falls off the bounded queue counted.
 */
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database, QueryResult } from '../../src/db/index.ts';
import { systemClock } from '../../src/clock.ts';
import { AuditTrail, MAX_TEXT, type AuditLog } from '../../src/audit/trail.ts';
import type { AuditEvent, AuditOutcome } from '../../src/audit/event.ts';

interface Logged {
  level: 'warn' | 'error';
  obj: Record<string, unknown>;
}

function recordingLog(): AuditLog & { lines: Logged[] } {
  const lines: Logged[] = [];
  return {
    lines,
    warn: (obj) => void lines.push({ level: 'warn', obj: obj as Record<string, unknown> }),
    error: (obj) => void lines.push({ level: 'error', obj: obj as Record<string, unknown> }),
  };
}

const HUGE = 'a'.repeat(1024 * 1024);

/** Everything an attacker can put in a field, all at once (grant_type=%00 is the reported case). */
function hostileEvent(action: string): AuditEvent {
  return {
    action,
    outcome: 'failure',
    reason: 'bad\u0000reason',
    actor: { appId: 'nobody\u0000', userAgent: HUGE },
    resource: { type: 'session', id: 'x\ud800y' },
    requestId: 'req\u0000',
    changes: { after: { 'k\u0000ey': 'v\u0000' } },
    detail: {
      grantType: '\u0000',
      lone: '\ud800',
      huge: HUGE,
      nested: { ['deep\u0000key']: { ['deeper\u0000']: ['\u0000', '\udc00'] } },
      big: 12345678901234567890n,
      notANumber: Number.NaN,
      infinite: Number.POSITIVE_INFINITY,
    },
  };
}

type StoredRow = { action: string; outcome: string; reason: string | null; resource_id: string | null; request_id: string | null; actor: unknown; changes: unknown; detail: unknown };

function json(value: unknown): Record<string, unknown> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}

/** A database that cannot be reached: every query fails the way pg does with the server down. */
function unreachable(): Database & { calls: number } {
  const fake = {
    kind: 'postgres' as const,
    calls: 0,
    async query<T>(): Promise<QueryResult<T>> {
      fake.calls += 1;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
    },
    transaction: () => Promise.reject(new Error('unreachable')),
    asOwner: () => Promise.reject(new Error('unreachable')),
    listen: () => Promise.reject(new Error('unreachable')),
    close: async () => undefined,
  };
  return fake;
}

/** A server error as pg and PGlite raise it: SQLSTATE `code` and `severity`. */
function serverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: 'ERROR' });
}

const event = (action: string, outcome: AuditOutcome = 'failure'): AuditEvent => ({ action, outcome, actor: {} });

for (const kind of databaseKinds()) {
  describe(`audit trail appends (${kind.kind})`, () => {
    let database: TestDatabase;
    let db: Database;
    let log: ReturnType<typeof recordingLog>;
    let trail: AuditTrail;
    let since: number;

    before(async () => {
      database = await kind.create({ migrated: true });
      db = await openMigrated(database);
    });
    after(async () => {
      await db.close();
      await database.drop();
    });
    beforeEach(async () => {
      // The trail is write-once: each test reads only the records written after this point.
      since = await db.asOwner(async (q) => Number((await q.query<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_events')).rows[0]!.id));
      log = recordingLog();
      // Long interval: the tests flush themselves, nothing depends on a timer.
      trail = new AuditTrail(db, systemClock, log, { flushIntervalMs: 60_000 });
    });
    afterEach(async () => {
      await trail.close();
    });

    const stored = async (): Promise<StoredRow[]> =>
      (await db.asOwner((q) => q.query<StoredRow>('SELECT action, outcome, reason, resource_id, request_id, actor, changes, detail FROM audit_events WHERE id > $1 ORDER BY id', [since]))).rows;

    function assertSanitised(row: StoredRow): void {
      assert.equal(row.reason, 'bad\ufffdreason', 'NUL in a text column is replaced, not refused');
      assert.equal(row.resource_id, 'x\ufffdy', 'a lone surrogate is replaced');
      assert.equal(row.request_id, 'req\ufffd');
      const actor = json(row.actor);
      assert.equal(actor.appId, 'nobody\ufffd');
      assert.ok(String(actor.userAgent).length < MAX_TEXT + 50, 'a 1 MB value is cut, so no request can make records huge');
      assert.match(String(actor.userAgent), /^a{100}.*…\[1048576 chars\]$/, 'the cut value keeps its start and says how long it was');
      assert.deepEqual(json(row.changes), { after: { 'k\ufffdey': 'v\ufffd' } }, 'keys are made storable too');
      const detail = json(row.detail);
      assert.equal(detail.grantType, '\ufffd');
      assert.equal(detail.lone, '\ufffd');
      assert.ok(String(detail.huge).length < MAX_TEXT + 50);
      assert.deepEqual(detail.nested, { 'deep\ufffdkey': { 'deeper\ufffd': ['\ufffd', '\ufffd'] } }, 'at any depth');
      assert.equal(detail.big, '12345678901234567890', 'a BigInt is kept as its digits instead of making JSON.stringify throw');
      assert.equal(detail.notANumber, null);
      assert.equal(detail.infinite, null);
    }

    test('an emitted event with NUL, lone surrogates, 1 MB strings and a BigInt is stored sanitised, and later events still are', async () => {
      trail.emit(event('test.before'));
      trail.emit(hostileEvent('token.issue'));
      trail.emit(event('test.after'));
      await trail.flush();
      trail.emit(event('test.later'));
      await trail.flush();

      const rows = await stored();
      assert.deepEqual(rows.map((r) => r.action), ['test.before', 'token.issue', 'test.after', 'test.later'], 'one hostile request must not stop the batched path');
      assertSanitised(rows[1]!);
      assert.equal(trail.dropped, 0, 'nothing was lost');
      assert.equal(trail.queued, 0, 'nothing is left waiting');
    });

    test('record() of such an event in a transaction commits together with the change', async () => {
      await db.transaction(async (tx) => {
        await trail.record(tx, event('test.change', 'success'));
        await trail.record(tx, hostileEvent('test.hostile'));
      });
      const rows = await stored();
      assert.deepEqual(rows.map((r) => r.action), ['test.change', 'test.hostile'], 'odd input must not roll back the caller\'s change');
      assertSanitised(rows[1]!);
    });

    test('a record() the database refuses still fails the transaction, so the change rolls back with it', async () => {
      await assert.rejects(
        db.transaction(async (tx) => {
          await trail.record(tx, event('test.change', 'success'));
          await trail.record(tx, event('test.refused', 'nonsense' as AuditOutcome));
        }),
        /check constraint/,
      );
      assert.deepEqual(await stored(), [], 'a change and its record commit together or not at all');
    });

    test('a row the database refuses is dropped, counted and recorded as audit.unwritable; the rest of the batch and later emits are written', async () => {
      trail.emit(event('test.one'));
      trail.emit({ ...event('test.refused', 'nonsense' as AuditOutcome), detail: { marker: 'content-that-must-not-be-logged' } });
      trail.emit(event('test.two'));
      await trail.flush();

      assert.equal(trail.dropped, 1, 'exactly the refused row is counted as lost');
      assert.equal(trail.queued, 0, 'the refused row is not re-queued to fail again forever');
      let rows = await stored();
      assert.deepEqual(rows.map((r) => r.action), ['test.one', 'test.two', 'audit.unwritable'], 'the rows around the refused one are written, and the loss is in the trail');
      const unwritable = rows[2]!;
      assert.equal(unwritable.outcome, 'error');
      assert.deepEqual(json(unwritable.detail), { action: 'test.refused', count: 1 });
      assert.deepEqual(json(unwritable.actor), { userId: 'system' });

      const logged = log.lines.filter((l) => l.obj.event === 'audit.unwritable');
      assert.equal(logged.length, 1);
      assert.equal(logged[0]!.level, 'error');
      assert.equal(logged[0]!.obj.action, 'test.refused');
      assert.equal(logged[0]!.obj.code, '23514', 'the SQLSTATE says why');
      assert.ok(!JSON.stringify(log.lines).includes('content-that-must-not-be-logged'), 'the log never carries the refused content');

      trail.emit(event('test.later'));
      await trail.flush();
      rows = await stored();
      assert.equal(rows.at(-1)!.action, 'test.later', 'the batched path keeps working afterwards');
      assert.equal(trail.dropped, 1);
    });

    test('a closed database keeps the queue for retry without dropping anything', async () => {
      const other = await kind.create({ migrated: true });
      const closed = await openMigrated(other);
      await closed.close();
      const stranded = new AuditTrail(closed, systemClock, log, { flushIntervalMs: 60_000 });
      try {
        stranded.emit(event('test.one'));
        stranded.emit(event('test.two'));
        await stranded.flush();
        assert.equal(stranded.queued, 2, 'an unreachable database is an outage, not bad data: keep the events');
        assert.equal(stranded.dropped, 0);
        assert.ok(!log.lines.some((l) => l.obj.event === 'audit.unwritable'), 'nothing is declared unwritable');
      } finally {
        await stranded.close();
        await other.drop();
      }
      assert.equal(stranded.dropped, 2, 'what is still queued at shutdown is lost, and counted');
    });
  });
}

describe('audit trail with the database unreachable', () => {
  test('a connection error keeps every event queued and drops none', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const db = unreachable();
    const log = recordingLog();
    const trail = new AuditTrail(db, systemClock, log, { flushIntervalMs: 10 });
    trail.emit(event('test.one'));
    trail.emit(event('test.two'));
    await trail.flush();
    await trail.flush();
    assert.equal(trail.queued, 2, 'the events wait for the database');
    assert.equal(trail.dropped, 0, 'an outage shorter than the queue bound loses nothing');
    assert.equal(db.calls, 2, 'one batch attempt per flush, no row-by-row retry against a dead server');
    assert.ok(log.lines.some((l) => l.level === 'warn' && l.obj.event === 'audit.flush_failed'));
  });

  test('a server shutting down (SQLSTATE 57P01) is an outage too, not bad data', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const db = { ...unreachable(), query: () => Promise.reject(serverError('57P01', 'terminating connection due to administrator command')) };
    const trail = new AuditTrail(db, systemClock, recordingLog(), { flushIntervalMs: 10 });
    trail.emit(event('test.one'));
    await trail.flush();
    assert.equal(trail.queued, 1);
    assert.equal(trail.dropped, 0);
  });

  test('a connection lost during the row-by-row retry keeps the rows not yet written', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const answers = [serverError('22P05', 'unsupported Unicode escape sequence'), undefined, new Error('Connection terminated unexpectedly')];
    const written: unknown[] = [];
    const db = {
      ...unreachable(),
      async query<T>(_sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
        const answer = answers.shift();
        if (answer) throw answer;
        written.push(params?.[0]);
        return { rows: [], rowCount: 1 };
      },
    };
    const trail = new AuditTrail(db, systemClock, recordingLog(), { flushIntervalMs: 10 });
    trail.emit(event('test.one'));
    trail.emit(event('test.two'));
    trail.emit(event('test.three'));
    await trail.flush();
    assert.equal(written.length, 1, 'the first row was written on its own');
    assert.equal(trail.queued, 2, 'the rows after the lost connection wait for the next flush');
    assert.equal(trail.dropped, 0, 'a lost connection drops nothing');
  });

  test('events that fall off the bounded queue when a failed batch is put back are counted', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const log = recordingLog();
    const trail = new AuditTrail(unreachable(), systemClock, log, { flushIntervalMs: 10, maxQueued: 3 });
    trail.emit(event('test.1'));
    trail.emit(event('test.2'));
    trail.emit(event('test.3'));
    const flushing = trail.flush();
    // Emitted while the batch is out: accepted (the queue is empty), then squeezed out by its return.
    trail.emit(event('test.4'));
    trail.emit(event('test.5'));
    await flushing;
    assert.equal(trail.queued, 3, 'the queue stays bounded');
    assert.equal(trail.dropped, 2, 'every event that fell off is counted, or the metric hides the loss');
    assert.ok(log.lines.some((l) => l.level === 'error' && l.obj.event === 'audit.dropped'), 'and the loss is logged');
  });
});
