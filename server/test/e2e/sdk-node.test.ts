/**
 * @palisade/client in Node end to end: Palisade started the README's way (development IdP,
 * embedded database), the SDK's Node platform (0600 key and store files, the pinned TLS fetch,
 * loopback sign-in), and a test browser standing in for the person at the IdP. Sign-in, calls,
 * refresh (single-flight, after a lost response), idle lock and unlock, step-up, a role change,
 * a wipe, and the pinned agent refusing a wrong certificate and a forged pin set.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SignJWT, decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { PalisadeClient, PalisadeError, createPinnedFetch, nodePlatform, signInWithLoopback, verifyPins, type PinnedFetch, type StepUpRequest } from '../../../sdk/src/platforms/node.ts';
import { createApiClient } from '../../../sdk/src/api/client.ts';
import { apiTypes } from '../../../sdk/scripts/api-types.ts';
import { ioReactNativeCryptoDeviceKey, type IoReactNativeCryptoModule } from '../../../sdk/src/react-native/io-react-native-crypto.ts';
import { fakeIoReactNativeCrypto } from '../helpers/io-react-native-crypto-fake.ts';
import { OfflineStore, offlinePolicy } from '../../../sdk/src/offline.ts';
import { memorySecureStore } from '../../../sdk/src/memory.ts';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { freePort, startPalisade, type StartedServer } from '../helpers/server.ts';
import { Browser } from '../helpers/browser.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';

const IPHONE = { platform: 'ios', model: 'iPhone15,2', osVersion: '18.1' };
const posture = async () => ({ platform: 'ios' as const, osVersion: '18.1', appVersion: '2.4.0', appBuild: '240', jailbroken: false, passcodeSet: true, biometry: true, managed: false });
const STEP_UP_MAX_AGE_S = 10;
const IDLE_S = 8;

/**
 * The same cases through Palisade's development IdP and through an independent oidc-provider
 * acting as the company's IdP (helpers/upstream-idp.ts): the SDK must not depend on which IdP
 * Palisade federates to. Cases that do not involve the IdP (typed client, offline store,
 * pinning) run once.
 */
const IDPS = [
  { name: 'the development IdP', tech: 'demo-technician', admin: 'demo-admin', dispatcher: 'demo-dispatcher', company: false },
  { name: 'an independent company IdP (oidc-provider)', tech: 'u-tech', admin: 'u-admin', dispatcher: 'u-dispatcher', company: true },
];

/**
 * Runs the IdPs' set-ups one after the other (the first asked, first): `startPalisade` makes the
 * apps' keys with the `palisade` command in this process, which captures this process's output
 * meanwhile, and the company IdP (oidc-provider) writes its notices there too. The rest of each
 * run, its sign-ins and tests, goes on beside the other's.
 */
let setUps: Promise<unknown> = Promise.resolve();
const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
  const run = setUps.then(work);
  setUps = run.catch(() => undefined);
  return run;
};

/** Until `at` (epoch ms); at once when it has passed. */
const waitUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

