/**
 * Audit search for administrators (API and `palisade audit search`): filters by user, device,
 * app, action, resource, outcome and time, newest first, with keyset pagination (a cursor is the
 * last event id seen, so pages stay stable while new records arrive). Runs as the reader role;
 * the caller records the search itself as an audit event.
 */
import type { Database } from '../db/index.ts';
import type { AuditActor, AuditOutcome, StoredAuditEvent } from './event.ts';
import { asRole } from './sealer.ts';
import { searchEvents, type EventConditions } from './events-store.ts';

/** A search's filters (events-store.ts's conditions), with an outcome of the known ones and a page size. */
export interface AuditFilter extends EventConditions {
  outcome?: AuditOutcome;
  limit?: number;
}

export interface AuditPage {
  events: (StoredAuditEvent & { seq: number | null })[];
  /** Pass as `before` for the next page; absent on the last page. */
  next?: number;
}

const json = <T>(v: T | string | null): T | undefined => (v === null ? undefined : typeof v === 'string' ? (JSON.parse(v) as T) : v);

export async function searchAudit(db: Database, filter: AuditFilter): Promise<AuditPage> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500);
  const rows = await asRole(db, 'palisade_audit_reader', (q) => searchEvents(q, filter, limit + 1));
  const page = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    seq: r.seq === null ? null : Number(r.seq),
    at: new Date(r.at).getTime(),
    action: r.action,
    outcome: r.outcome,
    ...(r.reason !== null ? { reason: r.reason } : {}),
    actor: json<AuditActor>(r.actor) ?? {},
    ...(r.resourceType !== null ? { resource: { type: r.resourceType, ...(r.resourceId !== null ? { id: r.resourceId } : {}) } } : {}),
    ...(r.requestId !== null ? { requestId: r.requestId } : {}),
    ...(r.changes !== null ? { changes: json(r.changes) } : {}),
    ...(r.detail !== null ? { detail: json(r.detail) } : {}),
  }));
  return rows.length > limit ? { events: page, next: page[page.length - 1]!.id } : { events: page };
}
