/**
 * The `palisade` command line's output as a person and a script read it (the rest of the
 * operator commands are in operator-cli.test.ts): aligned columns, one time format, counts in
 * English, and progress bars that stay off stdout and out of `--json`. Run the way
 * helpers/server.ts palisadeCli runs them: the CLI's own commander program in this process, its
 * stdout and stderr captured apart (stderr is not a terminal, as in a pipe).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { databaseKinds } from '../helpers/databases.ts';
import { palisadeCli } from '../helpers/server.ts';
import { operatorSetup } from '../helpers/operator.ts';

const palisade = palisadeCli;
/** What a progress bar draws; none of it may reach --json output or stdout. */
const BAR = /\[[#-]{10,}\]|\d+%/;

for (const kind of databaseKinds()) {
  describe(`operator command output (${kind.kind})`, () => {
    const setup = operatorSetup(kind);

    test('apps keys list aligns its columns', async () => {
      for (const name of ['iOS 2.4', 'Android release candidate 2.5.0-rc.1']) {
        assert.equal((await palisade(['apps', 'keys', 'create', 'field-app', '--name', name], setup.env)).code, 0);
      }
      const listed = await palisade(['apps', 'keys', 'list', 'field-app'], setup.env);
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
      const rotated = await palisade(['keys', 'rotate', '--activate-after', '1h'], setup.env);
      assert.equal(rotated.code, 0, rotated.out);
      const [, kid, from] = /new signing key (\S+): published now, signs from (\S+)$/m.exec(rotated.stdout)!;
      const listed = await palisade(['keys', 'list'], setup.env);
      const line = listed.stdout.split('\n').find((l) => l.startsWith(kid!));
      assert.ok(line, listed.stdout);
      assert.ok(line.endsWith(`published, signs from ${from}`), `the list names the same time as the rotation (${from}):\n${listed.stdout}`);
      assert.match(from!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'ISO 8601 UTC, to the second');
    });

    test('counts read as English: "1 record is waiting", not "1 records are"', async () => {
      assert.equal((await palisade(['audit', 'verify', '--seal'], setup.env)).code, 0);
      // The verification is itself audited (audit.verify, after it has sealed): exactly one new record, not yet sealed.
      const verified = await palisade(['audit', 'verify'], setup.env);
      assert.equal(verified.code, 0, verified.out);
      assert.match(verified.stdout, /^ {2}1 record is waiting to be sealed/m);
      assert.doesNotMatch(verified.stdout, /\b1 (records|signed checkpoints|signed digests)\b/);
    });

    test('progress: shown on stderr when forced, never on stdout, never with --json, off without a terminal', async () => {
      const forced = { ...setup.env, PALISADE_PROGRESS: '1' };
      const verified = await palisade(['audit', 'verify', '--seal'], forced);
      assert.equal(verified.code, 0, verified.out);
      assert.match(verified.stderr, /verifying \[#+-*\] 100% \| \d+\/\d+ records/, 'the bar is drawn on stderr');
      assert.doesNotMatch(verified.stdout, BAR, 'stdout carries only the report');

      const json = await palisade(['audit', 'verify', '--json'], forced);
      assert.equal(json.code, 0, json.out);
      assert.equal((JSON.parse(json.stdout) as { ok: boolean }).ok, true, 'the --json output parses');
      assert.doesNotMatch(json.out, BAR, 'and nothing of a bar is printed anywhere');

      const plain = await palisade(['audit', 'verify'], setup.env);
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
      assert.equal((await palisade(['keys', 'data', 'rotate'], setup.env)).code, 0);
      const reencrypted = await palisade(['keys', 'data', 'reencrypt'], forced);
      assert.equal(reencrypted.code, 0, reencrypted.out);
      assert.match(reencrypted.stderr, /re-encrypting \[#+\] 100% \| (\d+)\/\1 values/);
      assert.match(reencrypted.stdout, /^\d+ values? moved to the active data key/m);
    });
  });
}
