/**
 * What SCIM provisioning does to Palisade: a SCIM user is linked to the people who signed in
 * with the same user name (upstream.claims.userName). Deactivating or deleting the SCIM user
 * disables them — sign-in refused — and ends every one of their sessions, on every instance
 * within a second (the revocation feed). Group changes re-map their roles; losing every role
 * ends their sessions too.
 *
 * Every change is made by `ScimEffects.change`: the SCIM resource, what it implies for the
 * people (disabled, roles) and the audit record of each commit in one transaction — no
 * unaudited change, no record of a change that rolled back. Sessions end right after the
 * commit, each in a transaction of its own that records it.
 */
import type { Database, Queryable } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { RevocationReason, Sessions } from '../sessions/index.ts';
import { difference, noAudit, REDACTED, type AuditActor, type AuditEvent, type AuditSink } from '../audit/index.ts';
import { rolesFor, setDisabled, setGroups, usersByUserName, type RoleMapping } from '../users/index.ts';
import { findScimUser, groupNamesOf, markScimTokenRevoked, putScimToken, type ScimGroupRow, type ScimUserRow } from './store.ts';
import { PalisadeError } from '../errors/index.ts';

export interface ScimEffectsLog {
  info(details: object, message: string): void;
}

export interface ScimEffectsDeps {
  db: Database;
  clock: Clock;
  sessions: Sessions;
  roles: RoleMapping;
  log: ScimEffectsLog;
  /** Where every SCIM change is recorded, in the transaction that makes it. */
  audit?: AuditSink;
}

/** Work for after the commit: sessions to end (they cannot join the change's transaction) and what to log. */
interface Aftermath {
  userId: string;
  end?: RevocationReason;
  event: string;
  message: string;
  detail?: object;
  /** Log even when no session ended. */
  always: boolean;
}

/**
 * SCIM attributes that are contact details or credentials. The trail is write-once: it must not
 * become a second, unerasable copy of the directory, so a record says such an attribute changed
 * but not what it was or became (like the sensitive fields `difference` already withholds).
 */
const WITHHELD = new Set(['emails', 'phonenumbers', 'addresses', 'ims', 'photos', 'x509certificates']);

function withheld(changes: AuditEvent['changes'] & object): AuditEvent['changes'] & object {
  const mask = (side: Record<string, unknown>) => Object.fromEntries(Object.entries(side).map(([k, v]) => [k, WITHHELD.has(k.toLowerCase()) ? REDACTED : v]));
  return { ...(changes.before ? { before: mask(changes.before) } : {}), ...(changes.after ? { after: mask(changes.after) } : {}) };
}

/** A user as its audit record shows it: the attributes Palisade acts on and the rest of the resource. */
const userView = (row: ScimUserRow): Record<string, unknown> => ({ ...row.resource, userName: row.userName, externalId: row.externalId, active: row.active });
/** A group without its members: membership is recorded as who was added and removed, not as two full lists. */
const groupView = (row: ScimGroupRow): Record<string, unknown> => ({ ...row.resource, displayName: row.displayName, externalId: row.externalId });

function membership(before: string[], after: string[]): { added?: string[]; removed?: string[] } | undefined {
  const added = after.filter((id) => !before.includes(id));
  const removed = before.filter((id) => !after.includes(id));
  if (added.length === 0 && removed.length === 0) return undefined;
  return { ...(added.length ? { added } : {}), ...(removed.length ? { removed } : {}) };
}

const sameSet = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/**
 * One SCIM request's change, inside its transaction. The route makes the store write and tells
 * this what happened; each method writes the audit record and applies what it implies for the
 * people linked to the SCIM user, in the same transaction.
 */
export class ScimChange {
  readonly aftermath: Aftermath[] = [];
  private readonly tx: Queryable;
  private readonly actor: AuditActor;
  private readonly audit: AuditSink;
  private readonly roles: RoleMapping;
  private readonly now: Date;

