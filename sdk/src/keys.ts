/**
 * One way to sign with either kind of device key: a WebCrypto key pair (Node, web, a React
 * Native WebCrypto module) goes through jose and oauth4webapi as before; a hardware key reached
 * through a native module's signer (`DeviceSigner`) cannot, because both libraries accept only a
 * `CryptoKey` (oauth4webapi's `DPoP()` checks `instanceof CryptoKey` and brands its handle; jose
 * hands the key to `crypto.subtle.sign`). For a signer the SDK encodes the JWS itself with
 * jose's base64url and the signer supplies the ES256 signature; the result is verified by the
 * same verifiers (jose in tests, the server's DPoP and posture checks).
 */
import { CompactSign, base64url, calculateJwkThumbprint, exportJWK, type JWK, type JWSHeaderParameters } from 'jose';
import { randomToken, sha256, toBase64Url, utf8 } from './crypto.ts';
import type { AnyDeviceKey, DeviceSigner } from './platform.ts';

/** What the SDK signs with: a key pair or a hardware signer. */
export type SigningKeyRef = CryptoKeyPair | DeviceSigner;

export function isSigner(key: SigningKeyRef): key is DeviceSigner {
  return typeof (key as DeviceSigner).sign === 'function' && 'publicJwk' in key;
}

/** The key of a device or unlock key adapter, created on first use. */
export async function keyOf(key: AnyDeviceKey): Promise<SigningKeyRef> {
  return 'signer' in key ? key.signer() : key.keyPair();
}

/** The public JWK (public members only). */
export async function publicJwkOf(key: SigningKeyRef): Promise<JWK> {
  const { kty, crv, x, y } = isSigner(key) ? key.publicJwk : await exportJWK(key.publicKey);
  return { kty: kty!, crv: crv!, x: x!, ...(y ? { y } : {}) } as JWK;
}

export async function thumbprintOf(key: SigningKeyRef): Promise<string> {
  return calculateJwkThumbprint(await publicJwkOf(key), 'sha256');
}

/** An ES256 compact JWS of `payload` (a JSON object) with `header` (alg is set here). */
export async function signCompact(key: SigningKeyRef, header: JWSHeaderParameters, payload: Record<string, unknown>): Promise<string> {
  const protectedHeader = { ...header, alg: 'ES256' };
  if (!isSigner(key)) {
    return new CompactSign(utf8(JSON.stringify(payload))).setProtectedHeader(protectedHeader).sign(key.privateKey);
  }
  const signingInput = `${base64url.encode(JSON.stringify(protectedHeader))}.${base64url.encode(JSON.stringify(payload))}`;
  const signature = await key.sign(signingInput);
  if (signature.length !== 64) throw new TypeError('an ES256 signature is 64 bytes (r‖s)');
  return `${signingInput}.${base64url.encode(signature)}`;
}

/**
 * DPoP proofs (RFC 9449) made with a hardware signer, in the shape of oauth4webapi's DPoP
 * handle: `addProof` sets the `dpop` header (oauth4webapi then sends `Authorization: DPoP`),
 * `cacheNonce` keeps the server's `DPoP-Nonce` per origin for the next proof.
 */
export class SignerDPoP {
  private readonly signer: DeviceSigner;
  private readonly nonces = new Map<string, string>();
  /** Milliseconds since the epoch: the client's clock (injected in tests). */
  private readonly now: () => number;

  constructor(signer: DeviceSigner, now: () => number = Date.now) {
    this.signer = signer;
    this.now = now;
  }

  async addProof(url: URL, headers: Headers, htm: string, accessToken?: string): Promise<void> {
    const nonce = this.nonces.get(url.origin);
    const payload = {
      iat: Math.floor(this.now() / 1000),
      jti: randomToken(16),
      htm,
      htu: `${url.origin}${url.pathname}`,
      ...(nonce ? { nonce } : {}),
      ...(accessToken ? { ath: toBase64Url(await sha256(utf8(accessToken))) } : {}),
    };
    headers.set('dpop', await signCompact(this.signer, { typ: 'dpop+jwt', jwk: await publicJwkOf(this.signer) }, payload));
  }

  cacheNonce(response: Response, url: URL | string): void {
    const nonce = response.headers.get('dpop-nonce');
    if (nonce) this.nonces.set(new URL(url).origin, nonce);
  }
}
