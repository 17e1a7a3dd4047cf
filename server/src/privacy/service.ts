/**
 * The data subject's rights (GDPR Art. 15, 17, 20) over what Palisade holds about one person.
 *
 * - Export: every personal record, as one JSON archive whose manifest lists each section with its
 *   record count and SHA-256, so the person (or the DPO) can tell the archive is whole.
 * - Erasure: the person's sessions end everywhere; their sessions, devices, grants, SCIM record,
 *   location trail and uploaded photos are deleted; job history keeps its shape under a tombstone
 *   id that names no one; the audit trail is rewritten into its pseudonymised form and the
 *   pseudonym's link to the person destroyed (decision 0019), so `audit verify` still passes.
 *   One transaction: all of it or nothing. A legal hold refuses it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Database, Queryable } from '../db/index.ts';
import { eraseSubject, type AuditSink } from '../audit/index.ts';
import type { Sessions } from '../sessions/index.ts';
import { PalisadeError } from '../errors/index.ts';
import { PersonDataError, type PersonKeys } from '../security/index.ts';
import { openPhoto, openPosition, redactPersonInFreeText, type SensitiveCipher } from '../domains/fieldservice/index.ts';
import {
  auditRecordsOf,
  devicesOf,
  erasePersonRows,
  insertTombstone,
  jobsTouchedBy,
  legalHoldOf,
  liftLegalHold,
  locationsOf,
  lockUser,
  mdmDevicesOf,
  photosBy,
  placeLegalHold,
  profileOf,
  recordErasure,
  scimRecordsOf,
  sessionsOf,
  shiftsOf,
  technicianOf,
  usersMatching,
  type ErasedCounts,
} from './store.ts';

/** Where photo bytes live (the field-service blob store). */
export interface PhotoBlobs {
  get(key: string): Promise<{ bytes: Uint8Array } | undefined>;
  delete(key: string): Promise<boolean>;
}

export interface PrivacyDeps {
  db: Database;
  audit: AuditSink;
  clock: Clock;
  sessions: Pick<Sessions, 'revokeAllOfUser'>;
  blobs: PhotoBlobs | undefined;
  /** The per-person keys: the export opens the person's sealed data, the erasure destroys their key. */
  personKeys: PersonKeys;
  /** The field-service data keys' cipher: erasure opens the encrypted free text (site access notes) to remove the person's name from it. */
  cipher: SensitiveCipher;
}

export class UnknownPersonError extends PalisadeError<'ERR_UNKNOWN_PERSON'> {
  constructor(message: string) {
    super('ERR_UNKNOWN_PERSON', message);
  }
}

/** Erasure of someone under a legal hold (GDPR Art. 17(3)(e): legal claims) is refused. */
export class LegalHoldError extends PalisadeError<'ERR_LEGAL_HOLD'> {
  readonly placedAt: Date;
  constructor(placedAt: Date) {
    super('ERR_LEGAL_HOLD', `the person is under a legal hold since ${placedAt.toISOString()}: lift it (palisade privacy hold --lift) before erasing`);
    this.placedAt = placedAt;
  }
}

/** `who`: a user id, e-mail or user name. */
export async function resolvePerson(db: Database, who: string): Promise<string> {
  const ids = await usersMatching(db, who.trim());
  if (ids.length === 1) return ids[0]!;
  throw new UnknownPersonError(ids.length > 1 ? `"${who}" matches several people: use the user id` : `no person "${who}"`);
}

export const EXPORT_FORMAT = 'palisade-subject-export/1';

export interface ExportSection {
  name: string;
  description: string;
  records: number;
  sha256: string;
}

export interface SubjectExport {
  manifest: {
    format: typeof EXPORT_FORMAT;
    person: string;
    generatedAt: string;
    controllerNote: string;
    sections: ExportSection[];
  };
  data: Record<string, unknown>;
}

const SECTIONS: Record<string, string> = {
  profile: 'The person as the company IdP gave them, and their roles and attributes (users)',
  scim: 'The IdP’s provisioning record (SCIM)',
  sessions: 'Every sign-in: app, time, authentication method, end (no token material is kept)',
  devices: 'Device keys with their posture, compliance and the wipe or lock commands sent to them',
  mdm: 'What the company’s MDM reported for devices it lists under the person',
  technician: 'The person as a field-service technician (territory, skills)',
  jobs: 'Jobs the person was assigned, created or moved, with their part of each job’s history',
  shifts: 'Planned shifts',
  locations: 'The location trail',
  photos: 'Photos the person uploaded (bytes base64-encoded when the blob store is reachable)',
  audit: 'Audit records where the person is the actor or the subject',
};

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function countOf(value: unknown): number {
  if (Array.isArray(value)) return value.length;
  return value === null || value === undefined ? 0 : 1;
}

