/**
 * `/.well-known/palisade/pins`: the SPKI pins apps may trust for Palisade's TLS certificate —
 * the current key's and the offline backups' — as a JWT signed with Palisade's active OAuth
 * signing key (the one `/oauth2/jwks` publishes). Apps keep the newest verified set and accept a
 * connection whose certificate key is in it, so the certificate can move to a backup key without
 * locking out a single app. The rules apps follow, and the rotation procedures, are in
 * docs/certificate-pinning.md.
 */
import type { FastifyInstance } from 'fastify';
import { importJWK, SignJWT, type JWK } from 'jose';
import type { Clock } from '../clock.ts';

export const PINS_PATH = '/.well-known/palisade/pins';
/** JWS `typ` (RFC 8725 §3.11): a pins document is never mistaken for an access or ID token. */
export const PINS_TYP = 'palisade-pins+jwt';
/** A document is valid for 30 days: apps refuse older ones, but keep the pins they already hold. */
export const PINS_LIFETIME_S = 30 * 86_400;
/** Apps refresh their copy at least this often (`max_age` in the document): one day. */
export const PINS_MAX_AGE_S = 86_400;
/** A signed document is reused for an hour, then signed afresh (iat and exp move on). */
const RESIGN_AFTER_MS = 3_600_000;
/** HTTP caches may keep it for five minutes; a rotation shows within that. */
const HTTP_MAX_AGE_S = 300;

export interface PinRecord {
  /** `sha256/<base64 of the SHA-256 of the SubjectPublicKeyInfo>` (RFC 7469 §2.4 pin format). */
  pin: string;
  /** `current`: the key the certificate uses now; `backup`: a key the certificate may move to. */
  role: 'current' | 'backup';
}

/** The payload apps read (documented in OpenAPI below and in docs/certificate-pinning.md). */
export interface PinsClaims {
  iss: string;
  /** The host name the pins are for: apps compare it with the host they pinned. */
  host: string;
  iat: number;
  exp: number;
  /** Seconds an app may use this document before it fetches a new one. */
  max_age: number;
  pins: PinRecord[];
}

export interface PinsOptions {
  /** Palisade's public URL: the OAuth issuer, whose host the certificate is for. */
  issuer: string;
  /** The SPKI pin of the certificate served now. */
  current: string;
  /** Pins of the backup key pairs (tls.ts). */
  backups: string[];
  /** The private JWK that signs now (the key set's active key, re-read on every call). */
  signingKey(): JWK;
  clock: Clock;
}

export function pinsClaims(options: PinsOptions, nowS: number): PinsClaims {
  return {
    iss: options.issuer,
    host: new URL(options.issuer).hostname,
    iat: nowS,
    exp: nowS + PINS_LIFETIME_S,
    max_age: PINS_MAX_AGE_S,
    pins: [{ pin: options.current, role: 'current' }, ...options.backups.map((pin) => ({ pin, role: 'backup' as const }))],
  };
}

/** Signs the pins document with the active key; its `kid` is the one `/oauth2/jwks` lists. */
export async function signPins(options: PinsOptions): Promise<string> {
  const jwk = options.signingKey();
  if (!jwk.kid || (jwk.alg !== 'ES256' && jwk.alg !== 'EdDSA')) throw new Error('the active signing key has no kid or an unexpected alg');
  const { iat, exp, ...rest } = pinsClaims(options, Math.floor(options.clock.now() / 1000));
  return signDocument(jwk, PINS_TYP, rest, iat, exp);
}

/**
 * Signs a document apps verify offline against `/oauth2/jwks` (the pins, managed app
 * configuration) with the active OAuth signing key; `typ` keeps each kind from passing for another.
 */
export async function signDocument(jwk: JWK, typ: string, claims: Record<string, unknown>, iat: number, exp: number): Promise<string> {
  if (!jwk.kid || (jwk.alg !== 'ES256' && jwk.alg !== 'EdDSA')) throw new Error('the active signing key has no kid or an unexpected alg');
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ })
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(await importJWK(jwk, jwk.alg));
}

export async function pinsRoute(app: FastifyInstance, options: PinsOptions): Promise<void> {
  // Signed once per key and hour rather than per request: the endpoint needs no authentication,
  // so it must not hand anyone a way to make Palisade sign on demand at full speed.
  let cached: { kid: string | undefined; at: number; jws: string } | undefined;
  const current = async () => {
    const kid = options.signingKey().kid;
    const now = options.clock.now();
    if (!cached || cached.kid !== kid || now - cached.at >= RESIGN_AFTER_MS || now < cached.at) {
      cached = { kid, at: now, jws: await signPins(options) };
    }
    return cached.jws;
  };

  app.get(
    PINS_PATH,
    {
      schema: {
        tags: ['well-known'],
        summary: 'TLS certificate pins (current and backup SPKI) for apps that pin, as a signed JWT',
        description:
          `A compact JWS (\`typ: ${PINS_TYP}\`, ES256 or EdDSA, \`kid\` of a key in /oauth2/jwks) whose payload is ` +
          '`{ iss, host, iat, exp, max_age, pins: [{ pin: "sha256/<base64>", role: "current" | "backup" }] }`. ' +
          'Apps verify it against the JWKS, check `iss`, `host` and `exp`, require that it names the pin of the connection it came over, ' +
          'and refresh it after `max_age` seconds. See docs/certificate-pinning.md.',
        response: {
          200: {
            description: 'The signed pins document',
            content: {
              'application/jwt': {
                schema: { type: 'string', pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', description: 'Compact JWS; payload as described above.' },
              },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      const jws = await current();
      return reply.type('application/jwt').header('cache-control', `public, max-age=${HTTP_MAX_AGE_S}`).send(jws);
    },
  );
}