// The two IdPs' runs go one after the other. Side by side (one outer suite with
// `concurrency: true`), two CI runs at once on the 2-core machine saw node:test cancel the
// development IdP's ten tests ("did not finish before its parent") in both runs.
describe('@palisade/client in Node, through each IdP', { concurrency: 1 }, () => {
  // Within a run the tests go in turn (a nested suite would inherit the outer one's concurrency).
  for (const idp of IDPS) describe(`@palisade/client in Node against Palisade started the README way, signing in through ${idp.name}`, { concurrency: 1 }, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp | undefined;
    let server: StartedServer;
    let pinned: PinnedFetch;
    const folders: string[] = [];
    const clients: PalisadeClient[] = [];
    /** Token endpoint answers, by status (the SDK's fetch is wrapped to count them). */
    let tokenAnswers: number[] = [];
    /** When set, the next successful refresh response is dropped, as a mobile network does. */
    let loseNextRefresh = false;
    /**
     * The sessions the step-up and idle tests need old: signed in at the end of `before()`, they
     * age while the tests in between run, and those two tests (the last ones) wait only for what
     * is left of their window instead of sleeping it whole. Nothing else uses them.
     */
    let stepUpAdmin: ReturnType<typeof newClient>;
    const stepUpReauth: StepUpRequest[] = [];
    let stepUpSignedInAt = 0;
    let idle: ReturnType<typeof newClient>;
    let idleSince = 0;

    before(async () => {
      await inTurn(async () => {
        database = await databaseKinds()[0]!.create();
        const federated = idp.company ? await federatedTo(database) : undefined;
        upstream = federated?.upstream;
        server = await startPalisade({
          ...federated?.env,
          PALISADE_DATA_DIR: database.dataDir,
          PALISADE_SERVER_PORT: String(federated?.port ?? (await freePort())),
          PALISADE_LOG_LEVEL: 'warn',
          PALISADE_SESSIONS_STEP_UP_MAX_AGE: `${STEP_UP_MAX_AGE_S}s`,
          // The administrator's aged session (below) must outlive the other tests' administrators'
          // sign-ins, each on a device of its own: the default three devices would evict it.
          PALISADE_SESSIONS_MAX_DEVICES: '20',
          PALISADE_CLIENTS: JSON.stringify([
            { id: 'field-app', name: 'Field Service', redirectUris: ['com.example.field:/oauth2redirect', 'http://127.0.0.1/callback'] },
            { id: 'idle-app', name: 'Idle', redirectUris: ['http://127.0.0.1/callback'], idleTimeout: `${IDLE_S}s` },
          ]),
          // A hang guard only: a first start on a busy machine can take minutes.
        }, 300_000);
      });
      pinned = createPinnedFetch({ issuer: server.url, ca: server.ca, pins: [server.pin] });

      stepUpAdmin = newClient(idp.admin, { reauth: stepUpReauth });
      // The idle session is the dispatcher's, whom no other test signs in.
      idle = newClient(idp.dispatcher, { clientId: 'idle-app', idleTimeoutMs: 0 });
      await Promise.all([
        stepUpAdmin.signIn().then(() => (stepUpSignedInAt = Date.now())),
        idle.signIn().then(async () => {
          assert.equal((await idle.client.fetch('/api/v1/me')).status, 200);
          idleSince = Date.now();
        }),
      ]);
    });
    after(async () => {
      for (const client of clients) await client.signOut({ erase: false }).catch(() => undefined);
      await pinned?.close();
      await server?.stop();
      await upstream?.close();
      await database?.drop();
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    });

    /** The SDK's fetch, counting token endpoint answers and able to drop one refresh response. */
    const instrumented = (() => {
      return (async (input: string | URL | Request, init?: RequestInit) => {
        const response = await pinned.fetch(input, init);
        if (String(input instanceof Request ? input.url : input).endsWith('/oauth2/token')) {
          tokenAnswers.push(response.status);
          const body = init?.body instanceof URLSearchParams ? init.body : new URLSearchParams(typeof init?.body === 'string' ? init.body : '');
          if (loseNextRefresh && response.status === 200 && body.get('grant_type') === 'refresh_token') {
            loseNextRefresh = false;
            await response.body?.cancel();
            throw new TypeError('fetch failed (the response was lost)');
          }
        }
        return response;
      }) as typeof fetch;
    })();

    function newClient(person: string, options: { clientId?: string; dir?: string; refreshMarginMs?: number; idleTimeoutMs?: number; reauth?: StepUpRequest[]; hardware?: IoReactNativeCryptoModule } = {}) {
      const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'palisade-sdk-'));
      folders.push(dir);
      const clientId = options.clientId ?? 'field-app';
      const open = async (url: URL) => {
        const browser = new Browser(server.ca);
        try {
          // The loopback redirect URI itself: the company IdP also listens on 127.0.0.1.
          const flow = await browser.follow(url.href, url.searchParams.get('redirect_uri')!, person);
          if (!flow.redirect) throw new PalisadeError('sign-in-failed', `the sign-in ended on a page (${flow.page?.status})`);
          await (await fetch(flow.redirect)).text();
        } finally {
          await browser.close();
        }
      };
      const client: PalisadeClient = new PalisadeClient({
        issuer: server.url,
        clientId,
        appKey: server.appKeys[clientId]!,
        platform: {
          ...nodePlatform({ dir, fetch: instrumented, appVersion: '2.4.0', device: IPHONE, posture }),
          // A Secure Enclave key through the native module's signer, instead of the key file.
          ...(options.hardware ? { deviceKey: ioReactNativeCryptoDeviceKey(options.hardware) } : {}),
        },
        ...(options.refreshMarginMs !== undefined ? { refreshMarginMs: options.refreshMarginMs } : {}),
        ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
        reauthenticate: async (request) => {
          options.reauth?.push(request);
          await signInWithLoopback(client, { ...request, open });
        },
      });
      clients.push(client);
      return { client, dir, signIn: () => signInWithLoopback(client, { open }) };
    }

    const deviceOf = async (client: PalisadeClient) => {
      const { sessions } = await client.json<{ sessions: { id: string; deviceId: string }[] }>('/api/v1/me/sessions');
      return sessions.find((s) => s.id === client.identity?.sessionId)!.deviceId;
    };

    test('sign-in through the system browser and loopback, then a signed DPoP call; secrets are in 0600 files', async () => {
      const { client, dir, signIn } = newClient(idp.tech);
      await signIn();
      assert.equal(client.state, 'active');
      const me = await client.json<{ id: string; roles: string[] }>('/api/v1/me');
      assert.deepEqual(me.roles, ['technician']);
      if (upstream) assert.ok(upstream.requests.length >= 1, 'the person signed in at the company IdP, not at Palisade’s own');
      for (const file of ['device-key.json', 'unlock-key.json', 'store.json']) {
        assert.equal(statSync(path.join(dir, file)).mode & 0o777, 0o600, `${file} is readable by its owner only`);
      }
      const stored = readFileSync(path.join(dir, 'store.json'), 'utf8');
      assert.match(stored, /refreshToken/, 'the refresh token is kept in the secure store');
      assert.doesNotMatch(stored, /accessToken":"ey/, 'the access token is never stored');

      const sid = client.identity!.sessionId!;
      await client.signOut();
      assert.equal(client.state, 'signed-out');
      for (const file of ['device-key.json', 'unlock-key.json', 'store.json']) assert.equal(existsSync(path.join(dir, file)), false, `sign-out erases ${file}`);
      const other = newClient(idp.tech);
      await other.signIn();
      const { sessions } = await other.client.json<{ sessions: { id: string; state: string; endedReason: string | null }[] }>('/api/v1/me/sessions');
      const ended = sessions.find((s) => s.id === sid);
      assert.deepEqual([ended?.state, ended?.endedReason], ['ended', 'logout'], 'the session was ended on the server too');
    });

    test('refresh: 100 concurrent calls with the token due cause exactly one refresh; a lost refresh response is retried within the server’s window', async () => {
      const { client, signIn } = newClient(idp.tech, { refreshMarginMs: 86_400_000 });
      await signIn();
      tokenAnswers = [];
      const answers = await Promise.all(Array.from({ length: 100 }, () => client.fetch('/api/v1/me')));
      assert.deepEqual(
        answers.map((a) => a.status).filter((s) => s !== 200),
        [],
        'every call succeeds',
      );
      assert.equal(tokenAnswers.filter((s) => s === 200).length, 1, `one refresh for a hundred calls (token endpoint answered ${tokenAnswers.join(', ')})`);

      tokenAnswers = [];
      loseNextRefresh = true;
      assert.equal((await client.fetch('/api/v1/me')).status, 200, 'the call after a lost refresh response succeeds');
      assert.equal(loseNextRefresh, false, 'a refresh response was dropped');
      assert.equal(tokenAnswers.filter((s) => s === 200).length, 2, 'the retry with the same refresh token was answered, not treated as reuse');
      assert.equal((await client.fetch('/api/v1/me')).status, 200, 'and the session goes on (the next refresh works)');
    });

    if (!idp.company) test('the typed API client: its types are generated from this server’s /openapi.json, and its calls go through the SDK', async () => {
      const document = (await (await pinned.fetch(`${server.url}/openapi.json`)).json()) as Record<string, unknown>;
      const committed = readFileSync(path.resolve(import.meta.dirname, '../../../sdk/src/api/schema.ts'), 'utf8');
      assert.ok(committed === (await apiTypes(document)), 'sdk/src/api/schema.ts matches the API: regenerate it with `npm run api -w sdk -- <url of a running Palisade>`');
      const { client, signIn } = newClient(idp.tech);
      await signIn();
      const api = createApiClient(client);
      const { data, response } = await api.GET('/api/v1/me');
      assert.equal(response.status, 200);
      assert.deepEqual(data?.roles, ['technician'], 'typed data, from a signed DPoP call');
    });

    test('wipe: every local secret is erased, the command is acknowledged with the device key, and the device is refused afterwards', async () => {
      const admin = newClient(idp.admin);
      await admin.signIn();
      const tech = newClient(idp.tech);
      const registered = new Map([['offline-job', 'cached']]);
      tech.client.registerStore({ clear: async () => registered.clear() });
      await tech.signIn();
      const deviceId = await deviceOf(tech.client);
      const keyCopy = path.join(mkdtempSync(path.join(tmpdir(), 'palisade-sdk-stolen-')), 'device-key.json');
      folders.push(path.dirname(keyCopy));
      copyFileSync(path.join(tech.dir, 'device-key.json'), keyCopy);

      const ordered = await admin.client.fetch(`/admin/v1/devices/${deviceId}/wipe`, { method: 'POST', body: { reason: 'phone reported lost' } });
      assert.equal(ordered.status, 201, await ordered.clone().text());
      const commandId = ((await ordered.json()) as { id: string }).id;

      // Calls in flight together (an app loading its screen) all meet the command: it is carried
      // out once, and each call fails as wiped, whichever finishes first.
      const states: string[] = [];
      const unsubscribe = tech.client.subscribe((state, reason) => states.push(`${state}:${reason}`));
      const calls = await Promise.allSettled([tech.client.fetch('/api/v1/me'), tech.client.fetch('/api/v1/jobs?limit=1'), tech.client.fetch('/api/v1/shifts')]);
      unsubscribe();
      assert.deepEqual(calls.map((c) => (c.status === 'rejected' ? (c.reason as PalisadeError).code : `answered ${c.value.status}`)), ['device-wiped', 'device-wiped', 'device-wiped']);
      assert.equal(tech.client.state, 'signed-out');
      assert.deepEqual(states, ['signed-out:wiped'], 'one wipe, and nothing after it');
      for (const file of ['device-key.json', 'unlock-key.json', 'store.json']) assert.equal(existsSync(path.join(tech.dir, file)), false, `${file} is erased`);
      assert.equal(registered.size, 0, 'the app’s registered store is erased');
      await assert.rejects(tech.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'not-signed-in');

      const report = await admin.client.json<{ commands: { id: string; state: string; device: { state: string } }[] }>(`/admin/v1/device-commands?deviceId=${deviceId}`);
      const command = report.commands.find((c) => c.id === commandId);
      assert.equal(command?.state, 'acknowledged', 'the SDK acknowledged the wipe with the device key');
      assert.equal(command?.device.state, 'wiped');

      // Someone who kept a copy of the key file cannot bring the device back.
      const thief = newClient(idp.tech);
      copyFileSync(keyCopy, path.join(thief.dir, 'device-key.json'));
      await assert.rejects(thief.signIn(), /sign-in ended on a page \(403\)/, 'the wiped device key is refused at sign-in');
    });

    test('a hardware device key (native module signer): sign-in with dpop_jkt, DPoP calls, refresh and a wipe acknowledged with it', async () => {
      const admin = newClient(idp.admin);
      await admin.signIn();
      const enclave = fakeIoReactNativeCrypto();
      const tech = newClient(idp.tech, { hardware: enclave.module });
      await tech.signIn();
      assert.equal(existsSync(path.join(tech.dir, 'device-key.json')), false, 'no key file: the key is in the module');
      assert.ok(enclave.keys.has('palisade.device-key'));
      const me = await tech.client.json<{ roles: string[] }>('/api/v1/me');
      assert.ok(me.roles.includes('technician'), 'a DPoP-bound, signed call with the hardware key is served');
      const before = tech.client.refreshCount;
      await tech.client.refresh();
      assert.equal(tech.client.refreshCount, before + 1);
      await tech.client.json('/api/v1/me');
      assert.ok(enclave.calls.filter((c) => c.startsWith('sign')).length >= 4, 'proofs and posture were signed by the module');

      const deviceId = await deviceOf(tech.client);
      const ordered = await admin.client.fetch(`/admin/v1/devices/${deviceId}/wipe`, { method: 'POST', body: { reason: 'phone reported lost' } });
      assert.equal(ordered.status, 201, await ordered.clone().text());
      const commandId = ((await ordered.json()) as { id: string }).id;
      await assert.rejects(tech.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'device-wiped');
      const report = await admin.client.json<{ commands: { id: string; state: string }[] }>(`/admin/v1/device-commands?deviceId=${deviceId}`);
      assert.equal(report.commands.find((c) => c.id === commandId)?.state, 'acknowledged', 'the module’s key signed the acknowledgement');
      assert.equal(enclave.keys.has('palisade.device-key'), false, 'the hardware key is deleted after the wipe');
    });

    if (!idp.company) test('offline store under this server’s /openapi.json: sensitive and unclassified fields are refused, classified ones kept, off when offline_allowed is false', async () => {
      const policy = offlinePolicy((await (await pinned.fetch(`${server.url}/openapi.json`)).json()) as Parameters<typeof offlinePolicy>[0]);
      const withNotes = [...policy].find(([, marks]) => marks.get('accessNotes') === false);
      assert.ok(withNotes, 'the document marks the site access notes not offline-allowed');
      const job = policy.get('GET /api/v1/jobs/{id}');
      assert.equal(job?.get('title'), true, 'a job title may be kept offline');
      const store = new OfflineStore({ backend: memorySecureStore(), policy, config: { offline_allowed: true } });
      await assert.rejects(store.put(withNotes[0], 's1', { accessNotes: 'gate code 4411' }), (e: PalisadeError) => e.code === 'offline-refused');
      await assert.rejects(store.put('GET /api/v1/jobs/{id}', 'j1', { title: 'Leak', secretField: 'x' }), (e: PalisadeError) => e.code === 'offline-refused');
      await store.put('GET /api/v1/jobs/{id}', 'j1', { title: 'Leak under sink' });
      assert.deepEqual(await store.get('GET /api/v1/jobs/{id}', 'j1'), { title: 'Leak under sink' });
      const off = new OfflineStore({ backend: memorySecureStore(), policy, config: { offline_allowed: false } });
      await assert.rejects(off.put('GET /api/v1/jobs/{id}', 'j1', { title: 'Leak' }), (e: PalisadeError) => e.code === 'offline-not-allowed');
    });

    test('lock command: the SDK verifies it, locks, acknowledges with the device key, and unlocks with the unlock key', async () => {
      const admin = newClient(idp.admin);
      await admin.signIn();
      const tech = newClient(idp.tech);
      await tech.signIn();
      const deviceId = await deviceOf(tech.client);
      const ordered = await admin.client.fetch(`/admin/v1/devices/${deviceId}/lock`, { method: 'POST', body: { reason: 'left on a train' } });
      assert.equal(ordered.status, 201, await ordered.clone().text());
      const commandId = ((await ordered.json()) as { id: string }).id;

      await assert.rejects(tech.client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'device-locked');
      assert.equal(tech.client.state, 'locked');
      assert.ok(existsSync(path.join(tech.dir, 'store.json')), 'a lock keeps the data (only a wipe erases)');
      const report = await admin.client.json<{ commands: { id: string; state: string }[] }>(`/admin/v1/device-commands?deviceId=${deviceId}`);
      assert.equal(report.commands.find((c) => c.id === commandId)?.state, 'acknowledged', 'acknowledged with the device key');

      await tech.client.unlock();
      assert.equal(tech.client.state, 'active');
      assert.equal((await tech.client.fetch('/api/v1/me')).status, 200, 'the session is open again after the unlock proof');
    });

    if (!idp.company) test('the pinned agent adopts the signed pin set, refuses a forged one, and refuses a certificate outside the pins', async () => {
      const fresh = createPinnedFetch({ issuer: server.url, ca: server.ca });
      try {
        assert.deepEqual(fresh.pins, []);
        const pins = await fresh.refreshPins();
        assert.ok(pins.includes(server.pin), 'the verified set names the certificate served');
      } finally {
        await fresh.close();
      }

      // A forged set: the right kid and claims, signed with the attacker's key.
      const jwks = (await (await pinned.fetch(`${server.url}/oauth2/jwks`)).json()) as JSONWebKeySet;
      const real = (await (await pinned.fetch(`${server.url}/.well-known/palisade/pins`)).text()).trim();
      const attacker = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
      const forged = await new SignJWT({ host: new URL(server.url).hostname, max_age: 86_400, pins: [{ pin: 'sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', role: 'current' }] })
        .setProtectedHeader({ alg: 'ES256', kid: decodeProtectedHeader(real).kid!, typ: 'palisade-pins+jwt' })
        .setIssuer(server.url)
        .setIssuedAt()
        .setExpirationTime('30d')
        .sign(attacker.privateKey);
      await assert.rejects(verifyPins(forged, jwks, server.url, server.pin, Date.now()), (e: PalisadeError) => e.code === 'document-invalid', 'a pin set not signed by Palisade is refused');
      await assert.rejects(verifyPins(real, jwks, 'https://elsewhere.example', server.pin, Date.now()), (e: PalisadeError) => e.code === 'document-invalid', 'a real set for another issuer is refused');
      assert.ok((await verifyPins(real, jwks, server.url, server.pin, Date.now())).pins.includes(server.pin));

      // A server whose certificate the CA list trusts, but whose key is not pinned.
      const dir = mkdtempSync(path.join(tmpdir(), 'palisade-sdk-cert-'));
      folders.push(dir);
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
      const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
      const impostor: Server = createHttpsServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (_req, res) => res.end('{"keys":[]}'));
      await new Promise<void>((resolve) => impostor.listen(0, '127.0.0.1', resolve));
      const port = (impostor.address() as { port: number }).port;
      const strict = createPinnedFetch({ issuer: server.url, ca: [server.ca, cert], pins: [server.pin] });
      const unpinned = createPinnedFetch({ issuer: server.url, ca: [server.ca, cert] });
      try {
        assert.equal((await unpinned.fetch(`https://127.0.0.1:${port}/`)).status, 200, 'the certificate itself is trusted (control)');
        await assert.rejects(strict.fetch(`https://127.0.0.1:${port}/`), (e: PalisadeError) => e.code === 'pin-mismatch', 'the pinned agent refuses a certificate outside the pin set');
        assert.equal((await strict.fetch(`${server.url}/health/live`)).status < 500, true, 'and still reaches Palisade');
      } finally {
        await strict.close();
        await unpinned.close();
        impostor.closeAllConnections();
        await new Promise((resolve) => impostor.close(resolve));
      }
    });

    test('step-up: a sign-in older than the window is challenged, the SDK re-authenticates with max_age and retries; a role change applies at once', async () => {
      // The administrator signed in at the start (before()): by now the sign-in is older than the window.
      const admin = stepUpAdmin;
      const reauth = stepUpReauth;
      const tech = newClient(idp.tech);
      await tech.signIn();
      const techId = (await tech.client.json<{ id: string }>('/api/v1/me')).id;
      await waitUntil(stepUpSignedInAt + (STEP_UP_MAX_AGE_S + 1) * 1000);
      assert.equal(reauth.length, 0, 'no re-authentication before the challenge');
      const changed = await admin.client.fetch(`/admin/v1/users/${techId}/roles`, { method: 'PUT', body: { granted: ['dispatcher'], removed: [] } });
      assert.equal(changed.status, 200, await changed.clone().text());
      assert.ok(reauth.length >= 1, 'the SDK re-authenticated for the step-up challenge');
      assert.equal(reauth[0]!.maxAge, STEP_UP_MAX_AGE_S, 'with the challenge’s max_age');
      const roles = (await tech.client.json<{ roles: string[] }>('/api/v1/me')).roles;
      assert.deepEqual([...roles].sort(), ['dispatcher', 'technician'], 'the technician’s next call has the new role, without signing in again');
    });

    test('idle lock: the server locks the idle session, the SDK locks, and unlock with the unlock key reopens it', async () => {
      // Signed in and used once at the start (before()), unused since.
      const { client } = idle;
      await waitUntil(idleSince + (IDLE_S + 1) * 1000);
      await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'session-locked');
      assert.equal(client.state, 'locked');
      await assert.rejects(client.fetch('/api/v1/me'), (e: PalisadeError) => e.code === 'locked', 'nothing is sent while locked');
      await client.unlock();
      assert.equal(client.state, 'active');
      assert.equal((await client.fetch('/api/v1/me')).status, 200, 'unlocked on the server too');
    });
  });
});
