/**
 * The React Native adapters type-check against the real native modules' declarations
 * (expo-secure-store, @pagopa/io-react-native-crypto, @op-engineering/op-sqlite, the posture
 * modules expo-device, expo-application, expo-local-authentication, jail-monkey and
 * @mattermost/react-native-emm, and react-native-ssl-public-key-pinning), installed
 * from the registry into sdk/typecheck-react-native by `npm run typecheck:react-native -w sdk`
 * (without their react-native/expo peers, which are an app's). The fakes in
 * react-native.test.ts follow the SDK's own description of each module; this is what catches
 * that description drifting from the module. The control: the same modules refuse a use that
 * contradicts their declarations, so the check is not passing on `any`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const SDK = path.resolve(import.meta.dirname, '../../../sdk');
const run = promisify(execFile);

test('the React Native adapters accept the real modules as apps import them; a use their declarations forbid is refused', { timeout: 500_000 }, async () => {
  const { stdout } = await run('npm', ['run', 'typecheck:react-native'], { cwd: SDK, maxBuffer: 16 << 20 });
  assert.doesNotMatch(stdout, /error TS/);

  const mutant = path.join(SDK, 'typecheck-react-native', 'mutant.ts');
  writeFileSync(
    mutant,
    [
      "import * as SecureStore from 'expo-secure-store';",
      "import * as IoCrypto from '@pagopa/io-react-native-crypto';",
      "import * as OpSqlite from '@op-engineering/op-sqlite';",
      "import JailMonkey from 'jail-monkey';",
      "import * as SslPinning from 'react-native-ssl-public-key-pinning';",
      'export const a: { getItemAsync(key: string): Promise<number> } = SecureStore;',
      'export const b: { sign(message: string, keyTag: string): Promise<number> } = IoCrypto;',
      'export const c: { open(options: { name: number }): unknown } = OpSqlite;',
      'export const d: { isJailBroken(): Promise<string> } = JailMonkey;',
      'export const e: { initializeSslPinning(options: string): Promise<void> } = SslPinning;',
      '',
    ].join('\n'),
  );
  try {
    const checked = await run('npx', ['tsc', '--noEmit', '--module', 'preserve', '--moduleResolution', 'bundler', '--skipLibCheck', '--strict', '--types', 'node', mutant], { cwd: SDK }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? '',
    );
    assert.equal((checked.match(/error TS2322/g) ?? []).length, 5, `each module's real types refuse the wrong use:\n${checked}`);
  } finally {
    rmSync(mutant, { force: true });
  }
});
