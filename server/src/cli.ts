/**
 * The `palisade` command line for operators: start, migrate, config check, keys rotate/list,
 * apps keys create/list/rotate/revoke, scim tokens, audit, incident, devices wipe/lock/commands.
 * Errors are printed in plain words (no stack traces) and exit non-zero.
 */
import { Command, Option } from 'commander';
import { ConfigError, formatProblem, loadConfig } from './config/load.ts';
import { parseDuration } from './duration.ts';
import { startServer, resolveMasterKey, openConfiguredDatabase, sensitiveCipher } from './main.ts';
import { stopOnSignals } from './shutdown.ts';
import { reencryptSensitive, seedDemo } from './domains/fieldservice/index.ts';
import { DEV_IDP_PATH } from './oauth/dev-idp.ts';
import { migrate } from './db/index.ts';
import { ensureSigningKey, listKeys, rotateKeys } from './oauth/keys.ts';
import { systemClock } from './clock.ts';
import { hashToken, randomId } from './security/primitives.ts';
import { ScimTokenExistsError, insertScimToken, listScimTokens, revokeScimToken } from './scim/index.ts';
import { AppKeys, DEFAULT_ROTATION_OVERLAP, type AppKeyView } from './apisec/index.ts';
import { FieldCipher, listDataKeys } from './security/envelope.ts';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AuditTrail,
  Sealer,
  exportArchive,
  loadCheckpointSigner,
  publicAuditKeys,
  purgeArchived,
  readAnchor,
  requestContext,
  searchAudit,
  verifyArchive,
  verifyDatabase,
  type AuditFilter,
  type PublicKeySet,
  type VerifyReport,
} from './audit/index.ts';
import { containAll, containUser, releaseUser, resolveUser } from './incident/index.ts';
import { Devices, Sessions } from './sessions/index.ts';
import { displayNames } from './users/index.ts';
import { DeviceCommands, DeviceCommandError, type CommandFilter } from './devices/commands/service.ts';
import { noAudit } from './audit/index.ts';
import { openRedisCache, type SharedCache } from './cache/index.ts';
import type { Database } from './db/index.ts';
import type { ResolvedConfig } from './config/load.ts';
import { withProgress } from './progress.ts';

/** The version of the `@palisade/server` package this CLI belongs to. */
export const PALISADE_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function fail(error: unknown): never {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`palisade: ${(error as Error).message}`);
  process.exit(1);
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openConfiguredDatabase>>, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openConfiguredDatabase(config);
  try {
    await migrate(db);
    return await fn(db, config);
  } finally {
    await db.close();
  }
}

/** Console output for operational messages of the modules a command uses. */
const consoleLog = { warn: (d: object, m: string) => console.error(`warning: ${m}`, d), error: (d: object, m: string) => console.error(`error: ${m}`, d) };

/**
 * Runs an operator command with the audit trail attached: every change it makes is recorded,
 * attributed to the CLI and the operating-system account that ran it.
 */
async function asOperator<T>(fn: (db: Database, config: ResolvedConfig, audit: AuditTrail) => Promise<T>): Promise<T> {
  return withDatabase((db, config) =>
    requestContext.run({ actor: { userId: 'cli', userAgent: `palisade-cli (${os.userInfo().username}@${os.hostname()})` } }, async () => {
      const audit = new AuditTrail(db, systemClock, consoleLog, { flushIntervalMs: 50 });
      try {
        return await fn(db, config, audit);
      } finally {
        await audit.close();
      }
    }),
  );
}

/** `1 record`, `2 records`: counts in messages read as English. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/** Rows as aligned columns (two spaces apart; the last column is not padded). */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd());
}

