/**
 * The `palisade` command line as an operator runs it (`npm run palisade -- …`): the version, a
 * configuration check that lists every problem at once (never a secret's value), progress bars
 * that stay off stdout and out of `--json`, releasing a contained person, SCIM tokens that are
 * not replaced by accident, and output a person reads (aligned columns, names beside ids,
 * counts in English, one time format).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { databaseKinds, type TestDatabase } from '../helpers/databases.ts';
import { palisadeCli, startInProcess } from '../helpers/server.ts';
import { federatedTo, type UpstreamIdp } from '../helpers/upstream-idp.ts';
import { MobileApp } from '../helpers/mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

const palisade = palisadeCli;
/** What a progress bar draws; none of it may reach --json output or stdout. */
const BAR = /\[[#-]{10,}\]|\d+%/;

describe('palisade --version', () => {
  test('--version and -V print the package version and nothing else', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await palisade([flag], {});
      assert.equal(result.code, 0, result.out);
      assert.equal(result.stdout.trim(), version, `${flag} prints the version`);
    }
  });
});

describe('palisade config check lists every problem at once', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'palisade-config-check-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));
  const check = async (yaml: string, env: Record<string, string> = {}) => {
    const file = path.join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, yaml);
    const result = await palisade(['config', 'check'], { PALISADE_CONFIG: file, ...env });
    assert.equal(result.code, 1, `the configuration is refused: ${result.out}`);
    assert.doesNotMatch(result.out, /at \w+ \(|\.ts:\d+:\d+/, 'no stack trace');
    return result.out;
  };

  test('a misspelt key does not hide the production refusals', async () => {
    const out = await check('serverr:\n  port: 8443\n', { NODE_ENV: 'production' });
    assert.match(out, /- serverr: is not a Palisade setting/);
    for (const setting of ['upstream', 'server.tls', 'masterKey', 'server.publicUrl']) {
      assert.match(out, new RegExp(`- ${setting.replace('.', '\\.')}: production needs`), `${setting} is still checked`);
    }
  });

  test('every problem of every app is listed, not only the first', async () => {
    const out = await check(
      [
        'clients:',
        '  - id: field-app',
        '    name: Field',
        '    colour: blue',
        '    redirectUris: ["http://evil.example/cb", "noscheme:/cb"]',
        '    attestation: { apple: { appIds: ["ABCDE12345.com.example.field"], environment: development } }',
        '  - id: second',
        '    name: Second',
        '    redirectUris: ["com.example.second:/cb#frag"]',
        '    dpop: sometimes',
      ].join('\n'),
      { NODE_ENV: 'production' },
    );
    for (const expected of [
      /- clients\[0\]\.colour: is not a Palisade setting/,
      /- clients\[0\]\.redirectUris\[0\]: plain http is only allowed .* \(given: "http:\/\/evil\.example\/cb"\)/,
      /- clients\[0\]\.redirectUris\[1\]: a private-use URI scheme must be in reverse-DNS form/,
      /- clients\[0\]\.attestation\.apple\.environment: `development` is refused in production/,
      /- clients\[1\]\.redirectUris\[0\]: must not contain a fragment/,
      /- clients\[1\]\.dpop: must be one of "required", "allowed" \(given: "sometimes"\)/,
    ]) {
      assert.match(out, expected);
    }
  });

  test('a YAML syntax error shows its line, column and the lines around it, secrets masked', async () => {
    const out = await check(['server:', '  port: 8443', 'upstream:', '  clientSecret: hunter2-very-secret', '  issuer: {https://idp.example', 'clients: []'].join('\n'));
    assert.match(out, /is not valid YAML at line \d+, column \d+: /);
    // eslint-disable-next-line no-regex-spaces -- the excerpt's indentation, as printed
    assert.match(out, /\d \|   issuer: \{https:\/\/idp\.example/, 'the excerpt shows the faulty line');
    assert.match(out, /\|\s+\^/, 'with a caret under the place');
    assert.match(out, /clientSecret: \[redacted\]/, 'a secret in the excerpt is masked');
    assert.doesNotMatch(out, /hunter2/, 'never the secret itself');
  });

  test('a wrong value is shown beside its path and message, except a secret’s', async () => {
    const out = await check(
      ['server:', '  port: eighty', 'upstream:', '  issuer: https://idp.example', '  clientId: palisade', '  clientSecret: 424242', '  roles: { admin: [it] }'].join('\n'),
      { DATABASE_URL: 'mysql://palisade:db-password-77@db.example/palisade', PALISADE_MASTER_KEY: 'master-key-too-short-99', PALISADE_TOKENS_ACCESS_TOKEN_TTL: '900' },
    );
    assert.match(out, /- server\.port: must be integer.* \(given: "eighty"\)/);
    assert.match(out, /- tokens\.accessTokenTtl: must be a duration.* \(given: "900"\)/);
    assert.match(out, /- upstream\.clientSecret: must be string.* \(given: \[redacted\]\)/);
    assert.match(out, /- masterKey: .* \(given: \[redacted\]\)/);
    assert.match(out, /- database\.url: .* \(given: "mysql:\/\/\[redacted\]@db\.example\/palisade"\)/);
    for (const secret of ['424242', 'master-key-too-short-99', 'db-password-77']) assert.ok(!out.includes(secret), `the secret ${secret} is never printed`);
  });
});

