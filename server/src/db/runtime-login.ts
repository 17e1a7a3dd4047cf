/**
 * With `database.runtimeUrl`, the login behind runtime connections must be what it promises: not
 * a superuser, owning no table, a member of palisade_app. Start-up stops otherwise.
 */
import type { Database } from './index.ts';

export async function checkRuntimeLogin(db: Database): Promise<void> {
  const { rows } = await db.query<{ login: string; superuser: boolean; member: boolean; owns: boolean }>(
    `SELECT session_user AS login, r.rolsuper AS superuser, pg_has_role(session_user, 'palisade_app', 'MEMBER') AS member,
       EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tableowner = session_user) AS owns
     FROM pg_roles r WHERE r.rolname = session_user`,
  );
  const login = rows[0];
  if (!login) throw new Error('database.runtimeUrl: the runtime login could not be inspected');
  if (login.superuser || login.owns || !login.member) {
    throw new Error(
      `database.runtimeUrl logs in as ${login.login}, which ${login.superuser ? 'is a superuser' : login.owns ? 'owns tables' : 'is not a member of palisade_app'}: use a role that owns nothing and is a member of palisade_app (docs/operations.md)`,
    );
  }
}

/** A round trip as the runtime role: the readiness probe's question. */
export async function databaseAnswers(db: Database): Promise<void> {
  await db.query('SELECT 1');
}

/** A round trip as the owner, before migrations: says which connection failed when one does. */
export async function ownerAnswers(db: Database): Promise<void> {
  await db.asOwner((q) => q.query('SELECT 1'));
}
