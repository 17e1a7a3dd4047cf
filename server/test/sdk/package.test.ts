/**
 * The published shape of @palisade/client: built by `npm install` (the workspace's `prepare`
 * runs tsc), its entry points resolve under the node, browser and react-native conditions, and
 * its source never touches the storage a token or key must never go to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';

const SDK = path.resolve(import.meta.dirname, '../../../sdk');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : /\.(ts|tsx|js|mjs)$/.test(name) ? [full] : [];
  });
}

test('the SDK never uses localStorage, sessionStorage, AsyncStorage or readable cookies for anything', () => {
  // Comments may name them (to say they are not used); code may not.
  const forbidden = /\b(localStorage|sessionStorage|AsyncStorage|document\.cookie)\b/;
  const offenders: string[] = [];
  const files = [...sources(path.join(SDK, 'src')), ...(existsSync(path.join(SDK, 'dist')) ? sources(path.join(SDK, 'dist')) : [])];
  assert.ok(files.length > 10, 'the scan found the SDK’s files');
  for (const file of files) {
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/(^|[^:])\/\/.*$/gm, '$1');
    code.split('\n').forEach((line, i) => {
      if (forbidden.test(line)) offenders.push(`${path.relative(SDK, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(offenders, [], 'secrets go to the platform keystore or the encrypted store only');
});

test('the built package resolves per platform condition, with type declarations', async () => {
  const manifest = JSON.parse(readFileSync(path.join(SDK, 'package.json'), 'utf8')) as { exports: Record<string, Record<string, { types: string; default: string }>> };
  for (const condition of ['node', 'browser', 'react-native', 'default']) {
    const entry = manifest.exports['.']![condition]!;
    assert.ok(existsSync(path.join(SDK, entry.default)), `${condition}: ${entry.default} is built (npm install runs the SDK's prepare script)`);
    assert.ok(existsSync(path.join(SDK, entry.types)), `${condition}: ${entry.types} is built`);
  }
  // Node resolves the `node` condition: the core plus Node's adapters.
  const sdk = await import('@palisade/client');
  for (const name of ['PalisadeClient', 'PalisadeError', 'nodePlatform', 'createPinnedFetch', 'signInWithLoopback', 'fileDeviceKey', 'fileSecureStore', 'memoryDeviceKey', 'createApiClient']) {
    assert.ok(name in sdk, `@palisade/client exports ${name} in Node`);
  }
  const web = await import('@palisade/client/web');
  assert.ok('encryptedIndexedDbStore' in web && 'indexedDbDeviceKey' in web && !('nodePlatform' in web), 'the web entry has the web adapters and no Node ones');
  const native = await import('@palisade/client/react-native');
  assert.ok('expoSecureStore' in native);
});
