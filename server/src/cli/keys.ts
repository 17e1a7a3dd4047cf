/** The `palisade` command group keys: token signing keys (list, rotate) and the data keys of encrypted fields (list, rotate, reencrypt). */
import { Option } from 'commander';
import { parseDuration } from '../duration.ts';
import { resolveMasterKey } from '../main.ts';
import { reencryptSensitive } from '../domains/fieldservice/index.ts';
import { ensureSigningKey, listKeys, rotateKeys } from '../oauth/index.ts';
import { systemClock } from '../clock.ts';
import { FieldCipher, listDataKeys } from '../security/index.ts';
import { withProgress } from '../progress.ts';
import { action, asOperator, count, table, timeOf, withDatabase } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const keysCommands: CommandGroup = {
  name: 'keys',
  register(program) {
    const keys = program.command('keys').description('token signing keys');
    keys
      .command('list')
      .description('list signing keys and their state')
      .option('--json', 'machine-readable output')
      .action(
        action(async (options: { json?: boolean }) => {
          await withDatabase(async (db) => {
            const rows = await listKeys(db);
            const now = systemClock.now();
            const state = (r: (typeof rows)[number]) =>
              r.retireAfter && r.retireAfter.getTime() <= now
                ? 'expired'
                : r.retiredAt && r.retiredAt.getTime() <= now
                  ? 'retired (published until ' + timeOf(r.retireAfter) + ')'
                  : r.activatedAt && r.activatedAt.getTime() > now
                    ? 'published, signs from ' + timeOf(r.activatedAt)
                    : 'active';
            if (rows.length === 0 && !options.json) console.log('no signing keys yet: the first `palisade start` (or `keys rotate`) creates one');
            if (options.json) console.log(JSON.stringify(rows.map((r) => ({ kid: r.kid, alg: r.alg, state: state(r), createdAt: r.createdAt }))));
            else if (rows.length > 0) for (const line of table([['KID', 'ALG', 'CREATED', 'STATE'], ...rows.map((r) => [r.kid, r.alg, timeOf(r.createdAt), state(r)])])) console.log(line);
          });
        }),
      );
    keys
      .command('rotate')
      .description('publish a new signing key; it signs after --activate-after, old keys stay published until their tokens expire')
      .addOption(new Option('--alg <alg>', 'algorithm of the new key').choices(['ES256', 'EdDSA']))
      .option('--activate-after <duration>', 'publish first, sign after this long (lets every instance and JWKS cache learn the key)', '1m')
      .action(
        action(async (options: { alg?: 'ES256' | 'EdDSA'; activateAfter: string }) => {
          await asOperator(async (db, config, audit) => {
            const master = resolveMasterKey(config);
            const accessMs = parseDuration(config.tokens.accessTokenTtl);
            // On a database no server has started on yet there is no key to rotate away from:
            // create the one a first start would, so the rotation is the same on every install.
            await ensureSigningKey(db, master, config.tokens.signingAlg, systemClock);
            const kid = await rotateKeys(db, master, systemClock, {
              alg: options.alg ?? config.tokens.signingAlg,
              activateAfterMs: parseDuration(options.activateAfter),
              retainMs: accessMs + 60_000,
              audit,
            });
            // The time as stored, so it reads exactly as `keys list` shows it.
            const created = (await listKeys(db)).find((k) => k.kid === kid);
            console.log(`new signing key ${kid}: published now, signs from ${timeOf(created?.activatedAt ?? created?.createdAt)}`);
          });
        }),
      );
    const dataKeys = keys.command('data').description('data keys that encrypt sensitive fields at rest (wrapped under the master key)');
    dataKeys
      .command('list')
      .description('list data keys: the active one encrypts new values, retired ones still decrypt theirs')
      .option('--json', 'machine-readable output')
      .action(
        action(async (options: { json?: boolean }) => {
          await withDatabase(async (db) => {
            const rows = await listDataKeys(db);
            if (options.json) console.log(JSON.stringify(rows));
            else if (rows.length === 0) console.log('no data keys yet: the first encrypted field (or `keys data rotate`) creates one');
            else for (const k of rows) console.log(`${k.id}  ${k.state.padEnd(7)}  created ${k.createdAt}${k.retiredAt ? `  retired ${k.retiredAt}` : ''}`);
          });
        }),
      );
    dataKeys
      .command('rotate')
      .description('create a new data key for new values; the old one is retired and keeps decrypting (running servers switch within 15 s)')
      .action(
        action(async () => {
          await asOperator(async (db, config, audit) => {
            const cipher = new FieldCipher({ db, master: resolveMasterKey(config), clock: systemClock, audit });
            const previous = (await listDataKeys(db)).find((k) => k.state === 'active');
            const id = await cipher.rotate();
            console.log(`new data key ${id} encrypts new values now${previous ? `; ${previous.id} is retired and still decrypts the values it wrote` : ''}`);
          });
        }),
      );
    dataKeys
      .command('reencrypt')
      .description('move every encrypted field to the active data key (after a rotation); batched, resumable, safe beside running servers')
      .action(
        action(async () => {
          await asOperator(async (db, config, audit) => {
            const cipher = new FieldCipher({ db, master: resolveMasterKey(config), clock: systemClock, audit });
            await cipher.ready();
            const moved = await withProgress('re-encrypting', 'values', {}, (onProgress) => reencryptSensitive(db, cipher, { onProgress }));
            const total = Object.values(moved).reduce((a, b) => a + b, 0);
            await db.transaction((tx) => audit.record(tx, { action: 'data_key.reencrypt', outcome: 'success', actor: { userId: 'cli' }, resource: { type: 'data_key', id: 'active' }, detail: { moved } }));
            console.log(`${count(total, 'value')} moved to the active data key${total ? ` (${Object.entries(moved).filter(([, n]) => n).map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''}`);
          });
        }),
      );
  },
};
