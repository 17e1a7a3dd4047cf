/**
 * People in the audit trail under pseudonyms (decision 0019, migration 0019). A record is chained
 * in its *pseudonymised form*: every string value in its person columns (actor, resource id,
 * reason, changes, detail) that is exactly one of a person's identifiers (user id, e-mail, name,
 * user name, IdP subject) is replaced by that person's random pseudonym. The sealer notes which
 * identifiers it replaced (`audit_chain.subjects`); `audit verify` and `audit export` replace the
 * same ones again, so archives hold pseudonyms only.
 *
 * Erasure (`eraseSubject`) writes the pseudonymised form into the person's records and deletes
 * their identifiers and pseudonym: the links still match, and the pseudonym then names nobody.
 * Matching is by whole value, not substring: a name inside free text is not replaced (records
 * carry people as field values; free text never should).
 */
import type { Database, Queryable } from '../db/index.ts';
import type { ChainRecord, RecordRow } from './chain.ts';
import { toChainRecord } from './chain.ts';
import { SEAL_LOCK } from './sealer.ts';
import {
  actAsEraser,
  deleteSubject,
  holdSealerLock,
  identifiersById,
  identifiersByValue,
  pendingRecords,
  registerIdentifiers,
  rewritePersonColumns,
  sealedRecordsHolding,
  subjectOf,
  unpseudonymisedRecordsNaming,
  type IdentifierRow,
} from './subjects-store.ts';

type Identifiers = ReadonlyMap<string, IdentifierRow>;

function walk(value: unknown, identifiers: Identifiers, applied: Set<string>): unknown {
  if (typeof value === 'string') {
    const found = identifiers.get(value);
    if (!found) return value;
    applied.add(found.id);
    return found.pseudonym;
  }
  if (Array.isArray(value)) return value.map((v) => walk(v, identifiers, applied));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, identifiers, applied);
    return out;
  }
  return value;
}

/** The record with each identifier in its person columns replaced; `applied`: the identifier ids replaced. */
export function pseudonymise(record: ChainRecord, identifiers: Identifiers): { record: ChainRecord; applied: string[] } {
  const applied = new Set<string>();
  const out: ChainRecord = {
    ...record,
    actor: walk(record.actor, identifiers, applied) as ChainRecord['actor'],
    resourceId: walk(record.resourceId, identifiers, applied) as string | null,
    reason: walk(record.reason, identifiers, applied) as string | null,
    changes: walk(record.changes, identifiers, applied) as ChainRecord['changes'],
    detail: walk(record.detail, identifiers, applied) as ChainRecord['detail'],
  };
  return { record: out, applied: [...applied].sort((a, b) => Number(a) - Number(b)) };
}

function strings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, into);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, into);
}

const byValue = (rows: IdentifierRow[]): Map<string, IdentifierRow> => new Map(rows.map((r) => [r.value, r]));

/**
 * The sealer's form of a batch: each record pseudonymised with the identifiers known now, and
 * which ones it held (stored with its link, so verify replaces exactly those later).
 */
export async function sealForms(q: Queryable, rows: readonly RecordRow[], firstSeq: number): Promise<{ record: ChainRecord; applied: string[] }[]> {
  const records = rows.map((r, i) => toChainRecord(firstSeq + i, r));
  const values = new Set<string>();
  for (const r of records) strings([r.actor, r.resourceId, r.reason, r.changes, r.detail], values);
  let identifiers = byValue(await identifiersByValue(q, [...values]));
  // The session and device key a known person acted with are theirs, even when the record was
  // written before the session's or device's row (a sign-in names its DPoP key before the token
  // exchange creates the device): registered now, before anything with them is chained.
  const owned: { userId: string; value: string }[] = [];
  for (const r of records) {
    const person = r.actor.userId ? identifiers.get(r.actor.userId) : undefined;
    if (!person || person.value !== person.userId) continue;
    for (const value of [r.actor.sessionId, r.actor.deviceId]) if (value && !identifiers.has(value)) owned.push({ userId: person.userId, value });
  }
  if (owned.length > 0) {
    await registerIdentifiers(q, owned);
    identifiers = byValue(await identifiersByValue(q, [...values]));
  }
  return records.map((r) => pseudonymise(r, identifiers));
}

/**
 * Sealed rows as they were chained: rows sealed before pseudonyms (`subjects` NULL) as they are,
 * the others with the identifiers they held replaced again (those of an erased person are gone,
 * and so is their plaintext in the row).
 */
export async function chainedForms(q: Queryable, rows: readonly (RecordRow & { seq: string; subjects: string[] | null })[]): Promise<ChainRecord[]> {
  const ids = new Set<string>();
  for (const r of rows) for (const id of r.subjects ?? []) ids.add(String(id));
  const known = await identifiersById(q, [...ids]);
  const identifiers = byValue(known);
  return rows.map((r) => {
    const record = toChainRecord(Number(r.seq), r);
    if (!r.subjects || r.subjects.length === 0) return record;
    const held = new Set(r.subjects.map(String));
    const mine = new Map([...identifiers].filter(([, i]) => held.has(i.id)));
    return pseudonymise(record, mine).record;
  });
}

export interface SubjectErasure {
  /** The pseudonym the person's records now carry (it names nobody any more). */
  pseudonym: string | null;
  /** Sealed records rewritten into their pseudonymised form. */
  sealed: number;
  /** Records not sealed yet, rewritten the same way. */
  pending: number;
  /**
   * Sealed records from before pseudonyms that still name the person: rewriting them would break
   * their links. They leave with the trail's retention purge.
   */
  kept: number;
}

/**
 * Erases a person from the trail, in the caller's owner transaction: the pseudonymised form into
 * every record that held one of their identifiers, then their identifiers and pseudonym deleted.
 * Other people in the same records are pseudonymised too (the stored row becomes exactly the
 * chained form); their pseudonyms still resolve while they are not erased.
 */
export async function eraseSubject(owner: Queryable, userId: string): Promise<SubjectErasure> {
  // The sealer's lock: no round links this person's records while they are being rewritten.
  await holdSealerLock(owner, SEAL_LOCK);
  await actAsEraser(owner, true);
  {
    const subject = await subjectOf(owner, userId);
    if (!subject) {
      await actAsEraser(owner, false);
      return { pseudonym: null, sealed: 0, pending: 0, kept: 0 };
    }
    const mine = subject.identifiers.map((i) => i.id);
    const sealedRows = await sealedRecordsHolding(owner, mine);
    const forms = await chainedForms(owner, sealedRows);
    for (const form of forms) {
      await rewritePersonColumns(owner, String(form.id), form);
    }
    // Not sealed yet: the sealer will read them after the identifiers are gone, so the person
    // must already be replaced in them.
    let pending = 0;
    const own = byValue(subject.identifiers);
    for (const row of await pendingRecords(owner)) {
      const { record, applied } = pseudonymise(toChainRecord(0, row), own);
      if (applied.length === 0) continue;
      await rewritePersonColumns(owner, row.id, record);
      pending += 1;
    }
    const kept = await unpseudonymisedRecordsNaming(owner, userId);
    await deleteSubject(owner, userId);
    // Back to the caller's role for the rest of its transaction (on failure the transaction is
    // rolled back, role and all).
    await actAsEraser(owner, false);
    return { pseudonym: subject.pseudonym, sealed: forms.length, pending, kept };
  }
}

/** The person's current pseudonym (what the archives call them), or undefined. */
export async function pseudonymOf(db: Database | Queryable, userId: string): Promise<string | undefined> {
  return (await subjectOf(db, userId))?.pseudonym;
}
