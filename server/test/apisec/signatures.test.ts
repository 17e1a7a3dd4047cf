/**
 * Request signatures (RFC 9421 + RFC 9530) as rules: what a valid signature is, and every way
 * of breaking one, with an exact clock and the in-process replay cache.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { contentDigest, signRequest, SignatureError, verifyRequestSignature, type SignedRequest, type SignOptions } from '../../src/apisec/index.ts';
import { MemoryCache } from '../../src/cache/index.ts';

const NOW = 1_790_000_000_000;
const WINDOW = 5 * 60_000;
const key = randomBytes(32);
const keyId = 'k-session-one';
const TARGET = 'https://palisade.example.com/api/v1/jobs?status=open';
const AUTH = 'DPoP eyJhbGciOiJFUzI1NiJ9.e30.sig';
const BODY = '{"title":"Replace the pump"}';

/** A signed request, optionally changed after signing (`sent`) — what an attacker would do. */
function request(options: Partial<SignOptions> = {}, sent: Partial<SignedRequest> = {}): SignedRequest {
  const signed = signRequest({ method: 'POST', targetUri: TARGET, authorization: AUTH, body: BODY, keyId, key, created: NOW / 1000, ...options });
  return {
    method: 'POST',
    targetUri: TARGET,
    body: Buffer.from(BODY),
    ...sent,
    headers: { authorization: AUTH, 'content-type': 'application/json', ...signed, ...sent.headers },
  };
}

function verify(req: SignedRequest, overrides: { now?: number; cache?: MemoryCache; key?: { keyId: string; key: Uint8Array } | undefined } = {}) {
  const cache = overrides.cache ?? new MemoryCache();
  return verifyRequestSignature(req, { key: 'key' in overrides ? overrides.key : { keyId, key }, now: overrides.now ?? NOW, windowMs: WINDOW, claimOnce: (k, ttl) => cache.claimOnce(k, ttl) });
}

async function refused(promise: Promise<unknown>, kind: SignatureError['kind'], code: string, why: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SignatureError, `${why}: a SignatureError, not ${String(error)}`);
    assert.deepEqual({ kind: error.kind, code: error.reason }, { kind, code }, why);
    return true;
  });
}

