/**
 * One error model: every problem type the API answers with is in the catalogue
 * (server/src/errors/catalogue.ts) with one status and title, docs/problems.md is the catalogue as
 * generated, and every deliberate error is a PalisadeError with a code in the one spelling.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODE, PROBLEM_BASE, PROBLEM_TYPES, isProblemSlug, problemsMarkdown } from '../../src/errors/index.ts';
import { Problem, problems } from '../../src/http/problems.ts';
import { REPO_ROOT } from '../helpers/server.ts';
import { AppKeyError, SignatureError } from '../../src/apisec/index.ts';
import { JsonBodyError } from '../../src/http/json.ts';
import { PostureError } from '../../src/devices/index.ts';
import { MdmError } from '../../src/devices/mdm/index.ts';

const SRC = path.join(REPO_ROOT, 'server/src');
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}
const FILES = sources(SRC).map((file) => ({ file: path.relative(REPO_ROOT, file), text: readFileSync(file, 'utf8') }));

describe('the problem catalogue', () => {
  test('docs/problems.md is the catalogue as `npm run docs` writes it', () => {
    const written = readFileSync(path.join(REPO_ROOT, 'docs/problems.md'), 'utf8');
    assert.equal(written, problemsMarkdown(), 'docs/problems.md is out of date: run `npm run docs`');
  });

  test('every catalogued type is documented by its full URI slug, with its code in the one spelling', () => {
    const doc = readFileSync(path.join(REPO_ROOT, 'docs/problems.md'), 'utf8');
    for (const type of Object.values(PROBLEM_TYPES)) {
      assert.equal(type.uri, PROBLEM_BASE + type.slug);
      assert.match(type.code, ERROR_CODE, `${type.slug}: code ${type.code}`);
      assert.ok(doc.includes(`id="${type.slug}"`), `docs/problems.md has an entry for ${type.slug}`);
    }
    const codes = Object.values(PROBLEM_TYPES).map((t) => t.code);
    assert.equal(new Set(codes).size, codes.length, 'no two types share a code');
  });

  test('every problem the source builds by hand names a catalogued type, with the catalogue’s status and title', () => {
    const built = FILES.flatMap(({ file, text }) =>
      [...text.matchAll(/new Problem\(\{\s*type: '([^']+)',(?:\s*status: (\d+),)?(?:\s*title: '([^']+)')?/g)].map((m) => ({ file, slug: m[1]!, status: m[2], title: m[3] })),
    );
    assert.ok(built.length > 20, `the scan finds the problems built outside http/problems.ts (found ${built.length})`);
    for (const { file, slug, status, title } of built) {
      assert.ok(isProblemSlug(slug), `${file}: ${slug} is in the catalogue`);
      const type = PROBLEM_TYPES[slug as keyof typeof PROBLEM_TYPES];
      if (status) assert.ok((type.statuses ?? [type.status]).includes(Number(status)), `${file}: ${slug} answers with ${status}, which the catalogue lists`);
      if (title) assert.equal(title, type.title, `${file}: ${slug} has the catalogue’s title`);
    }
  });

  test('every factory of http/problems.ts answers with a catalogued type, status and title', () => {
    const answered = new Set<string>();
    for (const [name, factory] of Object.entries(problems)) {
      const made = (factory as (...args: unknown[]) => Problem)('x', 'x', {}) as Problem;
      assert.ok(made instanceof Problem, name);
      const type = PROBLEM_TYPES[made.type];
      assert.ok(type, `${name} answers with a catalogued type (${made.type})`);
      assert.equal(made.title, type.title, `${name}: title`);
      assert.ok((type.statuses ?? [type.status]).includes(made.status), `${name}: status ${made.status}`);
      assert.equal(made.code, type.code, `${name}: the Problem's code is the type's`);
      assert.equal(made.body().type, type.uri);
      answered.add(made.type);
    }
    assert.ok(answered.size > 40);
  });

  test('every catalogued type is answered somewhere in the source (no dead entries)', () => {
    const all = FILES.filter(({ file }) => !file.endsWith('errors/catalogue.ts')).map((f) => f.text).join('\n');
    for (const type of Object.values(PROBLEM_TYPES)) {
      if (type.scim) continue; // built from scimType or status in scim/routes.ts
      assert.ok(all.includes(`'${type.slug}'`), `${type.slug} is built somewhere in server/src`);
    }
  });
});

describe('one error model', () => {
  test('every error class in the source extends PalisadeError', () => {
    const plain = FILES.flatMap(({ file, text }) => [...text.matchAll(/class (\w+)(?:<[^{]*?>)? extends (Error|TypeError|RangeError)\b/g)].map((m) => `${file}: ${m[1]}`));
    assert.deepEqual(plain, ['server/src/errors/palisade-error.ts: PalisadeError']);
  });

  test('every fixed PalisadeError code is spelled ERR_UPPER_SNAKE', () => {
    const classes = FILES.flatMap(({ file, text }) => [...text.matchAll(/class (\w+) extends PalisadeError(?:<([^>{]+)>)?/g)].map((m) => ({ file, name: m[1]!, codes: m[2] })));
    assert.ok(classes.length >= 20, `found ${classes.length} error classes`);
    for (const { file, name, codes } of classes) {
      if (!codes) continue;
      for (const literal of codes.match(/'[^']+'/g) ?? []) assert.match(literal.slice(1, -1), ERROR_CODE, `${file}: ${name} code ${literal}`);
    }
  });

  test('the errors that keep a lower-case reason have a code in the one spelling for each reason', () => {
    const made = [
      ...(['unknown_app', 'not_found', 'not_active', 'invalid'] as const).map((r) => new AppKeyError(r, 'x')),
      ...['signature_missing', 'signature_mismatch', 'content_digest_mismatch', 'nonce_reused', 'keyid_unknown'].map((r) => new SignatureError('invalid', r, 'x')),
      ...(['empty', 'malformed', 'too-deep', 'forbidden-key'] as const).map((r) => new JsonBodyError(r, 'x')),
      ...(['missing', 'malformed', 'wrong-typ', 'bad-alg', 'wrong-key', 'bad-signature', 'bad-claims', 'stale', 'replayed'] as const).map((r) => new PostureError(r, 'x')),
      ...(['token-refused', 'http-status', 'rate-limited', 'network', 'response-malformed', 'foreign-next-link', 'webhook-malformed', 'aborted'] as const).map((r) => new MdmError('intune', r, 'x')),
    ];
    for (const error of made) assert.match(error.code, ERROR_CODE, `${error.name} ${error.reason}: ${error.code}`);
    assert.equal(new SignatureError('invalid', 'signature_mismatch', 'x').code, 'ERR_SIGNATURE_MISMATCH');
    assert.equal(new PostureError('wrong-typ', 'x').code, 'ERR_POSTURE_WRONG_TYP');
  });
});
