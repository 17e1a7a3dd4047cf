/** The `palisade` command group apps keys: the API keys apps send as `palisade-app-key` (create, list, rotate, revoke). */
import { parseDuration } from '../duration.ts';
import { resolveMasterKey } from '../main.ts';
import { systemClock } from '../clock.ts';
import { AppKeys, DEFAULT_ROTATION_OVERLAP, type AppKeyView } from '../apisec/index.ts';
import { action, asOperator, table, timeOf } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const appsCommands: CommandGroup = {
  name: 'apps',
  register(program) {
    const apps = program.command('apps').description('the registered apps (clients[] in the configuration)');
    const appKeys = apps.command('keys').description('API keys apps send as `palisade-app-key` (shown once, stored as keyed hashes)');
    /** The app key service on the configured database, as the server builds it. */
    const withAppKeys = <T>(fn: (keys: AppKeys) => Promise<T>) =>
      asOperator((db, config, audit) => fn(new AppKeys({ db, clock: systemClock, master: resolveMasterKey(config), apps: config.clients.map((c) => c.id), audit })));
    const keyTable = (listed: AppKeyView[]) =>
      table([
        ['ID', 'STATUS', 'NAME', 'CREATED', 'BY', 'LAST USED', 'EXPIRES', 'NOTE'],
        ...listed.map((k) => [
          k.id,
          k.status,
          `"${k.name}"`,
          timeOf(k.createdAt),
          k.createdBy,
          k.lastUsedAt ? timeOf(k.lastUsedAt) : 'never',
          k.expiresAt ? timeOf(k.expiresAt) : 'never',
          [k.replacedBy ? `replaced by ${k.replacedBy}` : '', k.revokedAt ? `revoked ${timeOf(k.revokedAt)}` : ''].filter(Boolean).join(', '),
        ]),
      ]);
    const duration = (value: string | undefined, option: string) => {
      if (value === undefined) return undefined;
      try {
        return parseDuration(value);
      } catch {
        throw new Error(`${option}: "${value}" is not a duration like 30s, 15m, 90d`);
      }
    };
    appKeys
      .command('create')
      .argument('<app>', 'the app (clients[].id), e.g. field-app')
      .requiredOption('--name <name>', 'what the key is for, e.g. "iOS 2.4 release"')
      .option('--expires-in <duration>', 'the key stops working after this long (e.g. 90d); default: never')
      .option('--json', 'machine-readable output: {"key": …, "appKey": {…}}')
      .description('create a key; it is printed once, only a keyed hash is stored')
      .action(
        action(async (app: string, options: { name: string; expiresIn?: string; json?: boolean }) => {
          const expiresInMs = duration(options.expiresIn, '--expires-in');
          await withAppKeys(async (keys) => {
            const { key, view } = await keys.create(app, { name: options.name, ...(expiresInMs !== undefined ? { expiresInMs } : {}) });
            if (options.json) console.log(JSON.stringify({ key, appKey: view }));
            else console.log(`API key ${view.id} for "${app}" (shown once; the app sends it as the palisade-app-key header):\n${key}`);
          });
        }),
      );
    appKeys
      .command('list')
      .argument('<app>')
      .option('--json', 'machine-readable output')
      .description('list an app’s keys: id, name, status, created, last used (up to a minute behind), expiry — never the secret')
      .action(
        action(async (app: string, options: { json?: boolean }) => {
          await withAppKeys(async (keys) => {
            const listed = await keys.list(app);
            if (options.json) console.log(JSON.stringify(listed));
            else if (listed.length === 0) console.log(`app "${app}" has no keys yet: palisade apps keys create ${app} --name <name>`);
            else for (const line of keyTable(listed)) console.log(line);
          });
        }),
      );
    appKeys
      .command('rotate')
      .argument('<app>')
      .argument('<keyId>', 'the key to replace (its id, from `list`)')
      .option('--overlap <duration>', 'how long the old key keeps working', DEFAULT_ROTATION_OVERLAP)
      .option('--expires-in <duration>', 'the new key stops working after this long; default: never')
      .option('--json', 'machine-readable output: {"key": …, "appKey": {…}, "previous": {…}}')
      .description('create a new key (printed once); the old one keeps working for the overlap, then expires')
      .action(
        action(async (app: string, keyId: string, options: { overlap: string; expiresIn?: string; json?: boolean }) => {
          const overlapMs = duration(options.overlap, '--overlap')!;
          const expiresInMs = duration(options.expiresIn, '--expires-in');
          await withAppKeys(async (keys) => {
            const { key, view, previous } = await keys.rotate(app, keyId, { overlapMs, ...(expiresInMs !== undefined ? { expiresInMs } : {}) });
            if (options.json) console.log(JSON.stringify({ key, appKey: view, previous }));
            else console.log(`API key ${view.id} replaces ${previous.id}, which works until ${previous.expiresAt} (shown once):\n${key}`);
          });
        }),
      );
    appKeys
      .command('revoke')
      .argument('<app>')
      .argument('<keyId>')
      .option('--json', 'machine-readable output')
      .description('revoke a key now (running servers stop accepting it within 5 seconds)')
      .action(
        action(async (app: string, keyId: string, options: { json?: boolean }) => {
          await withAppKeys(async (keys) => {
            const view = await keys.revoke(app, keyId);
            if (options.json) console.log(JSON.stringify(view));
            else console.log(`API key ${view.id} of "${app}" revoked (${view.revokedAt})`);
          });
        }),
      );
  },
};
