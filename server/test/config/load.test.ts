import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, redirectUriProblem } from '../../src/config/load.ts';
import { parseDuration } from '../../src/duration.ts';
import { withMatrix } from '../../src/authz/docs.ts';
import { configurationMarkdown, exampleYaml } from '../../src/config/docs.ts';

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.problems;
  }
  assert.fail('expected the configuration to be refused');
};

test('defaults alone give a working development configuration', () => {
  const config = loadConfig({ env: {}, cwd: '/srv' });
  assert.equal(config.server.port, 8443);
  assert.equal(config.dataDir, '/srv/data');
  assert.equal(config.publicUrl, 'https://localhost:8443');
  assert.equal(config.tokens.accessTokenTtl, '15m');
  assert.equal(config.tokens.refreshAbsoluteTtl, '7d');
  assert.equal(config.developmentDefaults.length, 6, 'every development default is announced');
  assert.ok(config.developmentDefaults.some((line) => line.includes('demo dataset')), 'the demo data is announced');
});

test('durations are written like 15m and 7d; bare numbers are refused', () => {
  assert.equal(parseDuration('15m'), 900_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.throws(() => parseDuration('900'));
  const problems = problemsOf(() => loadConfig({ env: { PALISADE_TOKENS_ACCESS_TOKEN_TTL: '900' } }));
  assert.deepEqual(problems, [{ path: 'tokens.accessTokenTtl', message: 'must be a duration such as 30s, 15m, 12h or 7d', given: '"900"' }]);
});

test('every problem is listed at once, each with its path', () => {
  const problems = problemsOf(() =>
    loadConfig({
      env: {},
      document: { server: { port: 70000, tpyo: 1 }, tokens: { accessTokenTtl: 'soon', signingAlg: 'HS256' }, upstream: { clientId: 'x' } },
    }),
  );
  const paths = problems.map((p) => p.path).sort();
  assert.deepEqual(paths, ['server.port', 'server.tpyo', 'tokens.accessTokenTtl', 'tokens.signingAlg', 'upstream.issuer'].sort());
  assert.match(problems.find((p) => p.path === 'server.tpyo')!.message, /not a Palisade setting/);
  assert.match(problems.find((p) => p.path === 'tokens.signingAlg')!.message, /one of "ES256", "EdDSA"/);
  assert.match(new ConfigError(problems, 'x').message, /has 5 problems/);
});

test('a malformed value is explained in words, not as the regular expression it failed', () => {
  const problems = problemsOf(() =>
    loadConfig({ env: { PALISADE_MASTER_KEY: 'c2VjcmV0=', PALISADE_SERVER_PUBLIC_URL: 'https://palisade.example.com/', DATABASE_URL: 'mysql://db/x' } }),
  );
  assert.deepEqual(problems.map((p) => p.path).sort(), ['database.url', 'masterKey', 'server.publicUrl']);
  for (const problem of problems) assert.doesNotMatch(problem.message, /must match pattern|\^|\$/, problem.path);
  assert.match(problems.find((p) => p.path === 'masterKey')!.message, /43 characters/);
  assert.doesNotMatch(problems.find((p) => p.path === 'masterKey')!.message, /c2VjcmV0/, 'a secret value is never echoed back');
});

test('environment overrides follow the setting path, and win over the file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-config-'));
  const file = path.join(dir, 'palisade.yaml');
  writeFileSync(file, 'server: { port: 9443 }\nupstream: { issuer: https://idp.example.com, clientId: palisade, roles: { admin: [it] } }\n');
  const config = loadConfig({
    env: {
      PALISADE_CONFIG: file,
      PALISADE_SERVER_PORT: '10443',
      PALISADE_UPSTREAM_CLIENT_SECRET: 's3cret',
      PALISADE_UPSTREAM_SCOPES: 'openid,email',
      DATABASE_URL: 'postgres://db/palisade',
      PALISADE_UPSTREAM_ROLES_TECHNICIAN: 'field-techs',
    },
  });
  assert.equal(config.server.port, 10443);
  assert.equal(config.upstream?.clientSecret, 's3cret');
  assert.deepEqual(config.upstream?.scopes, ['openid', 'email']);
  assert.equal(config.database.url, 'postgres://db/palisade');
  assert.deepEqual(config.upstream?.roles.technician, ['field-techs']);
  assert.deepEqual(config.upstream?.roles.admin, ['it']);
});

test('a YAML file that does not exist or is not a mapping is reported plainly', () => {
  assert.match(problemsOf(() => loadConfig({ env: { PALISADE_CONFIG: '/nope.yaml' } }))[0]!.message, /file not found/);
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-config-'));
  writeFileSync(path.join(dir, 'list.yaml'), '- a\n- b\n');
  assert.match(problemsOf(() => loadConfig({ env: { PALISADE_CONFIG: path.join(dir, 'list.yaml') } }))[0]!.message, /YAML mapping/);
});