for (const kind of databaseKinds()) {
  describe(`operator commands (${kind.kind})`, () => {
    let database: TestDatabase;
    let upstream: UpstreamIdp;
    let port: number;
    let env: Record<string, string | undefined>;
    const masterKey = generateMasterKey();
    let techId: string;

    /** Runs `fn` against a started server (PGlite: the CLI cannot open the database meanwhile). */
    const withServer = async <T>(fn: (app: MobileApp) => Promise<T>): Promise<T> => {
      const { server, ca } = await startInProcess(database, upstream, port, { PALISADE_MASTER_KEY: masterKey });
      const app = new MobileApp(server.url, ca);
      try {
        return await fn(app);
      } finally {
        await app.close();
        await server.close();
      }
    };

    before(async () => {
      database = await kind.create();
      ({ upstream, port } = await federatedTo(database));
      env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'silent' };
      await withServer(async (app) => {
        techId = decodeJwt((await app.signIn('u-tech')).tokens.access_token).sub!;
      });
    });
    after(async () => {
      await upstream?.close();
      await database?.drop();
    });

    test('incident release re-enables a contained person, with a reason, in the audit trail', async () => {
      const contained = await palisade(['incident', 'contain', '--user', 'terry@corp.test', '--reason', 'phished'], env);
      assert.equal(contained.code, 0, contained.out);
      assert.match(contained.out, /1 session ended, 1 device marked wiped, account disabled/);
      await withServer(async (app) => {
        await assert.rejects(app.signIn('u-tech'), /ended on a page \(403/, 'the contained person is refused at sign-in');
      });

      const noReason = await palisade(['incident', 'release', '--user', 'terry@corp.test'], env);
      assert.notEqual(noReason.code, 0, 'a release needs a reason');
      assert.match(noReason.out, /--reason/);
      const unknown = await palisade(['incident', 'release', '--user', 'nobody@corp.test', '--reason', 'x'], env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.out, /no user "nobody@corp\.test"/);

      const released = await palisade(['incident', 'release', '--user', 'terry@corp.test', '--reason', 'password reset, MFA re-enrolled (INC-7)'], env);
      assert.equal(released.code, 0, released.out);
      assert.match(released.out, new RegExp(`released user ${techId} \\(disabled since \\d{4}-\\d\\d-\\d\\dT`));
      const again = await palisade(['incident', 'release', '--user', techId, '--reason', 'twice'], env);
      assert.equal(again.code, 1, 'releasing someone who is not disabled is refused');
      assert.match(again.out, /is not disabled: nothing to release/);

      await withServer(async (app) => {
        const back = await app.signIn('u-tech');
        assert.equal(decodeJwt(back.tokens.access_token).sub, techId, 'the same person signs in again, on a freshly enrolled device');
      });

      const search = await palisade(['audit', 'search', '--action', 'incident.release', '--json'], env);
      assert.equal(search.code, 0, search.out);
      const records = search.stdout.trim().split('\n').map((line) => JSON.parse(line) as { reason?: string; actor: { userId?: string; userAgent?: string }; resource?: { id?: string } });
      assert.equal(records.length, 1, 'one release, recorded once (the refused ones changed nothing)');
      assert.equal(records[0]!.reason, 'password reset, MFA re-enrolled (INC-7)');
      assert.equal(records[0]!.resource?.id, techId);
      assert.equal(records[0]!.actor.userId, 'cli', 'attributed to the operator');
      assert.match(records[0]!.actor.userAgent ?? '', /^palisade-cli \(.+@.+\)$/, 'with the operating-system account that ran it');
      const enabled = await palisade(['audit', 'search', '--action', 'user.enable', '--json'], env);
      const change = JSON.parse(enabled.stdout.trim().split('\n')[0]!) as { resource?: { id?: string }; changes?: unknown };
      assert.equal(change.resource?.id, techId);
      assert.deepEqual(change.changes, { before: { disabled: true }, after: { disabled: false } }, 'the account change itself is recorded');
    });

    test('audit search shows people’s names beside their ids', async () => {
      const result = await palisade(['audit', 'search', '--action', 'auth.login', '--limit', '5'], env);
      assert.equal(result.code, 0, result.out);
      assert.match(result.stdout, new RegExp(`by ${techId} \\(Terry Tech\\)`));
      const json = await palisade(['audit', 'search', '--action', 'auth.login', '--limit', '5', '--json'], env);
      assert.doesNotMatch(json.stdout, /Terry Tech \(|\(Terry Tech\)/, '--json keeps the records as stored');
    });

    test('scim tokens create refuses to replace a token without --replace, and names the tenant URL', async () => {
      const first = await palisade(['scim', 'tokens', 'create', 'entra'], env);
      assert.equal(first.code, 0, first.out);
      assert.match(first.stdout, /^pal_scim_\S+$/m);
      assert.match(first.stdout, /tenant URL \(the connector's SCIM base URL\): https:\/\/localhost:\d+\/scim\/v2$/m);
      const firstToken = /^(pal_scim_\S+)$/m.exec(first.stdout)![1]!;

      const refused = await palisade(['scim', 'tokens', 'create', 'entra'], env);
      assert.equal(refused.code, 1);
      assert.match(refused.out, /"entra" already has an active token; run again with --replace/);
      assert.doesNotMatch(refused.out, /pal_scim_/, 'no new token was shown');

      const replaced = await palisade(['scim', 'tokens', 'create', 'entra', '--replace', '--json'], env);
      assert.equal(replaced.code, 0, replaced.out);
      const body = JSON.parse(replaced.stdout) as { name: string; token: string; tenantUrl: string };
      assert.equal(body.name, 'entra');
      assert.notEqual(body.token, firstToken);
      assert.match(body.tenantUrl, /\/scim\/v2$/);
      const creations = await palisade(['audit', 'search', '--action', 'scim.token.create', '--json'], env);
      assert.equal(creations.stdout.trim().split('\n').length, 2, 'the refused attempt wrote nothing');
    });

    test('apps keys list aligns its columns', async () => {
      for (const name of ['iOS 2.4', 'Android release candidate 2.5.0-rc.1']) {
        assert.equal((await palisade(['apps', 'keys', 'create', 'field-app', '--name', name], env)).code, 0);
      }
      const listed = await palisade(['apps', 'keys', 'list', 'field-app'], env);
      assert.equal(listed.code, 0, listed.out);
      const lines = listed.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^ID\s+STATUS\s+NAME\s+CREATED\s+BY\s+LAST USED\s+EXPIRES/);
      assert.ok(lines.length >= 3, listed.stdout);
      for (const column of ['STATUS', 'NAME', 'CREATED', 'BY', 'LAST USED', 'EXPIRES']) {
        const at = lines[0]!.indexOf(column);
        for (const line of lines.slice(1)) {
          assert.ok(line[at - 1] === ' ' && line[at - 2] === ' ' && line[at] !== ' ', `${column} starts at the same place on every line:\n${listed.stdout}`);
        }
      }
    });

    test('keys rotate and keys list print the same time', async () => {
      const rotated = await palisade(['keys', 'rotate', '--activate-after', '1h'], env);
      assert.equal(rotated.code, 0, rotated.out);
      const [, kid, from] = /new signing key (\S+): published now, signs from (\S+)$/m.exec(rotated.stdout)!;
      const listed = await palisade(['keys', 'list'], env);
      const line = listed.stdout.split('\n').find((l) => l.startsWith(kid!));
      assert.ok(line, listed.stdout);
      assert.ok(line.endsWith(`published, signs from ${from}`), `the list names the same time as the rotation (${from}):\n${listed.stdout}`);
      assert.match(from!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'ISO 8601 UTC, to the second');
    });

    test('counts read as English: "1 record is waiting", not "1 records are"', async () => {
      assert.equal((await palisade(['audit', 'verify', '--seal'], env)).code, 0);
      // A search is itself audited: exactly one new record, not yet sealed.
      await palisade(['audit', 'search', '--limit', '1'], env);
      const verified = await palisade(['audit', 'verify'], env);
      assert.equal(verified.code, 0, verified.out);
      assert.match(verified.stdout, /^ {2}1 record is waiting to be sealed/m);
      assert.doesNotMatch(verified.stdout, /\b1 (records|signed checkpoints|signed digests)\b/);
    });

    test('progress: shown on stderr when forced, never on stdout, never with --json, off without a terminal', async () => {
      const forced = { ...env, PALISADE_PROGRESS: '1' };
      const verified = await palisade(['audit', 'verify', '--seal'], forced);
      assert.equal(verified.code, 0, verified.out);
      assert.match(verified.stderr, /verifying \[#+-*\] 100% \| \d+\/\d+ records/, 'the bar is drawn on stderr');
      assert.doesNotMatch(verified.stdout, BAR, 'stdout carries only the report');

      const json = await palisade(['audit', 'verify', '--json'], forced);
      assert.equal(json.code, 0, json.out);
      assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, true, 'the --json output parses');
      assert.doesNotMatch(json.out, BAR, 'and nothing of a bar is printed anywhere');

      const plain = await palisade(['audit', 'verify'], env);
      assert.doesNotMatch(plain.out, BAR, 'stderr is not a terminal here: no bar unless forced');

      const archive = await mkdtemp(path.join(tmpdir(), 'palisade-progress-'));
      try {
        const exported = await palisade(['audit', 'export', '--out', archive], forced);
        assert.equal(exported.code, 0, exported.out);
        assert.match(exported.stderr, /exporting \[#+-*\] 100%/);
        assert.doesNotMatch(exported.stdout, BAR);
      } finally {
        await rm(archive, { recursive: true, force: true });
      }
      const migrated = await palisade(['migrate'], forced);
      assert.match(migrated.stderr, /migrating \[#+\] 100% \| (\d+)\/\1 migrations/);
      const seeded = await palisade(['demo', 'seed', '--jobs', '60'], forced);
      assert.equal(seeded.code, 0, seeded.out);
      assert.match(seeded.stderr, /seeding \[#+\] 100% \| 60\/60 jobs/);
      assert.match(seeded.stdout, /demo data loaded: 60 jobs/);
      assert.equal((await palisade(['keys', 'data', 'rotate'], env)).code, 0);
      const reencrypted = await palisade(['keys', 'data', 'reencrypt'], forced);
      assert.equal(reencrypted.code, 0, reencrypted.out);
      assert.match(reencrypted.stderr, /re-encrypting \[#+\] 100% \| (\d+)\/\1 values/);
      assert.match(reencrypted.stdout, /^\d+ values? moved to the active data key/m);
    });
  });
}
