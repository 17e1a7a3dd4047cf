/**
 * The embedded database's single-process lock: a second opener is refused with the holder's
 * pid, the lock goes with close(), and a lock left by a process that died is taken over.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../../src/db/index.ts';

function freshDir(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'palisade-lock-')), 'pglite');
}

test('a second opener is refused while the first holds the database; close() releases it', async () => {
  const dir = freshDir();
  try {
    const first = await openDatabase({ pgliteDir: dir });
    await assert.rejects(openDatabase({ pgliteDir: dir }), new RegExp(`in use by process ${process.pid}`));
    await first.close();
    assert.equal(existsSync(`${dir}.lock`), false);
    const again = await openDatabase({ pgliteDir: dir });
    await again.close();
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('a lock left behind by a process that died is taken over', async () => {
  const dir = freshDir();
  try {
    // The pid of a process that has certainly exited.
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    writeFileSync(`${dir}.lock`, dead.stdout.trim());
    const db = await openDatabase({ pgliteDir: dir });
    await db.close();
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});

test('a lock held by another live process is respected', async () => {
  const dir = freshDir();
  try {
    writeFileSync(`${dir}.lock`, '1'); // pid 1 always exists
    await assert.rejects(openDatabase({ pgliteDir: dir }), /in use by process 1\b/);
    assert.equal(existsSync(`${dir}.lock`), true, 'the other process keeps its lock');
  } finally {
    rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
