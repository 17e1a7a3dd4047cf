/**
 * The checkpoint signing key: Ed25519, separate from the token signing keys (a token-key
 * compromise must not let anyone forge the audit trail, and token keys rotate on their own
 * schedule). The private half is wrapped under the master key; the public keys — including
 * retired ones, which still verify old checkpoints — are published at
 * `/.well-known/palisade-audit-keys` and written beside every archive.
 */
import { createHash } from 'node:crypto';
import { CompactSign, calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Database } from '../db/index.ts';
import { unwrapSecret, wrapSecret, type MasterKey } from '../security/index.ts';
import { canonical } from './chain.ts';
import { currentOrNewKey, publicKeyRows } from './keys-store.ts';
import { PalisadeError } from '../errors/index.ts';

const WRAP_CONTEXT = 'palisade-audit-key';
export const CHECKPOINT_TYP = 'palisade-audit-checkpoint+jwt';
/** The signed digest beside each archive file (see archive.ts). */
export const DIGEST_TYP = 'palisade-audit-digest+jwt';

/** What a checkpoint signs. `kind: purge` also says what was removed and where it was archived. */
export interface CheckpointStatement {
  /** Position in the checkpoint chain, from 1. */
  n: number;
  /** SHA-256 (hex) of checkpoint n − 1's compact JWS; null for the first. */
  previous: string | null;
  kind: 'seal' | 'purge';
  /** Last sealed seq covered (for a purge: the last purged seq). */
  seq: number;
  /** The chain's hash at `seq`. */
  hash: string;
  /** ISO time of signing. */
  at: string;
  purged?: { count: number; archives: string[] };
}

export interface CheckpointSigner {
  kid: string;
  sign(statement: CheckpointStatement): Promise<string>;
  /** Signs any other statement of the trail (archive digests) under its own `typ`. */
  signAs(typ: string, statement: object): Promise<string>;
}

export interface PublicKeySet {
  keys: JWK[];
}

/** Creates the key on first use (safe when several instances start at once) and loads it. */
export async function loadCheckpointSigner(db: Database, master: MasterKey): Promise<CheckpointSigner> {
  const wrapped = await db.asOwner((owner) =>
    currentOrNewKey(owner, async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const jwk = await exportJWK(privateKey);
      const kid = await calculateJwkThumbprint(jwk);
      const { d: _d, ...publicJwk } = jwk;
      const sealed = await wrapSecret(master, JSON.stringify({ ...jwk, kid, alg: 'EdDSA' }), WRAP_CONTEXT);
      return { kid, publicJwk: JSON.stringify({ ...publicJwk, kid, alg: 'EdDSA', use: 'sig' }), privateJwk: sealed };
    }),
  );
  const jwk = JSON.parse(await unwrapSecret(master, wrapped, WRAP_CONTEXT)) as JWK & { kid: string };
  const key = await importJWK(jwk, 'EdDSA');
  const signAs = (typ: string, statement: object) =>
    new CompactSign(new TextEncoder().encode(canonical(statement))).setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid, typ }).sign(key);
  return { kid: jwk.kid, signAs, sign: (statement) => signAs(CHECKPOINT_TYP, statement) };
}

export async function publicAuditKeys(db: Database): Promise<PublicKeySet> {
  const rows = await db.asOwner((owner) => publicKeyRows(owner));
  return { keys: rows.map((r) => (typeof r === 'string' ? (JSON.parse(r) as JWK) : r)) };
}

export class CheckpointSignatureError extends PalisadeError<'ERR_AUDIT_CHECKPOINT_SIGNATURE'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_AUDIT_CHECKPOINT_SIGNATURE', message, options);
  }
}

/** Verifies a checkpoint with public keys only (works offline) and returns what it states. */
export function verifyCheckpoint(jws: string, keys: PublicKeySet): Promise<CheckpointStatement> {
  return verifySigned<CheckpointStatement>(jws, keys, CHECKPOINT_TYP);
}

/** Verifies a statement signed by the trail's key, insisting on its `typ` (a digest is not a checkpoint). */
export async function verifySigned<T>(jws: string, keys: PublicKeySet, typ: string): Promise<T> {
  try {
    const { payload, protectedHeader } = await compactVerify(
      jws,
      async (header) => {
        const jwk = keys.keys.find((k) => k.kid === header.kid);
        if (!jwk) throw new CheckpointSignatureError(`no public key with kid ${header.kid}`);
        return importJWK(jwk, 'EdDSA');
      },
      { algorithms: ['EdDSA'] },
    );
    if (protectedHeader.typ !== typ) throw new CheckpointSignatureError(`expected a ${typ}, got ${protectedHeader.typ}`);
    return JSON.parse(new TextDecoder().decode(payload)) as T;
  } catch (error) {
    if (error instanceof CheckpointSignatureError) throw error;
    throw new CheckpointSignatureError(`signature does not verify: ${(error as Error).message}`);
  }
}

/** The link from one signed statement to the next (checkpoints, archive digests). */
export function jwsDigest(jws: string): string {
  return createHash('sha256').update(jws).digest('hex');
}
