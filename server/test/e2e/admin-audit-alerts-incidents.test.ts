/**
 * The console's audit export, webhook delivery log and breach clock over the admin API, as an
 * attacker and an auditor try them, on PGlite and PostgreSQL:
 *
 * - a dispatcher is refused (403) on all three, and nobody without a token gets in (401);
 * - the signed archive needs a fresh sign-in (RFC 9470 challenge with an hour-old one); with a
 *   fresh one it downloads, verifies offline with `palisade audit verify --archive <file>
 *   --keys <the published keys>` and no database, and fails once a single byte of a record is
 *   changed (and with other keys); the download is recorded as `audit.export`; a bundle whose
 *   file names climb out of its folder is refused before anything is written;
 * - webhook deliveries are logged per attempt (retrying, delivered, failed for good) and paged,
 *   with neither the webhook's path and query nor its signing secret anywhere in the answer;
 * - open incidents show the time left on their 72-hour clock.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli, startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { asRole, chainHead, searchAudit, verifyBundle } from '../../src/audit/index.ts';
import { openIncident } from '../../src/privacy/index.ts';
import { systemClock } from '../../src/clock.ts';

const PROBLEM = 'https://palisade.dev/problems/';
const HOOK_PATH = '/hooks/T000/very-secret-webhook-path';
const HOOK_QUERY = 'token=query-secret-value';
const SIGNING_SECRET = 'signing-secret-that-is-long-enough-0123456789';

/** Waits for `ready()` to hold, checking as the server works; fails after a generous guard. */
async function until<T>(what: string, ready: () => Promise<T | undefined>, guardMs = 60_000): Promise<T> {
  const deadline = Date.now() + guardMs;
  for (;;) {
    const value = await ready();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

for (const kind of databaseKinds()) {
  describe(`audit export, webhook deliveries and breach clocks on the admin API (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer;
    let app: MobileApp;
    let admin: SignedIn;
    let dispatcher: SignedIn;
    let hooks: Server;
    const received: { path: string; signature: string | undefined }[] = [];
    let work: string;

    before(async () => {
      work = await mkdtemp(path.join(tmpdir(), 'palisade-console-pages-'));
      // Webhook 0 fails the compromised-device alert once (503) and then takes it; webhook 1
      // refuses everything for good (404). Other alerts come too (the sign-ins raise off_hours) and
      // webhook 0 takes them at once.
      let first = true;
      hooks = createServer((request, response) => {
        received.push({ path: request.url ?? '', signature: request.headers['palisade-signature'] as string | undefined });
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          if (request.url?.startsWith('/gone')) return response.writeHead(404).end();
          const rule = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { rule?: string }).rule;
          if (rule === 'compromised_device' && first) {
            first = false;
            return response.writeHead(503).end();
          }
          response.writeHead(200).end();
        });
      });
      await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
      const hookPort = (hooks.address() as { port: number }).port;
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port, {
        PALISADE_AUDIT_CHECKPOINT_EVERY: '5',
        // No working days: the sign-ins below raise off_hours alerts at any time of the run, so the
        // delivery log always holds other alerts beside the one under test (as it would at night).
        PALISADE_MONITORING_OFF_HOURS_WORKING_HOURS_DAYS: '[]',
        PALISADE_MONITORING_WEBHOOKS: JSON.stringify([
          { url: `http://127.0.0.1:${hookPort}${HOOK_PATH}?${HOOK_QUERY}`, format: 'json', secret: SIGNING_SECRET },
          { url: `http://127.0.0.1:${hookPort}/gone/also-secret`, format: 'json' },
        ]),
      }));
      app = new MobileApp(server.url, ca);
      admin = await app.signIn('u-admin');
      dispatcher = await app.signIn('u-dispatcher');
      await app.signIn('u-tech');
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
      await new Promise((resolve) => hooks?.close(resolve));
      await rm(work, { recursive: true, force: true });
    });

    test('a dispatcher is refused on all three (403), and nobody without a token gets in (401)', async () => {
      for (const route of ['/admin/v1/audit/archive', '/admin/v1/alerts/deliveries', '/admin/v1/incidents']) {
        const answer = await app.call(route, dispatcher.tokens.access_token);
        assert.equal(answer.status, 403, `${route}: ${answer.text}`);
        assert.doesNotMatch(answer.text, /palisade-audit|jsonl|origin/);
        assert.equal((await app.http.fetch(`${server.url}${route}`)).status, 401, `${route} without a token`);
      }
    });

    test('the archive with an hour-old sign-in meets the step-up challenge and hands out nothing', async () => {
      upstream.staleLoginSeconds = 3600;
      const stale = await app.signIn('u-admin');
      upstream.staleLoginSeconds = 0;
      const refused = await app.call('/admin/v1/audit/archive', stale.tokens.access_token);
      assert.equal(refused.status, 401, refused.text);
      assert.match(refused.headers.get('www-authenticate') ?? '', /insufficient_user_authentication/);
      assert.equal(refused.body.type, `${PROBLEM}step-up-required`);
      assert.doesNotMatch(refused.text, /jsonl|"files"/);
      // Reading the trail needs no step-up: only taking it away does.
      assert.equal((await app.call('/admin/v1/audit/events?limit=1', stale.tokens.access_token)).status, 200);
    });

    test('the signed archive verifies offline with the published keys; one changed byte and other keys fail it', async () => {
      // Records are archived once a signed checkpoint covers them (every 5 records here).
      await until('a signed checkpoint', async () => {
        const head = await asRole(server.db, 'palisade_audit_reader', (q) => chainHead(q));
        return head.checkpointSeq >= 10 ? head : undefined;
      });
      const answer = await app.call('/admin/v1/audit/archive', admin.tokens.access_token);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      const bundle = answer.body as { format: string; range: { firstSeq: number; lastSeq: number; records: number }; files: Record<string, string> };
      assert.equal(bundle.format, 'palisade-audit-archive-bundle/1');
      assert.ok(bundle.range.records >= 10, `records: ${bundle.range.records}`);
      assert.equal(bundle.range.records, bundle.range.lastSeq - bundle.range.firstSeq + 1, 'a contiguous run of the chain');
      assert.ok(Object.keys(bundle.files).some((f) => f.endsWith('.jsonl.digest.json')));

      const file = path.join(work, 'archive.json');
      await writeFile(file, answer.text);
      const keysFile = path.join(work, 'keys.json');
      await writeFile(keysFile, await (await app.http.fetch(`${server.url}/.well-known/palisade-audit-keys`)).text());
      const offline = { PALISADE_DATA_DIR: path.join(work, 'no-database-here') };
      const verified = await palisadeCli(['audit', 'verify', '--archive', file, '--keys', keysFile, '--json'], offline);
      assert.equal(verified.code, 0, verified.out);
      const report = JSON.parse(verified.stdout.trim().split('\n').at(-1)!) as { ok: boolean; checked: number; lastSeq: number };
      assert.deepEqual({ ok: report.ok, checked: report.checked, lastSeq: report.lastSeq }, { ok: true, checked: bundle.range.records, lastSeq: bundle.range.lastSeq });

      // One byte of one record changed (an action renamed to one of the same length).
      const tampered = structuredClone(bundle);
      const jsonl = Object.keys(tampered.files).find((f) => f.endsWith('.jsonl'))!;
      const text = tampered.files[jsonl]!;
      const at = text.indexOf('"action":"') + '"action":"'.length;
      tampered.files[jsonl] = text.slice(0, at) + (text[at] === 'x' ? 'y' : 'x') + text.slice(at + 1);
      const tamperedFile = path.join(work, 'tampered.json');
      await writeFile(tamperedFile, JSON.stringify(tampered));
      const broken = await palisadeCli(['audit', 'verify', '--archive', tamperedFile, '--keys', keysFile], offline);
      assert.equal(broken.code, 2, broken.out);
      assert.match(broken.out, /BROKEN/);
      // A byte of the raw file flipped: no longer the bundle, or no longer the same records.
      const raw = Buffer.from(answer.text);
      const flipAt = raw.indexOf('"outcome":"success"') + 12;
      raw[flipAt] = raw[flipAt]! ^ 0x01;
      await writeFile(tamperedFile, raw);
      assert.notEqual((await palisadeCli(['audit', 'verify', '--archive', tamperedFile, '--keys', keysFile], offline)).code, 0);
      // The same archive against keys that are not Palisade's.
      await writeFile(keysFile, JSON.stringify({ keys: [] }));
      assert.equal((await palisadeCli(['audit', 'verify', '--archive', file, '--keys', keysFile], offline)).code, 2);

      await server.audit.flush();
      const exports = await searchAudit(server.db, { action: 'audit.export', limit: 10 });
      const mine = exports.events.find((e) => e.detail?.via === 'admin_api');
      assert.ok(mine, 'the download is in the trail');
      assert.equal(mine.actor.userId !== undefined, true, 'with the admin as actor');
      assert.equal(mine.detail?.lastSeq, bundle.range.lastSeq);
      assert.doesNotMatch(await readFile(file, 'utf8'), /Terry Tech|terry@/i, 'people are under pseudonyms');
    });

    test('a time range and bad ranges: from after to, impossible times and unknown parameters are 400', async () => {
      const future = await app.call(`/admin/v1/audit/archive?from=${encodeURIComponent(new Date(Date.now() + 86_400_000).toISOString())}`, admin.tokens.access_token);
      assert.equal(future.status, 200, future.text);
      assert.equal((future.body.range as { records: number }).records, 0);
      for (const query of ['from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'from=0000-01-01T00:00:00Z', 'from=yesterday', 'action=auth.login', `to=${'9'.repeat(300)}`]) {
        const answer = await app.call(`/admin/v1/audit/archive?${query}`, admin.tokens.access_token);
        assert.equal(answer.status, 400, `${query}: ${answer.text}`);
      }
    });

    test('a bundle whose file names leave its folder is refused before anything is written', async () => {
      const keys = { keys: [] };
      for (const name of ['../../etc/evil.jsonl', '/tmp/evil.jsonl', '2026/01/01/../../../evil.jsonl']) {
        await assert.rejects(verifyBundle(JSON.stringify({ format: 'palisade-audit-archive-bundle/1', files: { [name]: 'x' } }), keys), /unexpected file/);
      }
      await assert.rejects(verifyBundle('{"format":"something else","files":{}}', keys), /not an audit archive bundle/);
    });

    test('webhook deliveries: retried then delivered, failed for good, paged, and no secret in the answer', async () => {
      server.audit.emit({ action: 'device.compromised', outcome: 'success', reason: 'rooted', actor: { deviceId: 'device-under-test' }, resource: { type: 'device', id: 'device-under-test' } });
      const rows = await until('the retry to be delivered and the refusal given up', async () => {
        const answer = await app.call('/admin/v1/alerts/deliveries?limit=200', admin.tokens.access_token);
        assert.equal(answer.status, 200, answer.text);
        const deliveries = answer.body.deliveries as { webhook: number; outcome: string; attempt: number; rule: string; reason: string | null; origin: string }[];
        const mine = deliveries.filter((d) => d.rule === 'compromised_device');
        return mine.some((d) => d.webhook === 0 && d.outcome === 'delivered') && mine.some((d) => d.webhook === 1 && d.outcome === 'failed') ? { deliveries, text: answer.text } : undefined;
      });
      const hook0 = rows.deliveries.filter((d) => d.webhook === 0 && d.rule === 'compromised_device');
      assert.deepEqual(hook0.map((d) => [d.attempt, d.outcome, d.reason]), [[2, 'delivered', null], [1, 'retrying', 'HTTP 503']], 'newest first');
      const hook1 = rows.deliveries.find((d) => d.webhook === 1 && d.rule === 'compromised_device')!;
      assert.deepEqual([hook1.attempt, hook1.outcome, hook1.reason], [1, 'failed', 'HTTP 404'], 'a 4xx is not retried');
      assert.match(hook1.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
      for (const secret of [HOOK_PATH, 'very-secret', HOOK_QUERY, 'query-secret', SIGNING_SECRET, 'also-secret', '/gone']) {
        assert.ok(!rows.text.includes(secret), `the answer holds ${secret}`);
      }
      assert.ok(received.some((r) => r.path.startsWith(HOOK_PATH) && r.signature?.startsWith('t=')), 'the receiver did get the signed alert');

      const failed = await app.call('/admin/v1/alerts/deliveries?outcome=failed', admin.tokens.access_token);
      const outcomes = (failed.body.deliveries as { outcome: string }[]).map((d) => d.outcome);
      assert.ok(outcomes.length >= 1 && outcomes.every((o) => o === 'failed'), outcomes.join());
      const byRule = await app.call('/admin/v1/alerts/deliveries?outcome=failed&rule=compromised_device', admin.tokens.access_token);
      assert.deepEqual((byRule.body.deliveries as { rule: string; webhook: number }[]).map((d) => [d.rule, d.webhook]), [['compromised_device', 1]]);
      const page1 = await app.call('/admin/v1/alerts/deliveries?limit=1', admin.tokens.access_token);
      assert.equal((page1.body.deliveries as unknown[]).length, 1);
      assert.equal(typeof page1.body.next, 'string');
      const page2 = await app.call(`/admin/v1/alerts/deliveries?limit=1&cursor=${page1.body.next as string}`, admin.tokens.access_token);
      assert.notEqual((page2.body.deliveries as { id: string }[])[0]!.id, (page1.body.deliveries as { id: string }[])[0]!.id);
      for (const query of ['limit=0', 'limit=999', 'cursor=abc', "rule=x'--", 'outcome=lost', 'url=1']) {
        assert.equal((await app.call(`/admin/v1/alerts/deliveries?${query}`, admin.tokens.access_token)).status, 400, query);
      }
    });

    test('open incidents show the time left on their 72-hour clock, nearest deadline first', async () => {
      const none = await app.call('/admin/v1/incidents', admin.tokens.access_token);
      assert.equal(none.status, 200, none.text);
      const deps = { db: server.db, audit: server.audit, clock: systemClock };
      const older = await openIncident(deps, { summary: 'Laptop with an export lost', detectedAt: new Date(Date.now() - 49 * 3_600_000), openedBy: 'test' });
      const newer = await openIncident(deps, { summary: 'Token leaked in a log', openedBy: 'test' });
      const answer = await app.call('/admin/v1/incidents', admin.tokens.access_token);
      assert.equal(answer.status, 200, answer.text);
      const incidents = (answer.body.incidents as { id: string; secondsLeft: number; notifyBy: string; summary: string }[]).filter((i) => i.id === older.id || i.id === newer.id);
      assert.deepEqual(incidents.map((i) => i.id), [older.id, newer.id]);
      const left = incidents[0]!.secondsLeft;
      assert.ok(left <= 23 * 3600 && left > 22 * 3600, `23 h left after 49 h: ${left}`);
      assert.ok(incidents[1]!.secondsLeft > 71 * 3600);
      assert.equal(new Date(incidents[0]!.notifyBy).getTime(), new Date(older.detectedAt).getTime() + 72 * 3_600_000);
    });
  });
}
