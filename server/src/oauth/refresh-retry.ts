/**
 * The refresh-token retry grace window. Mobile networks drop responses: an app that refreshed
 * but never saw the answer retries with the refresh token that was just rotated, and plain reuse
 * detection would revoke its whole session. For `graceMs` after a DPoP-bound refresh token is
 * rotated, a retry that proves the same device key gets the very response the first request got
 * (the same successor tokens). Anything else — another key, no key, an unbound token, later than
 * the window — is reuse: the session is revoked here (whatever oidc-provider then answers, as it
 * checks the proof and its key before it checks for reuse).
 *
 * Concurrency: the first request for a token hash claims a `pending` row before the token is
 * rotated; a concurrent request for the same token waits for that row to become `done` (or to
 * disappear, if the first failed) instead of racing into reuse detection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import { hashToken, unwrapSecret, wrapSecret, type MasterKey } from '../security/index.ts';
import { DpopError, verifyDpopProof } from '../http/index.ts';
import { withPrefetchedRefreshToken, type PrefetchedToken } from './adapter.ts';
import { claimRefreshRetry, completeRefreshRetry, deleteExpiredRefreshRetries, deleteRefreshRetry, findRefreshRetry, findRefreshTokenRow, type RefreshRetryRow } from './store.ts';

const CONTEXT = 'refresh-retry';
const WAIT_FOR_FIRST_MS = 5_000;

export interface RefreshRetryOptions {
  db: Database;
  clock: Clock;
  master: MasterKey;
  graceMs: number;
  /** The token endpoint's URL as clients address it (DPoP proofs name it in htu). */
  tokenEndpoint: string;
  /**
   * A rotated refresh token presented again, not as a same-device retry within the window:
   * the session (grant) must be revoked. oidc-provider checks the key binding before it checks
   * for reuse, so a rotated token presented with another key would otherwise only be refused.
   */
  onReuse(grantId: string, detail: { presented: 'without_proof' | 'not_a_retry' }): Promise<void>;
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
}

export class RefreshRetries {
  private readonly options: RefreshRetryOptions;

  constructor(options: RefreshRetryOptions) {
    this.options = options;
  }

  /**
   * Handles a refresh-token request before oidc-provider sees it. Returns true when it answered
   * (a retry served from the window); otherwise `pass` is called and the outcome recorded.
   */
  async handle(refreshToken: string, dpopProof: string | undefined, res: ServerResponse, pass: () => void): Promise<boolean> {
    const { db, clock, graceMs } = this.options;
    const key = hashToken(refreshToken);
    const now = clock.now();
    // The refresh token's own record (oauth_payloads is keyed by the same hash).
    // The whole row: the request that goes on to rotate the token hands it to oidc-provider's
    // lookup of the same row (adapter.ts, withPrefetchedRefreshToken), which then reads nothing.
    const token: (PrefetchedToken & { grant_id: string | null; consumed: boolean }) | undefined = await findRefreshTokenRow(db, key);
    // Only a DPoP-bound retry can ever be served. Any other request presenting a rotated token
    // is reuse, decided here: oidc-provider refuses a request without a proof, or with a proof
    // of another key, before it looks at reuse, so a thief without the device key (or replaying
    // in any form the window does not serve) would otherwise be refused and leave the session alive.
    if (graceMs <= 0 || !dpopProof) {
      if (token?.consumed && token.grant_id) await this.options.onReuse(token.grant_id, { presented: dpopProof ? 'not_a_retry' : 'without_proof' });
      return (pass(), false);
    }
    if (!token?.consumed) {
      if (await claimRefreshRetry(db, key, new Date(now + graceMs + WAIT_FOR_FIRST_MS))) {
        this.record(key, res);
        withPrefetchedRefreshToken(token, pass);
        return false;
      }
    }
    // Presented before: wait for that request's outcome, and serve it if this is the same
    // device retrying within the window.
    const row = await this.settled(key);
    const inWindow = row !== undefined && new Date(row.expires_at).getTime() > now;
    if (inWindow && row.state === 'done' && row.jkt && row.response && (await this.sameDevice(dpopProof, row.jkt))) {
      const body = await unwrapSecret(this.options.master, row.response, CONTEXT);
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
      return true;
    }
    // Anything else presenting a rotated token is reuse. (A concurrent request whose first has
    // not rotated yet is left to oidc-provider, whose atomic consume settles it the same way.)
    if (token?.consumed && token.grant_id) await this.options.onReuse(token.grant_id, { presented: 'not_a_retry' });
    pass();
    return false;
  }

  /** Removes records past their window (run by the periodic sweep; serving checks expiry itself). */
  async sweepExpired(): Promise<number> {
    return deleteExpiredRefreshRetries(this.options.db, new Date(this.options.clock.now()));
  }

  private async settled(key: string): Promise<RefreshRetryRow | undefined> {
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const row = await findRefreshRetry(this.options.db, key);
      if (!row || row.state === 'done' || Date.now() > deadline) return row;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  private async sameDevice(proof: string | undefined, jkt: string): Promise<boolean> {
    try {
      await verifyDpopProof({ proof, method: 'POST', url: this.options.tokenEndpoint, jkt, now: this.options.clock.now(), claimOnce: this.options.claimOnce });
      return true;
    } catch (error) {
      if (error instanceof DpopError) return false;
      throw error;
    }
  }

  /** Keeps the first request's successful, DPoP-bound answer for the window; forgets failures. */
  private record(key: string, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    const write = res.write.bind(res);
    const end = res.end.bind(res);
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk) chunks.push(Buffer.from(chunk as Buffer));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
      return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    res.once('finish', () => void this.store(key, res.statusCode, Buffer.concat(chunks).toString('utf8')).catch(() => undefined));
  }

  private async store(key: string, status: number, body: string): Promise<void> {
    const { db, clock, master, graceMs } = this.options;
    let jkt: string | undefined;
    if (status === 200) {
      try {
        const { access_token: accessToken, token_type: type } = JSON.parse(body) as { access_token?: string; token_type?: string };
        const payload = JSON.parse(Buffer.from(accessToken!.split('.')[1]!, 'base64url').toString('utf8')) as { cnf?: { jkt?: string } };
        if (type?.toLowerCase() === 'dpop') jkt = payload.cnf?.jkt;
      } catch {
        jkt = undefined;
      }
    }
    if (!jkt) {
      await deleteRefreshRetry(db, key);
      return;
    }
    await completeRefreshRetry(db, key, jkt, await wrapSecret(master, body, CONTEXT), new Date(clock.now() + graceMs));
  }
}

/** Reads a request body of at most `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
