/**
 * The SQL of audit_keys, the checkpoint signing keys (keys.ts): the private half wrapped under
 * the master key, the public halves kept for as long as old checkpoints must verify.
 */
import type { OwnerQueryable } from '../db/index.ts';
import type { JWK } from 'jose';

/**
 * The current wrapped private key, or — when there is none — the one `create` makes, stored
 * under a table lock so that instances starting at once agree on one key. Runs as the owner.
 */
export async function currentOrNewKey(owner: OwnerQueryable, create: () => Promise<{ kid: string; publicJwk: string; privateJwk: string }>): Promise<string> {
  await owner.query('LOCK TABLE audit_keys IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await owner.query<{ private_jwk: string }>('SELECT private_jwk FROM audit_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1');
  if (rows[0]) return rows[0].private_jwk;
  const key = await create();
  await owner.query('INSERT INTO audit_keys (kid, public_jwk, private_jwk) VALUES ($1, $2, $3)', [key.kid, key.publicJwk, key.privateJwk]);
  return key.privateJwk;
}

/** Every public key, retired ones too, oldest first; read as the audit reader role. */
export async function publicKeyRows(owner: OwnerQueryable): Promise<(JWK | string)[]> {
  await owner.query('SET LOCAL ROLE palisade_audit_reader');
  const { rows } = await owner.query<{ public_jwk: JWK | string }>('SELECT public_jwk FROM audit_keys ORDER BY created_at');
  return rows.map((r) => r.public_jwk);
}
