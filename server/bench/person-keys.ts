/**
 * The cost of per-person keys (decision 0023) on this machine: sealing and opening a position
 * and a photo's bytes with the person's key already in memory (the common case), on embedded
 * PGlite. Run directly: node_modules/.bin/node server/bench/person-keys.ts
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate, openDatabase } from '../src/db/index.ts';
import { generateMasterKey, masterKeyFromBase64url } from '../src/security/primitives.ts';
import { PersonKeys } from '../src/security/person-keys.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'palisade-bench-pk-'));
const db = await openDatabase({ url: undefined, pgliteDir: path.join(dir, 'pglite') });
try {
  await migrate(db);
  const keys = new PersonKeys({ db, master: masterKeyFromBase64url(generateMasterKey()) });
  const person = randomUUID();
  await keys.keyOf(person);
  const time = async (label: string, n: number, fn: () => Promise<unknown>) => {
    for (let i = 0; i < Math.min(n, 50); i++) await fn();
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    const us = Number(process.hrtime.bigint() - start) / 1000 / n;
    console.log(`${label.padEnd(34)} ${us.toFixed(1).padStart(9)} µs`);
  };
  const position = JSON.stringify({ latitude: 51.501, longitude: -0.12, accuracyM: 5 });
  const sealed = await keys.sealText(person, 'fs_locations:x', position);
  await time('seal a position', 5000, () => keys.sealText(person, 'fs_locations:x', position));
  await time('open a position', 5000, () => keys.openText(person, 'fs_locations:x', sealed));
  for (const size of [200 * 1024, 2 * 1024 * 1024]) {
    const photo = randomBytes(size);
    const blob = await keys.sealBytes(person, 'fs_photos:x', photo);
    await time(`seal a ${size / 1024} KiB photo`, 200, () => keys.sealBytes(person, 'fs_photos:x', photo));
    await time(`open a ${size / 1024} KiB photo`, 200, () => keys.openBytes(person, 'fs_photos:x', blob));
  }
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
