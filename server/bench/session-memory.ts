/**
 * Goal (e), memory: what the per-session signing-key cache holds at 10 000 active sessions. The
 * same SessionSigningKeys service Palisade uses reads each session's key once (as the first
 * signed request of each session does), with allocations in between as a busy server makes; the
 * bench reports the growth of the process's ArrayBuffer memory (where Buffers live), after
 * garbage collection, per session. Each key held a whole 8 KB pool slab before its bytes were
 * copied out (80 MB at 10 000 sessions); 32 bytes and the Map entry now.
 *
 * This is the cache's share only; the RSS of a whole instance with 10 000 active sessions is
 * measured by `--only memory` (memory.ts).
 */
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Database } from '../src/db/index.ts';
import { randomId, wrapSecret, type MasterKey } from '../src/security/primitives.ts';
import { SessionSigningKeys } from '../src/apisec/signing-keys.ts';

export interface SessionMemory {
  sessions: number;
  /** Growth of ArrayBuffer memory with every key cached, in bytes. */
  arrayBufferBytes: number;
  /** Growth of the V8 heap (Map entries, key ids), in bytes. */
  heapBytes: number;
}

/** A full garbage collection, without starting Node with --expose-gc. */
function collect(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function measureSessionMemory(options: { db: Database; master: MasterKey; sessions: number }): Promise<SessionMemory> {
  const ids = Array.from({ length: options.sessions }, () => `bench-memory-${randomUUID()}`);
  const wrapped = await Promise.all(ids.map((id) => wrapSecret(options.master, randomId(32), `session-signing-key:${id}`)));
  await options.db.asOwner(async (o) => {
    const { rows } = await o.query<{ id: string }>(`INSERT INTO users (issuer, subject) VALUES ('https://memory.bench.invalid', $1) RETURNING id`, [randomUUID()]);
    await o.query(
      `INSERT INTO sessions (id, user_id, client_id, auth_time, expires_at) SELECT id, $2, 'field-app', now(), now() + interval '1 day' FROM unnest($1::text[]) id`,
      [ids, rows[0]!.id],
    );
    await o.query(
      `INSERT INTO session_signing_keys (session_id, key_id, wrapped_key) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])`,
      [ids, ids.map(() => randomId(16)), wrapped],
    );
  });
  const keys = new SessionSigningKeys({ db: options.db, master: options.master, isRevoked: () => false });
  collect();
  const before = process.memoryUsage();
  const garbage: Buffer[] = [];
  for (const id of ids) {
    // What a request allocates meanwhile (headers, bodies, encodings): small Buffers from the
    // same 8 KB pool, more than a slab's worth, so every key would land in a slab of its own.
    for (let i = 0; i < 40; i += 1) garbage.push(Buffer.from(randomUUID().repeat(6)));
    garbage.length = 0;
    if (!(await keys.lookup(id))) throw new Error('a benchmark session has no signing key');
  }
  collect();
  const after = process.memoryUsage();
  // Keep the cache alive up to the measurement.
  if (!(await keys.lookup(ids[0]!))) throw new Error('the cache lost a key');
  return { sessions: options.sessions, arrayBufferBytes: after.arrayBuffers - before.arrayBuffers, heapBytes: after.heapUsed - before.heapUsed };
}
