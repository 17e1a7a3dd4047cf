/** The `palisade` command group privacy: a person's export, their erasure, and legal holds (docs/privacy.md). */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { systemClock } from '../clock.ts';
import { openRedisCache, type SharedCache } from '../cache/index.ts';
import { openBlobStore, sealPersonalData, type ConfiguredBlobStore } from '../domains/fieldservice/index.ts';
import { FieldCipher, PersonKeys, resolveMasterKey } from '../security/index.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import { erasePerson, exportPerson, holdPerson, liftHold, resolvePerson } from '../privacy/index.ts';
import { action, asOperator, count } from './shared.ts';
import type { CommandGroup } from './registry.ts';
import { operatorSessions } from './sessions.ts';

const operator = () => `cli:${os.userInfo().username}`;

/**
 * The configured photo store (folder, database or S3, as the server uses), the person keys and the
 * sensitive columns' cipher (erasure edits encrypted free text), for `fn`.
 */
async function withPersonalData<T>(db: Database, config: ResolvedConfig, fn: (blobs: ConfiguredBlobStore['blobs'], personKeys: PersonKeys, cipher: FieldCipher) => Promise<T>): Promise<T> {
  const store = await openBlobStore(config, db);
  try {
    const master = resolveMasterKey(config);
    return await fn(store.blobs, new PersonKeys({ db, master }), new FieldCipher({ db, master, clock: systemClock }));
  } finally {
    store.close();
  }
}