  constructor(tx: Queryable, actor: AuditActor, deps: { audit: AuditSink; roles: RoleMapping; now: Date }) {
    this.tx = tx;
    this.actor = actor;
    this.audit = deps.audit;
    this.roles = deps.roles;
    this.now = deps.now;
  }

  async userCreated(user: ScimUserRow): Promise<void> {
    await this.record('scim.user.create', { type: 'scim_user', id: user.id }, withheld(difference(null, userView(user))), { userName: user.userName });
    await this.setActive(user, user.active, user.active ? 'reactivated' : 'deactivated');
  }

  /** After a PUT or PATCH: `before` as it was (read locked in this transaction), `after` as written. */
  async userReplaced(before: ScimUserRow, after: ScimUserRow): Promise<void> {
    await this.record('scim.user.update', { type: 'scim_user', id: after.id }, withheld(difference(userView(before), userView(after))), { userName: after.userName });
    await this.setActive(after, after.active, after.active ? 'reactivated' : 'deactivated');
  }

  /** The person is gone for good; `groups` are the groups the user was taken out of. */
  async userDeleted(user: ScimUserRow, groups: { id: string; displayName: string }[]): Promise<void> {
    await this.record('scim.user.delete', { type: 'scim_user', id: user.id }, withheld(difference(userView(user), null)), { userName: user.userName });
    for (const group of groups) {
      await this.record('scim.group.update', { type: 'scim_group', id: group.id }, undefined, { displayName: group.displayName, members: { removed: [user.id] } }, 'member_deleted');
    }
    await this.setActive(user, false, 'deleted');
  }

  async groupCreated(group: ScimGroupRow): Promise<void> {
    await this.record('scim.group.create', { type: 'scim_group', id: group.id }, difference(null, groupView(group)), { displayName: group.displayName, ...this.members([], group.memberIds) });
    await this.membersChanged(group.memberIds);
  }

  async groupReplaced(before: ScimGroupRow, after: ScimGroupRow): Promise<void> {
    await this.record('scim.group.update', { type: 'scim_group', id: after.id }, difference(groupView(before), groupView(after)), { displayName: after.displayName, ...this.members(before.memberIds, after.memberIds) });
    await this.membersChanged([...before.memberIds, ...after.memberIds]);
  }

  async groupDeleted(group: ScimGroupRow): Promise<void> {
    await this.record('scim.group.delete', { type: 'scim_group', id: group.id }, difference(groupView(group), null), { displayName: group.displayName, ...this.members(group.memberIds, []) });
    await this.membersChanged(group.memberIds);
  }

  private members(before: string[], after: string[]): { members?: { added?: string[]; removed?: string[] } } {
    const changed = membership(before, after);
    return changed ? { members: changed } : {};
  }

  /** Recomputes the roles of everyone who was or is a member of a changed group. */
  private async membersChanged(scimUserIds: Iterable<string>): Promise<void> {
    for (const id of new Set(scimUserIds)) {
      const userName = (await findScimUser(this.tx, id))?.userName;
      if (!userName) continue;
      const groups = await groupNamesOf(this.tx, id);
      const roles = rolesFor(groups, this.roles);
      for (const person of await usersByUserName(this.tx, userName)) {
        await setGroups(this.tx, person.id, groups, roles);
        if (!sameSet(person.roles, roles)) {
          await this.record('user.roles.change', { type: 'user', id: person.id }, difference({ roles: person.roles }, { roles }), { scimUserId: id, userName });
        }
        this.aftermath.push(
          roles.length === 0
            ? { userId: person.id, end: 'roles_removed', event: 'scim.roles_removed', message: 'SCIM: no role left, sessions ended', always: true }
            : { userId: person.id, event: 'scim.roles_changed', message: 'SCIM: roles re-mapped', detail: { roles }, always: true },
        );
      }
    }
  }

