/**
 * The compliance report over the admin API and the CLI, on a running server whose configuration
 * was weakened on purpose: access tokens live 60 minutes and (as in every test server) the
 * sign-in rate limits are raised. The report read live must show exactly those checks red, with
 * the settings' values as evidence; a dispatcher is refused; the read is audited; the JSON keeps
 * the shape its schema promises; `palisade compliance report` writes the same report as HTML.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli, startInProcess, GENEROUS_RATE_LIMITS } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp, type SignedIn } from '../helpers/mobile-app.ts';
import type { RunningServer } from '../../src/main.ts';
import { searchAudit } from '../../src/audit/index.ts';
import { REPORT_SCHEMA, type ComplianceReport } from '../../src/compliance/index.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';
import { openDatabase } from '../../src/db/index.ts';

type Schema = { type?: string | readonly string[]; required?: readonly string[]; properties?: Record<string, Schema>; additionalProperties?: boolean; items?: Schema; enum?: readonly unknown[] };

/** The subset of JSON Schema the report's schema uses, checked strictly: the shape is the API. */
function shapeProblems(value: unknown, schema: Schema, at = '$'): string[] {
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (types.length && !types.includes(kind) && !(kind === 'integer' && types.includes('number'))) return [`${at}: ${kind}, not ${types.join('|')}`];
  if (schema.enum && !schema.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(schema.enum)}`];
  const problems: string[] = [];
  if (kind === 'object' && schema.properties) {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${at}.${key}: missing`);
    for (const [key, v] of Object.entries(object)) {
      const child = schema.properties[key];
      if (!child) {
        if (schema.additionalProperties === false) problems.push(`${at}.${key}: not in the schema`);
      } else problems.push(...shapeProblems(v, child, `${at}.${key}`));
    }
  }
  if (kind === 'array' && schema.items) (value as unknown[]).forEach((v, i) => problems.push(...shapeProblems(v, schema.items!, `${at}[${i}]`)));
  return problems;
}

