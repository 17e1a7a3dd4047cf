/**
 * The `palisade` command line as an operator runs it (`npm run palisade -- …` for the version;
 * the CLI's own program in this process after that, helpers/server.ts palisadeCli): the version, a
 * configuration check that lists every problem at once (never a secret's value), releasing a
 * contained person, SCIM tokens that are not replaced by accident, and names beside ids in audit
 * search. Aligned columns, one time format, counts in English and progress bars are in
 * operator-cli-output.test.ts (a file of its own, so the two halves run side by side).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { databaseKinds } from '../helpers/databases.ts';
import { palisadeCli } from '../helpers/server.ts';
import { operatorSetup } from '../helpers/operator.ts';

const palisade = palisadeCli;

describe('palisade --version', () => {
  test('--version and -V print the package version and nothing else', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    // --version through npm, exactly as the README says: a real process, so its exit code and
    // stdout are the ones a script sees. -V is the same commander option under its short name,
    // run in this process like the other tests (an npm spawn costs seconds on a busy machine).
    for (const [flag, options] of [['--version', { viaNpm: true }], ['-V', {}]] as const) {
      const result = await palisade([flag], {}, options);
      assert.equal(result.code, 0, result.out);
      assert.equal(result.stdout.trim(), version, `${flag} prints the version`);
      assert.equal(result.stderr, '', `${flag} prints nothing else`);
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
    const setup = operatorSetup(kind);

    test('incident release re-enables a contained person, with a reason, in the audit trail', async () => {
      const contained = await palisade(['incident', 'contain', '--user', 'terry@corp.test', '--reason', 'phished'], setup.env);
      assert.equal(contained.code, 0, contained.out);
      assert.match(contained.out, /1 session ended, 1 device marked wiped, account disabled/);
      await setup.withServer(async (app) => {
        await assert.rejects(app.signIn('u-tech'), /ended on a page \(403/, 'the contained person is refused at sign-in');
      });

      const noReason = await palisade(['incident', 'release', '--user', 'terry@corp.test'], setup.env);
      assert.notEqual(noReason.code, 0, 'a release needs a reason');
      assert.match(noReason.out, /--reason/);
      const unknown = await palisade(['incident', 'release', '--user', 'nobody@corp.test', '--reason', 'x'], setup.env);
      assert.equal(unknown.code, 1);
      assert.match(unknown.out, /no user "nobody@corp\.test"/);

      const released = await palisade(['incident', 'release', '--user', 'terry@corp.test', '--reason', 'password reset, MFA re-enrolled (INC-7)'], setup.env);
      assert.equal(released.code, 0, released.out);
      assert.match(released.out, new RegExp(`released user ${setup.techId} \\(disabled since \\d{4}-\\d\\d-\\d\\dT`));
      const again = await palisade(['incident', 'release', '--user', setup.techId, '--reason', 'twice'], setup.env);
      assert.equal(again.code, 1, 'releasing someone who is not disabled is refused');
      assert.match(again.out, /is not disabled: nothing to release/);

      await setup.withServer(async (app) => {
        const back = await app.signIn('u-tech');
        assert.equal(decodeJwt(back.tokens.access_token).sub, setup.techId, 'the same person signs in again, on a freshly enrolled device');
      });

      const search = await palisade(['audit', 'search', '--action', 'incident.release', '--json'], setup.env);
      assert.equal(search.code, 0, search.out);
      const records = search.stdout.trim().split('\n').map((line) => JSON.parse(line) as { reason?: string; actor: { userId?: string; userAgent?: string }; resource?: { id?: string } });
      assert.equal(records.length, 1, 'one release, recorded once (the refused ones changed nothing)');
      assert.equal(records[0]!.reason, 'password reset, MFA re-enrolled (INC-7)');
      assert.equal(records[0]!.resource?.id, setup.techId);
      assert.equal(records[0]!.actor.userId, 'cli', 'attributed to the operator');
      assert.match(records[0]!.actor.userAgent ?? '', /^palisade-cli \(.+@.+\)$/, 'with the operating-system account that ran it');
      const enabled = await palisade(['audit', 'search', '--action', 'user.enable', '--json'], setup.env);
      const change = JSON.parse(enabled.stdout.trim().split('\n')[0]!) as { resource?: { id?: string }; changes?: unknown };
      assert.equal(change.resource?.id, setup.techId);
      assert.deepEqual(change.changes, { before: { disabled: true }, after: { disabled: false } }, 'the account change itself is recorded');
    });

    test('audit search shows people’s names beside their ids', async () => {
      const result = await palisade(['audit', 'search', '--action', 'auth.login', '--limit', '5'], setup.env);
      assert.equal(result.code, 0, result.out);
      assert.match(result.stdout, new RegExp(`by ${setup.techId} \\(Terry Tech\\)`));
      const json = await palisade(['audit', 'search', '--action', 'auth.login', '--limit', '5', '--json'], setup.env);
      assert.doesNotMatch(json.stdout, /Terry Tech \(|\(Terry Tech\)/, '--json keeps the records as stored');
    });

    test('scim tokens create refuses to replace a token without --replace, and names the tenant URL', async () => {
      const first = await palisade(['scim', 'tokens', 'create', 'entra'], setup.env);
      assert.equal(first.code, 0, first.out);
      assert.match(first.stdout, /^pal_scim_\S+$/m);
      assert.match(first.stdout, /tenant URL \(the connector's SCIM base URL\): https:\/\/localhost:\d+\/scim\/v2$/m);
      const firstToken = /^(pal_scim_\S+)$/m.exec(first.stdout)![1]!;

      const refused = await palisade(['scim', 'tokens', 'create', 'entra'], setup.env);
      assert.equal(refused.code, 1);
      assert.match(refused.out, /"entra" already has an active token; run again with --replace/);
      assert.doesNotMatch(refused.out, /pal_scim_/, 'no new token was shown');

      const replaced = await palisade(['scim', 'tokens', 'create', 'entra', '--replace', '--json'], setup.env);
      assert.equal(replaced.code, 0, replaced.out);
      const body = JSON.parse(replaced.stdout) as { name: string; token: string; tenantUrl: string };
      assert.equal(body.name, 'entra');
      assert.notEqual(body.token, firstToken);
      assert.match(body.tenantUrl, /\/scim\/v2$/);
      const creations = await palisade(['audit', 'search', '--action', 'scim.token.create', '--json'], setup.env);
      assert.equal(creations.stdout.trim().split('\n').length, 2, 'the refused attempt wrote nothing');
    });
  });
}