/** Every time the CLI prints: ISO 8601 in UTC, to the second, as the database holds it. */
export function timeOf(value: Date | string | number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function printReport(report: VerifyReport & { files?: number }): void {
  if (report.ok) {
    const range = report.firstSeq === null ? '' : ` (seq ${report.firstSeq}–${report.lastSeq})`;
    console.log(`audit trail OK: ${count(report.checked, 'record')}${range}, ${count(report.checkpointsVerified, report.files !== undefined ? 'signed digest' : 'signed checkpoint')} verified`);
    if (report.uncovered > 0) {
      console.log(`  ${report.uncovered === 1 ? 'the newest record is' : `the ${report.uncovered} newest records are`} chained but not yet under a signed checkpoint`);
    }
    if (report.unsealed) console.log(`  ${count(report.unsealed, 'record is', 'records are')} waiting to be sealed (run with --seal, or let a running server seal them)`);
    return;
  }
  console.log(`audit trail BROKEN at seq ${report.broken!.seq}${report.broken!.eventId ? ` (event ${report.broken!.eventId})` : ''}: ${report.broken!.message}`);
  console.log(`  checked ${count(report.checked, 'record')} before it`);
}

function readKeys(file: string): PublicKeySet {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as PublicKeySet;
  if (!Array.isArray(parsed.keys)) throw new Error(`${file} is not a JWKS ({"keys": [...]})`);
  return parsed;
}

export function buildCli(): Command {
  const program = new Command('palisade')
    .description('Palisade: secure backend for internal mobile apps')
    .version(PALISADE_VERSION, '-V, --version', 'print the version')
    .showHelpAfterError();

  program
    .command('start')
    .description('run the server (configuration from PALISADE_CONFIG and PALISADE_* variables)')
    .action(async () => {
      try {
        // Stopping (SIGTERM, SIGINT) and key reloads (SIGHUP): shutdown.ts.
        stopOnSignals(await startServer({ config: loadConfig() }));
      } catch (error) {
        fail(error);
      }
    });

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async () => {
      try {
        const config = loadConfig();
        const db = await openConfiguredDatabase(config);
        try {
          const applied = await withProgress('migrating', 'migrations', {}, (onProgress) => migrate(db, { onProgress }));
          console.log(applied.length ? `applied migrations: ${applied.join(', ')}` : 'the database is up to date');
        } finally {
          await db.close();
        }
      } catch (error) {
        fail(error);
      }
    });

  const configCommand = program.command('config').description('configuration tools');
  configCommand
    .command('check')
    .description('validate the configuration and list every problem at once')
    .action(() => {
      try {
        const config = loadConfig();
        console.log(`configuration OK (${config.source}${config.production ? ', production' : ''})`);
        for (const line of config.developmentDefaults) console.log(`  development default: ${line}`);
        for (const warning of config.warnings) console.log(`  warning: ${formatProblem(warning)}`);
      } catch (error) {
        fail(error);
      }
    });

  const keys = program.command('keys').description('token signing keys');
  keys
    .command('list')
    .description('list signing keys and their state')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      try {
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
      } catch (error) {
        fail(error);
      }
    });
  keys
    .command('rotate')
    .description('publish a new signing key; it signs after --activate-after, old keys stay published until their tokens expire')
    .addOption(new Option('--alg <alg>', 'algorithm of the new key').choices(['ES256', 'EdDSA']))
    .option('--activate-after <duration>', 'publish first, sign after this long (lets every instance and JWKS cache learn the key)', '1m')
    .action(async (options: { alg?: 'ES256' | 'EdDSA'; activateAfter: string }) => {
      try {
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
      } catch (error) {
        fail(error);
      }
    });
  const dataKeys = keys.command('data').description('data keys that encrypt sensitive fields at rest (wrapped under the master key)');
  dataKeys
    .command('list')
    .description('list data keys: the active one encrypts new values, retired ones still decrypt theirs')
    .option('--json', 'machine-readable output')
    .action(async (options: { json?: boolean }) => {
      try {
        await withDatabase(async (db) => {
          const rows = await listDataKeys(db);
          if (options.json) console.log(JSON.stringify(rows));
          else if (rows.length === 0) console.log('no data keys yet: the first encrypted field (or `keys data rotate`) creates one');
          else for (const k of rows) console.log(`${k.id}  ${k.state.padEnd(7)}  created ${k.createdAt}${k.retiredAt ? `  retired ${k.retiredAt}` : ''}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  dataKeys
    .command('rotate')
    .description('create a new data key for new values; the old one is retired and keeps decrypting (running servers switch within 15 s)')
    .action(async () => {
      try {
        await asOperator(async (db, config, audit) => {
          const cipher = new FieldCipher({ db, master: resolveMasterKey(config), clock: systemClock, audit });
          const previous = (await listDataKeys(db)).find((k) => k.state === 'active');
          const id = await cipher.rotate();
          console.log(`new data key ${id} encrypts new values now${previous ? `; ${previous.id} is retired and still decrypts the values it wrote` : ''}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  dataKeys
    .command('reencrypt')
    .description('move every encrypted field to the active data key (after a rotation); batched, resumable, safe beside running servers')
    .action(async () => {
      try {
        await asOperator(async (db, config, audit) => {
          const cipher = new FieldCipher({ db, master: resolveMasterKey(config), clock: systemClock, audit });
          await cipher.ready();
          const moved = await withProgress('re-encrypting', 'values', {}, (onProgress) => reencryptSensitive(db, cipher, { onProgress }));
          const total = Object.values(moved).reduce((a, b) => a + b, 0);
          await db.transaction((tx) => audit.record(tx, { action: 'data_key.reencrypt', outcome: 'success', actor: { userId: 'cli' }, resource: { type: 'data_key', id: 'active' }, detail: { moved } }));
          console.log(`${count(total, 'value')} moved to the active data key${total ? ` (${Object.entries(moved).filter(([, n]) => n).map(([c, n]) => `${c}: ${n}`).join(', ')})` : ''}`);
        });
      } catch (error) {
        fail(error);
      }
    });
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
    .action(async (app: string, options: { name: string; expiresIn?: string; json?: boolean }) => {
      try {
        const expiresInMs = duration(options.expiresIn, '--expires-in');
        await withAppKeys(async (keys) => {
          const { key, view } = await keys.create(app, { name: options.name, ...(expiresInMs !== undefined ? { expiresInMs } : {}) });
          if (options.json) console.log(JSON.stringify({ key, appKey: view }));
          else console.log(`API key ${view.id} for "${app}" (shown once; the app sends it as the palisade-app-key header):\n${key}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  appKeys
    .command('list')
    .argument('<app>')
    .option('--json', 'machine-readable output')
    .description('list an app’s keys: id, name, status, created, last used (up to a minute behind), expiry — never the secret')
    .action(async (app: string, options: { json?: boolean }) => {
      try {
        await withAppKeys(async (keys) => {
          const listed = await keys.list(app);
          if (options.json) console.log(JSON.stringify(listed));
          else if (listed.length === 0) console.log(`app "${app}" has no keys yet: palisade apps keys create ${app} --name <name>`);
          else for (const line of keyTable(listed)) console.log(line);
        });
      } catch (error) {
        fail(error);
      }
    });
  appKeys
    .command('rotate')
    .argument('<app>')
    .argument('<keyId>', 'the key to replace (its id, from `list`)')
    .option('--overlap <duration>', 'how long the old key keeps working', DEFAULT_ROTATION_OVERLAP)
    .option('--expires-in <duration>', 'the new key stops working after this long; default: never')
    .option('--json', 'machine-readable output: {"key": …, "appKey": {…}, "previous": {…}}')
    .description('create a new key (printed once); the old one keeps working for the overlap, then expires')
    .action(async (app: string, keyId: string, options: { overlap: string; expiresIn?: string; json?: boolean }) => {
      try {
        const overlapMs = duration(options.overlap, '--overlap')!;
        const expiresInMs = duration(options.expiresIn, '--expires-in');
        await withAppKeys(async (keys) => {
          const { key, view, previous } = await keys.rotate(app, keyId, { overlapMs, ...(expiresInMs !== undefined ? { expiresInMs } : {}) });
          if (options.json) console.log(JSON.stringify({ key, appKey: view, previous }));
          else console.log(`API key ${view.id} replaces ${previous.id}, which works until ${previous.expiresAt} (shown once):\n${key}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  appKeys
    .command('revoke')
    .argument('<app>')
    .argument('<keyId>')
    .option('--json', 'machine-readable output')
    .description('revoke a key now (running servers stop accepting it within 5 seconds)')
    .action(async (app: string, keyId: string, options: { json?: boolean }) => {
      try {
        await withAppKeys(async (keys) => {
          const view = await keys.revoke(app, keyId);
          if (options.json) console.log(JSON.stringify(view));
          else console.log(`API key ${view.id} of "${app}" revoked (${view.revokedAt})`);
        });
      } catch (error) {
        fail(error);
      }
    });

  const scim = program.command('scim').description('SCIM provisioning from the company IdP');
  const tokens = scim.command('tokens').description('bearer tokens of provisioning connectors (one per IdP connector)');
  tokens
    .command('create')
    .argument('<name>', 'the connector, e.g. entra or okta')
    .option('--replace', 'replace the connector’s active token (the old one stops working at once)')
    .option('--json', 'machine-readable output: {"name": …, "token": …, "tenantUrl": …}')
    .description('create a token; it is shown once, only its hash is stored. Prints the tenant URL to configure in the IdP')
    .action(async (name: string, options: { replace?: boolean; json?: boolean }) => {
      try {
        if (!/^[a-z0-9][a-z0-9._-]{0,63}$/i.test(name)) throw new Error('the name must be 1 to 64 letters, digits, dots, dashes or underscores');
        await asOperator(async (db, config, audit) => {
          const token = `pal_scim_${randomId(32)}`;
          try {
            await insertScimToken(db, name, hashToken(token), audit, { replace: options.replace === true });
          } catch (error) {
            if (error instanceof ScimTokenExistsError) {
              throw new Error(`the connector "${name}" already has an active token; run again with --replace to replace it (the old token stops working at once)`);
            }
            throw error;
          }
          // The IdP's SCIM connector is configured with the base URL; it appends /Users and /Groups.
          const tenantUrl = `${config.publicUrl}/scim/v2`;
          if (options.json) console.log(JSON.stringify({ name, token, tenantUrl }));
          else console.log(`SCIM token for "${name}" (shown once; enter it as the connector's secret token):\n${token}\ntenant URL (the connector's SCIM base URL): ${tenantUrl}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  tokens
    .command('list')
    .description('list connectors and when their tokens were last used')
    .action(async () => {
      try {
        await withDatabase(async (db) => {
          for (const t of await listScimTokens(db)) {
            console.log(`${t.name}  created ${t.createdAt.toISOString()}  last used ${t.lastUsedAt?.toISOString() ?? 'never'}${t.revokedAt ? `  REVOKED ${t.revokedAt.toISOString()}` : ''}`);
          }
        });
      } catch (error) {
        fail(error);
      }
    });
  tokens
    .command('revoke')
    .argument('<name>')
    .description('revoke a connector’s token at once')
    .action(async (name: string) => {
      try {
        await asOperator(async (db, _config, audit) => {
          if (!(await revokeScimToken(db, name, audit))) throw new Error(`no active SCIM token named "${name}"`);
          console.log(`SCIM token "${name}" revoked`);
        });
      } catch (error) {
        fail(error);
      }
    });
  const auditCommand = program.command('audit').description('the tamper-evident audit trail');
  auditCommand
    .command('verify')
    .description('check the hash chain and signed checkpoints (database), or archive files offline; names the first broken record')
    .option('--archive <dir>', 'verify exported archive files instead of the database')
    .option('--keys <file>', 'public keys (JWKS) to verify with; default: from the database. Offline, use a copy kept apart from the archive')
    .option('--seal', 'seal pending records first (needs the master key)')
    .option('--anchor <jws-or-file>', 'the newest checkpoint (database) or digest (archive) known from outside — the server log file itself (its newest audit.checkpoint is taken), a checkpoint from it, or your last export; proves nothing was cut off the end')
    .option('--partial', 'archive only: accept one that does not start at seq 1 (older files removed on purpose)')
    .option('--json', 'machine-readable output')
    .action(async (options: { archive?: string; keys?: string; seal?: boolean; anchor?: string; partial?: boolean; json?: boolean }) => {
      try {
        let report: VerifyReport & { files?: number };
        const anchor = options.anchor === undefined ? undefined : readAnchor(options.anchor);
        const archiveOptions = { ...(anchor ? { anchor } : {}), ...(options.partial ? { partial: true } : {}) };
        if (!options.keys && !options.json) {
          console.error('note: verifying with the public keys stored in the database; someone who can change the database can add a key. Verify with --keys <a copy kept elsewhere> to rule that out.');
        }
        const json = { json: options.json === true };
        if (options.archive && options.keys) {
          const keys = readKeys(options.keys);
          report = await withProgress('verifying', 'records', json, (onProgress) => verifyArchive(options.archive!, keys, { ...archiveOptions, onProgress }));
        } else {
          report = await withDatabase(async (db, config) => {
            const keys = options.keys ? readKeys(options.keys) : await publicAuditKeys(db);
            if (options.archive) return withProgress('verifying', 'records', json, (onProgress) => verifyArchive(options.archive!, keys, { ...archiveOptions, onProgress }));
            if (options.seal) {
              const signer = await loadCheckpointSigner(db, resolveMasterKey(config));
              await new Sealer(db, signer, systemClock, consoleLog, { batchSize: 2000, checkpointEvery: config.audit.checkpointEvery, checkpointIntervalMs: 0, pollIntervalMs: 0 }).drain();
            }
            return withProgress('verifying', 'records', json, (onProgress) => verifyDatabase(db, keys, { ...(anchor ? { anchor } : {}), onProgress }));
          });
        }
        if (options.json) console.log(JSON.stringify(report));
        else printReport(report);
        if (!report.ok) process.exit(2);
      } catch (error) {
        fail(error);
      }
    });
  auditCommand
    .command('export')
    .description('write sealed records (up to the newest checkpoint) to write-once JSONL archives with signed digests, one file per day')
    .option('--out <dir>', 'archive folder (default: audit.archiveDir, else dataDir/audit-archive)')
    .action(async (options: { out?: string }) => {
      try {
        await asOperator(async (db, config, audit) => {
          const dir = path.resolve(options.out ?? config.audit.archiveDir ?? path.join(config.dataDir, 'audit-archive'));
          const signer = await loadCheckpointSigner(db, resolveMasterKey(config));
          const result = await withProgress('exporting', 'records', {}, (onProgress) => exportArchive(db, signer, systemClock, dir, { onProgress }));
          const keysFile = path.join(dir, `audit-keys-${new Date().toISOString().slice(0, 10)}.json`);
          const { writeFileSync, existsSync } = await import('node:fs');
          if (!existsSync(keysFile)) writeFileSync(keysFile, JSON.stringify(await publicAuditKeys(db), null, 2) + '\n', { mode: 0o444 });
          await db.transaction((tx) =>
            audit.record(tx, { action: 'audit.export', outcome: 'success', actor: {}, resource: { type: 'audit' }, detail: { files: result.files.map((f) => f.file), records: result.files.reduce((n, f) => n + f.count, 0) } }),
          );
          for (const f of result.files) console.log(`${f.file}  seq ${f.firstSeq}–${f.lastSeq}  ${count(f.count, 'record')}  sha256 ${f.sha256}`);
          console.log(result.files.length ? `exported to ${dir}` : 'nothing new to export');
          if (result.waiting) console.log(`${count(result.waiting, 'newer record waits', 'newer records wait')} for their checkpoint and will be in the next export`);
        });
      } catch (error) {
        fail(error);
      }
    });
  auditCommand
    .command('purge')
    .description('delete records older than the retention period (audit.retention) that are archived; leaves a signed purge checkpoint')
    .option('--before <date>', 'purge records before this ISO date instead (still only archived ones, and never younger than the retention period)')
    .option('--archive <dir>', 'the archive the records were exported to; it must verify and hold them (default: audit.archiveDir, else dataDir/audit-archive)')
    .option('--keys <file>', 'public keys to verify the archive with (default: from the database)')
    .action(async (options: { before?: string; archive?: string; keys?: string }) => {
      try {
        await asOperator(async (db, config, audit) => {
          const retentionCutoff = Date.now() - parseDuration(config.audit.retention);
          const asked = options.before ? Date.parse(options.before) : retentionCutoff;
          if (Number.isNaN(asked)) throw new Error(`--before: "${options.before}" is not a date`);
          const cutoff = new Date(Math.min(asked, retentionCutoff));
          const signer = await loadCheckpointSigner(db, resolveMasterKey(config));
          const dir = path.resolve(options.archive ?? config.audit.archiveDir ?? path.join(config.dataDir, 'audit-archive'));
          const keys = options.keys ? readKeys(options.keys) : await publicAuditKeys(db);
          const result = await purgeArchived(db, signer, systemClock, cutoff, { dir, keys });
          await db.transaction((tx) =>
            audit.record(tx, { action: 'audit.purge', outcome: 'success', actor: {}, resource: { type: 'audit' }, detail: { cutoff: cutoff.toISOString(), ...result } }),
          );
          console.log(result.purged ? `purged ${count(result.purged, 'record')} through seq ${result.throughSeq} (archived in ${count(result.archives.length, 'file')})` : `nothing to purge before ${cutoff.toISOString()} (records must be archived and older than audit.retention)`);
        });
      } catch (error) {
        fail(error);
      }
    });
  auditCommand
    .command('search')
    .description('search the trail, newest first (the search itself is audited)')
    .option('--user <id>').option('--device <id>').option('--app <id>')
    .option('--action <action>', 'exact, or a prefix ending in a dot (auth.)')
    .option('--resource-type <type>').option('--resource-id <id>')
    .addOption(new Option('--outcome <outcome>').choices(['success', 'failure', 'denied', 'error']))
    .option('--from <date>').option('--to <date>')
    .option('--limit <n>', 'at most this many', '50')
    .option('--before <id>', 'continue after this event id (the "next" of a previous page)')
    .option('--json', 'one JSON object per line')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      try {
        const date = (v: unknown, name: string) => {
          const t = Date.parse(String(v));
          if (Number.isNaN(t)) throw new Error(`--${name}: "${v}" is not a date`);
          return new Date(t);
        };
        const filter: AuditFilter = {
          ...(o.user ? { userId: String(o.user) } : {}),
          ...(o.device ? { deviceId: String(o.device) } : {}),
          ...(o.app ? { appId: String(o.app) } : {}),
          ...(o.action ? { action: String(o.action) } : {}),
          ...(o.resourceType ? { resourceType: String(o.resourceType) } : {}),
          ...(o.resourceId ? { resourceId: String(o.resourceId) } : {}),
          ...(o.outcome ? { outcome: o.outcome as AuditFilter['outcome'] } : {}),
          ...(o.from ? { from: date(o.from, 'from') } : {}),
          ...(o.to ? { to: date(o.to, 'to') } : {}),
          ...(o.before ? { before: Number(o.before) } : {}),
          limit: Number(o.limit ?? 50),
        };
        await asOperator(async (db, config, audit) => {
          const page = await searchAudit(db, filter);
          audit.emit({ action: 'audit.search', outcome: 'success', actor: {}, resource: { type: 'audit' }, detail: { filter: { ...filter }, returned: page.events.length } });
          // Names beside ids for the reader; --json keeps the records exactly as stored.
          const names = o.json
            ? new Map<string, string>()
            : await displayNames(db, page.events.flatMap((e) => [e.actor.userId ?? '', e.resource?.type === 'user' ? (e.resource.id ?? '') : '']));
          const appName = (id: string | undefined) => config.clients.find((c) => c.id === id)?.name;
          const named = (id: string, name: string | undefined) => (name ? `${id} (${name})` : id);
          for (const e of page.events) {
            if (o.json) console.log(JSON.stringify({ ...e, at: new Date(e.at).toISOString() }));
            else {
              const who = e.actor.userId ? named(e.actor.userId, names.get(e.actor.userId)) : (e.actor.ip ?? '-');
              const app = e.actor.appId ? `  app ${named(e.actor.appId, appName(e.actor.appId))}` : '';
              const on = e.resource ? `  on ${e.resource.type}${e.resource.id ? ` ${e.resource.type === 'user' ? named(e.resource.id, names.get(e.resource.id)) : e.resource.id}` : ''}` : '';
              console.log(`${timeOf(e.at)}  #${e.id}  ${e.action}  ${e.outcome}${e.reason ? ` (${e.reason})` : ''}  by ${who}${app}${on}`);
            }
          }
          if (page.next !== undefined && !o.json) console.log(`more: --before ${page.next}`);
        });
      } catch (error) {
        fail(error);
      }
    });
  auditCommand
    .command('keys')
    .description('print the public keys (JWKS) that verify checkpoints and archive digests; keep a copy apart from the archives')
    .action(async () => {
      try {
        await withDatabase(async (db) => console.log(JSON.stringify(await publicAuditKeys(db), null, 2)));
      } catch (error) {
        fail(error);
      }
    });

  const incident = program.command('incident').description('incident response (docs/incident-response.md)');
  incident
    .command('contain')
    .description('contain a compromised account (--user) or the whole platform (--all)')
    .option('--user <who>', 'user id, user name or email: end every session, mark every device wiped, disable the account')
    .option('--all', 'rotate token signing keys now (old keys withdrawn at once) and end every session of everyone')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .action(async (options: { user?: string; all?: boolean; reason: string }) => {
      try {
        if (!options.user === !options.all) throw new Error('give exactly one of --user <who> or --all');
        await asOperator(async (db, config, audit) => {
          let cache: SharedCache | undefined;
          // With Redis the revocation feed travels there: the running instances must hear it.
          if (config.redis.url) cache = await openRedisCache(config.redis.url);
          const sessions = new Sessions(db, systemClock, parseDuration(config.tokens.accessTokenTtl), consoleLog, cache, audit);
          const devices = new Devices(db, systemClock, sessions, config.sessions.maxDevices, audit);
          const deps = { db, clock: systemClock, sessions, devices, audit };
          try {
            if (options.user) {
              const userId = await resolveUser(db, options.user);
              const r = await containUser(deps, userId, options.reason);
              console.log(`contained user ${r.userId}: ${count(r.sessionsEnded, 'session')} ended, ${count(r.devicesWiped, 'device')} marked wiped, account ${r.disabled ? 'disabled' : 'was already disabled'}`);
            } else {
              const r = await containAll({ ...deps, master: resolveMasterKey(config), alg: config.tokens.signingAlg }, options.reason);
              console.log(`contained: new signing key ${r.newKid} signs now, old keys withdrawn; ${count(r.sessionsEnded, 'session')} ended`);
              console.log('running instances pick up the new key within 15 s; send them SIGHUP to do it at once');
            }
          } finally {
            await cache?.close();
          }
        });
      } catch (error) {
        fail(error);
      }
    });

  incident
    .command('release')
    .description('re-enable a contained person once they and their IdP account are safe; their devices stay wiped (they enrol again on a fresh install)')
    .requiredOption('--user <who>', 'user id, user name or email')
    .requiredOption('--reason <text>', 'why (recorded in the audit trail)')
    .option('--json', 'machine-readable output')
    .action(async (options: { user: string; reason: string; json?: boolean }) => {
      try {
        if (!options.reason.trim()) throw new Error('--reason must say why');
        await asOperator(async (db, _config, audit) => {
          const r = await releaseUser({ db, audit }, await resolveUser(db, options.user), options.reason);
          if (options.json) console.log(JSON.stringify({ userId: r.userId, disabledSince: r.disabledSince.toISOString(), released: true }));
          else console.log(`released user ${r.userId} (disabled since ${r.disabledSince.toISOString()}): they can sign in again; their devices stay wiped, so they enrol on a freshly installed app`);
        });
      } catch (error) {
        fail(error);
      }
    });

  // Remote wipe and lock (docs/remote-wipe.md). The running instances hear the revocations and
  // locks through the feed (PostgreSQL or Redis); the commands reach the devices from there.
  const devicesCommand = program.command('devices').description('remote wipe and lock of an app on a device (docs/remote-wipe.md)');
  for (const kind of ['wipe', 'lock'] as const) {
    devicesCommand
      .command(kind)
      .description(kind === 'wipe' ? 'order the app on a device to delete its data and keys: its sessions end now, the device key can never sign in again' : 'order the app on a device to lock: its sessions are locked now until unlocked or signed in again')
      .argument('<deviceId>', 'the device id (admin API /admin/v1/devices/{id}, the user’s session list)')
      .requiredOption('--reason <text>', 'why (recorded with the command and in the audit trail)')
      .option('--json', 'print the command as JSON')
      .action(async (deviceId: string, options: { reason: string; json?: boolean }) => {
        try {
          await asOperator(async (db, config, audit) => {
            let cache: SharedCache | undefined;
            // With Redis the revocation feed travels there: the running instances must hear it.
            if (config.redis.url) cache = await openRedisCache(config.redis.url);
            try {
              const sessions = new Sessions(db, systemClock, parseDuration(config.tokens.accessTokenTtl), consoleLog, cache, audit);
              const devices = new Devices(db, systemClock, sessions, config.sessions.maxDevices, audit);
              const commands = new DeviceCommands({ db, clock: systemClock, sessions, devices, audit });
              const { command, created } = await commands.orderCommand(deviceId, kind, 'cli', options.reason);
              if (options.json) console.log(JSON.stringify({ ...command, created }));
              else console.log(`${created ? 'ordered' : 'already outstanding'}: ${kind} command ${command.id} for device ${deviceId} (${command.state}); the device is told at its next API call or refresh`);
            } finally {
              await cache?.close();
            }
          });
        } catch (error) {
          if (error instanceof DeviceCommandError && error.code === 'ERR_UNKNOWN_DEVICE') fail(new Error(`no device ${deviceId}`));
          fail(error);
        }
      });
  }
  devicesCommand
    .command('commands')
    .description('wipe and lock commands, oldest first')
    .option('--pending', 'only commands no device has fetched yet (devices that never came back)')
    .option('--outstanding', 'only commands not acknowledged yet')
    .option('--older-than <duration>', 'only commands ordered at least this long ago (e.g. 24h, 7d)')
    .option('--json', 'print JSON lines')
    .action(async (options: { pending?: boolean; outstanding?: boolean; olderThan?: string; json?: boolean }) => {
      try {
        const filter: CommandFilter = {
          ...(options.pending ? { state: 'pending' as const } : options.outstanding ? { state: 'outstanding' as const } : {}),
          ...(options.olderThan ? { requestedBefore: new Date(Date.now() - parseDuration(options.olderThan)) } : {}),
        };
        await withDatabase(async (db, config) => {
          const sessions = new Sessions(db, systemClock, parseDuration(config.tokens.accessTokenTtl), consoleLog);
          const commands = new DeviceCommands({ db, clock: systemClock, sessions, devices: new Devices(db, systemClock, sessions, config.sessions.maxDevices), audit: noAudit });
          const list = await commands.list(filter);
          for (const c of list) {
            if (options.json) console.log(JSON.stringify({ id: c.id, deviceId: c.deviceId, kind: c.kind, state: c.state, reason: c.reason, requestedBy: c.requestedBy, requestedAt: c.requestedAt, deliveredAt: c.deliveredAt, acknowledgedAt: c.acknowledgedAt, deliveryCount: c.deliveryCount, userId: c.userId, clientId: c.clientId, deviceState: c.deviceState }));
            else console.log(`${c.id}  ${c.kind.padEnd(4)}  ${c.state.padEnd(12)}  device ${c.deviceId} (${c.clientId}, ${c.deviceState})  ordered ${new Date(c.requestedAt).toISOString()} by ${c.requestedBy}  delivered ${c.deliveryCount}x  ${c.reason}`);
          }
          if (!options.json && list.length === 0) console.log('no commands');
        });
      } catch (error) {
        fail(error);
      }
    });

  const demo = program.command('demo').description('the field-service demo dataset (development and trials)');
  demo
    .command('seed')
    .description('load the demo territories, customers, technicians and jobs into an empty field-service domain')
    .option('--jobs <n>', 'how many jobs', '400')
    .action(async (options: { jobs: string }) => {
      try {
        const jobs = Number(options.jobs);
        if (!Number.isInteger(jobs) || jobs < 12 || jobs > 1_000_000) throw new Error('--jobs must be a whole number from 12 to 1000000');
        await withDatabase(async (db, config) => {
          if (config.production) throw new Error('the demo dataset is refused in production: it invents customers and jobs');
          const cipher = await sensitiveCipher(db, resolveMasterKey(config));
          const r = await withProgress('seeding', 'jobs', {}, (onProgress) => seedDemo(db, cipher, { devIssuer: `${config.publicUrl}${DEV_IDP_PATH}`, jobs, onProgress }));
          console.log(r.seeded ? `demo data loaded: ${count(r.jobs, 'job')}, ${count(r.customers, 'customer')}, ${count(r.sites, 'site')}, ${count(r.technicians, 'technician')} in ${count(r.territories, 'territory', 'territories')}` : 'the field-service domain already has data: nothing loaded');
        });
      } catch (error) {
        fail(error);
      }
    });
  return program;
}
