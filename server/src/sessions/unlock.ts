/**
 * Biometric unlock of an idle-locked session. At sign-in the app registers an unlock public
 * key whose private key the platform keystore releases only after user presence (biometry,
 * with the device passcode as fallback) — nothing biometric ever reaches Palisade. To unlock,
 * the app fetches a fresh single-use challenge and returns it signed with that key. Wrong,
 * expired or replayed proofs are refused and counted; after five, unlocking is blocked until
 * the person signs in again through the company IdP.
 */
import { importJWK, jwtVerify, type JWK } from 'jose';
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { constantTimeEqual, hashToken, randomId } from '../security/index.ts';
import type { Sessions } from './service.ts';
import { countUnlockFailure, markUnlocked, storeUnlockChallenge, takeUnlockChallenge } from './store.ts';
import { noAudit, type AuditSink } from '../audit/index.ts';

export const UNLOCK_MAX_FAILURES = 5;
const CHALLENGE_TTL_MS = 2 * 60_000;
export const UNLOCK_PROOF_TYP = 'palisade-unlock+jwt';

/** Validates an unlock key sent at sign-in (base64url JSON of a public P-256 or Ed25519 JWK). */
export function parseUnlockKey(encoded: string): JWK | undefined {
  try {
    const jwk = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as JWK;
    const ec = jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string';
    const okp = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string';
    if ((!ec && !okp) || 'd' in jwk) return undefined;
    return ec ? { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! } : { kty: 'OKP', crv: 'Ed25519', x: jwk.x! };
  } catch {
    return undefined;
  }
}

export type UnlockOutcome = 'unlocked' | 'refused' | 'blocked' | 'no-key';

export class SessionUnlock {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly sessions: Sessions;

  private readonly audit: AuditSink;

  constructor(db: Database, clock: Clock, sessions: Sessions, audit: AuditSink = noAudit) {
    this.audit = audit;
    this.db = db;
    this.clock = clock;
    this.sessions = sessions;
  }

  /** Issues a fresh challenge (replacing any earlier one). */
  async challenge(sessionId: string): Promise<{ challenge: string; expiresAt: Date } | 'blocked' | 'no-key'> {
    const challenge = randomId(32);
    const expiresAt = new Date(this.clock.now() + CHALLENGE_TTL_MS);
    const row = await storeUnlockChallenge(this.db, sessionId, hashToken(challenge), expiresAt);
    if (!row?.has_key) return 'no-key';
    if (row.blocked) return 'blocked';
    return { challenge, expiresAt };
  }

  /** Checks the signed challenge; on success the session is unlocked on every instance. */
  async unlock(sessionId: string, proof: string): Promise<UnlockOutcome> {
    const now = this.clock.now();
    // Take the outstanding challenge in the same statement that reads it: single use, even
    // when two attempts race.
    const row = await takeUnlockChallenge(this.db, sessionId);
    if (!row?.jwk) return 'no-key';
    if (row.blocked) return 'blocked';
    const jwk = (typeof row.jwk === 'string' ? JSON.parse(row.jwk) : row.jwk) as JWK;
    if (await this.valid(proof, jwk, sessionId, row.challenge, row.expires, now)) {
      await this.db.transaction(async (tx) => {
        await markUnlocked(tx, sessionId, new Date(now));
        await this.sessions.announceUnlock(tx, sessionId);
        await this.audit.record(tx, { action: 'session.unlock', outcome: 'success', actor: { sessionId }, resource: { type: 'session', id: sessionId } });
      });
      await this.sessions.unlockCommitted(sessionId);
      return 'unlocked';
    }
    return this.db.transaction(async (tx) => {
      const counted = await countUnlockFailure(tx, sessionId, UNLOCK_MAX_FAILURES, new Date(now));
      const blocked = counted?.blocked === true;
      await this.audit.record(tx, {
        action: 'session.unlock',
        outcome: 'failure',
        reason: blocked ? 'unlock_blocked' : 'unlock_refused',
        actor: { sessionId },
        resource: { type: 'session', id: sessionId },
        detail: { failures: counted?.failures ?? null },
      });
      return blocked ? 'blocked' : 'refused';
    });
  }

  private async valid(proof: string, jwk: JWK, sessionId: string, challengeHash: string | null, expires: Date | null, now: number): Promise<boolean> {
    if (!challengeHash || !expires || new Date(expires).getTime() < now) return false;
    try {
      const key = await importJWK(jwk, jwk.kty === 'EC' ? 'ES256' : 'EdDSA');
      const { payload } = await jwtVerify(proof, key, { typ: UNLOCK_PROOF_TYP, algorithms: ['ES256', 'EdDSA'] });
      if (payload.sid !== sessionId || typeof payload.challenge !== 'string') return false;
      return constantTimeEqual(hashToken(payload.challenge), challengeHash);
    } catch {
      return false;
    }
  }
}
