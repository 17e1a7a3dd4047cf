/**
 * The breach clock (privacy/breach.ts) on a moved clock: 72 hours from detection, the 48 h and
 * 68 h alerts raised once each however often (and by however many instances) they are checked,
 * a detection time in the future refused, the scope of a stolen session computed from the audit
 * trail (records outside the window or of another session do not count, refused attempts are
 * counted apart), the regulator draft and the list of people to notify, notification stopping the
 * clock, every step audited without the people in the record; and the metrics that show it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds, openMigrated, type TestDatabase } from '../helpers/databases.ts';
import type { Database } from '../../src/db/index.ts';
import type { AuditEvent, AuditSink } from '../../src/audit/index.ts';
import { ManualClock } from '../../src/clock.ts';
import { dueAlerts, openIncident, reportIncident, scopeIncident, secondsLeft } from '../../src/privacy/index.ts';
import { Metrics } from '../../src/http/metrics.ts';

const HOUR = 3_600_000;
const DETECTED = Date.parse('2026-03-02T08:00:00Z');

const kind = databaseKinds()[0]!;
describe(`the breach clock, scope and report (${kind.kind})`, () => {
  let database: TestDatabase;
  let db: Database;
  const events: AuditEvent[] = [];
  const audit: AuditSink = { record: async (_tx, e) => void events.push(e), emit: (e) => void events.push(e) };
  const clock = new ManualClock(DETECTED + HOUR);
  const deps = () => ({ db, audit, clock });
  let incidentId: string;
  const people: Record<string, string> = {};

  before(async () => {
    database = await kind.create({ migrated: true });
    db = await openMigrated(database);
    await db.asOwner(async (q) => {
      for (const [key, name, email] of [['victim', 'Vic Tim', 'vic@corp.test'], ['tech', 'Tess Tech', 'tess@corp.test'], ['admin', 'Ada Admin', 'ada@corp.test'], ['bystander', 'Bea Stander', 'bea@corp.test']] as const) {
        const { rows } = await q.query<{ id: string }>(`INSERT INTO users (issuer, subject, email, name) VALUES ('https://idp.test', $1, $2, $3) RETURNING id`, [key, email, name]);
        people[key] = rows[0]!.id;
      }
      await q.query(`INSERT INTO fs_territories (code, name, region) VALUES ('b-t', 'T', 'b-r')`);
      const { rows: c } = await q.query<{ id: string }>(`INSERT INTO fs_customers (name) VALUES ('C') RETURNING id`);
      const { rows: s } = await q.query<{ id: string }>(`INSERT INTO fs_sites (customer_id, name, address, territory) VALUES ($1, 'S', 'A', 'b-t') RETURNING id`, [c[0]!.id]);
      await q.query(`INSERT INTO fs_technicians (user_id, display_name, territory) VALUES ($1, 'Tess', 'b-t')`, [people.tech]);
      const { rows: jobs } = await q.query<{ id: string }>(
        `INSERT INTO fs_jobs (title, department, territory, site_id, status, assigned_to) VALUES ('J1', 'd', 'b-t', $1, 'assigned', $2), ('J2', 'd', 'b-t', $1, 'new', NULL) RETURNING id`,
        [s[0]!.id, people.tech],
      );
      const at = (h: number) => new Date(DETECTED - h * HOUR);
      const record = (when: Date, action: string, outcome: string, sessionId: string, resourceType: string, resourceId: string) =>
        q.query(`INSERT INTO audit_events (at, action, outcome, actor, resource_type, resource_id) VALUES ($1, $2, $3, $4::jsonb, $5, $6)`, [
          when,
          action,
          outcome,
          JSON.stringify({ userId: people.admin, sessionId, ip: '203.0.113.9' }),
          resourceType,
          resourceId,
        ]);
      // The stolen admin session s-stolen, between 6 and 2 hours before detection.
      await record(at(5), 'job.read', 'success', 's-stolen', 'job', jobs[0]!.id);
      await record(at(4), 'job.read', 'success', 's-stolen', 'job', jobs[1]!.id);
      await record(at(4), 'job.read', 'success', 's-stolen', 'job', jobs[1]!.id); // the same record twice counts once
      await record(at(3), 'user.roles.change', 'success', 's-stolen', 'user', people.victim!);
      await record(at(3), 'sessions.revoke_all', 'denied', 's-stolen', 'user', people.bystander!);
      await record(at(10), 'user.roles.change', 'success', 's-stolen', 'user', people.bystander!); // before the window
      await record(at(4), 'user.roles.change', 'success', 's-admin-own', 'user', people.bystander!); // the admin's own session
    });
  });
  after(async () => {
    await db?.close();
    await database?.drop();
  });

  test('a detection time in the future is refused; an incident starts the 72-hour clock', async () => {
    await assert.rejects(openIncident(deps(), { summary: 'x', detectedAt: new Date(clock.now() + HOUR), openedBy: 'cli:test' }), /future/);
    const incident = await openIncident(deps(), { summary: 'An administrator session was used from an unknown address', detectedAt: new Date(DETECTED), openedBy: 'cli:test' });
    incidentId = incident.id;
    assert.equal(await secondsLeft(db, clock), 71 * 3600, '72 hours from detection, one of which has passed');
    assert.ok(events.some((e) => e.action === 'incident.open' && e.resource?.id === incidentId), 'opening is audited');
  });

  test('the 48 h and 68 h alerts are raised once each, whoever checks', async () => {
    clock.set(DETECTED + 47.9 * HOUR);
    assert.deepEqual(await dueAlerts(deps()), [], 'nothing before 48 h');
    clock.set(DETECTED + 48 * HOUR);
    const first = await dueAlerts(deps());
    assert.deepEqual(first.map((a) => a.alert.name), ['48h']);
    assert.deepEqual(await dueAlerts(deps()), [], 'a second instance (or the next round) does not raise it again');
    clock.set(DETECTED + 71 * HOUR);
    assert.deepEqual((await dueAlerts(deps())).map((a) => [a.alert.name, a.alert.severity]), [['68h', 'critical']]);
    clock.set(DETECTED + 73 * HOUR);
    assert.equal(await secondsLeft(db, clock), -3600, 'overdue shows as negative');
  });

  test('the scope of a stolen session: per category, inside the window, refused apart, with the people concerned', async () => {
    await assert.rejects(scopeIncident(deps(), incidentId, { from: new Date(0), to: new Date(DETECTED) }), /at least one/);
    const scope = await scopeIncident(deps(), incidentId, { sessionId: 's-stolen', from: new Date(DETECTED - 6 * HOUR), to: new Date(DETECTED - 2 * HOUR) });
    assert.equal(scope.events, 5, 'the records of that session in the window only');
    const byCategory = Object.fromEntries(scope.categories.map((c) => [c.category, c]));
    assert.equal(byCategory['field-service jobs']!.recordsRead, 2, 'two distinct jobs read');
    assert.equal(byCategory['people (profile, roles)']!.recordsChanged, 1, 'one person changed');
    assert.equal(byCategory['people (profile, roles)']!.refused, 1, 'the refused attempt is counted apart');
    const emails = scope.people.map((p) => p.email).sort();
    assert.deepEqual(emails, ['ada@corp.test', 'tess@corp.test', 'vic@corp.test'], 'the person changed, the technician of the job read, the account used; not the bystander');
    const record = events.find((e) => e.action === 'incident.scope');
    assert.ok(record, 'scoping is audited');
    assert.doesNotMatch(JSON.stringify(record), /@corp\.test/, 'the audit record holds counts, not the people');
  });

  test('the report: a regulator draft and the people to notify; notification stops the clock', async () => {
    const report = await reportIncident(deps(), incidentId, { contact: 'dpo@corp.test', measures: 'Session ended, keys rotated (incident contain --all)', notifiedAt: new Date(DETECTED + 70 * HOUR) });
    assert.match(report.markdown, /DRAFT/);
    assert.match(report.markdown, /An administrator session was used/);
    assert.match(report.markdown, /Approximate number of people concerned:\*\* 3/);
    assert.match(report.markdown, /\| field-service jobs \| 2 \| 0 \| 0 \|/);
    assert.match(report.markdown, /dpo@corp\.test/);
    assert.match(report.markdown, /keys rotated/);
    assert.equal(report.json.approximateNumberOfRecords, 3);
    assert.deepEqual(report.peopleJson.map((p) => p.email).sort(), ['ada@corp.test', 'tess@corp.test', 'vic@corp.test']);
    assert.match(report.peopleMarkdown, /Vic Tim/);
    assert.equal(await secondsLeft(db, clock), null, 'notified: no clock runs');
    assert.ok(events.some((e) => e.action === 'incident.report'), 'reporting is audited');
  });

  test('/metrics shows the time left and the rows retention purged', async () => {
    const lag = async () => ({ pending: 0, oldestSeconds: 0, uncovered: 0 });
    const metrics = new Metrics(lag, () => 0, () => ({ locations: 7 }), async () => [{ incident: 'i-1', seconds: 3600 }]);
    const text = await metrics.registry.metrics();
    assert.match(text, /palisade_breach_notification_seconds_left\{incident="i-1"\} 3600/);
    assert.match(text, /palisade_retention_purged_total\{kind="locations"\} 7/);
    const none = await new Metrics(lag, () => 0, () => ({}), async () => []).registry.metrics();
    assert.doesNotMatch(none, /^palisade_breach_notification_seconds_left/m, 'no open incident: no sample (not a 0 that reads as due now)');
  });
});
