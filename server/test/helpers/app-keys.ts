/**
 * App keys for test servers, provisioned the way an operator does it: `palisade apps keys
 * create <app>` before the server starts (embedded PGlite is one process at a time, decision
 * 0004), one key per configured app. Servers started in the test's own process get theirs from
 * the same service the CLI uses. `MobileApp` sends the key of its app by default (`appKeyFor`).
 */
import { ambientEnv, palisadeCli } from './server.ts';

/** Keys by issuer URL, then by app (client id). */
const provisioned = new Map<string, Record<string, string>>();

export function rememberAppKeys(issuer: string, keys: Record<string, string>): void {
  provisioned.set(issuer, { ...provisioned.get(issuer), ...keys });
}

/** The key provisioned for `clientId` on the server at `issuer`, if any. */
export function appKeyFor(issuer: string, clientId: string): string | undefined {
  return provisioned.get(issuer)?.[clientId];
}

/** The apps `env` configures (clients[].id), or undefined when the configuration is refused. */
async function configuredApps(env: Record<string, string | undefined>): Promise<string[] | undefined> {
  const { loadConfig } = await import('../../src/config/load.ts');
  try {
    return loadConfig({ env: { ...ambientEnv(), ...env } as NodeJS.ProcessEnv }).clients.map((c) => c.id);
  } catch {
    return undefined; // the server will refuse to start and say why
  }
}

/** Runs `palisade apps keys create <app> --name tests --json` for every configured app. */
export async function provisionWithCli(env: Record<string, string | undefined>): Promise<Record<string, string>> {
  const keys: Record<string, string> = {};
  for (const app of (await configuredApps(env)) ?? []) {
    const result = await palisadeCli(['apps', 'keys', 'create', app, '--name', 'tests', '--json'], env);
    if (result.code !== 0) throw new Error(`palisade apps keys create ${app} failed:\n${result.out}`);
    keys[app] = (JSON.parse(result.out.trim().split('\n').at(-1)!) as { key: string }).key;
  }
  return keys;
}

/** The same, through the service in this process (for `startInProcess`, before the server opens the database). */
export async function provisionInProcess(config: import('../../src/config/load.ts').ResolvedConfig): Promise<Record<string, string>> {
  const { openConfiguredDatabase, resolveMasterKey } = await import('../../src/main.ts');
  const { migrate } = await import('../../src/db/index.ts');
  const { AppKeys } = await import('../../src/apisec/index.ts');
  const { systemClock } = await import('../../src/clock.ts');
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    const service = new AppKeys({ db, clock: systemClock, master: resolveMasterKey(config), apps: config.clients.map((c) => c.id) });
    const keys: Record<string, string> = {};
    for (const app of service.apps) keys[app] = (await service.create(app, { name: 'tests' })).key;
    return keys;
  } finally {
    await db.close();
  }
}
