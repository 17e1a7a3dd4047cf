/**
 * Incident containment (docs/incident-response.md): the two commands an on-call engineer runs
 * first. Each step is audited in the transaction that makes it, and the whole action is recorded
 * as `incident.contain`, so the investigation starts from a complete trail.
 *
 * - one person (`--user`): every session ends on every instance at once, every device is marked
 *   wiped (it cannot sign in again), and the account is disabled (sign-in refused even when the
 *   company IdP still lets them in);
 * - everyone (`--all`): a new token signing key signs at once and the old ones are withdrawn
 *   from the JWKS immediately (tokens they signed stop verifying as instances reload keys —
 *   within 15 s, or at once on SIGHUP), and every session ends.
 *
 * Release (`incident release --user`) re-enables a contained person once they and their IdP
 * account are safe again, audited with its reason as `incident.release`. Their devices stay
 * wiped: they enrol again by signing in on a freshly installed app.
 */
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { MasterKey } from '../security/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { liveSessionIds, type Devices, type Sessions } from '../sessions/index.ts';
import { rotateKeys, type SigningAlg } from '../oauth/index.ts';
import { findUser, setDisabled, userIdsByEmail, usersByUserName } from '../users/index.ts';
import { isDeactivated } from '../scim/index.ts';
import { PalisadeError } from '../errors/index.ts';

export interface IncidentDeps {
  db: Database;
  clock: Clock;
  sessions: Sessions;
  devices: Devices;
  audit: AuditSink;
}

export interface UserContainment {
  userId: string;
  sessionsEnded: number;
  devicesWiped: number;
  disabled: boolean;
}

export class UnknownUserError extends PalisadeError<'ERR_UNKNOWN_USER'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_UNKNOWN_USER', message, options);
  }
}

/** A release that would change nothing, or that is not Palisade's to make. */
export class ReleaseRefusedError extends PalisadeError<'ERR_RELEASE_REFUSED'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_RELEASE_REFUSED', message, options);
  }
}

/** `who`: a Palisade user id, or the user name / email the company IdP gives them. */
export async function resolveUser(db: Database, who: string): Promise<string> {
  if (/^[0-9a-f-]{36}$/i.test(who) && (await findUser(db, who))) return who;
  const byName = await usersByUserName(db, who);
  if (byName.length === 1) return byName[0]!.id;
  const rows = await userIdsByEmail(db, who);
  if (rows.length === 1) return rows[0]!;
  throw new UnknownUserError(byName.length + rows.length > 1 ? `"${who}" matches several people: use the user id` : `no user "${who}"`);
}

export async function containUser(deps: IncidentDeps, userId: string, reason: string): Promise<UserContainment> {
  const now = new Date(deps.clock.now());
  // The account first: a sign-in racing with containment is refused from here on.
  const disabled = await deps.db.transaction(async (tx) => {
    const changed = await setDisabled(tx, userId, true, now);
    await deps.audit.record(tx, { action: 'user.disable', outcome: 'success', reason, actor: {}, resource: { type: 'user', id: userId }, changes: { before: { disabled: false }, after: { disabled: true } } });
    return changed;
  });
  const sessionsEnded = await deps.sessions.revokeAllOfUser(userId, 'incident');
  let devicesWiped = 0;
  for (const device of await deps.devices.listOfUser(userId)) {
    if (device.state !== 'wiped' && (await deps.devices.wipe(device.id, `incident: ${reason}`))) devicesWiped += 1;
  }
  const result = { userId, sessionsEnded, devicesWiped, disabled };
  await deps.db.transaction((tx) => deps.audit.record(tx, { action: 'incident.contain', outcome: 'success', reason, actor: {}, resource: { type: 'user', id: userId }, detail: { ...result } }));
  return result;
}

export interface GlobalContainment {
  newKid: string;
  sessionsEnded: number;
}

export async function containAll(deps: IncidentDeps & { master: MasterKey; alg: SigningAlg }, reason: string): Promise<GlobalContainment> {
  const newKid = await rotateKeys(deps.db, deps.master, deps.clock, { alg: deps.alg, activateAfterMs: 0, retainMs: 0, audit: deps.audit, reason: `incident: ${reason}` });
  const rows = await liveSessionIds(deps.db, new Date(deps.clock.now()));
  let sessionsEnded = 0;
  for (const id of rows) if (await deps.sessions.revoke(id, 'incident')) sessionsEnded += 1;
  await deps.db.transaction((tx) => deps.audit.record(tx, { action: 'incident.contain', outcome: 'success', reason, actor: {}, resource: { type: 'platform', id: 'all' }, detail: { newKid, sessionsEnded } }));
  return { newKid, sessionsEnded };
}

export interface UserRelease {
  userId: string;
  /** When the account had been disabled (by containment, or earlier by hand). */
  disabledSince: Date;
}

/**
 * Re-enables a disabled person: the account change and the `incident.release` record (with the
 * reason) commit together or not at all. Refused when the account is not disabled, and when the
 * company IdP deprovisioned the person (SCIM `active: false`): that is reversed at the IdP, not here.
 */
export async function releaseUser(deps: Pick<IncidentDeps, 'db' | 'audit'>, userId: string, reason: string): Promise<UserRelease> {
  return deps.db.transaction(async (tx) => {
    const user = await findUser(tx, userId);
    if (!user) throw new UnknownUserError(`no user "${userId}"`);
    if (!user.disabledAt) throw new ReleaseRefusedError(`user ${userId} is not disabled: nothing to release`);
    if (user.userName && (await isDeactivated(tx, user.userName))) {
      throw new ReleaseRefusedError(`user ${userId} is deprovisioned by the company IdP (SCIM active: false): reactivate them there`);
    }
    await setDisabled(tx, userId, false, user.disabledAt);
    await deps.audit.record(tx, { action: 'user.enable', outcome: 'success', reason, actor: {}, resource: { type: 'user', id: userId }, changes: { before: { disabled: true }, after: { disabled: false } } });
    await deps.audit.record(tx, { action: 'incident.release', outcome: 'success', reason, actor: {}, resource: { type: 'user', id: userId }, detail: { disabledSince: user.disabledAt.toISOString() } });
    return { userId, disabledSince: user.disabledAt };
  });
}
