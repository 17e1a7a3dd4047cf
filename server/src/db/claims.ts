/**
 * The caller's claims as row-level security reads them (migration 0012: palisade_claim_*; 0017:
 * palisade_claim_device_ownership).
 * `asCaller` runs work in one transaction, as the runtime role, whose first statement sets the
 * claims with `set_config(…, true)`: transaction-local, so they end with the transaction and a
 * pooled connection never carries one caller's claims into another's work. Outside such a
 * transaction the settings read as empty, and the domain's policies return no rows.
 */
import type { Database, Queryable } from './index.ts';

export interface RlsClaims {
  userId: string;
  roles: readonly string[];
  territory: string | null;
  region: string | null;
  department: string | null;
  projects: readonly string[];
  /** Contractors (employee_type contractor) see only their projects' rows. */
  contractor: boolean;
  /**
   * The ownership of the device the caller's access token was issued to (its `device_ownership`
   * claim, devices/trust.ts); null when the token carries none, which is set as `byod`: an
   * unknown device is the most restrictive kind, so a policy reading the claim never sees less.
   */
  deviceOwnership: 'corporate' | 'byod' | null;
}

// One statement: arrays go in as text[] parameters and are stored as their PostgreSQL literal,
// which the claim functions cast back; nothing is spliced into the SQL.
const SET_CLAIMS = `SELECT set_config('palisade.user_id', $1, true), set_config('palisade.roles', $2::text[]::text, true),
  set_config('palisade.territory', $3, true), set_config('palisade.region', $4, true), set_config('palisade.department', $5, true),
  set_config('palisade.projects', $6::text[]::text, true), set_config('palisade.contractor', $7, true),
  set_config('palisade.device_ownership', $8, true)`;

export async function setClaims(tx: Queryable, claims: RlsClaims): Promise<void> {
  await tx.query(SET_CLAIMS, [
    claims.userId,
    [...claims.roles],
    claims.territory ?? '',
    claims.region ?? '',
    claims.department ?? '',
    [...claims.projects],
    claims.contractor ? 'yes' : '',
    claims.deviceOwnership ?? 'byod',
  ]);
}

/**
 * Runs `fn` in one transaction as the runtime role with the caller's claims set. The claims are
 * not awaited before `fn` starts: the connection runs statements in the order they are issued,
 * so the claims are set before `fn`'s first statement runs, and on a pipelining connection they
 * travel in the same flight (db/open.ts). A failure to set them fails the transaction (every
 * statement after it is refused) and is the error reported.
 */
export async function asCaller<T>(db: Database, claims: RlsClaims, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    const [, result] = await Promise.all([setClaims(tx, claims), fn(tx)]);
    return result;
  });
}