export const privacyCommands: CommandGroup = {
  name: 'privacy',
  register(program) {
    const privacy = program.command('privacy').description('data-subject rights: export, erasure, legal holds (docs/privacy.md)');
    privacy
      .command('export')
      .description('everything Palisade holds about a person, as a JSON archive with a manifest (GDPR Art. 15 and 20)')
      .requiredOption('--person <who>', 'user id, e-mail or user name')
      .option('--out <file>', 'write the archive here (default: standard output)')
      .option('--reason <text>', 'why (the request reference), recorded in the audit trail', 'data-subject request')
      .action(
        action(async (options: { person: string; out?: string; reason: string }) => {
          await asOperator(async (db, config, audit) => {
            const userId = await resolvePerson(db, options.person);
            const sessions = operatorSessions(db, config, { audit });
            const archive = await withPersonalData(db, config, (blobs, personKeys, cipher) => exportPerson({ db, audit, clock: systemClock, sessions, blobs, personKeys, cipher }, userId, options.reason));
            const text = `${JSON.stringify(archive, null, 2)}\n`;
            if (!options.out) {
              process.stdout.write(text);
              return;
            }
            // Owner-only: the archive is the person's data in full.
            await writeFile(options.out, text, { mode: 0o600 });
            const records = archive.manifest.sections.reduce((sum, s) => sum + s.records, 0);
            console.log(`exported ${count(records, 'record')} in ${count(archive.manifest.sections.length, 'section')} to ${options.out}`);
          });
        }),
      );

    privacy
      .command('erase')
      .description('erase a person (GDPR Art. 17): sessions ended, personal records deleted, job history under a tombstone, audit trail pseudonymised')
      .requiredOption('--person <who>', 'user id, e-mail or user name')
      .requiredOption('--reason <text>', 'why (the request reference), recorded in the audit trail')
      .option('--json', 'machine-readable output')
      .action(
        action(async (options: { person: string; reason: string; json?: boolean }) => {
          if (!options.reason.trim()) throw new Error('--reason must say why');
          await asOperator(async (db, config, audit) => {
            let cache: SharedCache | undefined;
            // With Redis the revocation feed travels there: the running instances must hear it.
            if (config.redis.url) cache = await openRedisCache(config.redis.url);
            try {
              const sessions = operatorSessions(db, config, { ...(cache ? { cache } : {}), audit });
              const userId = await resolvePerson(db, options.person);
              const r = await withPersonalData(db, config, (blobs, personKeys, cipher) => erasePerson({ db, audit, clock: systemClock, sessions, blobs, personKeys, cipher }, userId, options.reason, operator()));
              // Only the pseudonym from here on: this output, too, is written after the erasure.
              if (options.json) {
                console.log(JSON.stringify({ pseudonym: r.pseudonym, sessionsEnded: r.sessionsEnded, counts: r.counts, audit: r.audit, keysDestroyed: r.keysDestroyed, blobsDeleted: r.blobsDeleted, blobsLeft: r.blobsLeft }));
                return;
              }
              const c = r.counts;
              console.log(`erased: now ${r.pseudonym} in the audit trail and the erasure register`);
              console.log(`  ${count(r.sessionsEnded, 'session')} ended; deleted ${count(c.sessions, 'session')}, ${count(c.devices, 'device')}, ${count(c.locations, 'location')}, ${count(c.photos, 'photo')}`);
              console.log(`  job history kept under a tombstone: ${count(c.jobsReattributed, 'job')}, ${count(c.jobEventsReattributed, 'job event')}, ${count(c.shifts, 'shift')}`);
              if (c.freeTextJobs || c.freeTextSites) console.log(`  free text that named them now names the tombstone: ${count(c.freeTextJobs ?? 0, 'job')}, ${count(c.freeTextSites ?? 0, 'site access note')}`);
              if (c.freeTextUnreadable) console.log(`  ${count(c.freeTextUnreadable, 'site access note')} did not open (altered at rest) and could not be searched for their name`);
              console.log(`  person key destroyed: ${r.keysDestroyed ? 'yes' : 'none held'}; copies of their positions and photos anywhere (backups, object versions) no longer open`);
              if (r.blobsLeft) console.log(`  ${count(r.blobsLeft, 'photo blob')} could not be deleted from the blob store: they hold only ciphertext under the destroyed key`);
              console.log(`  audit trail: ${count(r.audit.sealed + r.audit.pending, 'record')} pseudonymised; audit verify still passes`);
              if (r.audit.kept) console.log(`  ${count(r.audit.kept, 'record')} sealed before pseudonyms still name them: they leave with the retention purge (docs/privacy.md)`);
            } finally {
              await cache?.close();
            }
          });
        }),
      );

    privacy
      .command('seal')
      .description('seal positions and photos written before per-person keys under their person’s key (the server also does this at start)')
      .action(
        action(async () => {
          await asOperator(async (db, config) => {
            const r = await withPersonalData(db, config, (blobs, personKeys) => sealPersonalData(db, personKeys, blobs));
            console.log(`sealed ${count(r.locations, 'position')} and ${count(r.photos, 'photo')}`);
            if (r.photosSkipped) console.log(`${count(r.photosSkipped, 'photo')} left as they are: the blob is missing or does not match the photo’s digest`);
          });
        }),
      );

    privacy
      .command('hold')
      .description('place (or --lift) a legal hold: erasure is refused while it holds')
      .requiredOption('--person <who>', 'user id, e-mail or user name')
      .requiredOption('--reason <text>', 'why (the matter), recorded in the audit trail')
      .option('--lift', 'lift the hold')
      .action(
        action(async (options: { person: string; reason: string; lift?: boolean }) => {
          if (!options.reason.trim()) throw new Error('--reason must say why');
          await asOperator(async (db, _config, audit) => {
            const userId = await resolvePerson(db, options.person);
            if (options.lift) {
              const lifted = await liftHold({ db, audit }, userId, options.reason);
              console.log(lifted ? `legal hold on ${userId} lifted` : `${userId} was not under a legal hold`);
            } else {
              const placed = await holdPerson({ db, audit, clock: systemClock }, userId, options.reason, operator());
              console.log(placed ? `legal hold placed on ${userId}: erasure is refused until it is lifted` : `${userId} is already under a legal hold`);
            }
          });
        }),
      );
  },
};
