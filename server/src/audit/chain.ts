/**
 * The hash chain's one definition, shared by the sealer (which links records), `audit verify`
 * (which recomputes the links from the database or from archives) and `audit export` (which
 * writes the same canonical records to files). A record's link is
 *
 *   hash(seq) = SHA-256( hash(seq - 1) || "\n" || JCS(record with its seq) )
 *
 * where JCS is the JSON Canonicalization Scheme (RFC 8785): the same record always encodes to
 * the same bytes, whatever key order PostgreSQL's jsonb or a JSON parser produced.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditActor, AuditOutcome } from './event.ts';

/** The link before the first record of a chain that was never purged. */
export const GENESIS_HASH = '0'.repeat(64);

/** A sealed record exactly as it is hashed and archived. `at` is an ISO-8601 string (ms). */
export interface ChainRecord {
  seq: number;
  id: number;
  at: string;
  action: string;
  outcome: AuditOutcome;
  reason: string | null;
  actor: AuditActor;
  resourceType: string | null;
  resourceId: string | null;
  requestId: string | null;
  changes: Record<string, unknown> | null;
  detail: Record<string, unknown> | null;
}

export function canonical(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON encoding');
  return text;
}

export function link(previousHash: string, record: ChainRecord): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonical(record)).digest('hex');
}

/** The columns of an audit_events row as `ChainRecord` fields (the sealer, verify and export read this). */
export const RECORD_COLUMNS = `e.id::text AS id, e.at, e.action, e.outcome, e.reason, e.actor, e.resource_type AS "resourceType",
  e.resource_id AS "resourceId", e.request_id AS "requestId", e.changes, e.detail`;

export interface RecordRow {
  id: string;
  at: Date | string;
  action: string;
  outcome: AuditOutcome;
  reason: string | null;
  actor: AuditActor | string;
  resourceType: string | null;
  resourceId: string | null;
  requestId: string | null;
  changes: Record<string, unknown> | string | null;
  detail: Record<string, unknown> | string | null;
}

const json = <T>(value: T | string | null): T | null => (typeof value === 'string' ? (JSON.parse(value) as T) : value);

export function toChainRecord(seq: number, row: RecordRow): ChainRecord {
  return {
    seq,
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    action: row.action,
    outcome: row.outcome,
    reason: row.reason,
    actor: json<AuditActor>(row.actor) ?? {},
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    requestId: row.requestId,
    changes: json(row.changes),
    detail: json(row.detail),
  };
}
