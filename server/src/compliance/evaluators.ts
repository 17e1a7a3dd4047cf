/**
 * The evidence checks of the compliance report, each written once and referenced by id from as
 * many controls of the catalogue (catalogue.ts) as rely on it. A check reads the live facts
 * (facts.ts) and answers:
 *
 * - `met`: the setting or state is as the control needs; its value is the evidence;
 * - `not-met`: with the fix, naming the setting to change or the command to run;
 * - `operator`: Palisade cannot see it from where it runs (the company IdP's MFA, the database
 *   connection's encryption, a schedule); what the operator must hold is said.
 *
 * Each check names the settings it reads and the test files that guard the behaviour it vouches
 * for (server/test/compliance/catalogue.test.ts checks they exist). A check never reads a secret:
 * its evidence holds values that are safe to show to an auditor (the master key's source, never
 * the key).
 */
import { parseDuration } from '../duration.ts';
import { rulesFor } from '../devices/index.ts';
import type { ComplianceFacts } from './facts.ts';

export type CheckStatus = 'met' | 'not-met' | 'operator';

export interface Finding {
  status: CheckStatus;
  /** One sentence: what was found. */
  summary: string;
  /** The values read (settings by their path, state by a short name). */
  evidence: Record<string, unknown>;
  /** For `not-met` and `operator`: what to change or do. */
  fix?: string;
}

export interface Check {
  title: string;
  /** The settings it reads (paths in docs/configuration.md). */
  settings: readonly string[];
  /** Test files (from the repository's root) that guard what it vouches for. */
  tests: readonly string[];
  evaluate(facts: ComplianceFacts): Finding;
}

const DAY = 86_400_000;
const MINUTE = 60_000;

/** Limits the checks hold settings to; the docs (docs/compliance.md) list them. */
export const LIMITS = {
  accessTokenTtl: 15 * MINUTE,
  refreshAbsoluteTtl: 30 * DAY,
  idleTimeout: 15 * MINUTE,
  stepUpMaxAge: 15 * MINUTE,
  /** Sign-in attempts per IP or account per minute. */
  authPerMinute: 10,
  /** Failed authentications before a lock. */
  lockoutAfter: 10,
  /** The first lock's length (PCI DSS 8.3.4: at least 30 minutes). */
  lockoutBase: 30 * MINUTE,
  signingKeyAge: 90 * DAY,
  appKeyAge: 365 * DAY,
  hstsMaxAge: 31_536_000,
  auditRetention: 2557 * DAY,
  checkpointInterval: 60 * MINUTE,
  auditVerifyAge: 31 * DAY,
  locations: 30 * DAY,
} as const;

const days = (ms: number) => Math.floor(ms / DAY);
const met = (summary: string, evidence: Record<string, unknown>): Finding => ({ status: 'met', summary, evidence });
const notMet = (summary: string, evidence: Record<string, unknown>, fix: string): Finding => ({ status: 'not-met', summary, evidence, fix });
const operator = (summary: string, evidence: Record<string, unknown>, fix: string): Finding => ({ status: 'operator', summary, evidence, fix });

/** A protection built into the code and not configurable: met, vouched for by its tests. */
const builtIn = (title: string, summary: string, tests: readonly string[]): Check => ({
  title,
  settings: [],
  tests,
  evaluate: () => met(summary, { configurable: false }),
});

/** Device apps: public clients (no secret). Browser clients are judged differently. */
const deviceApps = (facts: ComplianceFacts) => facts.config.clients.filter((c) => c.secret === undefined);

