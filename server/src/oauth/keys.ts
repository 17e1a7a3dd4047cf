/**
 * Token signing keys. Generated on first start (ES256 by default), stored with the private
 * half wrapped under the master key. Rotation publishes the new key first (it appears in the
 * JWKS at once but signs only from `activated_at`, giving every instance and every resource
 * server's JWKS cache time to learn it), and keeps a retired public key published until the
 * last token it signed has expired.
 */
import { exportJWK, generateKeyPair, calculateJwkThumbprint, type JWK } from 'jose';
import type { Database, Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { AuditSink } from '../audit/index.ts';
import { unwrapSecret, wrapSecret, type MasterKey } from '../security/index.ts';
import { insertSigningKeyRow, lockSigningKeys, publishedSigningKeys, retireSigningKeys, signingKeyRows } from './store.ts';

export type SigningAlg = 'ES256' | 'EdDSA';

export interface SigningKeyRow {
  kid: string;
  alg: SigningAlg;
  publicJwk: JWK;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  retireAfter: Date | null;
}

export interface KeySet {
  /** kid of the key that signs now. */
  activeKid: string;
  /** Private JWKs for oidc-provider: the active key first, then keys still published. */
  privateJwks: JWK[];
  /** Public JWKs as published at the JWKS endpoint. */
  publicJwks: JWK[];
  /** Fingerprint that changes whenever the set changes (instances reload on change). */
  version: string;
}

const WRAP_CONTEXT = 'palisade-signing-key';

async function createKey(db: Queryable, master: MasterKey, alg: SigningAlg, activateAt: Date): Promise<string> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const privateJwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(privateJwk);
  const { d: _d, ...publicJwk } = privateJwk;
  await insertSigningKeyRow(db, {
    kid,
    alg,
    publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
    wrappedPrivateJwk: await wrapSecret(master, JSON.stringify({ ...privateJwk, kid, alg, use: 'sig' }), WRAP_CONTEXT),
    activateAt,
  });
  return kid;
}

export async function listKeys(db: Queryable): Promise<SigningKeyRow[]> {
  const rows = (await signingKeyRows(db)) as SigningKeyRow[];
  return rows.map((r) => ({ ...r, publicJwk: typeof r.publicJwk === 'string' ? JSON.parse(r.publicJwk) : r.publicJwk }));
}

/** Creates the first signing key if there is none. Safe when several instances start at once. */
export async function ensureSigningKey(db: Database, master: MasterKey, alg: SigningAlg, clock: Clock): Promise<void> {
  await db.transaction(async (tx) => {
    const { hasUnretired } = await lockSigningKeys(tx);
    if (!hasUnretired) await createKey(tx, master, alg, new Date(clock.now()));
  });
}

export interface RotateOptions {
  alg: SigningAlg;
  /** How long the new key is published before it signs. */
  activateAfterMs: number;
  /** How long a retired key stays published: the longest lifetime of a token it signed, plus skew. */
  retainMs: number;
  /** The rotation is recorded here, in its transaction. */
  audit?: AuditSink;
  /** Why (an incident, a schedule); recorded with the rotation. */
  reason?: string;
}

/** Adds a new key; keys signing now are retired the moment the new one activates. Returns the new kid. */
export async function rotateKeys(db: Database, master: MasterKey, clock: Clock, options: RotateOptions): Promise<string> {
  return db.transaction(async (tx) => {
    await lockSigningKeys(tx);
    const activateAt = new Date(clock.now() + options.activateAfterMs);
    await retireSigningKeys(tx, activateAt, new Date(activateAt.getTime() + options.retainMs));
    const kid = await createKey(tx, master, options.alg, activateAt);
    await options.audit?.record(tx, {
      action: 'keys.rotate',
      outcome: 'success',
      reason: options.reason ?? 'rotation',
      actor: {},
      resource: { type: 'signing_key', id: kid },
      detail: { alg: options.alg, activateAt: activateAt.toISOString(), oldKeysPublishedFor: `${Math.round(options.retainMs / 1000)}s` },
    });
    return kid;
  });
}

/**
 * The key set as of now: the newest activated key signs; keys not yet active or retired but
 * within their retention are published; keys past retention disappear.
 */
export async function loadKeySet(db: Queryable, master: MasterKey, clock: Clock): Promise<KeySet> {
  const now = clock.now();
  const rows = (await publishedSigningKeys(db, new Date(now))) as (SigningKeyRow & { privateJwk: string })[];
  const active =
    rows.find((r) => r.activatedAt && r.activatedAt.getTime() <= now && (!r.retiredAt || r.retiredAt.getTime() > now)) ??
    // A retired key keeps signing until its successor activates.
    rows.filter((r) => r.activatedAt && r.activatedAt.getTime() <= now).sort((a, b) => b.activatedAt!.getTime() - a.activatedAt!.getTime())[0];
  if (!active) throw new Error('no signing key is active: run `palisade keys rotate`');
  const ordered = [active, ...rows.filter((r) => r.kid !== active.kid)];
  const privateJwks = await Promise.all(ordered.map(async (r) => JSON.parse(await unwrapSecret(master, r.privateJwk, WRAP_CONTEXT)) as JWK));
  const publicJwks = ordered.map((r) => (typeof r.publicJwk === 'string' ? JSON.parse(r.publicJwk) : r.publicJwk) as JWK);
  return { activeKid: active.kid, privateJwks, publicJwks, version: ordered.map((r) => r.kid).join(',') };
}
