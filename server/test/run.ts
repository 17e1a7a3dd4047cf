/**
 * `npm test`: runs every test file under server/test with Node's test runner. Database tests
 * run on embedded PGlite, and also on PostgreSQL when TEST_DATABASE_URL is set (.ci/run does).
 */
import { run } from 'node:test';
import { spec } from 'node:test/reporters';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return name.endsWith('.test.ts') ? [full] : [];
  });
}

const only = process.argv.slice(2);
const selected = files(import.meta.dirname).filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
const stream = run({ files: selected, concurrency: 2, timeout: 300_000 });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(spec).pipe(process.stdout);