test('production refuses every development shortcut, all in one report', () => {
  const problems = problemsOf(() => loadConfig({ env: { NODE_ENV: 'production', PALISADE_SERVER_CORS_ORIGINS: '*' } }));
  assert.deepEqual(problems.map((p) => p.path).sort(), ['masterKey', 'server.corsOrigins', 'server.publicUrl', 'server.tls', 'upstream'].sort());
});

test('production accepts a complete configuration', () => {
  const production = {
      NODE_ENV: 'production',
      PALISADE_MASTER_KEY: 'A'.repeat(43),
      PALISADE_SERVER_PUBLIC_URL: 'https://palisade.example.com',
      PALISADE_SERVER_TLS_CERT_FILE: '/etc/palisade/tls.crt',
      PALISADE_SERVER_TLS_KEY_FILE: '/etc/palisade/tls.key',
      PALISADE_SERVER_TLS_BACKUP_PINS: `sha256/${Buffer.alloc(32, 1).toString('base64')}`,
      PALISADE_UPSTREAM_ISSUER: 'https://login.example.com',
      PALISADE_UPSTREAM_CLIENT_ID: 'palisade',
      PALISADE_UPSTREAM_ROLES_ADMIN: 'it-admins',
      DATABASE_URL: 'postgres://palisade@db/palisade',
  };
  const config = loadConfig({ env: production });
  assert.equal(config.production, true);
  assert.deepEqual(config.developmentDefaults, ['session feed over the database, no Redis (set REDIS_URL for Redis pub/sub)']);
  const withRedis = loadConfig({ env: { ...production, REDIS_URL: 'redis://cache:6379' } });
  assert.equal(withRedis.redis.url, 'redis://cache:6379', 'REDIS_URL is the conventional alias');
  assert.deepEqual(withRedis.developmentDefaults, []);
});

test('an operator certificate needs a backup pin unless explicitly waived; pins are checked for form', () => {
  const tls = { PALISADE_SERVER_TLS_CERT_FILE: '/etc/palisade/tls.crt', PALISADE_SERVER_TLS_KEY_FILE: '/etc/palisade/tls.key' };
  const missing = problemsOf(() => loadConfig({ env: tls }));
  assert.deepEqual(missing.map((p) => p.path), ['server.tls.backupPins'], 'outside production too: apps pin whatever certificate is configured');
  assert.match(missing[0]!.message, /backup key pair.*offline.*openssl pkey.*allowNoBackupPins/s, 'the refusal says how to make a pin and how to waive');
  assert.deepEqual(loadConfig({ env: { ...tls, PALISADE_SERVER_TLS_ALLOW_NO_BACKUP_PINS: 'true' } }).server.tls?.backupPins, [], 'the explicit waiver starts');
  const good = `sha256/${Buffer.alloc(32, 1).toString('base64')}`;
  const other = `sha256/${Buffer.alloc(32, 2).toString('base64')}`;
  assert.deepEqual(loadConfig({ env: { ...tls, PALISADE_SERVER_TLS_BACKUP_PINS: `${good},${other}` } }).server.tls?.backupPins, [good, other]);
  for (const bad of ['sha1/' + Buffer.alloc(20).toString('base64'), good.slice(0, -2) + '=', good.replace('sha256/', ''), good.slice(0, -2) + 'B=', `sha256/${Buffer.alloc(32, 1).toString('base64url')}`]) {
    const problems = problemsOf(() => loadConfig({ env: { ...tls, PALISADE_SERVER_TLS_BACKUP_PINS: bad } }));
    assert.equal(problems[0]!.path, 'server.tls.backupPins[0]', `${bad} must be refused`);
    assert.match(problems[0]!.message, /must be a pin/);
  }
  assert.equal(problemsOf(() => loadConfig({ env: { ...tls, PALISADE_SERVER_TLS_BACKUP_PINS: `${good},${good}` } }))[0]!.path, 'server.tls.backupPins');
});

test('a company IdP over plain http is refused except on loopback outside production', () => {
  const upstream = { PALISADE_UPSTREAM_CLIENT_ID: 'p', PALISADE_UPSTREAM_ROLES_ADMIN: 'it' };
  assert.ok(loadConfig({ env: { ...upstream, PALISADE_UPSTREAM_ISSUER: 'http://127.0.0.1:9000' } }).upstream);
  assert.equal(problemsOf(() => loadConfig({ env: { ...upstream, PALISADE_UPSTREAM_ISSUER: 'http://idp.example.com' } }))[0]!.path, 'upstream.issuer');
});