/** A sealed value that does not open becomes its error code in the export; anything else is thrown. */
function unopened(error: unknown): string {
  if (error instanceof PersonDataError) return error.code;
  throw error;
}

/** Every section's records, read in one owner transaction (one consistent snapshot). */
async function collect(q: Queryable, deps: PrivacyDeps, userId: string): Promise<Record<string, unknown>> {
  const profile = await profileOf(q, userId);
  if (!profile) throw new UnknownPersonError(`no person ${userId}`);
  const sessions = await sessionsOf(q, userId);
  const devices = await devicesOf(q, userId);
  const userName = (profile.userName as string | null) ?? null;
  const hints = [userName, profile.email as string | null].filter((h): h is string => !!h);
  const photos = [];
  for (const photo of await photosBy(q, userId)) {
    const blob = await deps.blobs?.get(photo.blobKey);
    // Opened with the person's key: the archive holds the image, never the sealed form.
    // What does not open (altered at rest) is listed as such, never left out.
    const bytes = blob ? await openPhoto(deps.personKeys, photo, blob.bytes, q).catch(unopened) : undefined;
    const { blobKey: _key, sealed: _sealed, uploadedBy: _by, ...described } = photo;
    photos.push({ ...described, content: bytes instanceof Uint8Array ? Buffer.from(bytes).toString('base64') : null, ...(typeof bytes === 'string' ? { unreadable: bytes } : {}) });
  }
  const locations = [];
  for (const row of await locationsOf(q, userId)) {
    const position = await openPosition(deps.personKeys, row, q).catch(unopened);
    locations.push(typeof position === 'string' ? { at: row.at, unreadable: position } : position);
  }
  const sessionIds = sessions.map((s) => String(s.id));
  const data: Record<string, unknown> = {
    profile,
    scim: await scimRecordsOf(q, userName),
    sessions,
    devices,
    mdm: await mdmDevicesOf(q, hints),
    technician: (await technicianOf(q, userId)) ?? null,
    jobs: await jobsTouchedBy(q, userId),
    shifts: await shiftsOf(q, userId),
    locations,
    photos,
    audit: await auditRecordsOf(q, userId, sessionIds),
  };
  return data;
}

/** Everything Palisade holds about the person; audited as `privacy.export`. Dates become ISO strings, so the digests are of exactly what the archive holds. */
export async function exportPerson(deps: PrivacyDeps, userId: string, reason: string): Promise<SubjectExport> {
  // Read as the owner: row-level security would show the field-service rows only to someone
  // whose claims reach them, and this reads them for the person's own sake.
  const data = await deps.db.asOwner((owner) => collect(owner, deps, userId));
  const plain = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  const sections = Object.keys(SECTIONS).map((name) => ({ name, description: SECTIONS[name]!, records: countOf(plain[name]), sha256: digest(plain[name]) }));
  await deps.db.transaction((tx) =>
    deps.audit.record(tx, { action: 'privacy.export', outcome: 'success', reason, actor: {}, resource: { type: 'user', id: userId }, detail: { sections: Object.fromEntries(sections.map((s) => [s.name, s.records])) } }),
  );
  return {
    manifest: {
      format: EXPORT_FORMAT,
      person: userId,
      generatedAt: new Date(deps.clock.now()).toISOString(),
      controllerNote: 'Each section’s sha256 is the SHA-256 of JSON.stringify(data[section]). Encrypted fields are decrypted; nothing about the person is withheld except secrets Palisade never stores (tokens are kept only as hashes).',
      sections,
    },
    data: plain,
  };
}

export interface ErasureResult {
  /** What the person's audit records and the erasure register now call them (names nobody). */
  pseudonym: string;
  /** The id job history now carries instead of theirs. */
  tombstone: string;
  sessionsEnded: number;
  counts: ErasedCounts;
  audit: { sealed: number; pending: number; kept: number };
  /** Person keys destroyed (0 for someone who never had a position or photo sealed). */
  keysDestroyed: number;
  blobsDeleted: number;
  /** Photo blobs the store failed to delete: what they hold is sealed under the destroyed key. */
  blobsLeft: number;
}

/**
 * Erases the person. Their sessions end first (every instance hears it), then one transaction
 * deletes and re-attributes their rows and pseudonymises the audit trail; the photo blobs are
 * deleted after it commits (a blob whose row is gone is unreachable anyway).
 */
