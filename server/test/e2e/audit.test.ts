/**
 * The audit trail end to end, as operators and auditors use it: a real sign-in, refresh, a
 * replayed refresh token and refused requests leave their records (attributed to the caller,
 * with IP and request id), the reuse raises an alert, administrators search the trail over the
 * API (and are audited doing so), Prometheus scrapes only with its token — and afterwards the
 * `palisade audit` commands seal, verify, export, verify the archive offline and find tampering,
 * and `palisade incident contain` shuts a person out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { startInProcess, palisadeCli } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit, type AuditFilter } from '../../src/audit/index.ts';
import { generateMasterKey, randomId } from '../../src/security/primitives.ts';
import { openDatabase } from '../../src/db/index.ts';

const palisade = palisadeCli;

for (const kind of databaseKinds()) {
  describe(`audit trail end to end (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let server: RunningServer | undefined;
    let app: MobileApp;
    const masterKey = generateMasterKey();
    const metricsToken = randomId(32);
    let env: Record<string, string | undefined>;
    let adminId: string;
    let techId: string;

    const audited = async (filter: AuditFilter) => {
      await server!.audit.flush();
      return (await searchAudit(server!.db, { ...filter, limit: 500 })).events;
    };

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port, { PALISADE_MASTER_KEY: masterKey, PALISADE_METRICS_TOKEN: metricsToken, PALISADE_AUDIT_CHECKPOINT_EVERY: '5' }));
      app = new MobileApp(server.url, ca);
      env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'silent' };
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('sign-in, refresh, reuse and refusals are recorded with who, from where and which request', async () => {
      const tech = await app.signIn('u-tech');
      techId = decodeJwt(tech.tokens.access_token).sub!;
      const sid = decodeJwt(tech.tokens.access_token).sid as string;
      const login = await audited({ action: 'auth.login', userId: techId, outcome: 'success' });
      assert.equal(login.length, 1, 'one successful login');
      assert.equal(login[0]!.resource?.id, sid, 'the login record names the session it opened');
      assert.ok(login[0]!.actor.ip && login[0]!.actor.deviceId && login[0]!.requestId, 'with IP, device key and request id');
      assert.ok((await audited({ action: 'token.issue', userId: techId })).length >= 1, 'the code exchange is recorded');

      const refreshed = await app.refresh(tech);
      assert.ok(refreshed.access_token);
      assert.equal((await audited({ action: 'token.refresh', userId: techId, outcome: 'success' })).length, 1, 'the refresh is recorded');

      // The rotated refresh token again, after the retry window would have let the same device
      // retry: here a different device key presents it, which is always reuse.
      const thief = await app.newDevice(tech.config);
      await assert.rejects(app.refresh({ ...tech, dpop: thief.dpop }, tech.tokens.refresh_token!));
      const reuse = await audited({ action: 'token.reuse', resourceId: sid });
      assert.equal(reuse.length, 1, 'the reuse is recorded with the session it ended');
      const alerts = await audited({ action: 'alert.refresh_token_reuse' });
      assert.equal(alerts.length, 1, 'and raises the refresh-token-reuse alert, itself an audit record');

      const forbidden = await app.call('/admin/v1/audit/events', refreshed.access_token);
      assert.ok([401, 403].includes(forbidden.status), 'the session ended by the reuse, or a technician, cannot read the trail');
      const denied = await audited({ action: 'http.denied' });
      assert.ok(denied.some((e) => e.resource?.id === 'GET /admin/v1/audit/events'), 'every 401/403 is recorded with its route');
    });

    test('administrators search the trail with filters and pages, and the search is audited', async () => {
      const admin = await app.signIn('u-admin');
      adminId = decodeJwt(admin.tokens.access_token).sub!;
      const tech = await app.signIn('u-tech');
      const refused = await app.call('/admin/v1/audit/events', tech.tokens.access_token);
      assert.equal(refused.status, 403, 'a technician may not read the audit trail');
      await server!.audit.flush();
      const first = await app.call(`/admin/v1/audit/events?action=auth.&limit=2`, admin.tokens.access_token);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const events = first.body.events as { id: number; action: string }[];
      assert.equal(events.length, 2);
      assert.ok(events.every((e) => e.action.startsWith('auth.')), 'a prefix filter');
      assert.ok(events[0]!.id > events[1]!.id, 'newest first');
      const second = await app.call(`/admin/v1/audit/events?action=auth.&limit=2&before=${first.body.next}`, admin.tokens.access_token);
      assert.ok((second.body.events as { id: number }[]).every((e) => e.id < events[1]!.id), 'the next page continues below the cursor');
      for (const attack of [`?user=${encodeURIComponent("' OR 1=1 --")}`, '?limit=100000', '?outcome=maybe', '?unknown=1', '?from=yesterday']) {
        assert.equal((await app.call(`/admin/v1/audit/events${attack}`, admin.tokens.access_token)).status, 400, `${attack} is refused`);
      }
      const searches = await audited({ action: 'audit.search', userId: adminId });
      assert.ok(searches.length >= 2, 'reading the audit trail is itself audited');
    });

    test('checkpoint keys are public; metrics need the scrape token', async () => {
      const keys = await app.http.fetch(`${server!.url}/.well-known/palisade-audit-keys`);
      const jwks = (await keys.json()) as { keys: { kty: string; crv: string; d?: string }[] };
      assert.equal(jwks.keys[0]?.crv, 'Ed25519');
      assert.equal(jwks.keys[0]?.d, undefined, 'never the private half');
      const anonymous = await app.http.fetch(`${server!.url}/metrics`);
      assert.equal(anonymous.status, 403);
      const wrong = await app.http.fetch(`${server!.url}/metrics`, { headers: { authorization: `Bearer ${randomId(32)}` } });
      assert.equal(wrong.status, 403);
      const scraped = await app.http.fetch(`${server!.url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      const text = await scraped.text();
      assert.equal(scraped.status, 200);
      for (const metric of ['palisade_http_requests_total', 'palisade_http_denials_total', 'palisade_alerts_total', 'palisade_audit_sealer_lag_records', 'palisade_http_request_duration_seconds_bucket']) {
        assert.match(text, new RegExp(`^${metric}`, 'm'), `${metric} is exported`);
      }
      assert.match(text, /palisade_alerts_total\{rule="refresh_token_reuse",severity="high"\} 1/);
      assert.doesNotMatch(text, /route="\/admin\/v1\/audit\/events\?/, 'labels are route templates, never URLs');
    });

    test('the operator commands: verify, export, offline verify, search, tamper detection, incident containment', async () => {
      await server!.close();
      server = undefined;
      const verified = await palisade(['audit', 'verify', '--seal'], env);
      assert.equal(verified.code, 0, verified.out);
      assert.match(verified.out, /audit trail OK: \d+ records \(seq 1–\d+\), \d+ signed checkpoints? verified/);

      const archive = await mkdtemp(path.join(tmpdir(), 'palisade-audit-e2e-'));
      try {
        const exported = await palisade(['audit', 'export', '--out', archive], env);
        assert.equal(exported.code, 0, exported.out);
        assert.match(exported.out, /exported to/);
        const keysFile = path.join(archive, (await readdir(archive)).find((f) => f.startsWith('audit-keys-'))!);
        const offline = await palisade(['audit', 'verify', '--archive', archive, '--keys', keysFile], { PALISADE_DATA_DIR: path.join(archive, 'no-database-here') });
        assert.equal(offline.code, 0, offline.out);
        assert.match(offline.out, /audit trail OK/);
        const wrongKeys = path.join(tmpdir(), `keys-${randomId(8)}.json`);
        await writeFile(wrongKeys, JSON.stringify({ keys: [] }));
        const refused = await palisade(['audit', 'verify', '--archive', archive, '--keys', wrongKeys], { PALISADE_DATA_DIR: path.join(archive, 'no-database-here') });
        assert.equal(refused.code, 2, 'archives do not verify against other keys');
        await rm(wrongKeys);
      } finally {
        await rm(archive, { recursive: true, force: true });
      }

      const search = await palisade(['audit', 'search', '--action', 'auth.login', '--user', techId, '--json'], env);
      assert.equal(search.code, 0, search.out);
      assert.ok(search.out.trim().split('\n').length >= 2 && search.out.includes('"action":"auth.login"'));

      const contained = await palisade(['incident', 'contain', '--user', 'alex@corp.test', '--reason', 'phished'], env);
      assert.equal(contained.code, 0, contained.out);
      assert.match(contained.out, new RegExp(`contained user ${adminId}: [1-9]\\d* sessions? ended, 1 device marked wiped, account disabled`));
      const db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite'), poolSize: 1 });
      try {
        const page = await searchAudit(db, { action: 'incident.contain' });
        assert.equal(page.events[0]?.actor.userId, 'cli', 'containment is recorded as the operator’s action');
        assert.match(page.events[0]?.actor.userAgent ?? '', /^palisade-cli \(/);
        assert.ok((await searchAudit(db, { action: 'device.wiped', resourceType: 'device' })).events.length === 1);
        // An attacker with database owner rights edits a record behind the triggers' back.
        await db.asOwner(async (q) => {
          await q.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
          // Flipped, so the edit changes the record whatever it said (seq 3 may already be a failure).
          await q.query(`UPDATE audit_events SET outcome = CASE outcome WHEN 'failure' THEN 'success' ELSE 'failure' END WHERE id = (SELECT event_id FROM audit_chain WHERE seq = 3)`);
          await q.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
        });
      } finally {
        await db.close();
      }
      const broken = await palisade(['audit', 'verify'], env);
      assert.equal(broken.code, 2, broken.out);
      assert.match(broken.out, /audit trail BROKEN at seq 3 \(event \d+\): record seq 3 .* was edited/);
    });
  });
}
