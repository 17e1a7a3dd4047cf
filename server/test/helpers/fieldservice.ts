/**
 * Field-service tests in process: the real HTTP pipeline (testApp) with a real ES256 bearer
 * verifier and the authorization stage, the domain's routes, and a small fixture of territories,
 * sites, technicians and jobs written as the owner (bypassing row-level security, as the demo
 * seed does).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import type { FastifyInstance } from 'fastify';
import { testApp } from './app.ts';
import { BearerVerifier } from '../../src/http/bearer.ts';
import { systemClock, type Clock } from '../../src/clock.ts';
import { authorizationStage } from '../../src/authz/index.ts';
import { fieldServiceRoutes, type SensitiveCipher } from '../../src/domains/fieldservice/index.ts';
import type { Database, OwnerQueryable } from '../../src/db/index.ts';
import type { AuditSink } from '../../src/audit/index.ts';
import { noAudit } from '../../src/audit/index.ts';
import type { RlsClaims } from '../../src/db/claims.ts';
import { PersonKeys, generateMasterKey, masterKeyFromBase64url } from '../../src/security/index.ts';

const ISSUER = 'https://palisade.test';
const AUDIENCE = 'https://palisade.test/api';

export interface TokenMinter {
  verifier: BearerVerifier;
  /** An access token for this user; `authTime` (s) defaults to now. */
  token(userId: string, options?: { authTime?: number; roles?: string[] }): Promise<string>;
}

export async function tokenMinter(clock: Clock = systemClock): Promise<TokenMinter> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'ES256', use: 'sig' };
  return {
    verifier: new BearerVerifier([jwk], { issuer: ISSUER, audience: AUDIENCE, clock, isRevoked: () => false, claimOnce: async () => true }),
    token: (userId, options = {}) =>
      new SignJWT({ client_id: 'field-app', sid: `s-${userId}`, roles: options.roles ?? [], scope: 'openid api', auth_time: options.authTime ?? Math.floor(clock.now() / 1000) })
        .setProtectedHeader({ alg: 'ES256', kid: 'test', typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(userId)
        .setIssuedAt(Math.floor(clock.now() / 1000))
        .setExpirationTime(Math.floor(clock.now() / 1000) + 3600)
        .setJti(randomUUID())
        .sign(privateKey),
  };
}

/** Encryption for tests: visibly bound to its context, so a value read back in another row fails. */
export const testCipher: SensitiveCipher = {
  encrypt: async (plain, context) => `test:${Buffer.from(context).toString('base64url')}:${Buffer.from(plain).toString('base64url')}`,
  decrypt: async (value, context) => {
    const [scheme, bound, body] = value.split(':');
    if (scheme !== 'test' || Buffer.from(bound ?? '', 'base64url').toString() !== context) throw new Error('wrong context');
    return Buffer.from(body ?? '', 'base64url').toString();
  },
};

/** The master key of the tests' person keys: one per test process, so every PersonKeys on a database agrees. */
const TEST_MASTER = masterKeyFromBase64url(generateMasterKey());
/** Person keys for tests of routes that seal personal data. */
export const testPersonKeys = (db: Database) => new PersonKeys({ db, master: TEST_MASTER });

export async function fieldServiceApp(
  db: Database,
  minter: TokenMinter,
  options: { apiChecks?: boolean; audit?: AuditSink; cipher?: SensitiveCipher; personKeys?: PersonKeys; register?: (app: FastifyInstance) => Promise<void> } = {},
): Promise<FastifyInstance> {
  const app = testApp({ bearer: minter.verifier, authorization: authorizationStage(db), publicOrigin: ISSUER });
  await app.register(fieldServiceRoutes, { db, audit: options.audit ?? noAudit, cipher: options.cipher ?? testCipher, personKeys: options.personKeys ?? testPersonKeys(db), scoping: { apiChecks: options.apiChecks ?? true } });
  if (options.register) await options.register(app);
  await app.ready();
  return app;
}

export interface FixtureUser {
  id: string;
  roles: string[];
  territory: string | null;
  region: string | null;
  department: string | null;
  projects: string[];
  contractor: boolean;
}

/** Inserts a user as the owner; returns what row-level security will see as their claims. */
export async function addUser(owner: OwnerQueryable, user: Omit<FixtureUser, 'id'> & { name?: string }): Promise<FixtureUser> {
  const { rows } = await owner.query<{ id: string }>(
    `INSERT INTO users (issuer, subject, name, roles, territory, region, department, projects, employee_type)
     VALUES ('urn:test', $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [randomUUID(), user.name ?? 'Someone', user.roles, user.territory, user.region, user.department, user.projects, user.contractor ? 'contractor' : 'employee'],
  );
  return { id: rows[0]!.id, ...user };
}

export const claimsOf = (user: FixtureUser): RlsClaims => ({ userId: user.id, roles: user.roles, territory: user.territory, region: user.region, department: user.department, projects: user.projects, contractor: user.contractor, deviceOwnership: null });