for (const kind of databaseKinds()) {
  describe(`the compliance report (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let upstreamEnv: Record<string, string | undefined>;
    let server: RunningServer | undefined;
    let app: MobileApp;
    let admin: SignedIn;
    let dispatcher: SignedIn;
    const masterKey = generateMasterKey();
    const weakened = { PALISADE_TOKENS_ACCESS_TOKEN_TTL: '60m', PALISADE_MASTER_KEY: masterKey };

    before(async () => {
      database = await kind.create({ migrated: true });
      let port: number;
      ({ upstream, port, env: upstreamEnv } = await federatedTo(database));
      let ca: string;
      ({ server, ca } = await startInProcess(database, upstream, port, weakened));
      app = new MobileApp(server.url, ca);
      admin = await app.signIn('u-admin');
      dispatcher = await app.signIn('u-dispatcher');
    });
    after(async () => {
      await server?.close();
      await app?.close();
      await upstream?.close();
      await database?.drop();
    });

    test('a dispatcher is refused (403), and nobody without a token gets in (401)', async () => {
      const refused = await app.call('/admin/v1/compliance', dispatcher.tokens.access_token);
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.headers.get('content-type')?.split(';')[0], 'application/problem+json');
      assert.doesNotMatch(refused.text, /tokenLifetime|frameworks/, 'nothing of the report');
      assert.equal((await app.http.fetch(`${server!.url}/admin/v1/compliance`)).status, 401, 'without a token');
    });

    test('an admin reads the live report: the weakened settings are red with their values, the rest as configured; the read is audited', async () => {
      const verified = await app.call('/admin/v1/audit/verify', admin.tokens.access_token, { method: 'POST' });
      assert.equal(verified.status, 200, verified.text);
      // Reads are recorded in batches: the verification's record is written before the report reads it.
      await server!.audit.flush();
      const answer = await app.call('/admin/v1/compliance', admin.tokens.access_token);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.get('cache-control'), 'no-store');
      const report = answer.body as unknown as ComplianceReport;
      assert.deepEqual(shapeProblems(report, REPORT_SCHEMA as unknown as Schema), [], 'the JSON has the schema’s shape');
      assert.match(report.disclaimer, /not a certification/);

      const check = (id: string) => report.checks.find((c) => c.id === id)!;
      const control = (id: string) => report.frameworks.flatMap((f) => f.controls).find((c) => c.id === id)!;
      assert.equal(check('tokenLifetime').status, 'not-met');
      assert.equal(check('tokenLifetime').evidence['tokens.accessTokenTtl'], '60m', 'the live value is the evidence');
      assert.equal(control('asvs:V7.3').status, 'not-met');
      assert.equal(check('rateLimits').status, 'not-met', 'the test server’s raised rate limits');
      assert.equal(check('rateLimits').evidence['rateLimits.auth'], `${GENEROUS_RATE_LIMITS.PALISADE_RATE_LIMITS_AUTH_POINTS} per 1m`);
      assert.equal(control('pci:8.3.4').status, 'not-met');
      assert.equal(check('companyIdp').status, 'met', 'federated to the test IdP');
      assert.equal(check('sessionIdle').status, 'met');
      assert.equal(check('masterKeyFromEnv').status, 'met', 'the master key came from the environment');
      assert.equal(check('auditVerified').status, 'met', check('auditVerified').summary);
      assert.ok(report.evidence.lastAuditVerify?.ok);
      assert.ok(report.evidence.signingKeys.some((k) => k.state === 'active' && k.ageDays === 0), 'the signing key’s age');
      assert.ok(!answer.text.includes(masterKey), 'never the master key');
      assert.ok(report.checks.every((c) => c.tests.length > 0));

      await server!.audit.flush();
      const records = (await searchAudit(server!.db, { action: 'compliance.read', limit: 5 })).events;
      assert.equal(records.length, 1, 'the read is recorded once');
      assert.equal(records[0]!.outcome, 'success');
      assert.equal(records[0]!.detail?.notMet, report.summary.notMet);
    });

    test('palisade compliance report writes the same evaluation as HTML and JSON', async () => {
      // The embedded database has one user at a time: the command runs once the server is stopped.
      await server!.close();
      server = undefined;
      const dir = await mkdtemp(path.join(tmpdir(), 'palisade-compliance-'));
      try {
        const env = { ...upstreamEnv, ...weakened, ...GENEROUS_RATE_LIMITS, PALISADE_LOG_LEVEL: 'silent' };
        const file = path.join(dir, 'report.html');
        const html = await palisadeCli(['compliance', 'report', '--format', 'html', '--out', file], env);
        assert.equal(html.code, 0, html.out);
        assert.match(html.stderr, /controls, \d+ met, \d+ not met/);
        const page = await readFile(file, 'utf8');
        assert.match(page, /^<!doctype html>/);
        assert.match(page, /Not a certification\./);
        assert.match(page, /tokens\.accessTokenTtl<\/code> = <code>60m/);
        assert.ok(!page.includes(masterKey));

        const json = await palisadeCli(['compliance', 'report'], env);
        assert.equal(json.code, 0, json.out);
        const report = JSON.parse(json.stdout) as ComplianceReport;
        assert.deepEqual(shapeProblems(report, REPORT_SCHEMA as unknown as Schema), []);
        assert.equal(report.checks.find((c) => c.id === 'tokenLifetime')!.status, 'not-met');
        assert.ok(report.evidence.lastAuditVerify?.ok, 'the API’s verification is the recorded one');

        const refused = await palisadeCli(['compliance', 'report', '--format', 'pdf'], env);
        assert.notEqual(refused.code, 0);
        assert.match(refused.out, /pdf/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    test('palisade audit verify is recorded with its range: the report takes it as the last verification, and a failed one turns the control red', async () => {
      // Runs after the server was stopped (the test before): the CLI has the database alone.
      const env = { ...upstreamEnv, ...weakened, ...GENEROUS_RATE_LIMITS, PALISADE_LOG_LEVEL: 'silent' };
      const report = async () => {
        const answer = await palisadeCli(['compliance', 'report'], env);
        assert.equal(answer.code, 0, answer.out);
        return JSON.parse(answer.stdout) as ComplianceReport;
      };
      const control = (r: ComplianceReport, id: string) => r.frameworks.flatMap((f) => f.controls).find((c) => c.id === id)!;
      const before = await report();
      assert.equal(before.evidence.lastAuditVerify?.via, 'api', 'until now, the API’s verification is the last one');

      const verified = await palisadeCli(['audit', 'verify', '--seal', '--json'], env);
      assert.equal(verified.code, 0, verified.out);
      const result = JSON.parse(verified.stdout) as { checked: number; firstSeq: number; lastSeq: number };
      const after = await report();
      assert.deepEqual(after.evidence.lastAuditVerify && { ...after.evidence.lastAuditVerify, at: undefined }, { at: undefined, ok: true, checked: result.checked, firstSeq: result.firstSeq, lastSeq: result.lastSeq, via: 'cli' });
      assert.ok(Date.parse(after.evidence.lastAuditVerify!.at) > Date.parse(before.evidence.lastAuditVerify!.at), 'a newer verification than the API’s');
      const auditVerified = after.checks.find((c) => c.id === 'auditVerified')!;
      assert.equal(auditVerified.status, 'met', auditVerified.summary);
      assert.equal(auditVerified.evidence.range, `seq ${result.firstSeq}–${result.lastSeq}`);
      assert.equal(control(after, 'pci:10.3.2').status, 'met');

      // Someone with database owner rights edits a sealed record; the next verification fails.
      const db = await openDatabase({ url: database.url, pgliteDir: path.join(database.dataDir, 'pglite'), poolSize: 1 });
      try {
        const recorded = await searchAudit(db, { action: 'audit.verify', limit: 1 });
        assert.equal(recorded.events[0]?.actor.userId, 'cli', 'recorded as the operator’s action');
        assert.equal(recorded.events[0]?.detail?.lastSeq, result.lastSeq);
        await db.asOwner(async (q) => {
          await q.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
          await q.query(`UPDATE audit_events SET outcome = CASE outcome WHEN 'failure' THEN 'success' ELSE 'failure' END WHERE id = (SELECT event_id FROM audit_chain WHERE seq = 3)`);
          await q.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
        });
      } finally {
        await db.close();
      }
      const broken = await palisadeCli(['audit', 'verify'], env);
      assert.equal(broken.code, 2, broken.out);
      const red = await report();
      assert.equal(red.evidence.lastAuditVerify?.ok, false, 'the failed verification is the last one recorded');
      assert.equal(red.evidence.lastAuditVerify?.via, 'cli');
      const failed = red.checks.find((c) => c.id === 'auditVerified')!;
      assert.equal(failed.status, 'not-met', failed.summary);
      assert.match(failed.summary, /found the chain broken/);
      assert.equal(control(red, 'pci:10.3.2').status, 'not-met');
    });
  });
}
