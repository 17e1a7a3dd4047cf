/**
 * The set-up of the operator command tests (e2e/operator-cli*.test.ts): a migrated database of
 * the kind, a company IdP, and one person (Terry Tech, u-tech) who has signed in once, so the
 * commands find a user, a session, a device and audit records. Call inside a describe: it
 * registers the before and after hooks and returns what the tests use once they have run.
 */
import { after, before } from 'node:test';
import { decodeJwt } from 'jose';
import type { DatabaseKind, TestDatabase } from './databases.ts';
import { startInProcess } from './server.ts';
import { federatedTo, type UpstreamIdp } from './upstream-idp.ts';
import { MobileApp } from './mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

export interface OperatorSetup {
  /** The environment of the `palisade` commands: this database, its folder, the master key. */
  env: Record<string, string | undefined>;
  /** The signed-in person's user id. */
  techId: string;
  /** Runs `fn` against a started server (PGlite: the CLI cannot open the database meanwhile). */
  withServer<T>(fn: (app: MobileApp) => Promise<T>): Promise<T>;
}

export function operatorSetup(kind: DatabaseKind): OperatorSetup {
  let database: TestDatabase;
  let upstream: UpstreamIdp;
  let port: number;
  const masterKey = generateMasterKey();
  const setup: OperatorSetup = {
    env: {},
    techId: '',
    async withServer(fn) {
      const { server, ca } = await startInProcess(database, upstream, port, { PALISADE_MASTER_KEY: masterKey });
      const app = new MobileApp(server.url, ca);
      try {
        return await fn(app);
      } finally {
        await app.close();
        await server.close();
      }
    },
  };
  before(async () => {
    database = await kind.create({ migrated: true });
    ({ upstream, port } = await federatedTo(database));
    setup.env = { PALISADE_DATA_DIR: database.dataDir, DATABASE_URL: database.url, PALISADE_MASTER_KEY: masterKey, PALISADE_LOG_LEVEL: 'silent' };
    await setup.withServer(async (app) => {
      setup.techId = decodeJwt((await app.signIn('u-tech')).tokens.access_token).sub!;
    });
  });
  after(async () => {
    await upstream?.close();
    await database?.drop();
  });
  return setup;
}