test('a company IdP mapping no group to any role is refused: nobody could sign in', () => {
  const problems = problemsOf(() => loadConfig({ env: { PALISADE_UPSTREAM_ISSUER: 'https://idp.example.com', PALISADE_UPSTREAM_CLIENT_ID: 'p' } }));
  assert.equal(problems[0]!.path, 'upstream.roles');
});

test('redirect URIs follow RFC 8252', () => {
  assert.equal(redirectUriProblem('com.example.field:/oauth2redirect', false), undefined);
  assert.equal(redirectUriProblem('http://127.0.0.1/callback', false), undefined);
  assert.equal(redirectUriProblem('http://[::1]/callback', false), undefined);
  assert.match(redirectUriProblem('myapp:/callback', false)!, /reverse-DNS/);
  assert.match(redirectUriProblem('http://localhost/callback', false)!, /loopback IP literals/);
  assert.match(redirectUriProblem('http://example.com/callback', false)!, /loopback/);
  assert.match(redirectUriProblem('com.example.field:/x#frag', false)!, /fragment/);
  assert.match(redirectUriProblem('com.example.web:/cb', true)!, /https/);
  const problems = problemsOf(() => loadConfig({ env: { PALISADE_CLIENTS: JSON.stringify([{ id: 'a', name: 'A', redirectUris: ['myapp:/cb'] }, { id: 'a', name: 'B', redirectUris: ['http://127.0.0.1/cb'] }]) } }));
  assert.deepEqual(problems.map((p) => p.path), ['clients[0].redirectUris[0]', 'clients[1].id']);
});

test('platform: a secret makes a web client; a device app cannot be registered as web, and every public web client is named as a way around the device rules', () => {
  const clients = (...list: unknown[]) => ({ PALISADE_CLIENTS: JSON.stringify(list) });
  const secret = 's'.repeat(40);
  const withSecret = problemsOf(() => loadConfig({ env: clients({ id: 'rs', name: 'RS', secret, platform: 'native', redirectUris: ['https://rs.example.com/cb'] }) }));
  assert.deepEqual(withSecret.map((p) => p.path), ['clients[0].platform'], 'a client with a secret labelled native is refused');
  // A phone app mislabelled web: its reports would name web and escape jailbreak, passcode and OS rules.
  const mislabelled = problemsOf(() => loadConfig({ env: clients({ id: 'field-app', name: 'Field', platform: 'web', redirectUris: ['com.example.field:/oauth2redirect', 'https://field.example.com/callback'] }) }));
  assert.deepEqual(mislabelled.map((p) => p.path), ['clients[0].redirectUris[0]']);
  assert.match(mislabelled[0]!.message, /only an app on a device/);
  const attested = problemsOf(() => loadConfig({ env: clients({ id: 'field-app', name: 'Field', platform: 'web', redirectUris: ['https://field.example.com/callback'], attestation: { apple: { appIds: ['ABCDE12345.com.example.field'], environment: 'production' } } }) }));
  assert.deepEqual(attested.map((p) => p.path), ['clients[0].attestation']);
  // A genuine web build loads, and is named as what it is: anyone's way around the device rules.
  const config = loadConfig({
    env: {
      ...clients({ id: 'field-app', name: 'Field', redirectUris: ['com.example.field:/oauth2redirect'] }, { id: 'field-web', name: 'Field on the web', platform: 'web', redirectUris: ['https://field.example.com/callback'] }, { id: 'portal', name: 'Portal', secret, redirectUris: ['https://portal.example.com/cb'] }),
      PALISADE_DEVICE_POLICY: JSON.stringify({ apps: { 'field-web': { byod: { blockJailbroken: true, minOsVersion: { ios: '17.4' } } } } }),
    },
  });
  const warnings = config.warnings.filter((w) => w.path.startsWith('clients['));
  assert.deepEqual(warnings.map((w) => w.path), ['clients[1].platform'], 'only the public web client: the native app is judged, the confidential one needs its secret');
  assert.match(warnings[0]!.message, /any device may sign in as field-web/);
  assert.match(warnings[0]!.message, /devicePolicy\.apps\.field-web\.byod\.blockJailbroken, devicePolicy\.apps\.field-web\.byod\.minOsVersion cannot apply/);
});

