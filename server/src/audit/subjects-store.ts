/** SQL of the audit trail's pseudonyms (migration 0019, audit/subjects.ts). */
import type { Queryable } from '../db/index.ts';
import type { RecordRow } from './chain.ts';

export interface IdentifierRow {
  id: string;
  value: string;
  pseudonym: string;
  userId: string;
}

/** The identifiers among `values` (exact matches), with their person's pseudonym. */
export async function identifiersByValue(q: Queryable, values: readonly string[]): Promise<IdentifierRow[]> {
  if (values.length === 0) return [];
  const { rows } = await q.query<IdentifierRow>(
    `SELECT i.id::text AS id, i.value, s.pseudonym, i.user_id::text AS "userId" FROM audit_subject_identifiers i JOIN audit_subjects s ON s.user_id = i.user_id
      WHERE i.value = ANY($1::text[])`,
    [values],
  );
  return rows;
}

/** Registers values as identifiers of these people (a value already taken stays its owner's). */
export async function registerIdentifiers(q: Queryable, pairs: readonly { userId: string; value: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  await q.query(
    `INSERT INTO audit_subject_identifiers (user_id, value) SELECT u, v FROM unnest($1::uuid[], $2::text[]) AS p (u, v)
      WHERE length(v) >= 4 AND EXISTS (SELECT 1 FROM audit_subjects s WHERE s.user_id = p.u) ON CONFLICT (value) DO NOTHING`,
    [pairs.map((p) => p.userId), pairs.map((p) => p.value)],
  );
}

/** The identifiers with these ids that still exist (an erased person's are gone). */
export async function identifiersById(q: Queryable, ids: readonly string[]): Promise<IdentifierRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await q.query<IdentifierRow>(
    `SELECT i.id::text AS id, i.value, s.pseudonym, i.user_id::text AS "userId" FROM audit_subject_identifiers i JOIN audit_subjects s ON s.user_id = i.user_id
      WHERE i.id = ANY($1::bigint[])`,
    [ids],
  );
  return rows;
}

/** A person's pseudonym and identifiers; undefined when they have none (erased, or never a user). */
export async function subjectOf(q: Queryable, userId: string): Promise<{ pseudonym: string; identifiers: IdentifierRow[] } | undefined> {
  const { rows } = await q.query<{ pseudonym: string }>('SELECT pseudonym FROM audit_subjects WHERE user_id = $1', [userId]);
  if (!rows[0]) return undefined;
  const { rows: identifiers } = await q.query<IdentifierRow>(
    'SELECT i.id::text AS id, i.value, $2::text AS pseudonym, i.user_id::text AS "userId" FROM audit_subject_identifiers i WHERE i.user_id = $1',
    [userId, rows[0].pseudonym],
  );
  return { pseudonym: rows[0].pseudonym, identifiers };
}

/** Sealed records that held any of these identifiers, with every identifier each one held. */
export async function sealedRecordsHolding(q: Queryable, ids: readonly string[]): Promise<(RecordRow & { seq: string; subjects: string[] })[]> {
  const { rows } = await q.query<RecordRow & { seq: string; subjects: string[] }>(
    `SELECT c.seq::text AS seq, c.subjects::text[] AS subjects, e.id::text AS id, e.at, e.action, e.outcome, e.reason, e.actor,
            e.resource_type AS "resourceType", e.resource_id AS "resourceId", e.request_id AS "requestId", e.changes, e.detail
       FROM audit_chain c JOIN audit_events e ON e.id = c.event_id
      WHERE c.subjects && $1::bigint[] ORDER BY c.seq`,
    [ids],
  );
  return rows;
}

/** Records not sealed yet (the sealer reads them with the identifiers as they are then). */
export async function pendingRecords(q: Queryable): Promise<RecordRow[]> {
  const { rows } = await q.query<RecordRow>(
    `SELECT e.id::text AS id, e.at, e.action, e.outcome, e.reason, e.actor, e.resource_type AS "resourceType", e.resource_id AS "resourceId",
            e.request_id AS "requestId", e.changes, e.detail
       FROM audit_pending p JOIN audit_events e ON e.id = p.event_id ORDER BY e.id`,
  );
  return rows;
}

/** Sealed records from before pseudonyms (no `subjects`) whose person columns name the user. */
export async function unpseudonymisedRecordsNaming(q: Queryable, userId: string): Promise<number> {
  const { rows } = await q.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM audit_chain c JOIN audit_events e ON e.id = c.event_id
      WHERE c.subjects IS NULL AND (e.actor ->> 'userId' = $1 OR e.resource_id = $1)`,
    [userId],
  );
  return Number(rows[0]!.n);
}

/** Writes a record's person columns in their pseudonymised form (as the eraser role). */
export async function rewritePersonColumns(
  q: Queryable,
  id: string,
  values: { actor: unknown; resourceId: string | null; reason: string | null; changes: unknown; detail: unknown },
): Promise<void> {
  await q.query('UPDATE audit_events SET actor = $2::jsonb, resource_id = $3, reason = $4, changes = $5::jsonb, detail = $6::jsonb WHERE id = $1', [
    id,
    JSON.stringify(values.actor),
    values.resourceId,
    values.reason,
    values.changes === null ? null : JSON.stringify(values.changes),
    values.detail === null ? null : JSON.stringify(values.detail),
  ]);
}

/** Forgets the person's pseudonym and identifiers: nothing then links the pseudonym to them. */
export async function deleteSubject(q: Queryable, userId: string): Promise<void> {
  await q.query('DELETE FROM audit_subject_identifiers WHERE user_id = $1', [userId]);
  await q.query('DELETE FROM audit_subjects WHERE user_id = $1', [userId]);
}

/** Takes the sealer's advisory lock for the rest of the transaction (no round runs meanwhile). */
export async function holdSealerLock(q: Queryable, lock: number): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock($1)', [lock]);
}

/** The eraser's role for what follows in the transaction (`on`), or the caller's own role again. */
export async function actAsEraser(q: Queryable, on: boolean): Promise<void> {
  await q.query(on ? 'SET LOCAL ROLE palisade_audit_eraser' : 'RESET ROLE');
}
