/**
 * The set-up of the operator command tests (e2e/operator-cli*.test.ts): a migrated database of
 * the kind, a company IdP, and one person (Terry Tech, u-tech) who has signed in once, so the
 * commands find a user, a session, a device and audit records. Call inside a describe: it
 * registers the before and after hooks and returns what the tests use once they have run.
 */
import { after, before } from 'node:test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { DatabaseKind, TestDatabase } from './databases.ts';
import { GENEROUS_RATE_LIMITS } from './server.ts';
import { provisionInProcess, rememberAppKeys } from './app-keys.ts';
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
  /** The apps' keys, made once on the first start and kept in the database for the later ones. */
  let appKeys: Record<string, string> | undefined;
  /**
   * As helpers/server.ts startInProcess starts a server, except that the app keys are made only
   * once: provisioning opens the database a time of its own, which on PGlite costs seconds on a
   * busy machine, and the tests here start a server up to three times on one database.
   */
  const start = async () => {
    const { loadConfig } = await import('../../src/config/load.ts');
    const { startServer } = await import('../../src/main.ts');
    const config = loadConfig({
      env: { PALISADE_DATA_DIR: database.dataDir, PALISADE_SERVER_PORT: String(port), DATABASE_URL: database.url, PALISADE_LOG_LEVEL: 'silent', ...GENEROUS_RATE_LIMITS, ...upstream.env, PALISADE_MASTER_KEY: masterKey },
    });
    appKeys ??= await provisionInProcess(config);
    const server = await startServer({ config, announce: () => undefined });
    rememberAppKeys(server.url, appKeys);
    return { server, ca: readFileSync(path.join(database.dataDir, 'tls', 'dev-cert.pem'), 'utf8') };
  };
  const setup: OperatorSetup = {
    env: {},
    techId: '',
    async withServer(fn) {
      const { server, ca } = await start();
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