test('App Attest per app: app ids are <team id>.<bundle id>, the environment is chosen, and production refuses development', () => {
  const app = (apple: unknown) => JSON.stringify([{ id: 'field-app', name: 'Field', redirectUris: ['com.example.field:/cb'], attestation: { apple } }]);
  const config = loadConfig({ env: { PALISADE_CLIENTS: app({ appIds: ['ABCDE12345.com.example.field', 'ABCDE12345.com.example.field-beta'], environment: 'development' }) } });
  assert.deepEqual(config.clients[0]!.attestation?.apple, { appIds: ['ABCDE12345.com.example.field', 'ABCDE12345.com.example.field-beta'], environment: 'development' }, 'development is accepted outside production');
  for (const bad of ['abcde12345.com.example.field', 'ABCDE1234.com.example.field', 'com.example.field', 'ABCDE12345.', 'ABCDE12345.com example', 'ABCDE12345.com.example.field\n']) {
    const problems = problemsOf(() => loadConfig({ env: { PALISADE_CLIENTS: app({ appIds: [bad], environment: 'production' }) } }));
    assert.equal(problems[0]!.path, 'clients[0].attestation.apple.appIds[0]', `${JSON.stringify(bad)} must be refused`);
    assert.match(problems[0]!.message, /team id>\.<bundle id>/, 'the refusal says the form in words');
  }
  assert.equal(problemsOf(() => loadConfig({ env: { PALISADE_CLIENTS: app({ appIds: ['ABCDE12345.com.example.field'] }) } }))[0]!.path, 'clients[0].attestation.apple.environment', 'the environment is a choice, never assumed');
  assert.equal(problemsOf(() => loadConfig({ env: { PALISADE_CLIENTS: app({ appIds: [], environment: 'production' }) } }))[0]!.path, 'clients[0].attestation.apple.appIds');
  const inProduction = (environment: string) => problemsOf(() => loadConfig({ env: { NODE_ENV: 'production', PALISADE_CLIENTS: app({ appIds: ['ABCDE12345.com.example.field'], environment }) } })).map((p) => p.path);
  assert.ok(inProduction('development').includes('clients[0].attestation.apple.environment'), 'production refuses development keys');
  assert.ok(!inProduction('production').includes('clients[0].attestation.apple.environment'));
});

test('the example configuration and the settings reference are generated from the schema and current', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  assert.equal(readFileSync(path.join(root, 'config/palisade.example.yaml'), 'utf8'), exampleYaml(), 'run `npm run docs` after changing the schema');
  assert.equal(readFileSync(path.join(root, 'docs/configuration.md'), 'utf8'), configurationMarkdown(), 'run `npm run docs` after changing the schema');
  const authorization = readFileSync(path.join(root, 'docs/authorization.md'), 'utf8');
  assert.equal(authorization, withMatrix(authorization), 'run `npm run docs` after changing the permission matrix');
});

test('the example configuration file loads as it stands (every uncommented setting is valid)', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  const config = loadConfig({ env: { PALISADE_CONFIG: path.join(root, 'config/palisade.example.yaml') } });
  assert.equal(config.clients[0]!.id, 'field-app');
});

test('backup pins and their waiver stay readable in the audited configuration (a pin is public, a waiver is what a reviewer must see)', async () => {
  const { configSnapshot } = await import('../../src/audit/config-change.ts');
  const pin = `sha256/${Buffer.alloc(32, 3).toString('base64')}`;
  const tls = { PALISADE_SERVER_TLS_CERT_FILE: '/etc/palisade/tls.crt', PALISADE_SERVER_TLS_KEY_FILE: '/etc/palisade/tls.key' };
  assert.deepEqual(configSnapshot(loadConfig({ env: { ...tls, PALISADE_SERVER_TLS_BACKUP_PINS: pin } }))['server.tls.backupPins'], [pin]);
  assert.equal(configSnapshot(loadConfig({ env: { ...tls, PALISADE_SERVER_TLS_ALLOW_NO_BACKUP_PINS: 'true' } }))['server.tls.allowNoBackupPins'], true);
});

test('server.keepAliveTimeout: 72s by default, between 1s and 10m (0 would keep idle connections open for good)', () => {
  assert.equal(loadConfig({ env: {}, cwd: '/srv' }).server.keepAliveTimeout, '72s');
  assert.equal(loadConfig({ env: { PALISADE_SERVER_KEEP_ALIVE_TIMEOUT: '1s' }, cwd: '/srv' }).server.keepAliveTimeout, '1s');
  for (const given of ['0s', '999ms', '11m', '99999999999999d']) {
    const problems = problemsOf(() => loadConfig({ env: { PALISADE_SERVER_KEEP_ALIVE_TIMEOUT: given }, cwd: '/srv' }));
    assert.deepEqual(problems, [{ path: 'server.keepAliveTimeout', message: `must be between 1s and 10m, not ${given}` }], given);
  }
});
