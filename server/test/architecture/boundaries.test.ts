/**
 * The module rules (docs/architecture.md, test/helpers/architecture.ts): imports across
 * modules only through `index.ts`, no cycle between modules, SQL only in stores, and route
 * request types from the routes' schemas (no hand-written `Querystring`/`Params`/`Body` generic). What the code
 * broke before the rules existed is listed in known-violations.json: a violation not listed
 * fails, and so does a listed one that no longer occurs (remove it from the list: the list only
 * shrinks). The fixtures show that each rule finds what it must and nothing else.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { architectureViolations, moduleOf, type Violation } from '../helpers/architecture.ts';

const SRC = path.resolve(import.meta.dirname, '../../src');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/architecture');
const KNOWN_FILE = path.join(import.meta.dirname, 'known-violations.json');
const known = JSON.parse(readFileSync(KNOWN_FILE, 'utf8')) as Record<Violation['rule'], string[]>;

const keys = (violations: Violation[], rule: Violation['rule']) => violations.filter((v) => v.rule === rule).map((v) => v.key).sort();

describe('the module rules hold in server/src', () => {
  const violations = architectureViolations(SRC);
  for (const rule of ['boundary', 'cycle', 'sql', 'route-types'] as const) {
    test(`${rule}: nothing beyond the known violations, and every known one still occurs`, () => {
      const found = keys(violations, rule);
      const listed = new Set(known[rule]);
      const added = found.filter((key) => !listed.has(key));
      const gone = [...listed].filter((key) => !found.includes(key));
      assert.deepEqual(added, [], `new ${rule} violations (see docs/architecture.md for the rule)`);
      assert.deepEqual(gone, [], `fixed: remove these from ${path.basename(KNOWN_FILE)}`);
    });
  }

  test('the composition root imports every module through its index.ts', () => {
    const main = keys(violations, 'boundary').filter((key) => key.startsWith('main.ts '));
    assert.deepEqual(main, []);
  });
});

describe('each rule fails where it must (fixtures)', () => {
  test('a clean tree: no violation (index imports, root files, a store, words that are not SQL)', () => {
    assert.deepEqual(architectureViolations(path.join(FIXTURES, 'clean')), []);
  });

  test('boundary: importing another module’s file past its index.ts', () => {
    assert.deepEqual(architectureViolations(path.join(FIXTURES, 'boundary')), [{ rule: 'boundary', key: 'b/index.ts -> a/thing.ts' }]);
  });

  test('cycle: two modules importing each other at run time; a type-only import back is none', () => {
    assert.deepEqual(architectureViolations(path.join(FIXTURES, 'cycle')), [{ rule: 'cycle', key: 'a -> b -> a' }]);
  });

  test('sql: a statement in a routes file, not the one in the store', () => {
    assert.deepEqual(architectureViolations(path.join(FIXTURES, 'sql')), [{ rule: 'sql', key: 'a/routes.ts: UPDATE things SET name' }]);
  });

  test('route-types: request types written by hand beside the schemas, not those typed from them', () => {
    assert.deepEqual(
      architectureViolations(path.join(FIXTURES, 'route-types'))
        .map((v) => `${v.rule} ${v.key}`)
        .sort(),
      [
        "route-types a/index.ts: app.get<{ Querystring }>",
        "route-types a/index.ts: app.post<Generic> '/things/:id'",
        'route-types a/index.ts: FastifyRequest<{ Body }>',
        'route-types a/index.ts: Type.Unsafe<{ … }>',
      ].sort(),
    );
  });

  test('modules: a folder under src/, domains/<name> for business domains, none for root files', () => {
    assert.equal(moduleOf('main.ts'), '');
    assert.equal(moduleOf('devices/mdm/jamf.ts'), 'devices');
    assert.equal(moduleOf('domains/fieldservice/photos/routes.ts'), 'domains/fieldservice');
  });
});
