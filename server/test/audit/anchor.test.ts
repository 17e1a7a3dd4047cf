/**
 * `audit verify --anchor` given the server's log (audit/anchor.ts): the checkpoint with the
 * highest `n` is the anchor, whatever order instances wrote their lines in; lines that are not
 * JSON (the start-up banner) and lines that only mention a checkpoint are skipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newestLoggedCheckpoint, readAnchor } from '../../src/audit/index.ts';

const jws = (n: number) => `eyJ0eXAiOiJwYWxpc2FkZSJ9.eyJuIjo${n}fQ.c2lnbmF0dXJl${n}`;
const line = (n: number, extra: Record<string, unknown> = {}) => JSON.stringify({ level: 30, time: 1, pid: 7, event: 'audit.checkpoint', n, seq: n * 10, checkpoint: jws(n), msg: 'audit checkpoint signed', ...extra });

test('the newest checkpoint in a log is the one with the highest n, not the last line', () => {
  const log = ['Palisade is ready.', 'open https://localhost:8443/', line(3), line(5), '{"event":"audit.checkpoint" broken', line(4), JSON.stringify({ msg: 'audit.checkpoint mentioned', event: 'other', checkpoint: jws(9) }), ''].join('\n');
  assert.equal(newestLoggedCheckpoint(log), jws(5));
});

test('a log from before checkpoints were logged whole (redacted) has no anchor in it', () => {
  assert.equal(newestLoggedCheckpoint(JSON.stringify({ event: 'audit.checkpoint', n: 2, seq: 20, jws: '[redacted]' })), undefined);
});

test('--anchor takes a JWS, a file holding one, or a log file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-anchor-'));
  try {
    assert.equal(readAnchor(` ${jws(1)}\n`), jws(1));
    writeFileSync(path.join(dir, 'anchor.jws'), `${jws(2)}\n`);
    assert.equal(readAnchor(path.join(dir, 'anchor.jws')), jws(2));
    writeFileSync(path.join(dir, 'palisade.log'), [line(1), line(2)].join('\n'));
    assert.equal(readAnchor(path.join(dir, 'palisade.log')), jws(2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
