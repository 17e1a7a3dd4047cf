/**
 * A single instance without Redis keeps its memory of used DPoP proofs and request signatures in
 * the process. A restart empties it, so the memory begins at the start: a proof or signature made
 * before the start is refused (it may have been used by the process before), a fresh one passes.
 * The attacker here captured one complete DPoP-bound, signed request that was answered before
 * the restart and sends it again, byte for byte, after it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, signatureHeaders, type SignedIn } from '../helpers/mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

const pglite = databaseKinds().find((kind) => kind.kind === 'pglite')!;

describe('replaying a request after a restart (in-process replay memory, PGlite, no Redis)', () => {
  let database: TestDatabase;
  let upstream: UpstreamIdp;
  let port: number;
  let server: Awaited<ReturnType<typeof startInProcess>> | undefined;
  let app: MobileApp | undefined;
  const masterKey = generateMasterKey();
  /** The same data folder, port and master key each time: the restart changes nothing but the process. */
  const start = async () => {
    server = await startInProcess(database, upstream, port, { PALISADE_MASTER_KEY: masterKey });
    // One app across the restart (the same URL and certificate): it keeps its device and tokens.
    app ??= new MobileApp(server.server.url, server.ca);
    return server;
  };
  const stop = async () => {
    await server?.server.close();
    server = undefined;
  };

  before(async () => {
    database = await pglite.create({ migrated: true });
    ({ upstream, port } = await federatedTo(database));
  });
  after(async () => {
    await stop();
    await app?.close();
    await upstream?.close();
    await database?.drop();
  });

  test('the exact request captured before the restart is refused after it; a fresh one passes', { timeout: 240_000 }, async () => {
    const { server: first, appKeys } = await start();
    const phone: SignedIn = await app!.signIn('u-tech');
    const url = `${first.url}/api/v1/me`;
    const token = phone.tokens.access_token;
    const authorization = `DPoP ${token}`;
    // The request as the app sends it: a DPoP proof of the device key, signed with the session key.
    const proof = await new SignJWT({ htm: 'GET', htu: url, jti: randomUUID(), ath: createHash('sha256').update(token).digest('base64url') })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(phone.keys!.publicKey) })
      .setIssuedAt(Math.floor(Date.now() / 1000))
      .sign(phone.keys!.privateKey);
    const captured: Record<string, string> = {
      'palisade-app-key': appKeys['field-app']!,
      authorization,
      dpop: proof,
      ...signatureHeaders({ method: 'GET', url, authorization }, app!.signingKeyFor(token)!),
    };
    const send = async () => {
      const response = await app!.http.fetch(url, { headers: captured });
      return { status: response.status, body: (await response.json()) as { type?: string; detail?: string } };
    };
    assert.equal((await send()).status, 200, 'the request is answered once');
    const again = await send();
    assert.equal(again.status, 401, 'and refused as a replay while the process runs');

    await stop();
    // The rule is by the second (the proof's `iat`, the signature's `created`): a process that
    // began remembering within the second the request was made in could not tell. A restart
    // rarely takes less than a second, but the test does not count on the machine's speed.
    const madeS = Math.floor(Date.now() / 1000);
    while (Date.now() < (madeS + 1) * 1000 + 50) await new Promise((resolve) => setTimeout(resolve, 50));
    await start();
    const replayed = await send();
    assert.equal(replayed.status, 401, `the replay after the restart is refused (got ${replayed.status} ${JSON.stringify(replayed.body)})`);
    assert.match(replayed.body.type ?? '', /invalid-dpop-proof|signature-replayed/);
    assert.match(replayed.body.detail ?? '', /before this server began remembering/, 'the problem says to send a new one');

    // The same device, with the same tokens, making a new request: a new proof and signature.
    const fresh = await app!.call('/api/v1/me', token);
    assert.equal(fresh.status, 200, `a fresh request from the same client passes (got ${fresh.status} ${fresh.text})`);
  });
});
