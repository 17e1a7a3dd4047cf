/**
 * What SCIM provisioning does to Palisade: a SCIM user is linked to the people who signed in
 * with the same user name (upstream.claims.userName). Deactivating or deleting the SCIM user
 * disables them — sign-in refused — and ends every one of their sessions, on every instance
 * within a second (the revocation feed). Group changes re-map their roles; losing every role
 * ends their sessions too.
 */
import type { Database } from '../db/index.ts';
import type { Clock } from '../clock.ts';
import type { Sessions } from '../sessions/index.ts';
import { rolesFor, setDisabled, setGroups, usersByUserName, type RoleMapping } from '../users/index.ts';
import { findScimUser, groupNamesOf, type ScimUserRow } from './store.ts';

export interface ScimEffectsLog {
  info(details: object, message: string): void;
}

export class ScimEffects {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly sessions: Sessions;
  private readonly roles: RoleMapping;
  private readonly log: ScimEffectsLog;

  constructor(deps: { db: Database; clock: Clock; sessions: Sessions; roles: RoleMapping; log: ScimEffectsLog }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.sessions = deps.sessions;
    this.roles = deps.roles;
    this.log = deps.log;
  }

  /** After a SCIM user was created, replaced or patched: apply `active`. */
  async userChanged(user: ScimUserRow): Promise<void> {
    await this.setActive(user.userName, user.active, user.active ? 'reactivated' : 'deactivated');
  }

  /** After a SCIM user was deleted: the person is gone for good. */
  async userDeleted(user: ScimUserRow): Promise<void> {
    await this.setActive(user.userName, false, 'deleted');
  }

  /** After a group changed: recompute the roles of everyone who was or is a member. */
  async membersChanged(scimUserIds: Iterable<string>): Promise<void> {
    for (const id of new Set(scimUserIds)) {
      const userName = (await findScimUser(this.db, id))?.userName;
      if (!userName) continue;
      const groups = await groupNamesOf(this.db, id);
      const roles = rolesFor(groups, this.roles);
      for (const person of await usersByUserName(this.db, userName)) {
        await setGroups(this.db, person.id, groups, roles);
        if (roles.length === 0) {
          const ended = await this.sessions.revokeAllOfUser(person.id, 'roles_removed');
          this.log.info({ event: 'scim.roles_removed', userId: person.id, ended }, 'SCIM: no role left, sessions ended');
        } else {
          this.log.info({ event: 'scim.roles_changed', userId: person.id, roles }, 'SCIM: roles re-mapped');
        }
      }
    }
  }

  private async setActive(userName: string, active: boolean, why: string): Promise<void> {
    for (const person of await usersByUserName(this.db, userName)) {
      const changed = await setDisabled(this.db, person.id, !active, new Date(this.clock.now()));
      const ended = active ? 0 : await this.sessions.revokeAllOfUser(person.id, 'deprovisioned');
      if (changed || ended) this.log.info({ event: `scim.user_${why}`, userId: person.id, ended }, `SCIM: user ${why}`);
    }
  }
}
