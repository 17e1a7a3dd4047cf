/**
 * Two Palisade processes behind one public URL (instance A's), sharing one PostgreSQL — and one
 * Redis with `redis: true` — each started the README's way with a data folder of its own (its
 * own TLS certificate), as a load balancer would have them. PostgreSQL only: the embedded
 * database is one process by design (decision 0004).
 */
import type { DatabaseKind, TestDatabase } from './databases.ts';
import { freePort, startPalisade, type StartedServer } from './server.ts';
import { federatedTo } from './upstream-idp.ts';
import { BEARER_FIELD_APP, relaxedPosture } from './mobile-app.ts';
import { generateMasterKey } from '../../src/security/primitives.ts';

export interface TwoInstances {
  a: StartedServer;
  b: StartedServer;
  /** Where apps reach Palisade: instance A. Both banners name it. */
  publicUrl: string;
  /** Instance B directly. */
  bUrl: string;
  /** The shared database (tests read what the instances wrote). */
  database: TestDatabase;
  /** Instance A's settings (for `palisadeCli` on the same database and master key). */
  env: Record<string, string | undefined>;
  /** Stops both instances and the fake company IdP, and drops the database. */
  close(): Promise<void>;
}

/**
 * `env`: more settings for both instances (an MDM, a device policy). `databaseUrl`: how the
 * instances reach the test database (through a pooler such as PgBouncer), from its direct URL.
 * `certificateA`: a development certificate made beforehand for instance A, the one browsers
 * reach (helpers/chromium.ts `sharedDevCertificate`); instance B still makes its own.
 */
export async function startTwoInstances(
  kind: DatabaseKind,
  options: { redis?: boolean; env?: Record<string, string>; databaseUrl?: (direct: string) => string; certificateA?: { install(dataDir: string): void } } = {},
): Promise<TwoInstances> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const database: TestDatabase = await kind.create();
    cleanups.push(() => database.drop());
    options.certificateA?.install(database.dataDir);
    const secondDir: TestDatabase = await kind.create(); // only for its data folder
    cleanups.push(() => secondDir.drop());
    // Instance A is where apps reach Palisade: the company IdP sends people back to it.
    const federated = await federatedTo(database);
    cleanups.push(() => federated.upstream.close());
    const publicUrl = `https://localhost:${federated.port}`;
    const portB = await freePort();
    const atA = {
      ...federated.env,
      ...(options.redis ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
      PALISADE_MASTER_KEY: generateMasterKey(),
      PALISADE_SERVER_PUBLIC_URL: publicUrl,
      PALISADE_LOG_LEVEL: 'warn',
      // Instance B is called directly in these tests, not through the public URL a DPoP proof names.
      PALISADE_CLIENTS: BEARER_FIELD_APP,
      PALISADE_DEVICE_POLICY: relaxedPosture('field-app'),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl(database.url!) } : {}),
      ...options.env,
    };
    // Started together: migrations and the first signing key must not race. Whichever started
    // is stopped on the way out, even when the other did not.
    const started = await Promise.allSettled([
      startPalisade(atA),
      startPalisade({ ...atA, PALISADE_DATA_DIR: secondDir.dataDir, PALISADE_SERVER_PORT: String(portB) }),
    ]);
    const up = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    cleanups.push(() => Promise.all(up.map((server) => server.stop())));
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const [a, b] = started.map((result) => (result as PromiseFulfilledResult<StartedServer>).value) as [StartedServer, StartedServer];
    return { a, b, publicUrl, bUrl: `https://localhost:${portB}`, database, env: atA, close };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