export const CHECKS = {
  companyIdp: {
    title: 'Sign-in federated to the company IdP (the development IdP is off)',
    settings: ['upstream.issuer'],
    tests: ['server/test/config/load.test.ts', 'server/test/e2e/sso.test.ts'],
    evaluate(facts) {
      const upstream = facts.config.upstream;
      if (!upstream) return notMet('the development IdP is enabled: anyone can sign in as any role', { 'upstream.issuer': null }, 'set upstream.issuer, upstream.clientId and upstream.clientSecret (env PALISADE_UPSTREAM_CLIENT_SECRET) to the company IdP');
      return met('sign-in goes to the company IdP; no local passwords', { 'upstream.issuer': upstream.issuer });
    },
  },
  productionMode: {
    title: 'Running in production mode with no development default',
    settings: ['NODE_ENV'],
    tests: ['server/test/config/load.test.ts', 'server/test/e2e/startup-logs.test.ts'],
    evaluate(facts) {
      const evidence = { production: facts.config.production, developmentDefaults: facts.config.developmentDefaults };
      if (!facts.config.production) return notMet('NODE_ENV is not production: the production checks of the configuration do not run', evidence, 'set NODE_ENV=production; the server then refuses every development default');
      if (facts.config.developmentDefaults.length > 0) return notMet(`development defaults in use: ${facts.config.developmentDefaults.join('; ')}`, evidence, 'replace each development default named (see the start-up banner)');
      return met('production mode, no development default in use', evidence);
    },
  },
  tokenLifetime: {
    title: 'Short-lived access tokens, bounded refresh',
    settings: ['tokens.accessTokenTtl', 'tokens.refreshAbsoluteTtl'],
    tests: ['server/test/http/bearer.test.ts', 'server/test/e2e/sso.test.ts', 'server/test/e2e/one-time-credentials.test.ts'],
    evaluate(facts) {
      const { accessTokenTtl, refreshAbsoluteTtl } = facts.config.tokens;
      const evidence = { 'tokens.accessTokenTtl': accessTokenTtl, 'tokens.refreshAbsoluteTtl': refreshAbsoluteTtl };
      const wrong: string[] = [];
      if (parseDuration(accessTokenTtl) > LIMITS.accessTokenTtl) wrong.push('tokens.accessTokenTtl to 15m or less');
      if (parseDuration(refreshAbsoluteTtl) > LIMITS.refreshAbsoluteTtl) wrong.push('tokens.refreshAbsoluteTtl to 30d or less');
      if (wrong.length) return notMet(`tokens live longer than the control allows (access ${accessTokenTtl}, refresh ${refreshAbsoluteTtl})`, evidence, `set ${wrong.join(' and ')}`);
      return met(`access tokens live ${accessTokenTtl}, refresh tokens rotate on use and end ${refreshAbsoluteTtl} after sign-in`, evidence);
    },
  },
  sessionIdle: {
    title: 'Idle sessions lock (automatic logoff)',
    settings: ['sessions.idleTimeout', 'clients[].idleTimeout'],
    tests: ['server/test/sessions/activity.test.ts', 'server/test/e2e/sessions.test.ts'],
    evaluate(facts) {
      const evidence: Record<string, unknown> = { 'sessions.idleTimeout': facts.config.sessions.idleTimeout };
      const wrong: string[] = [];
      if (parseDuration(facts.config.sessions.idleTimeout) > LIMITS.idleTimeout) wrong.push('sessions.idleTimeout');
      facts.config.clients.forEach((c, i) => {
        if (c.idleTimeout === undefined) return;
        evidence[`clients[${i}].idleTimeout`] = c.idleTimeout;
        if (parseDuration(c.idleTimeout) > LIMITS.idleTimeout) wrong.push(`clients[${i}].idleTimeout (${c.id})`);
      });
      if (wrong.length) return notMet('sessions stay unlocked longer than 15 minutes without use', evidence, `set ${wrong.join(', ')} to 15m or less`);
      return met(`sessions lock after ${facts.config.sessions.idleTimeout} without an API call`, evidence);
    },
  },
  stepUp: {
    title: 'Sensitive actions need a fresh sign-in (step-up)',
    settings: ['sessions.stepUpMaxAge'],
    tests: ['server/test/e2e/step-up-reauth.test.ts', 'server/test/e2e/authorization.test.ts', 'server/test/http/route-policy.test.ts'],
    evaluate(facts) {
      const value = facts.config.sessions.stepUpMaxAge;
      const evidence = { 'sessions.stepUpMaxAge': value };
      if (parseDuration(value) > LIMITS.stepUpMaxAge) return notMet(`a sign-in ${value} old still counts as fresh for destructive actions`, evidence, 'set sessions.stepUpMaxAge to 15m or less (default 5m)');
      return met(`destructive and permission-changing actions need a sign-in at most ${value} old`, evidence);
    },
  },
  mfa: {
    title: 'Multi-factor authentication',
    settings: ['sessions.stepUpAcr', 'devicePolicy.*.requireMfa', 'devicePolicy.mfaAcrValues'],
    tests: ['server/test/devices/compliance.test.ts', 'server/test/e2e/step-up-reauth.test.ts'],
    evaluate(facts) {
      const acr = facts.config.sessions.stepUpAcr ?? null;
      const byodMfa = deviceApps(facts).every((c) => rulesFor(facts.config.devicePolicy, c.id, 'byod').requireMfa);
      const evidence = { 'sessions.stepUpAcr': acr, byodRequiresMfa: byodMfa, 'devicePolicy.mfaAcrValues': facts.config.devicePolicy.mfaAcrValues };
      if (!byodMfa) return notMet('an app signs in on personal devices without a multi-factor sign-in', evidence, 'set devicePolicy.default.byod.requireMfa: true (and remove per-app overrides setting it false)');
      if (acr === null) return operator('personal devices need MFA; for everything else Palisade relies on the company IdP to require it', evidence, 'require MFA for Palisade’s client at the company IdP (conditional access), or set sessions.stepUpAcr to its MFA acr value');
      return met(`personal devices need MFA, and sensitive actions need acr ${acr}`, evidence);
    },
  },
  tlsVersion: {
    title: 'TLS 1.3 only, AEAD suites',
    settings: [],
    tests: ['server/test/http/tls.test.ts', 'server/test/e2e/transport.test.ts'],
    evaluate(facts) {
      const evidence = { minVersion: facts.tls.minVersion, ciphers: facts.tls.ciphers };
      if (facts.tls.minVersion !== 'TLSv1.3' && facts.tls.minVersion !== 'TLSv1.2') return notMet(`the server accepts ${facts.tls.minVersion}`, evidence, 'restore the TLS policy of server/src/http/tls.ts (TLS 1.3 only)');
      return met(`the server accepts ${facts.tls.minVersion} and later only`, evidence);
    },
  },
  tlsCertificate: {
    title: 'A real certificate, with backup pins for pinned apps',
    settings: ['server.tls.certFile', 'server.tls.backupPins'],
    tests: ['server/test/http/pins.test.ts', 'server/test/config/load.test.ts'],
    evaluate(facts) {
      const tls = facts.config.server.tls;
      if (!tls) return notMet('a self-signed development certificate is served', { 'server.tls': null }, 'set server.tls.certFile and server.tls.keyFile to the certificate from your CA');
      const evidence = { 'server.tls.certFile': tls.certFile, 'server.tls.backupPins': tls.backupPins.length, 'server.tls.allowNoBackupPins': tls.allowNoBackupPins };
      if (tls.backupPins.length === 0) return notMet('no backup pin: a lost certificate key locks out every app that pins', evidence, 'list a backup key pair’s pin in server.tls.backupPins (docs/certificate-pinning.md)');
      return met(`certificate from ${tls.certFile}, ${tls.backupPins.length} backup pin(s) published`, evidence);
    },
  },
  hsts: {
    title: 'HTTP Strict Transport Security',
    settings: [],
    tests: ['server/test/http/app-headers.test.ts'],
    evaluate(facts) {
      const evidence = { maxAge: facts.hsts.maxAge, includeSubDomains: facts.hsts.includeSubDomains };
      if (facts.hsts.maxAge < LIMITS.hstsMaxAge || !facts.hsts.includeSubDomains) return notMet('HSTS is off or shorter than a year', evidence, 'restore HSTS in server/src/http/hsts.ts: max-age of at least one year, includeSubDomains');
      return met(`Strict-Transport-Security: max-age=${facts.hsts.maxAge}; includeSubDomains on every answer`, evidence);
    },
  },
  corsOrigins: {
    title: 'Browser origins listed exactly',
    settings: ['server.corsOrigins'],
    tests: ['server/test/config/load.test.ts', 'server/test/http/app-headers.test.ts'],
    evaluate(facts) {
      const origins = facts.config.server.corsOrigins;
      if (origins.includes('*')) return notMet('any web page may call the API from a browser', { 'server.corsOrigins': origins }, 'list the exact origins in server.corsOrigins');
      return met(origins.length ? `${origins.length} browser origin(s) allowed` : 'no cross-origin browser access', { 'server.corsOrigins': origins });
    },
  },
  rateLimits: {
    title: 'Rate limits and lockout against guessing and automation',
    settings: ['rateLimits.auth', 'rateLimits.lockout.after'],
    tests: ['server/test/apisec/rate-limit.test.ts', 'server/test/e2e/rate-limits.test.ts', 'server/test/e2e/lockout-nat.test.ts'],
    evaluate(facts) {
      const { auth, lockout } = facts.config.rateLimits;
      const perMinute = auth.points / Math.max(parseDuration(auth.duration) / MINUTE, 1 / 60);
      const evidence = { 'rateLimits.auth': `${auth.points} per ${auth.duration}`, 'rateLimits.lockout.after': lockout.after, 'rateLimits.lockout.window': lockout.window };
      const wrong: string[] = [];
      if (perMinute > LIMITS.authPerMinute) wrong.push(`rateLimits.auth to at most ${LIMITS.authPerMinute} per minute`);
      if (lockout.after > LIMITS.lockoutAfter) wrong.push(`rateLimits.lockout.after to ${LIMITS.lockoutAfter} or less`);
      if (wrong.length) return notMet(`sign-in attempts are limited too loosely (${evidence['rateLimits.auth']}, lock after ${lockout.after} failures)`, evidence, `set ${wrong.join(' and ')}`);
      return met(`${evidence['rateLimits.auth']} per IP and account; locked after ${lockout.after} failures in ${lockout.window}, growing`, evidence);
    },
  },
  lockoutDuration: {
    title: 'Locked accounts stay locked for 30 minutes',
    settings: ['rateLimits.lockout.base'],
    tests: ['server/test/apisec/rate-limit.test.ts'],
    evaluate(facts) {
      const { base, max } = facts.config.rateLimits.lockout;
      const evidence = { 'rateLimits.lockout.base': base, 'rateLimits.lockout.max': max };
      if (parseDuration(base) < LIMITS.lockoutBase) return notMet(`the first lock lasts ${base} (it doubles with each further lock, up to ${max})`, evidence, 'set rateLimits.lockout.base to 30m (and rateLimits.lockout.max to at least 30m)');
      return met(`a lock lasts at least ${base}`, evidence);
    },
  },
  requestSigning: {
    title: 'Signed API requests with replay protection',
    settings: ['requestSigning.mode', 'clients[].requestSigning'],
    tests: ['server/test/e2e/request-signing.test.ts', 'server/test/apisec/signatures.test.ts', 'server/test/apisec/signature-stage.test.ts'],
    evaluate(facts) {
      const mode = facts.config.requestSigning.mode;
      const relaxed = deviceApps(facts).filter((c) => (c.requestSigning ?? mode) !== 'required').map((c) => c.id);
      const evidence = { 'requestSigning.mode': mode, 'requestSigning.window': facts.config.requestSigning.window, relaxedApps: relaxed };
      if (relaxed.length) return notMet(`API calls of ${relaxed.join(', ')} need no signature`, evidence, 'set requestSigning.mode: required and remove clients[].requestSigning overrides');
      return met(`every device app’s API calls are signed (RFC 9421), nonces accepted once within ${facts.config.requestSigning.window}`, evidence);
    },
  },
  dpop: {
    title: 'Tokens bound to the device key (DPoP)',
    settings: ['clients[].dpop'],
    tests: ['server/test/e2e/dpop.test.ts', 'server/test/http/dpop.test.ts'],
    evaluate(facts) {
      const allowed = facts.config.clients.filter((c) => c.dpop !== 'required').map((c) => c.id);
      const evidence = { bearerAllowed: allowed };
      if (allowed.length) return notMet(`apps ${allowed.join(', ')} accept plain bearer tokens`, evidence, 'set clients[].dpop: required for each app named');
      return met('every app’s tokens are bound to its device key', evidence);
    },
  },
  appKeysRequired: {
    title: 'Every API call names its app with a key',
    settings: ['clients[].appKey'],
    tests: ['server/test/e2e/app-keys.test.ts', 'server/test/apisec/app-keys.test.ts'],
    evaluate(facts) {
      const off = deviceApps(facts).filter((c) => c.appKey !== 'required').map((c) => c.id);
      const evidence = { appKeyOff: off };
      if (off.length) return notMet(`apps ${off.join(', ')} call the API without an app key`, evidence, 'set clients[].appKey: required and create keys (palisade apps keys create <app>)');
      return met('every device app’s API calls carry its app key', evidence);
    },
  },
  appKeyAge: {
    title: 'App keys rotated',
    settings: [],
    tests: ['server/test/apisec/app-keys.test.ts', 'server/test/e2e/app-keys.test.ts'],
    evaluate(facts) {
      const active = facts.appKeys.filter((k) => k.status === 'active' || k.status === 'rotating');
      const ages = active.map((k) => ({ appId: k.appId, id: k.id, ageDays: days(facts.now - k.createdAt), expires: k.expiresAt === null ? null : new Date(k.expiresAt).toISOString() }));
      const old = ages.filter((k) => k.ageDays * DAY > LIMITS.appKeyAge && k.expires === null);
      const evidence = { activeKeys: ages };
      if (old.length) return notMet(`${old.length} app key(s) older than a year without an expiry`, evidence, `rotate them: palisade apps keys rotate <app> <key id> (${old.map((k) => k.id).join(', ')})`);
      return met(active.length ? `${active.length} active app key(s), the oldest ${Math.max(...ages.map((k) => k.ageDays))} days old` : 'no active app key', evidence);
    },
  },
  signingKeyAge: {
    title: 'Token signing keys rotated',
    settings: ['tokens.signingAlg'],
    tests: ['server/test/oauth/keys.test.ts'],
    evaluate(facts) {
      const active = facts.signingKeys.filter((k) => k.retiredAt === null && k.activatedAt !== null);
      const newest = active.reduce<number | null>((max, k) => (max === null || k.activatedAt! > max ? k.activatedAt! : max), null);
      const evidence = { 'tokens.signingAlg': facts.config.tokens.signingAlg, keys: facts.signingKeys.map((k) => ({ kid: k.kid, alg: k.alg, ageDays: days(facts.now - k.createdAt), state: k.retiredAt !== null ? 'retired' : k.activatedAt !== null ? 'active' : 'next' })) };
      if (newest === null) return notMet('no active signing key yet', evidence, 'start the server once, or run palisade keys rotate');
      const age = facts.now - newest;
      if (age > LIMITS.signingKeyAge) return notMet(`the signing key in use is ${days(age)} days old`, evidence, 'run palisade keys rotate (keys older than 90 days)');
      return met(`the signing key in use is ${days(age)} days old (${facts.config.tokens.signingAlg}, wrapped by the master key)`, evidence);
    },
  },
  masterKeyFromEnv: {
    title: 'Master key from the environment, not on disk',
    settings: ['PALISADE_MASTER_KEY'],
    tests: ['server/test/config/load.test.ts', 'server/test/security/envelope.test.ts'],
    evaluate(facts) {
      const evidence = { source: facts.masterKeySource };
      if (facts.masterKeySource === 'generated file') return notMet('the master key was generated into the data folder, beside the database it protects', evidence, 'set PALISADE_MASTER_KEY from your secret manager (32 random bytes, base64url)');
      if (facts.masterKeySource === 'configuration file') return notMet('the master key is written in the configuration file', evidence, 'move masterKey out of the file into the environment (PALISADE_MASTER_KEY) from your secret manager');
      return met('the master key comes from the environment; it wraps the signing keys and data keys', evidence);
    },
  },
  fieldEncryption: builtIn('Sensitive fields encrypted at rest', 'customer contacts and access notes are encrypted under data keys wrapped by the master key (envelope encryption, decision 0012)', ['server/test/security/envelope.test.ts', 'server/test/domains/reencrypt.test.ts']),
  mdmPosture: {
    title: 'Device posture enforced (jailbreak, passcode, posture report)',
    settings: ['devicePolicy', 'mdm'],
    tests: ['server/test/devices/compliance.test.ts', 'server/test/e2e/device-posture.test.ts', 'server/test/e2e/device-trust.test.ts'],
    evaluate(facts) {
      const wrong: string[] = [];
      for (const c of deviceApps(facts)) {
        for (const ownership of ['corporate', 'byod'] as const) {
          const r = rulesFor(facts.config.devicePolicy, c.id, ownership);
          if (!r.blockJailbroken) wrong.push(`${c.id} ${ownership}: blockJailbroken`);
          if (!r.requirePasscode) wrong.push(`${c.id} ${ownership}: requirePasscode`);
          if (!r.requirePosture) wrong.push(`${c.id} ${ownership}: requirePosture`);
        }
      }
      const mdm = facts.config.mdm as unknown as Record<string, unknown>;
      const connectors = Object.keys(mdm).filter((k) => mdm[k] !== undefined && typeof mdm[k] === 'object');
      const evidence = { relaxed: wrong, mdmConnectors: connectors };
      if (wrong.length) return notMet(`device rules relaxed: ${wrong.join('; ')}`, evidence, 'set these devicePolicy rules back to true (devicePolicy.default and devicePolicy.apps)');
      return met(`every device app refuses jailbroken devices and devices without a passcode or posture report${connectors.length ? `; MDM: ${connectors.join(', ')}` : '; no MDM connected'}`, evidence);
    },
  },
  attestation: {
    title: 'App attestation of device keys',
    settings: ['clients[].attestation', 'devicePolicy.*.requireAttestation'],
    tests: ['server/test/devices/attest.test.ts', 'server/test/e2e/app-attest.test.ts'],
    evaluate(facts) {
      const missing = deviceApps(facts).filter((c) => !c.attestation?.apple || !rulesFor(facts.config.devicePolicy, c.id, 'byod').requireAttestation || !rulesFor(facts.config.devicePolicy, c.id, 'corporate').requireAttestation).map((c) => c.id);
      const evidence = { withoutAttestation: missing };
      if (missing.length) return notMet(`apps ${missing.join(', ')} do not require App Attest`, evidence, 'set clients[].attestation.apple and devicePolicy.default.{corporate,byod}.requireAttestation: true (Android Play Integrity is not built)');
      return met('every device app’s keys are attested (App Attest)', evidence);
    },
  },
  auditSealing: {
    title: 'Tamper-evident audit trail (hash chain, signed checkpoints)',
    settings: ['audit.checkpointInterval', 'audit.checkpointEvery'],
    tests: ['server/test/audit/chain.test.ts', 'server/test/audit/sealer-plan.test.ts', 'server/test/e2e/audit-anchor.test.ts', 'server/test/e2e/audit.test.ts'],
    evaluate(facts) {
      const { checkpointInterval, checkpointEvery } = facts.config.audit;
      const evidence = { 'audit.checkpointInterval': checkpointInterval, 'audit.checkpointEvery': checkpointEvery };
      if (parseDuration(checkpointInterval) > LIMITS.checkpointInterval) return notMet(`records may wait ${checkpointInterval} for a signed checkpoint`, evidence, 'set audit.checkpointInterval to 1h or less (default 1m)');
      return met(`every record is hash-chained; a signed checkpoint at least every ${checkpointInterval} or ${checkpointEvery} records`, evidence);
    },
  },
  auditVerified: {
    title: 'The audit trail verified recently',
    settings: [],
    tests: ['server/test/audit/routes.test.ts', 'server/test/e2e/audit.test.ts', 'server/test/e2e/compliance.test.ts'],
    evaluate(facts) {
      const last = facts.lastAuditVerify;
      if (!last) return notMet('no audit verification is recorded', { lastVerify: null }, 'verify the chain from the console’s Audit page, POST /admin/v1/audit/verify or palisade audit verify (each recorded as audit.verify), and schedule it');
      const evidence = { lastVerify: new Date(last.at).toISOString(), ok: last.ok, checked: last.checked, range: last.firstSeq !== null && last.lastSeq !== null ? `seq ${last.firstSeq}–${last.lastSeq}` : null, via: last.via };
      if (!last.ok) return notMet(`the last verification (${evidence.lastVerify}) found the chain broken`, evidence, 'follow docs/incident-response.md (the audit trail itself)');
      if (facts.now - last.at > LIMITS.auditVerifyAge) return notMet(`the last verification is ${days(facts.now - last.at)} days old`, evidence, 'verify at least monthly (the console’s Audit page, POST /admin/v1/audit/verify or palisade audit verify)');
      return met(`verified ${evidence.lastVerify}${last.checked !== null ? `, ${last.checked} records` : ''}${evidence.range ? ` (${evidence.range})` : ''}`, evidence);
    },
  },
  auditRetention: {
    title: 'Audit records kept 7 years, archived to write-once files',
    settings: ['audit.retention', 'audit.archiveDir'],
    tests: ['server/test/audit/archive.test.ts'],
    evaluate(facts) {
      const evidence = { 'audit.retention': facts.config.audit.retention, 'audit.archiveDir': facts.config.audit.archiveDir ?? null };
      if (parseDuration(facts.config.audit.retention) < LIMITS.auditRetention) return notMet(`audit records may be purged after ${facts.config.audit.retention}`, evidence, 'set audit.retention to 2557d (7 years) or more');
      return operator(`records are kept ${facts.config.audit.retention} and purged only after a verified archive; the archive’s storage is yours`, evidence, 'run palisade audit export on a schedule to write-once storage (object lock / WORM) and keep the public keys apart');
    },
  },
  monitoringAlerts: {
    title: 'Security alerts reach people',
    settings: ['monitoring.webhooks', 'monitoring.*.enabled'],
    tests: ['server/test/audit/monitor.test.ts', 'server/test/audit/alerts.test.ts'],
    evaluate(facts) {
      const m = facts.config.monitoring;
      const rules = { bruteForce: m.bruteForce.enabled, unusualExport: m.unusualExport.enabled, offHours: m.offHours.enabled, apiErrorSpike: m.apiErrorSpike.enabled, compromisedDevice: m.compromisedDevice.enabled, refreshTokenReuse: m.refreshTokenReuse.enabled };
      const off = Object.entries(rules).filter(([, on]) => !on).map(([name]) => `monitoring.${name}.enabled`);
      const evidence = { webhooks: m.webhooks.length, rulesOff: off };
      if (m.webhooks.length === 0) return notMet('alerts reach only the log and the audit trail', evidence, 'set monitoring.webhooks to your on-call channel');
      if (off.length) return notMet(`alert rules switched off: ${off.join(', ')}`, evidence, `set ${off.join(', ')} to true`);
      return met(`every alert rule on, sent to ${m.webhooks.length} webhook(s)`, evidence);
    },
  },
  retention: {
    title: 'Personal data deleted when no longer needed',
    settings: ['retention.endedSessions', 'retention.endedDevices', 'retention.locations', 'retention.replayState', 'retention.photos', 'retention.jobEvents'],
    tests: ['server/test/retention/retention.test.ts'],
    evaluate(facts) {
      const r = facts.config.retention;
      const evidence = { 'retention.endedSessions': r.endedSessions, 'retention.endedDevices': r.endedDevices, 'retention.locations': r.locations, 'retention.replayState': r.replayState, 'retention.photos': r.photos, 'retention.jobEvents': r.jobEvents };
      const wrong: string[] = [];
      for (const kind of ['endedSessions', 'endedDevices', 'replayState', 'photos', 'jobEvents'] as const) if (r[kind] === 'off') wrong.push(`retention.${kind}`);
      if (r.locations === 'off' || parseDuration(r.locations) > LIMITS.locations) wrong.push('retention.locations (30d or less)');
      if (wrong.length) return notMet(`kept without limit or too long: ${wrong.join(', ')}`, evidence, `set ${wrong.join(', ')} to a duration (docs/privacy.md#retention)`);
      return met(`every kind has a retention period; positions kept ${r.locations}`, evidence);
    },
  },
  breachClock: {
    title: 'Personal-data breaches notified within 72 hours',
    settings: [],
    tests: ['server/test/privacy/breach.test.ts'],
    evaluate(facts) {
      const evidence = { openIncidents: facts.incidents.map((i) => ({ id: i.id, hoursLeft: Math.round((i.secondsLeft / 3600) * 10) / 10 })) };
      const overdue = facts.incidents.filter((i) => i.secondsLeft < 0);
      if (overdue.length) return notMet(`${overdue.length} incident(s) past the 72-hour deadline`, evidence, 'notify the supervisory authority and record it: palisade incident report --notified-at <time>');
      return met(facts.incidents.length ? `${facts.incidents.length} open incident(s), all within their 72 hours` : 'no open breach incident; palisade incident open starts the clock', evidence);
    },
  },
  securityTxt: {
    title: 'A published vulnerability contact (security.txt)',
    settings: ['securityTxt.contact', 'securityTxt.expires'],
    tests: ['server/test/http/security-txt.test.ts'],
    evaluate(facts) {
      const s = facts.config.securityTxt;
      const evidence = { 'securityTxt.contact': s.contact, 'securityTxt.expires': s.expires ?? null };
      if (s.contact.length === 0) return notMet('no /.well-known/security.txt', evidence, 'set securityTxt.contact and securityTxt.expires');
      if (s.expires && Date.parse(s.expires) < facts.now) return notMet('security.txt has expired', evidence, 'move securityTxt.expires ahead (less than a year)');
      return met(`security.txt names ${s.contact.length} contact(s)`, evidence);
    },
  },
  databaseRole: {
    title: 'Least-privilege database login under row-level security',
    settings: ['database.runtimeUrl'],
    tests: ['server/test/db/runtime-login.test.ts', 'server/test/db/claims.test.ts', 'server/test/domains/matrix.test.ts'],
    evaluate(facts) {
      const evidence = { runtimeLogin: facts.config.database.runtimeUrl ? 'separate login' : 'owner login with SET ROLE palisade_app', embedded: !facts.config.database.url };
      if (facts.config.database.url && !facts.config.database.runtimeUrl) return notMet('the server logs in as the owner and steps down to palisade_app', evidence, 'set database.runtimeUrl (PALISADE_DATABASE_RUNTIME_URL) to a login that is only a member of palisade_app');
      return met(facts.config.database.url ? 'requests run as a login that owns nothing, under row-level security' : 'embedded database: requests run as palisade_app under row-level security', evidence);
    },
  },
  databaseTransport: {
    title: 'Encrypted connection to the database and Redis',
    settings: ['database.url', 'redis.url'],
    tests: ['server/test/db/runtime-login.test.ts'],
    evaluate(facts) {
      const dbUrl = facts.config.database.url;
      const sslmode = dbUrl ? (new URL(dbUrl).searchParams.get('sslmode') ?? null) : null;
      const redis = facts.config.redis.url ? new URL(facts.config.redis.url).protocol.replace(':', '') : null;
      const evidence = { 'database.sslmode': dbUrl ? sslmode : 'embedded', 'redis.scheme': redis };
      const verified = sslmode === 'verify-full' || sslmode === 'verify-ca' || sslmode === 'require';
      if ((dbUrl && !verified) || redis === 'redis') return operator('connections to PostgreSQL or Redis are not required to use TLS by their URL', evidence, 'use sslmode=verify-full in database.url and rediss:// for redis.url, or keep them on a private network you control');
      return met(dbUrl ? `PostgreSQL with sslmode=${sslmode}${redis ? `, Redis over ${redis}` : ''}` : 'embedded database, no network connection', evidence);
    },
  },
  authorization: builtIn('Role- and attribute-based access control on every route', 'every /api and /admin route names a permission of the matrix, decided from the database, with row-level security in PostgreSQL', ['server/test/e2e/authorization.test.ts', 'server/test/http/route-policy.test.ts', 'server/test/domains/matrix.test.ts']),
  pkce: builtIn('Authorization code with PKCE S256, exact redirect URIs', 'PKCE S256 and state are mandatory; codes are spent by their first use', ['server/test/e2e/sso.test.ts', 'server/test/e2e/one-time-credentials.test.ts']),
  credentialStorage: builtIn('Tokens and keys stored only as hashes', 'refresh tokens and app keys are stored as (keyed) hashes and compared in constant time; a reused refresh token ends the session', ['server/test/e2e/one-time-credentials.test.ts', 'server/test/apisec/app-keys.test.ts']),
  sessionControl: builtIn('Sessions and devices ended remotely, at once', 'an admin ends a session or wipes a device from the console or API; every instance enforces it within a second', ['server/test/sessions/revocation-feed.test.ts', 'server/test/e2e/device-commands.test.ts', 'server/test/e2e/admin-console-api.test.ts']),
  deprovisioning: builtIn('Access removed when the company removes it', 'SCIM deprovisioning and a lost role end every session', ['server/test/e2e/scim.test.ts', 'server/test/e2e/role-loss.test.ts']),
  inputValidation: builtIn('Strict input validation, bounded bodies', 'every route validates its input against a schema; oversized and malformed bodies are refused with problem+json', ['server/test/e2e/fuzz.test.ts', 'server/test/http/json.test.ts', 'server/test/e2e/database-errors.test.ts']),
  errorsAndLogs: builtIn('No secrets or stack traces in answers and logs', 'errors are RFC 9457 problems without stack traces; secrets and personal values are redacted from logs and the audit trail', ['server/test/http/logger.test.ts', 'server/test/security/redact.test.ts', 'server/test/e2e/audit-redaction.test.ts', 'server/test/errors/catalogue.test.ts']),
  auditCoverage: builtIn('Security events and data access recorded', 'sign-ins, token use and reuse, denials, admin actions, reads of personal data and exports are recorded with actor, time, IP and request id', ['server/test/e2e/audit.test.ts', 'server/test/audit/trail.test.ts', 'server/test/scim/scim-audit.test.ts']),
  privacyRights: builtIn('Data-subject access, portability and erasure', 'palisade privacy export and erase (crypto-shredded audit pseudonyms, legal holds refuse erasure), audited', ['server/test/e2e/privacy.test.ts']),
  recordsOfProcessing: builtIn('Records of processing generated from the code', 'docs/records-of-processing.md is generated from the data classification and the retention defaults; a test fails when stale', ['server/test/docs/drift.test.ts']),
  secureDevelopment: builtIn('Secure development: static analysis, dependency scanning, architecture rules', 'CI lints with eslint-plugin-security, builds a CycloneDX SBOM and runs npm audit; module boundaries are tested', ['server/test/architecture/boundaries.test.ts', 'server/test/deploy/packaging.test.ts']),
  backups: {
    title: 'Backups that restore with a verifiable audit trail',
    settings: [],
    tests: ['server/test/db/backup.test.ts'],
    evaluate: () => operator('palisade backup and palisade restore exist and are tested; scheduling them and keeping the copies is yours', { tool: 'palisade backup' }, 'schedule palisade backup, keep copies off-site and encrypted, and rehearse palisade restore (docs/operations.md#backup-and-restore)'),
  },
} as const satisfies Record<string, Check>;

export type CheckId = keyof typeof CHECKS;
export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];