export async function erasePerson(deps: PrivacyDeps, userId: string, reason: string, erasedBy: string): Promise<ErasureResult> {
  const hold = await legalHoldOf(deps.db, userId);
  if (hold) throw new LegalHoldError(hold.placedAt);
  if (!(await profileOf(deps.db, userId))) throw new UnknownPersonError(`no person ${userId}`);
  const sessionsEnded = await deps.sessions.revokeAllOfUser(userId, 'deprovisioned');
  const at = new Date(deps.clock.now());
  const tombstone = randomUUID();
  const result = await deps.db.asOwner(async (owner) => {
    const person = await lockUser(owner, userId);
    if (!person) throw new UnknownPersonError(`no person ${userId}`);
    // Checked again under the row lock: a hold placed meanwhile wins.
    const lateHold = await legalHoldOf(owner, userId);
    if (lateHold) throw new LegalHoldError(lateHold.placedAt);
    const technician = await technicianOf(owner, userId);
    // The tombstone is named after a fresh pseudonym of its own, not the person's.
    const tombName = `psn-${randomUUID().replace(/-/g, '')}`;
    await insertTombstone(owner, tombstone, tombName, technician, at);
    // Free text that names them (job titles and descriptions, site access notes) names the
    // tombstone instead (decision 0029); read before their rows go.
    const freeText = await redactPersonInFreeText(owner, deps.cipher, [person.name, typeof technician?.displayName === 'string' ? technician.displayName : undefined, person.email, person.userName, userId], tombName);
    const { counts: rowCounts, blobKeys } = await erasePersonRows(owner, userId, tombstone, person);
    const counts: ErasedCounts = { ...rowCounts, freeTextJobs: freeText.jobs, freeTextSites: freeText.sites, ...(freeText.unreadable ? { freeTextUnreadable: freeText.unreadable } : {}) };
    // Crypto-shredding (decision 0023): with the person's key gone, whatever copy of their
    // positions and photos survives the deletions — an S3 object version, a blob whose delete
    // fails below, a data backup restored with a later key file — no longer opens.
    const keysDestroyed = await deps.personKeys.destroy(owner, userId);
    const audit = await eraseSubject(owner, userId);
    const pseudonym = audit.pseudonym ?? tombName;
    await recordErasure(owner, pseudonym, erasedBy, at, counts);
    await deps.audit.record(owner, {
      action: 'privacy.erase',
      outcome: 'success',
      reason,
      actor: {},
      resource: { type: 'user', id: pseudonym },
      detail: { ...counts, keysDestroyed, auditSealed: audit.sealed, auditPending: audit.pending, auditKept: audit.kept },
    });
    return { pseudonym, counts, keysDestroyed, blobKeys, audit: { sealed: audit.sealed, pending: audit.pending, kept: audit.kept } };
  });
  // The committed transaction may have destroyed a key this process holds in memory elsewhere.
  deps.personKeys.forget(userId);
  let blobsDeleted = 0;
  let blobsLeft = 0;
  for (const key of result.blobKeys) {
    // A delete that fails leaves sealed bytes whose key no longer exists: reported, not fatal.
    const deleted = await deps.blobs?.delete(key).catch(() => undefined);
    if (deleted) blobsDeleted += 1;
    else if (deleted === undefined && deps.blobs) blobsLeft += 1;
  }
  return { pseudonym: result.pseudonym, tombstone, sessionsEnded, counts: result.counts, keysDestroyed: result.keysDestroyed, audit: result.audit, blobsDeleted, blobsLeft };
}

/** Places a legal hold: erasure is refused until it is lifted. Audited. */
export async function holdPerson(deps: Pick<PrivacyDeps, 'db' | 'audit' | 'clock'>, userId: string, reason: string, placedBy: string): Promise<boolean> {
  return deps.db.asOwner(async (owner) => {
    const placed = await placeLegalHold(owner, userId, reason, placedBy, new Date(deps.clock.now()));
    if (placed) await deps.audit.record(owner, { action: 'privacy.hold', outcome: 'success', reason, actor: {}, resource: { type: 'user', id: userId } });
    return placed;
  });
}

export async function liftHold(deps: Pick<PrivacyDeps, 'db' | 'audit'>, userId: string, reason: string): Promise<boolean> {
  return deps.db.asOwner(async (owner) => {
    const lifted = await liftLegalHold(owner, userId);
    if (lifted) await deps.audit.record(owner, { action: 'privacy.hold_lift', outcome: 'success', reason, actor: {}, resource: { type: 'user', id: userId } });
    return lifted;
  });
}
