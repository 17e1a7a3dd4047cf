/**
 * The control catalogue is data kept in the repository: these tests keep it honest. Every control
 * names checks that exist, every test file a check cites as its guard exists, every check is used,
 * and every framework and section the report promises is present.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CATALOGUE, CHECKS, CHECK_IDS, FRAMEWORKS } from '../../src/compliance/index.ts';
import { REPO_ROOT } from '../helpers/server.ts';

test('every test file a check names as its guard exists in the repository', () => {
  const missing: string[] = [];
  for (const id of CHECK_IDS) {
    const check = CHECKS[id];
    assert.ok(check.tests.length > 0, `check ${id} names no test that guards it`);
    for (const file of check.tests) {
      assert.match(file, /^server\/test\/.+\.test\.ts$/, `${id}: ${file} is a test file path from the repository's root`);
      if (!existsSync(path.join(REPO_ROOT, file))) missing.push(`${id}: ${file}`);
    }
  }
  assert.deepEqual(missing, [], 'referenced test files that do not exist');
});

test('every control names known checks or says what the operator holds; ids are unique; every check is used', () => {
  const ids = new Set<string>();
  const used = new Set<string>();
  for (const control of CATALOGUE) {
    assert.ok(!ids.has(control.id), `${control.id} appears twice`);
    ids.add(control.id);
    assert.ok(FRAMEWORKS.some((f) => f.id === control.framework), `${control.id}: unknown framework`);
    for (const check of control.checks) {
      assert.ok(Object.hasOwn(CHECKS, check), `${control.id}: unknown check ${check}`);
      used.add(check);
    }
    if (control.checks.length === 0) assert.ok(control.responsibility, `${control.id} has no check, so it must say what the operator holds`);
  }
  assert.deepEqual(CHECK_IDS.filter((id) => !used.has(id)), [], 'checks no control uses');
});

test('the frameworks and sections the report promises are all in the catalogue', () => {
  const refs = (framework: string) => CATALOGUE.filter((c) => c.framework === framework).map((c) => c.ref);
  assert.deepEqual(FRAMEWORKS.map((f) => f.id).sort(), ['asvs', 'baseline', 'gdpr', 'hipaa', 'iso27001', 'masvs', 'pci', 'soc2']);
  for (const chapter of ['V6', 'V7', 'V8', 'V9', 'V10', 'V11', 'V12', 'V13', 'V14', 'V15', 'V16']) {
    assert.ok(refs('asvs').some((r) => r.startsWith(`${chapter}.`)), `ASVS ${chapter}`);
  }
  for (const cc of ['CC6', 'CC7', 'CC8']) assert.ok(refs('soc2').some((r) => r.startsWith(`${cc}.`)), `SOC 2 ${cc}`);
  for (const req of ['3', '4', '7', '8', '10']) assert.ok(refs('pci').some((r) => r.startsWith(`${req}.`)), `PCI DSS requirement ${req}`);
  for (const article of ['Art. 5', 'Art. 17', 'Art. 25', 'Art. 30', 'Art. 32', 'Art. 33']) assert.ok(refs('gdpr').some((r) => r === article || r.startsWith(`${article}(`)), `GDPR ${article}`);
  for (const p of ['164.312(a)(1)', '164.312(b)', '164.312(c)(1)', '164.312(d)', '164.312(e)(1)']) assert.ok(refs('hipaa').includes(p), `HIPAA ${p}`);
  for (const a of ['A.5.15', 'A.8.5', 'A.8.15', 'A.8.24', 'A.8.25']) assert.ok(refs('iso27001').includes(a), `ISO 27001 ${a}`);
  assert.ok(refs('masvs').length > 0 && refs('baseline').length > 0);
});
