/**
 * A fetch for Node that enforces Palisade's signed pin set on every TLS connection (an undici
 * Agent whose `checkServerIdentity` also checks the certificate's SPKI pin). Pins come from the
 * app (shipped with it, the safe bootstrap) and from `/.well-known/palisade/pins`, accepted only
 * after it verifies (pins.ts); a forged set is refused and changes nothing. The certificate
 * chain and host name are still checked as usual first.
 */
import { X509Certificate, createHash } from 'node:crypto';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { Agent } from 'undici';
import type { JSONWebKeySet } from 'jose';
import { PalisadeError } from '../errors.ts';
import { verifyPins } from '../pins.ts';

export interface PinnedFetchOptions {
  /** Palisade's URL (the issuer): the pin set's host and issuer. */
  issuer: string;
  /** Extra CA certificates to trust (PEM), e.g. a development certificate. */
  ca?: string | string[];
  /** Pins the app ships with (`sha256/<base64>`). Absent: the first verified set is trusted. */
  pins?: string[];
  now?(): number;
}

export interface PinnedFetch {
  fetch: typeof fetch;
  /** Fetches, verifies and adopts the pin set; throws `PalisadeError` (and keeps the old pins) when it does not verify. */
  refreshPins(): Promise<string[]>;
  /** The pins enforced now (empty: only the CA chain is checked, before the first set). */
  readonly pins: readonly string[];
  close(): Promise<void>;
}

/** RFC 7469 §2.4: `sha256/` + base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo. */
export function spkiPin(certificate: Pick<PeerCertificate, 'raw'>): string {
  // `PeerCertificate.pubkey` is the bare key for EC certificates; the pin is over the whole SPKI.
  const spki = new X509Certificate(certificate.raw).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

export function createPinnedFetch(options: PinnedFetchOptions): PinnedFetch {
  let pins = [...(options.pins ?? [])];
  /** The pin of the last connection to each host (a pin set must name the one it came over). */
  const seen = new Map<string, string>();
  const agent = new Agent({
    connect: {
      ...(options.ca ? { ca: options.ca } : {}),
      checkServerIdentity(host: string, certificate: PeerCertificate) {
        const usual = checkServerIdentity(host, certificate);
        if (usual) return usual;
        const pin = spkiPin(certificate);
        seen.set(host, pin);
        if (pins.length > 0 && !pins.includes(pin)) return Object.assign(new Error(`the certificate of ${host} is not pinned (${pin})`), { code: 'ERR_PALISADE_PIN_MISMATCH' });
        return undefined;
      },
    },
  });
  const send = (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, dispatcher: agent } as RequestInit);
  const pinnedFetch = (async (input: string | URL | Request, init?: RequestInit) => {
    try {
      try {
        return await send(input, init);
      } catch (error) {
        // A kept-alive connection the server closed as idle while this process could not notice
        // (its event loop busy for longer than the keep-alive's margin) takes the request down
        // with it, before any answer. A GET or HEAD changes nothing, so it is sent once more, on
        // a new connection; anything else is the caller's to judge (it may have been carried out).
        if (!idempotent(input, init) || !CLOSED_CONNECTION.some((code) => hasCode(error, code))) throw error;
        return await send(input, init);
      }
    } catch (error) {
      if (hasCode(error, 'ERR_PALISADE_PIN_MISMATCH')) throw new PalisadeError('pin-mismatch', 'the server certificate is not in the pin set', { cause: error });
      throw error;
    }
  }) as typeof fetch;
  const issuer = new URL(options.issuer);
  return {
    fetch: pinnedFetch,
    get pins() {
      return pins;
    },
    async refreshPins() {
      const jwks = (await (await pinnedFetch(new URL('/oauth2/jwks', issuer))).json()) as JSONWebKeySet;
      const response = await pinnedFetch(new URL('/.well-known/palisade/pins', issuer));
      const verified = await verifyPins((await response.text()).trim(), jwks, options.issuer, seen.get(issuer.hostname), options.now?.() ?? Date.now());
      pins = verified.pins;
      return pins;
    },
    close: () => agent.close(),
  };
}

/** undici's and the socket's codes for a connection that closed before the answer came. */
const CLOSED_CONNECTION = ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE'];

function idempotent(input: string | URL | Request, init?: RequestInit): boolean {
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  return method === 'GET' || method === 'HEAD';
}

function hasCode(error: unknown, code: string): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    if ((e as { code?: unknown }).code === code) return true;
  }
  return false;
}