describe('request signatures (RFC 9421, HMAC-SHA256)', () => {
  test('the signature base is RFC 9421 §2.5 exactly: an HMAC over a hand-built base verifies', async () => {
    // Independent of the libraries: what any RFC 9421 client computes.
    const digest = `sha-256=:${createHash('sha256').update(BODY).digest('base64')}:`;
    const params = `("@method" "@target-uri" "authorization" "content-digest");created=${NOW / 1000};nonce="abcdefghijklmnopqrstuv";keyid="${keyId}";alg="hmac-sha256"`;
    const base = [`"@method": POST`, `"@target-uri": ${TARGET}`, `"authorization": ${AUTH}`, `"content-digest": ${digest}`, `"@signature-params": ${params}`].join('\n');
    const signature = createHmac('sha256', key).update(base).digest('base64');
    const req: SignedRequest = {
      method: 'POST',
      targetUri: TARGET,
      body: Buffer.from(BODY),
      headers: { authorization: AUTH, 'content-digest': digest, 'signature-input': `sig1=${params}`, signature: `sig1=:${signature}:` },
    };
    assert.deepEqual(await verify(req), { label: 'sig1', keyId });
    assert.equal(contentDigest(Buffer.from(BODY)), digest, 'Content-Digest is RFC 9530 sha-256 of the exact bytes');
    const own = signRequest({ method: 'POST', targetUri: TARGET, authorization: AUTH, body: BODY, keyId, key, created: NOW / 1000, nonce: 'abcdefghijklmnopqrstuv', label: 'sig1' });
    assert.equal(own.signature, `sig1=:${signature}:`, 'signRequest builds the same base');
  });

  test('a signature over the wrong body is refused (the digest no longer matches)', async () => {
    await refused(verify(request({}, { body: Buffer.from('{"title":"Drain the tank"}') })), 'digest-mismatch', 'content_digest_mismatch', 'body changed after signing');
  });

  test('a Content-Digest changed to match a new body breaks the signature', async () => {
    const other = '{"title":"Drain the tank"}';
    await refused(verify(request({}, { body: Buffer.from(other), headers: { 'content-digest': contentDigest(Buffer.from(other)) } })), 'invalid', 'signature_mismatch', 'digest is covered');
  });

  test('a changed method, path or query is refused', async () => {
    await refused(verify(request({}, { method: 'PUT' })), 'invalid', 'signature_mismatch', 'method');
    await refused(verify(request({}, { targetUri: 'https://palisade.example.com/api/v1/jobs/7?status=open' })), 'invalid', 'signature_mismatch', 'path');
    await refused(verify(request({}, { targetUri: 'https://palisade.example.com/api/v1/jobs?status=closed' })), 'invalid', 'signature_mismatch', 'query');
    await refused(verify(request({}, { targetUri: 'https://evil.example.com/api/v1/jobs?status=open' })), 'invalid', 'signature_mismatch', 'origin');
  });

  test('another access token under the same signature is refused (authorization is covered)', async () => {
    await refused(verify(request({}, { headers: { authorization: 'DPoP other.token.here' } })), 'invalid', 'signature_mismatch', 'authorization');
  });

  test('created must be within the window either way; the edges are accepted', async () => {
    assert.ok(await verify(request({ created: (NOW - WINDOW) / 1000 })), 'exactly the window old');
    assert.ok(await verify(request({ created: (NOW + WINDOW) / 1000 })), 'exactly the window ahead');
    await refused(verify(request({ created: (NOW - WINDOW) / 1000 - 1 })), 'expired', 'created_too_old', 'stale');
    await refused(verify(request({ created: (NOW + WINDOW) / 1000 + 1 })), 'expired', 'created_in_future', 'future');
  });

  test('a nonce is accepted once; a replay is refused, also with a re-signed request using it', async () => {
    const cache = new MemoryCache();
    const req = request({ nonce: 'n'.repeat(22) });
    await verify(req, { cache });
    await refused(verify(req, { cache }), 'replayed', 'nonce_reused', 'the same request again');
    await refused(verify(request({ nonce: 'n'.repeat(22), created: NOW / 1000 - 10 }), { cache }), 'replayed', 'nonce_reused', 'a new signature with the old nonce');
    assert.ok(await verify(request({ nonce: 'm'.repeat(22) }), { cache }), 'another nonce passes');
  });

  test('an invalid signature does not spend its nonce (no one can burn an app’s nonces)', async () => {
    const cache = new MemoryCache();
    await refused(verify(request({ nonce: 'x'.repeat(22) }, { method: 'PUT' }), { cache }), 'invalid', 'signature_mismatch', 'forged');
    assert.ok(await verify(request({ nonce: 'x'.repeat(22) }), { cache }), 'the real request with that nonce still passes');
  });

  test('a missing, malformed or non-SHA-256 Content-Digest is refused', async () => {
    await refused(verify(request({}, { headers: { 'content-digest': undefined } })), 'digest-required', 'content_digest_missing', 'missing');
    await refused(verify(request({}, { headers: { 'content-digest': 'sha-256=abc' } })), 'digest-required', 'content_digest_malformed', 'not a byte sequence');
    await refused(verify(request({}, { headers: { 'content-digest': `sha-512=:${createHash('sha512').update(BODY).digest('base64')}:` } })), 'digest-required', 'content_digest_malformed', 'sha-512 only');
  });

  test('the signature must cover @method, @target-uri, authorization and content-digest', async () => {
    for (const left of ['@method', '@target-uri', 'authorization', 'content-digest']) {
      const components = ['@method', '@target-uri', 'authorization', 'content-digest'].filter((c) => c !== left);
      await refused(verify(request({ components })), 'invalid', 'components_incomplete', `without ${left}`);
    }
    assert.ok(await verify(request({ components: ['@method', '@target-uri', 'authorization', 'content-digest', 'content-type'], headers: { 'content-type': 'application/json' } })), 'more is fine');
  });

  test('another key, another keyid, no keyid, no session key, a wrong alg are refused', async () => {
    await refused(verify(request({ key: randomBytes(32) })), 'invalid', 'signature_mismatch', 'another session’s key');
    await refused(verify(request({ keyId: 'k-session-two' })), 'invalid', 'keyid_unknown', 'another session’s keyid');
    await refused(verify(request(), { key: undefined }), 'invalid', 'no_session_key', 'no key for the session');
    const withoutKeyid = request();
    withoutKeyid.headers['signature-input'] = String(withoutKeyid.headers['signature-input']).replace(`;keyid="${keyId}"`, '');
    await refused(verify(withoutKeyid), 'invalid', 'keyid_missing', 'no keyid');
    const rsa = request();
    rsa.headers['signature-input'] = String(rsa.headers['signature-input']).replace('alg="hmac-sha256"', 'alg="rsa-pss-sha512"');
    await refused(verify(rsa), 'invalid', 'alg_unsupported', 'another algorithm');
    assert.ok(await verify(request({ withoutAlg: true })), 'alg may be left out');
  });

  test('missing or malformed signature headers, created or nonce are refused', async () => {
    await refused(verify(request({}, { headers: { 'signature-input': undefined, signature: undefined } })), 'required', 'signature_missing', 'unsigned');
    await refused(verify(request({}, { headers: { signature: undefined } })), 'invalid', 'signature_headers_incomplete', 'no Signature');
    await refused(verify(request({}, { headers: { signature: 'sig=((' } })), 'invalid', 'signature_malformed', 'garbage');
    await refused(verify(request({}, { headers: { signature: 'other=:AAAA:' } })), 'invalid', 'signature_value_missing', 'no value for the label');
    await refused(verify(request({ nonce: 'short' })), 'invalid', 'nonce_missing', 'a short nonce');
    await refused(verify(request({ nonce: 'x'.repeat(129) })), 'invalid', 'nonce_missing', 'a huge nonce');
    const noCreated = request();
    noCreated.headers['signature-input'] = String(noCreated.headers['signature-input']).replace(/;created=\d+/, '');
    await refused(verify(noCreated), 'invalid', 'created_missing', 'no created');
  });

  test('a truncated signature value is refused (comparison covers the full length)', async () => {
    const req = request();
    const value = /:(.+):/.exec(String(req.headers.signature))![1]!;
    const short = Buffer.from(value, 'base64').subarray(0, 16).toString('base64');
    await refused(verify({ ...req, headers: { ...req.headers, signature: `sig=:${short}:` } }), 'invalid', 'signature_mismatch', 'truncated');
  });
});
