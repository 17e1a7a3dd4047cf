/** The `palisade` command group audit: verify, export, purge and search the tamper-evident audit trail; print its public keys. */
import { readFileSync, statSync } from 'node:fs';
import { Option } from 'commander';
import { parseDuration } from '../duration.ts';
import { resolveMasterKey } from '../main.ts';
import { systemClock } from '../clock.ts';
import path from 'node:path';
import { Sealer, exportArchive, verifyDetail, loadCheckpointSigner, publicAuditKeys, purgeArchived, readAnchor, searchAudit, verifyArchive, verifyBundle, verifyDatabase, type AuditFilter, type PublicKeySet, type VerifyReport } from '../audit/index.ts';
import { displayNames } from '../users/index.ts';
import { withProgress } from '../progress.ts';
import { action, asOperator, consoleLog, count, timeOf, withDatabase } from './shared.ts';
import type { CommandGroup } from './registry.ts';

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

/**
 * An archive folder (`audit export`), or one file: the bundle of a time range the admin API and
 * the console download (`GET /admin/v1/audit/archive`), checked the same way.
 */
function verifyArchiveAt(where: string, keys: PublicKeySet, options: Parameters<typeof verifyArchive>[2]) {
  return statSync(where).isFile() ? verifyBundle(readFileSync(where, 'utf8'), keys, options) : verifyArchive(where, keys, options);
}

export const auditCommands: CommandGroup = {
  name: 'audit',
  register(program) {
    const auditCommand = program.command('audit').description('the tamper-evident audit trail');
    auditCommand
      .command('verify')
      .description('check the hash chain and signed checkpoints (database), or archive files offline; names the first broken record')
      .option('--archive <dir-or-file>', 'verify exported archive files instead of the database: a folder of `audit export`, or an archive file downloaded from the console or GET /admin/v1/audit/archive')
      .option('--keys <file>', 'public keys (JWKS) to verify with; default: from the database. Offline, use a copy kept apart from the archive')
      .option('--seal', 'seal pending records first (needs the master key)')
      .option('--anchor <jws-or-file>', 'the newest checkpoint (database) or digest (archive) known from outside — the server log file itself (its newest audit.checkpoint is taken), a checkpoint from it, or your last export; proves nothing was cut off the end')
      .option('--partial', 'archive only: accept one that does not start at seq 1 (older files removed on purpose)')
      .option('--json', 'machine-readable output')
      .action(
        action(async (options: { archive?: string; keys?: string; seal?: boolean; anchor?: string; partial?: boolean; json?: boolean }) => {
          let report: VerifyReport & { files?: number };
          const anchor = options.anchor === undefined ? undefined : readAnchor(options.anchor);
          const archiveOptions = { ...(anchor ? { anchor } : {}), ...(options.partial ? { partial: true } : {}) };
          if (!options.keys && !options.json) {
            console.error('note: verifying with the public keys stored in the database; someone who can change the database can add a key. Verify with --keys <a copy kept elsewhere> to rule that out.');
          }
          const json = { json: options.json === true };
          if (options.archive && options.keys) {
            const keys = readKeys(options.keys);
            report = await withProgress('verifying', 'records', json, (onProgress) => verifyArchiveAt(options.archive!, keys, { ...archiveOptions, onProgress }));
          } else if (options.archive) {
            report = await withDatabase(async (db) => {
              const keys = options.keys ? readKeys(options.keys) : await publicAuditKeys(db);
              return withProgress('verifying', 'records', json, (onProgress) => verifyArchiveAt(options.archive!, keys, { ...archiveOptions, onProgress }));
            });
          } else {
            // The database's chain: recorded as audit.verify, as the admin API's verification is,
            // so the compliance report's evidence of the last verification includes this one.
            report = await asOperator(async (db, config, audit) => {
              if (options.seal) {
                const signer = await loadCheckpointSigner(db, resolveMasterKey(config));
                await new Sealer(db, signer, systemClock, consoleLog, { batchSize: 2000, checkpointEvery: config.audit.checkpointEvery, checkpointIntervalMs: 0, pollIntervalMs: 0 }).drain();
              }
              // Read after sealing: on a database no server has run on, sealing makes the first key.
              const keys = options.keys ? readKeys(options.keys) : await publicAuditKeys(db);
              const verified = await withProgress('verifying', 'records', json, (onProgress) => verifyDatabase(db, keys, { ...(anchor ? { anchor } : {}), onProgress }));
              await db.transaction((tx) =>
                audit.record(tx, { action: 'audit.verify', outcome: verified.ok ? 'success' : 'failure', actor: {}, resource: { type: 'audit' }, detail: verifyDetail(verified, { via: 'cli', keys: options.keys ? 'file' : 'database', anchored: anchor !== undefined }) }),
              );
              return verified;
            });
          }
          if (options.json) console.log(JSON.stringify(report));
          else printReport(report);
          if (!report.ok) process.exit(2);
        }),
      );
    auditCommand
      .command('export')
      .description('write sealed records (up to the newest checkpoint) to write-once JSONL archives with signed digests, one file per day')
      .option('--out <dir>', 'archive folder (default: audit.archiveDir, else dataDir/audit-archive)')
      .action(
        action(async (options: { out?: string }) => {
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
        }),
      );
    auditCommand
      .command('purge')
      .description('delete records older than the retention period (audit.retention) that are archived; leaves a signed purge checkpoint')
      .option('--before <date>', 'purge records before this ISO date instead (still only archived ones, and never younger than the retention period)')
      .option('--archive <dir>', 'the archive the records were exported to; it must verify and hold them (default: audit.archiveDir, else dataDir/audit-archive)')
      .option('--keys <file>', 'public keys to verify the archive with (default: from the database)')
      .action(
        action(async (options: { before?: string; archive?: string; keys?: string }) => {
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
        }),
      );
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
      .action(
        action(async (o: Record<string, string | boolean | undefined>) => {
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
        }),
      );
    auditCommand
      .command('keys')
      .description('print the public keys (JWKS) that verify checkpoints and archive digests; keep a copy apart from the archives')
      .action(
        action(async () => {
          await withDatabase(async (db) => console.log(JSON.stringify(await publicAuditKeys(db), null, 2)));
        }),
      );
  },
};
