/**
 * What the per-request session checks (revocation deny set and idle-lock activity) cost on
 * top of verifying the access token, measured in this process without HTTP: the same
 * BearerVerifier Palisade uses, once with no session checks and once with them, over the same
 * token for the same time. The activity check takes its no-I/O path except once a minute.
 */
import type { JWK } from 'jose';
import { BearerVerifier, type AccessClaims } from '../src/http/bearer.ts';
import { SessionActivity, Sessions } from '../src/sessions/index.ts';
import type { Database } from '../src/db/index.ts';
import { systemClock } from '../src/clock.ts';
import { rate } from './rate.ts';

export interface SessionCheckCost {
  verifyOnlyPerSecond: number;
  withChecksPerSecond: number;
}

export async function measureSessionChecks(options: { db: Database; jwks: JWK[]; issuer: string; token: string; durationMs: number }): Promise<SessionCheckCost> {
  const audience = `${options.issuer}/api`;
  const sessions = new Sessions(options.db, systemClock, 15 * 60_000, { warn: () => undefined, error: () => undefined });
  await sessions.start();
  try {
    const activity = new SessionActivity(options.db, systemClock, { idleMsFor: () => 15 * 60_000 });
    const claimOnce = async () => true; // bearer tokens: no DPoP proofs to remember
    const bare = new BearerVerifier(options.jwks, { issuer: options.issuer, audience, clock: systemClock, isRevoked: () => false, claimOnce });
    const checked = new BearerVerifier(options.jwks, { issuer: options.issuer, audience, clock: systemClock, isRevoked: (sid) => sessions.isRevoked(sid), claimOnce });
    const header = `Bearer ${options.token}`;
    const withChecks = async () => {
      const claims: AccessClaims = await checked.verify(header);
      if ((await activity.touch(claims.sid, claims.client_id)) !== 'active') throw new Error('the benchmark session is not active');
    };
    await rate(300, () => bare.verify(header)); // warm-up
    await rate(300, withChecks);
    // Alternating short rounds, so drift in machine load falls on both sides alike.
    const rounds = 20;
    let verifyOnly = 0;
    let checkedRate = 0;
    for (let round = 0; round < rounds; round += 1) {
      verifyOnly += await rate(options.durationMs / rounds / 2, () => bare.verify(header));
      checkedRate += await rate(options.durationMs / rounds / 2, withChecks);
    }
    return { verifyOnlyPerSecond: verifyOnly / rounds, withChecksPerSecond: checkedRate / rounds };
  } finally {
    await sessions.stop();
  }
}
