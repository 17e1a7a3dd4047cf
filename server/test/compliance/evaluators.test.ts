/**
 * Weakening a setting turns the matching controls red. A production configuration that meets
 * every configurable check is loaded the way the server loads it; then, one at a time, an
 * attacker's (or a tired operator's) change is made — access tokens living an hour, HSTS off,
 * rate limits raised, the development IdP, location trails kept for ever, an hour-long idle
 * timeout, unsigned requests, the master key in the file, an overdue breach clock… — and the test
 * asserts that the check and the controls that rely on it turn `not-met` with a fix naming the
 * setting, while the strong baseline had them `met` (so none of these assertions can pass by
 * default).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.ts';
import { buildReport, masterKeySource, reportHtml, DISCLAIMER, type ComplianceFacts, type ComplianceReport } from '../../src/compliance/index.ts';

const NOW = Date.UTC(2026, 11, 7, 9, 0, 0);
const DAY = 86_400_000;
const MASTER = 'A'.repeat(43);
const PIN = `sha256/${'B'.repeat(42)}A=`;

const STRONG = {
  server: { publicUrl: 'https://palisade.example.com', tls: { certFile: '/etc/palisade/cert.pem', keyFile: '/etc/palisade/key.pem', backupPins: [PIN] } },
  database: { url: 'postgres://owner@db.example.com/palisade?sslmode=verify-full', runtimeUrl: 'postgres://runtime@db.example.com/palisade?sslmode=verify-full' },
  redis: { url: 'rediss://cache.example.com:6380' },
  upstream: { issuer: 'https://login.example.com', clientId: 'palisade', clientSecret: 'upstream-secret', roles: { admin: ['it-admins'], technician: ['techs'] } },
  clients: [{ id: 'field-app', name: 'Field', redirectUris: ['com.example.field:/oauth2redirect'], attestation: { apple: { appIds: ['ABCDE12345.com.example.field'], environment: 'production' } } }],
  devicePolicy: { default: { corporate: { requireAttestation: true }, byod: { requireAttestation: true } } },
  sessions: { stepUpAcr: 'http://schemas.openid.net/pape/policies/2007/06/multi-factor' },
  rateLimits: { lockout: { base: '30m', max: '2h' } },
  monitoring: { webhooks: [{ url: 'https://alerts.example.com/palisade', format: 'json' }] },
  securityTxt: { contact: ['mailto:security@example.com'], expires: '2027-06-30T00:00:00Z' },
};

type Doc = Record<string, unknown>;
const merge = (base: Doc, patch: Doc): Doc => {
  const out: Doc = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object' && !Array.isArray(out[k]) ? merge(out[k] as Doc, v as Doc) : v;
  }
  return out;
};

function facts(patch: Doc = {}, overrides: Partial<ComplianceFacts> = {}, env: Record<string, string> = { NODE_ENV: 'production', PALISADE_MASTER_KEY: MASTER }): ComplianceFacts {
  const config = loadConfig({ document: merge(STRONG, patch), env });
  return {
    config,
    now: NOW,
    masterKeySource: masterKeySource(config),
    tls: { minVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    signingKeys: [{ kid: 'k1', alg: 'ES256', createdAt: NOW - 10 * DAY, activatedAt: NOW - 10 * DAY, retiredAt: null }],
    appKeys: [{ id: 'key1', appId: 'field-app', status: 'active', createdAt: NOW - 30 * DAY, expiresAt: null }],
    lastAuditVerify: { at: NOW - DAY, ok: true, checked: 1234, firstSeq: 1, lastSeq: 1234, via: 'cli' },
    incidents: [],
    ...overrides,
  };
}

const check = (report: ComplianceReport, id: string) => report.checks.find((c) => c.id === id)!;
const control = (report: ComplianceReport, id: string) => report.frameworks.flatMap((f) => f.controls).find((c) => c.id === id)!;

const strong = buildReport(facts());

test('the strong production configuration meets every configurable check (the baseline the attacks start from)', () => {
  const notMet = strong.checks.filter((c) => c.status === 'not-met').map((c) => `${c.id}: ${c.summary}`);
  assert.deepEqual(notMet, []);
  // What stays with the operator here is what Palisade cannot see.
  assert.deepEqual(strong.checks.filter((c) => c.status === 'operator').map((c) => c.id).sort(), ['auditRetention', 'backups']);
  assert.equal(strong.summary.notMet, 0);
  assert.equal(strong.summary.controls, strong.summary.met + strong.summary.operator);
});

const ATTACKS: { name: string; patch?: Doc; overrides?: Partial<ComplianceFacts>; env?: Record<string, string>; check: string; controls: string[]; fix: RegExp }[] = [
  { name: 'access tokens living 60 minutes', patch: { tokens: { accessTokenTtl: '60m' } }, check: 'tokenLifetime', controls: ['asvs:V7.3', 'baseline:B2', 'masvs:MASVS-AUTH-1', 'iso27001:A.8.5'], fix: /tokens\.accessTokenTtl/ },
  { name: 'HSTS off', overrides: { hsts: { maxAge: 0, includeSubDomains: false } }, check: 'hsts', controls: ['pci:4.2.1', 'asvs:V12.2', 'hipaa:164.312(e)(1)', 'masvs:MASVS-NETWORK-1'], fix: /hsts/i },
  { name: 'TLS 1.0 accepted', overrides: { tls: { minVersion: 'TLSv1', ciphers: 'ALL' } }, check: 'tlsVersion', controls: ['asvs:V12.1', 'pci:4.2.1', 'gdpr:Art. 32'], fix: /TLS 1\.3/ },
  { name: 'sign-in rate limits raised', patch: { rateLimits: { auth: { points: 1000 } } }, check: 'rateLimits', controls: ['asvs:V6.3', 'pci:8.3.4', 'baseline:B4', 'soc2:CC6.6'], fix: /rateLimits\.auth/ },
  { name: 'lockout after 1000 failures', patch: { rateLimits: { lockout: { after: 1000 } } }, check: 'rateLimits', controls: ['asvs:V6.3', 'pci:8.3.4'], fix: /rateLimits\.lockout\.after/ },
  { name: 'a one-minute lockout', patch: { rateLimits: { lockout: { base: '1m' } } }, check: 'lockoutDuration', controls: ['pci:8.3.4'], fix: /rateLimits\.lockout\.base/ },
  { name: 'the development IdP enabled', patch: { upstream: undefined }, env: { PALISADE_MASTER_KEY: MASTER }, check: 'companyIdp', controls: ['baseline:B1', 'asvs:V6.8', 'hipaa:164.312(a)(2)(i)', 'pci:8.2.1', 'soc2:CC6.1'], fix: /upstream\.issuer/ },
  { name: 'location trail kept for ever', patch: { retention: { locations: 'off' } }, check: 'retention', controls: ['gdpr:Art. 5(1)(c)', 'gdpr:Art. 5(1)(e)', 'gdpr:Art. 25', 'pci:3.2.1', 'masvs:MASVS-PRIVACY-1'], fix: /retention\.locations/ },
  { name: 'ended sessions never purged', patch: { retention: { endedSessions: 'off' } }, check: 'retention', controls: ['gdpr:Art. 5(1)(e)', 'iso27001:A.8.10'], fix: /retention\.endedSessions/ },
  { name: 'an hour of idle before the lock', patch: { sessions: { idleTimeout: '1h' } }, check: 'sessionIdle', controls: ['hipaa:164.312(a)(2)(iii)', 'pci:8.2.8', 'asvs:V7.3'], fix: /sessions\.idleTimeout/ },
  { name: 'one app’s own idle timeout of a day', patch: { clients: [{ ...STRONG.clients[0], idleTimeout: '1d' }] }, check: 'sessionIdle', controls: ['pci:8.2.8'], fix: /clients\[0\]\.idleTimeout/ },
  { name: 'unsigned API requests accepted', patch: { requestSigning: { mode: 'optional' } }, check: 'requestSigning', controls: ['baseline:B3', 'hipaa:164.312(c)(1)', 'iso27001:A.8.26'], fix: /requestSigning\.mode/ },
  { name: 'plain bearer tokens allowed', patch: { clients: [{ ...STRONG.clients[0], dpop: 'allowed' }] }, check: 'dpop', controls: ['baseline:B2', 'asvs:V10.3', 'hipaa:164.312(d)'], fix: /clients\[\]\.dpop/ },
  { name: 'an app without app keys', patch: { clients: [{ ...STRONG.clients[0], appKey: 'off' }] }, check: 'appKeysRequired', controls: ['baseline:B3', 'soc2:CC6.6'], fix: /clients\[\]\.appKey/ },
  { name: 'the master key in the configuration file', patch: { masterKey: MASTER }, env: { NODE_ENV: 'production' }, check: 'masterKeyFromEnv', controls: ['asvs:V13.3', 'pci:3.6.1', 'hipaa:164.312(a)(2)(iv)', 'baseline:B9'], fix: /PALISADE_MASTER_KEY/ },
  { name: 'jailbroken devices allowed', patch: { devicePolicy: { default: { corporate: { requireAttestation: true }, byod: { requireAttestation: true, blockJailbroken: false } } } }, check: 'mdmPosture', controls: ['baseline:B6', 'masvs:MASVS-RESILIENCE-1', 'soc2:CC6.8'], fix: /devicePolicy/ },
  { name: 'MFA not required on personal devices', patch: { devicePolicy: { default: { corporate: { requireAttestation: true }, byod: { requireAttestation: true, requireMfa: false } } } }, check: 'mfa', controls: ['asvs:V6.5', 'pci:8.4.2', 'hipaa:164.312(d)'], fix: /requireMfa/ },
  { name: 'a stale step-up of a day', patch: { sessions: { stepUpMaxAge: '1d' } }, check: 'stepUp', controls: ['asvs:V7.5', 'masvs:MASVS-AUTH-3', 'iso27001:A.8.2'], fix: /sessions\.stepUpMaxAge/ },
  { name: 'audit records purgeable after a year', patch: { audit: { retention: '365d' } }, check: 'auditRetention', controls: ['baseline:B10', 'hipaa:164.312(b)', 'iso27001:A.8.15'], fix: /audit\.retention/ },
  { name: 'alerts going nowhere', patch: { monitoring: { webhooks: [] } }, check: 'monitoringAlerts', controls: ['gdpr:Art. 33', 'pci:10.4.1', 'soc2:CC7.2'], fix: /monitoring\.webhooks/ },
  { name: 'the brute-force rule switched off', patch: { monitoring: { bruteForce: { enabled: false } } }, check: 'monitoringAlerts', controls: ['pci:10.7.2'], fix: /monitoring\.bruteForce\.enabled/ },
  { name: 'CORS open to every origin outside production', patch: { server: { corsOrigins: ['*'] } }, env: { PALISADE_MASTER_KEY: MASTER }, check: 'corsOrigins', controls: ['baseline:B14', 'soc2:CC6.6'], fix: /server\.corsOrigins/ },
  { name: 'a signing key 200 days old', overrides: { signingKeys: [{ kid: 'old', alg: 'ES256', createdAt: NOW - 200 * DAY, activatedAt: NOW - 200 * DAY, retiredAt: null }] }, check: 'signingKeyAge', controls: ['asvs:V9.1', 'pci:3.7', 'iso27001:A.8.24'], fix: /palisade keys rotate/ },
  { name: 'an app key two years old without expiry', overrides: { appKeys: [{ id: 'old', appId: 'field-app', status: 'active', createdAt: NOW - 730 * DAY, expiresAt: null }] }, check: 'appKeyAge', controls: ['pci:3.7', 'asvs:V11.1'], fix: /apps keys rotate/ },
  { name: 'no audit verification recorded', overrides: { lastAuditVerify: null }, check: 'auditVerified', controls: ['pci:10.3.2', 'asvs:V16.4', 'hipaa:164.312(c)(1)'], fix: /audit\/verify/ },
  { name: 'the last audit verification found the chain broken', overrides: { lastAuditVerify: { at: NOW - DAY, ok: false, checked: 10, firstSeq: 1, lastSeq: 10, via: 'cli' } }, check: 'auditVerified', controls: ['pci:10.3.2'], fix: /incident-response/ },
  { name: 'a breach incident past its 72 hours', overrides: { incidents: [{ id: 'inc-1', secondsLeft: -3600 }] }, check: 'breachClock', controls: ['gdpr:Art. 33', 'baseline:B13', 'soc2:CC7.4'], fix: /incident report/ },
  { name: 'no security.txt', patch: { securityTxt: { contact: [] } }, check: 'securityTxt', controls: ['baseline:B15', 'iso27001:A.8.8'], fix: /securityTxt\.contact/ },
  { name: 'the owner login serving requests', patch: { database: { url: STRONG.database.url, runtimeUrl: undefined } }, check: 'databaseRole', controls: ['pci:7.2.5', 'asvs:V8.3'], fix: /database\.runtimeUrl/ },
];

for (const attack of ATTACKS) {
  test(`attack: ${attack.name} → ${attack.check} and its controls turn red`, () => {
    assert.notEqual(check(strong, attack.check).status, 'not-met', `${attack.check} is not red before the change`);
    for (const id of attack.controls) assert.equal(control(strong, id).status === 'not-met', false, `${id} is not red before the change`);
    const report = buildReport(facts(attack.patch ?? {}, attack.overrides ?? {}, attack.env));
    const found = check(report, attack.check);
    assert.equal(found.status, 'not-met', `${attack.check}: ${found.summary}`);
    assert.match(found.fix ?? '', attack.fix, 'the fix names the setting or command');
    for (const id of attack.controls) {
      const c = control(report, id);
      assert.ok(c, `control ${id} exists`);
      assert.equal(c.status, 'not-met', `${id} turns red`);
      assert.ok(c.fixes.includes(found.fix!), `${id} carries the fix`);
    }
    assert.ok(report.summary.notMet > 0);
  });
}

test('a control whose checks are all met but one is the operator’s reads as the operator’s; a control without checks is the operator’s', () => {
  assert.equal(control(strong, 'pci:10.3.3').status, 'operator', 'audit archive storage');
  assert.equal(control(strong, 'pci:8.3.6').status, 'operator', 'password rules at the IdP');
  assert.ok(control(strong, 'pci:8.3.6').responsibility);
});

test('evidence: key ages, the last audit verification and the breach clocks are reported', () => {
  const report = buildReport(facts({}, { incidents: [{ id: 'inc-2', secondsLeft: 7200 }] }));
  assert.deepEqual(report.evidence.signingKeys, [{ kid: 'k1', alg: 'ES256', ageDays: 10, state: 'active' }]);
  assert.deepEqual(report.evidence.appKeys, [{ appId: 'field-app', id: 'key1', status: 'active', ageDays: 30 }]);
  assert.deepEqual(report.evidence.lastAuditVerify, { at: new Date(NOW - DAY).toISOString(), ok: true, checked: 1234, firstSeq: 1, lastSeq: 1234, via: 'cli' });
  assert.equal(check(report, 'auditVerified').evidence.range, 'seq 1–1234', 'the range verified is the evidence');
  assert.deepEqual(report.evidence.openIncidents, [{ id: 'inc-2', secondsLeft: 7200, notifyBy: new Date(NOW + 7_200_000).toISOString() }]);
  assert.equal(check(report, 'breachClock').status, 'met');
  assert.equal(check(strong, 'tokenLifetime').evidence['tokens.accessTokenTtl'], '15m', 'the setting’s value is the evidence');
});

test('the report never claims certification and never carries a secret', () => {
  const report = buildReport(facts({ masterKey: MASTER }, {}, { NODE_ENV: 'production' }));
  const json = JSON.stringify(report);
  assert.match(report.disclaimer, /not a certification/);
  assert.equal(report.disclaimer, DISCLAIMER);
  assert.ok(!json.includes(MASTER), 'the master key');
  assert.ok(!json.includes('upstream-secret'), 'the IdP client secret');
  assert.doesNotMatch(json, /\bcertified\b|\bcompliant with\b/i);
  const html = reportHtml(report);
  assert.match(html, /Not a certification\./);
  assert.ok(!html.includes(MASTER));
  assert.ok(!html.includes('<script'), 'no script in the page');
});

test('the HTML escapes what it shows', () => {
  const report = buildReport(facts({}, { signingKeys: [{ kid: '<img src=x onerror=alert(1)>', alg: 'ES256', createdAt: NOW, activatedAt: NOW, retiredAt: null }] }));
  const html = reportHtml(report);
  assert.ok(!html.includes('<img src=x'), 'a value is escaped');
  assert.ok(html.includes('&lt;img src=x'));
});
