/**
 * `npm run field:web` (from the repository root): installs the field app's own dependencies the
 * first time (it is not a root workspace, so the server's `npm install` stays fast), then serves
 * the web build with Expo's development server at http://localhost:8081, the origin the local
 * Palisade (`npm start`, development IdP) knows as the client `field-web`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const app = path.resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

if (!existsSync(path.join(app, 'node_modules', 'expo'))) {
  console.log('Installing the field app’s dependencies (first run only)…');
  const installed = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: app, stdio: 'inherit' });
  if (installed.status !== 0) process.exit(installed.status ?? 1);
}
if (!existsSync(path.resolve(app, '../../sdk/dist/index.js'))) {
  console.error('The SDK is not built: run `npm install` at the repository root first.');
  process.exit(1);
}
const served = spawnSync(npx, ['expo', 'start', '--web', '--port', '8081', ...process.argv.slice(2)], { cwd: app, stdio: 'inherit', env: { ...process.env, BROWSER: process.env.BROWSER ?? 'none' } });
process.exit(served.status ?? 0);