  private async setActive(user: ScimUserRow, active: boolean, why: 'reactivated' | 'deactivated' | 'deleted'): Promise<void> {
    for (const person of await usersByUserName(this.tx, user.userName)) {
      if (await setDisabled(this.tx, person.id, !active, this.now)) {
        await this.record(active ? 'user.activate' : 'user.deactivate', { type: 'user', id: person.id }, { before: { disabled: active }, after: { disabled: !active } }, { scimUserId: user.id, userName: user.userName }, why);
        this.aftermath.push({ userId: person.id, ...(active ? {} : { end: 'deprovisioned' as const }), event: `scim.user_${why}`, message: `SCIM: user ${why}`, always: true });
      } else if (!active) {
        // Already disabled: end any session all the same (one may have slipped in), logged only if one did.
        this.aftermath.push({ userId: person.id, end: 'deprovisioned', event: `scim.user_${why}`, message: `SCIM: user ${why}`, always: false });
      }
    }
  }

  private record(action: string, resource: { type: string; id: string }, changes: AuditEvent['changes'], detail: Record<string, unknown>, reason?: string): Promise<void> {
    return this.audit.record(this.tx, {
      action,
      outcome: 'success',
      ...(reason ? { reason } : {}),
      actor: this.actor,
      resource,
      ...(changes ? { changes } : {}),
      detail,
    });
  }
}

export class ScimEffects {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly sessions: Sessions;
  private readonly roles: RoleMapping;
  private readonly log: ScimEffectsLog;
  private readonly audit: AuditSink;

  constructor(deps: ScimEffectsDeps) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.sessions = deps.sessions;
    this.roles = deps.roles;
    this.log = deps.log;
    this.audit = deps.audit ?? noAudit;
  }

  /**
   * Runs `apply` — the store writes of one SCIM request, reported to the `ScimChange` it is
   * given — in one transaction with everything they imply and their audit records; if anything
   * throws, nothing of it stays. `actor`: the provisioning connector.
   */
  async change<T>(actor: AuditActor, apply: (tx: Queryable, change: ScimChange) => Promise<T>): Promise<T> {
    let change: ScimChange | undefined;
    const result = await this.db.transaction((tx) => {
      change = new ScimChange(tx, actor, { audit: this.audit, roles: this.roles, now: new Date(this.clock.now()) });
      return apply(tx, change);
    });
    for (const step of change?.aftermath ?? []) {
      const ended = step.end ? await this.sessions.revokeAllOfUser(step.userId, step.end) : 0;
      if (step.always || ended) this.log.info({ event: step.event, userId: step.userId, ended, ...step.detail }, step.message);
    }
    return result;
  }
}

/** `replace: false` and the connector already has an active token: it is kept. */
export class ScimTokenExistsError extends PalisadeError<'ERR_SCIM_TOKEN_EXISTS'> {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_SCIM_TOKEN_EXISTS', message, options);
  }
}

/**
 * Creates (or replaces) a provisioning connector's token — `palisade scim tokens create`. The
 * record names the connector, never the token or its hash.
 */
export async function insertScimToken(db: Database, name: string, tokenHash: string, audit: AuditSink = noAudit, options: { replace?: boolean } = {}): Promise<void> {
  await db.transaction(async (tx) => {
    const { replaced, wasRevoked, written } = await putScimToken(tx, name, tokenHash, options);
    if (!written) throw new ScimTokenExistsError(`the connector "${name}" already has an active token`);
    await audit.record(tx, {
      action: 'scim.token.create',
      outcome: 'success',
      actor: {},
      resource: { type: 'scim_token', id: name },
      ...(replaced ? {} : { changes: { after: { name } } }),
      detail: { replaced, ...(replaced ? { wasRevoked } : {}) },
    });
  });
}

/** Revokes a connector's token at once; false if it had none active (nothing changed, nothing recorded). */
export async function revokeScimToken(db: Database, name: string, audit: AuditSink = noAudit): Promise<boolean> {
  return db.transaction(async (tx) => {
    const revokedAt = await markScimTokenRevoked(tx, name);
    if (!revokedAt) return false;
    await audit.record(tx, {
      action: 'scim.token.revoke',
      outcome: 'success',
      actor: {},
      resource: { type: 'scim_token', id: name },
      changes: { before: { revokedAt: null }, after: { revokedAt: new Date(revokedAt).toISOString() } },
    });
    return true;
  });
}
