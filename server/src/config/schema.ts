/**
 * The one schema for Palisade's configuration. Every setting carries its default and a
 * description here; `config/palisade.example.yaml` and `docs/configuration.md` are generated
 * from this file (`npm run docs`), and a test fails when they drift.
 */
import Type, { type Static } from 'typebox';
import { DURATION_PATTERN } from '../duration.ts';
import { MonitoringSchema } from '../audit/index.ts';
import { ROLE_NAMES } from '../roles.ts';
import { MdmSchema } from '../devices/index.ts';
import { ClaimsSchema } from '../oauth/index.ts';

// The sections other modules own, composed here into the one schema (and re-exported for the
// callers that read the configuration's vocabulary from config/index.ts).
export { ClaimsSchema, MdmSchema, MonitoringSchema, ROLE_NAMES };
export type { RoleName } from '../roles.ts';

/**
 * `patternHint` says in plain words what a `pattern` demands; configuration problems show it
 * instead of the regular expression.
 */
const Duration = (description: string, defaultValue: string) =>
  Type.String({ pattern: DURATION_PATTERN, patternHint: 'must be a duration such as 30s, 15m, 12h or 7d', description, default: defaultValue, examples: [defaultValue] });

/** A retention age, or `off` (kept). */
const RetentionAge = (description: string, defaultValue: string) =>
  Type.String({ pattern: `^(off|${DURATION_PATTERN.replace(/^\^|\$$/g, '')})$`, patternHint: 'must be a duration such as 30d or 12h, or off', description, default: defaultValue, examples: [defaultValue] });

const Strings = (description: string, defaultValue: string[] = []) =>
  Type.Array(Type.String({ minLength: 1 }), { description, default: defaultValue });

/** One rate class: `points` requests per `duration` window. */
const RateClass = (description: string, points: number, duration: string) =>
  Type.Object(
    {
      points: Type.Integer({ minimum: 1, maximum: 1_000_000, default: points, description: 'Requests allowed per window.' }),
      duration: Duration('The window: counting starts with the first request and resets when it ends (whole seconds).', duration),
    },
    { additionalProperties: false, default: {}, description },
  );

/** An app's own limit for one class: points per window, the window defaulting to the class's. */
const AppRateClass = (cls: string) =>
  Type.Object(
    {
      points: Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Requests allowed per window, per person, through this app.' }),
      duration: Type.Optional(Type.String({ pattern: DURATION_PATTERN, patternHint: 'must be a duration such as 30s, 15m, 12h or 7d', description: `The window; default: rateLimits.${cls}.duration.` })),
    },
    { additionalProperties: false, description: `This app’s own ${cls} limit.` },
  );

/** Request signing (RFC 9421) modes: see apisec/signature-stage.ts. */
const SigningMode = (description: string) =>
  Type.Union([Type.Literal('required'), Type.Literal('optional'), Type.Literal('off')], { description });

/** One ownership's device rules (docs/device-trust.md); unset fields take the defaults named. */
const DeviceRules = (which: string) =>
  Type.Object(
    {
      minOsVersion: Type.Optional(
        Type.Object(
          {
            ios: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,3}$', patternHint: 'must be a dotted version such as 17.4', description: 'Lowest iOS version (compared numerically: 17.3.9 < 17.4).' })),
            android: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,3}$', patternHint: 'must be a dotted version such as 14', description: 'Lowest Android version.' })),
          },
          { additionalProperties: false, description: 'Below it: 426 os-update-required. Default: none.' },
        ),
      ),
      minAppVersion: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+){0,3}$', patternHint: 'must be a dotted version such as 2.4.0', description: 'Lowest app version; below it: 426 app-update-required. Default: none.' })),
      blockJailbroken: Type.Optional(Type.Boolean({ description: 'Refuse jailbroken or rooted devices (403 device-compromised). Default: true.' })),
      requirePasscode: Type.Optional(Type.Boolean({ description: 'Refuse devices without a passcode (403 passcode-required). Default: true.' })),
      requireMdm: Type.Optional(Type.Boolean({ description: 'Refuse devices the MDM does not report as managed (403 mdm-enrollment-required). Default: true for corporate (where it always holds), false for BYOD; set it true under byod to make an app corporate-only.' })),
      requireMfa: Type.Optional(Type.Boolean({ description: 'Require a multi-factor sign-in (amr contains mfa, or acr is one of devicePolicy.mfaAcrValues); otherwise 401 mfa-required. Default: false for corporate, true for BYOD.' })),
      requireAttestation: Type.Optional(Type.Boolean({ description: 'Require platform attestation (App Attest) verified in the posture report (403 attestation-required). Default: false.' })),
      requirePosture: Type.Optional(
        Type.Boolean({
          description:
            'Require a signed posture report with every token request (400 posture-required). Default: true for device apps (public clients), false for browser clients (clients with a secret). Setting it false for an app lets it sign in without a report, judged as BYOD; `config check` warns.',
        }),
      ),
      allowOffline: Type.Optional(Type.Boolean({ description: 'Managed configuration lets the app cache data offline. Default: true for corporate, false for BYOD.' })),
      allowExport: Type.Optional(Type.Boolean({ description: 'Data export allowed (the export routes refuse 403 export-not-allowed-on-byod otherwise). Default: true for corporate, false for BYOD.' })),
      features: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', patternHint: 'must be a short lower-case feature name' }), { description: 'Feature flags the managed configuration turns on (besides export and offline). Default: none.' })),
    },
    { additionalProperties: false, description: `Rules for ${which} devices.` },
  );

const OwnershipRules = (description: string) =>
  Type.Object({ corporate: Type.Optional(DeviceRules('corporate (MDM-managed)')), byod: Type.Optional(DeviceRules('personal (BYOD)')) }, { additionalProperties: false, description });


const ClientSchema = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', patternHint: 'must be 1 to 64 letters, digits, dots, dashes or underscores', description: 'OAuth client_id the app sends.' }),
    name: Type.String({ minLength: 1, maxLength: 100, description: 'Name shown to users and operators.' }),
    redirectUris: Type.Array(Type.String({ minLength: 1, maxLength: 2000 }), {
      minItems: 1,
      description:
        'Exact redirect URIs (RFC 8252): a private-use scheme in reverse-DNS form such as `com.example.field:/oauth2redirect`, ' +
        'or a loopback `http://127.0.0.1/path`, which matches any port. Confidential web clients may use https.',
    }),
    postLogoutRedirectUris: Strings('Where end-session may send the browser back to.'),
    dpop: Type.Union([Type.Literal('required'), Type.Literal('allowed')], {
      default: 'required',
      description:
        'DPoP (RFC 9449): `required` binds every token of this app to the device key that made the request (the authorization request must carry dpop_jkt); `allowed` also accepts plain bearer tokens.',
    }),
    appKey: Type.Union([Type.Literal('required'), Type.Literal('off')], {
      default: 'required',
      description:
        'API keys (`palisade apps keys create <id>`): `required` refuses /api and /admin requests without a valid `palisade-app-key` of this app, and tokens of this app sent with another app’s key; `off` also accepts this app’s tokens without a key — only for a client that cannot keep a key, such as a browser page (the development start page is always `off`).',
    }),
    idleTimeout: Type.Optional(
      Type.String({
        pattern: DURATION_PATTERN,
        patternHint: 'must be a duration such as 30s, 15m, 12h or 7d',
        description: 'Locks this app’s sessions after this long without an API call (overrides sessions.idleTimeout).',
      }),
    ),
    rateLimits: Type.Optional(
      Type.Object(
        {
          standard: Type.Optional(AppRateClass('standard')),
          search: Type.Optional(AppRateClass('search')),
          export: Type.Optional(AppRateClass('export')),
        },
        {
          additionalProperties: false,
          description:
            'Limits of this app’s own (the app named by its key and token), overriding rateLimits.standard/search/export: a person’s calls through this app count against this app’s budget for them, apart from other apps. Authentication limits stay per IP and account.',
        },
      ),
    ),
    requestSigning: Type.Optional(
      SigningMode('Request signing for this app’s API calls (overrides requestSigning.mode): `optional` accepts unsigned calls but verifies signed ones; `off` ignores signatures.'),
    ),
    attestation: Type.Optional(
      Type.Object(
        {
          apple: Type.Optional(
            Type.Object(
              {
                appIds: Type.Array(
                  Type.String({
                    pattern: '^[A-Z0-9]{10}\\.[A-Za-z0-9.-]+$',
                    patternHint: 'must be <10-character team id>.<bundle id>, such as ABCDE12345.com.example.field',
                  }),
                  { minItems: 1, maxItems: 20, description: 'The app’s App Attest app ids, `<team id>.<bundle id>` (several for builds under other bundle ids); an attestation made by any other app, even one signed by Apple, is refused.' },
                ),
                environment: Type.Union([Type.Literal('production'), Type.Literal('development')], {
                  description:
                    'Which App Attest environment the keys come from: `production` for App Store and TestFlight builds, `development` for builds signed with a development profile. Exactly one is accepted; `development` is refused in production (any sideloaded build gets a development key).',
                }),
              },
              { additionalProperties: false, description: 'Apple App Attest, verified offline against Apple’s App Attestation Root CA.' },
            ),
          ),
        },
        {
          additionalProperties: false,
          description:
            'Platform attestation of this app’s device keys (docs/device-trust.md), verified in posture reports, e.g. `{ apple: { appIds: [ABCDE12345.com.example.field], environment: production } }`. Absent: evidence is not checked, and devicePolicy requireAttestation refuses every device of this app. Play Integrity is not built: Android evidence is refused (not-configured).',
        },
      ),
    ),
    platform: Type.Optional(
      Type.Union([Type.Literal('native'), Type.Literal('web')], {
        description:
          'What the app runs on (docs/device-trust.md, "Web apps"). `native`: an iOS or Android app, whose posture report names ios or android. `web`: a web app built on the SDK’s web build, a browser client: its report names platform web (app version and the browser’s own hints, no device facts), device reports are refused from it, and a web report is refused from a native app. Default: `web` for a client with a secret, otherwise `native`. A client with a secret is always web.',
      }),
    ),
    secret: Type.Optional(
      Type.String({
        minLength: 32,
        description:
          'Makes the client confidential (client_secret_basic). Only resource servers that call token introspection need one; mobile apps are public clients and must not have a secret.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ClientConfig = Static<typeof ClientSchema>;


export const ConfigSchema = Type.Object(
  {
    dataDir: Type.String({
      default: './data',
      description:
        'Folder for everything the embedded defaults write: PGlite database, development TLS certificate and master key. Two instances must not share it.',
    }),
    masterKey: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_-]{43}$',
        patternHint: 'must be 32 bytes in unpadded base64url (43 characters), e.g. from `openssl rand 32 | basenc --base64url | tr -d =`',
        description:
          'Key-encryption key (32 random bytes, base64url) that wraps signing keys in the database. Prefer env PALISADE_MASTER_KEY. Absent outside production: generated into dataDir/master.key.',
      }),
    ),
    server: Type.Object(
      {
        port: Type.Integer({ minimum: 0, maximum: 65535, default: 8443, description: 'HTTPS port (0 picks a free one).' }),
        host: Type.String({
          default: '127.0.0.1',
          description: 'Interface to listen on. The development default is loopback only; set 0.0.0.0 (or ::) in production.',
        }),
        publicUrl: Type.Optional(
          Type.String({
            pattern: '^https://[^/?#]+$',
            patternHint: 'must be an https origin without path or trailing slash, such as https://palisade.example.com',
            description:
              'The https origin apps and the company IdP reach Palisade at (no path, no trailing slash); it is the OAuth issuer. Default: https://localhost:<port>.',
          }),
        ),
        tls: Type.Optional(
          Type.Object(
            {
              certFile: Type.String({ minLength: 1, description: 'PEM certificate chain.' }),
              keyFile: Type.String({ minLength: 1, description: 'PEM private key.' }),
              backupPins: Type.Array(
                Type.String({
                  // base64 of 32 bytes: 43 characters, the last with its low two bits zero, then `=`.
                  pattern: '^sha256/[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$',
                  patternHint: 'must be a pin `sha256/<base64 of the SHA-256 of the key\'s SubjectPublicKeyInfo>` (44 characters after sha256/), see docs/certificate-pinning.md',
                }),
                {
                  uniqueItems: true,
                  default: [],
                  description:
                    'SPKI pins (`sha256/<base64>`) of backup key pairs whose private keys you hold offline, published with the current pin at /.well-known/palisade/pins so pinned apps accept a certificate on one of them. At least one is required (see allowNoBackupPins): without it, losing or replacing the certificate key locks out every app that pins. docs/certificate-pinning.md.',
                },
              ),
              allowNoBackupPins: Type.Boolean({
                default: false,
                description: 'Start without backup pins. Only when no app pins the certificate: a pinned app could never move to another key.',
              }),
            },
            {
              additionalProperties: false,
              description:
                'Absent outside production: a self-signed certificate and a backup key pair are generated into dataDir and reused. The TLS policy itself (TLS 1.3 only, its three AEAD suites) is not configurable.',
            },
          ),
        ),
        trustProxy: Type.Boolean({
          default: false,
          description: 'Trust X-Forwarded-* from a reverse proxy. Only when Palisade is reachable solely through that proxy.',
        }),
        corsOrigins: Strings('Browser origins allowed to call the API. `*` is refused in production.'),
        bodyLimit: Type.Integer({ minimum: 1024, maximum: 10_485_760, default: 65_536, description: 'Largest request body in bytes.' }),
        keepAliveTimeout: Duration(
          'How long an idle kept-alive connection stays open after its last answer (announced to clients in Keep-Alive: timeout=). Behind a load balancer or reverse proxy that reuses connections, keep it longer than the balancer’s own idle timeout (AWS ALB 60s, HAProxy timeout http-keep-alive / timeout server), so the balancer closes first and never sends a request on a connection Palisade is closing. Between 1s and 10m.',
          '72s',
        ),
        shutdownTimeout: Duration(
          'On SIGTERM, how long requests in flight may take to finish before Palisade stops anyway and exits non-zero. /readyz answers 503 and no new connection is accepted from the signal on. Keep it below the orchestrator’s grace period (Kubernetes: terminationGracePeriodSeconds, 30s by default).',
          '20s',
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    database: Type.Object(
      {
        url: Type.Optional(
          Type.String({
            pattern: '^postgres(ql)?://',
            patternHint: 'must be a postgres:// or postgresql:// URL',
            description: 'PostgreSQL connection URL (env DATABASE_URL). Absent: embedded PGlite in dataDir/pglite.',
          }),
        ),
        runtimeUrl: Type.Optional(
          Type.String({
            pattern: '^postgres(ql)?://',
            patternHint: 'must be a postgres:// or postgresql:// URL',
            description:
              'Connection URL of the runtime login (env PALISADE_DATABASE_RUNTIME_URL): a role that owns nothing, is not a superuser and is a member of palisade_app. Palisade migrates with `url` and serves with this one, so even arbitrary SQL could not step out of row-level security. Absent: runtime connections log in with `url` and SET ROLE palisade_app.',
          }),
        ),
        poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10, description: 'PostgreSQL connections per instance.' }),
        transactionPooling: Type.Boolean({
          default: false,
          description:
            'The database URLs lead to a pooler in transaction mode (PgBouncer `pool_mode = transaction`, env PALISADE_DATABASE_TRANSACTION_POOLING). Palisade then keeps no session state on a connection: the runtime role is set in every transaction, and the session feed must go through Redis (redis.url), because LISTEN does not pass through transaction pooling. Without this setting behind such a pooler, runtime queries could run as the owner, outside row-level security.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    redis: Type.Object(
      {
        url: Type.Optional(
          Type.String({
            pattern: '^rediss?://',
            patternHint: 'must be a redis:// or rediss:// URL',
            description: 'Redis URL (env REDIS_URL): the session feed (revocations, unlocks) travels over Redis pub/sub, and replay markers and rate-limit counters are shared by every instance. Absent: PostgreSQL LISTEN/NOTIFY and in-process state.',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    upstream: Type.Optional(
      Type.Object(
        {
          issuer: Type.String({ pattern: '^https?://', patternHint: 'must be the issuer URL, starting with https://', description: 'Company IdP issuer URL (OpenID discovery is read from it).' }),
          clientId: Type.String({ minLength: 1, description: 'Palisade’s client id at the company IdP.' }),
          clientSecret: Type.Optional(
            Type.String({ minLength: 1, description: 'Palisade’s client secret at the company IdP. Prefer env PALISADE_UPSTREAM_CLIENT_SECRET.' }),
          ),
          scopes: Strings('Scopes Palisade asks the company IdP for.', ['openid', 'profile', 'email']),
          claims: ClaimsSchema,
          roles: Type.Object(
            {
              technician: Strings('Groups that grant the technician role.'),
              dispatcher: Strings('Groups that grant the dispatcher role.'),
              manager: Strings('Groups that grant the manager role.'),
              admin: Strings('Groups that grant the admin role.'),
            },
            {
              additionalProperties: false,
              default: {},
              description: 'Group → role mapping. A user in none of these groups is refused; there is no default role.',
            },
          ),
        },
        { additionalProperties: false, description: 'The company IdP. Absent outside production: the embedded development IdP with demo users.' },
      ),
    ),
    clients: Type.Array(ClientSchema, {
      default: [
        {
          id: 'field-app',
          name: 'Field Service',
          redirectUris: ['com.example.field:/oauth2redirect', 'http://127.0.0.1/callback'],
          postLogoutRedirectUris: [],
        },
      ],
      description: 'Apps allowed to sign users in. Mobile apps are public clients: PKCE S256 and state are mandatory.',
    }),
    tokens: Type.Object(
      {
        accessTokenTtl: Duration('Access token lifetime.', '15m'),
        refreshAbsoluteTtl: Duration('Refresh tokens stop working this long after the SSO login; the user must sign in again.', '7d'),
        refreshRetryGrace: Duration(
          'A retry of the refresh token just rotated, by the same DPoP device key within this window, gets the same successor tokens instead of revoking the session (mobile networks drop responses). 0s disables.',
          '30s',
        ),
        signingAlg: Type.Union([Type.Literal('ES256'), Type.Literal('EdDSA')], {
          default: 'ES256',
          description: 'Algorithm of new token signing keys.',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    sessions: Type.Object(
      {
        idleTimeout: Duration(
          'A session with no API call for this long is locked: API calls answer 401 session-locked until the person signs in again. Per app: clients[].idleTimeout.',
          '15m',
        ),
        maxDevices: Type.Integer({ minimum: 1, maximum: 100, default: 3, description: 'Devices a person may use at once; signing in on one more ends the sessions of the least recently used.' }),
        stepUpMaxAge: Duration('Sensitive actions need a sign-in at the company IdP no older than this (RFC 9470 step-up).', '5m'),
        stepUpAcr: Type.Optional(
          Type.String({ minLength: 1, description: 'Authentication context class (acr) sensitive actions also require, e.g. the IdP’s MFA value. Absent: any.' }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    audit: Type.Object(
      {
        flushInterval: Duration(
          'Reads, denials and failed logins are written in batches this often; a crash loses at most this much of them. Changes are always recorded in their own transaction.',
          '200ms',
        ),
        sealInterval: Duration('How often an idle sealer looks for new records to link into the hash chain.', '250ms'),
        checkpointEvery: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1000, description: 'Sign a checkpoint after this many new records…' }),
        checkpointInterval: Duration('…or after this long, whichever comes first. Records newer than the last checkpoint are not yet covered by a signature.', '1m'),
        retention: Duration('Records older than this may be purged (`palisade audit purge`), and only once they are archived. Default: 7 years.', '2557d'),
        archiveDir: Type.Optional(
          Type.String({ minLength: 1, description: 'Where `palisade audit export` writes archives (write-once files). Default: dataDir/audit-archive.' }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    rateLimits: Type.Object(
      {
        standard: RateClass('Authenticated API calls, per user (the token’s subject). Answers carry RateLimit and RateLimit-Policy headers; over the limit: 429 rate-limited with Retry-After.', 100, '1m'),
        auth: RateClass(
          'Authentication, per client IP and, where one is known, per account: /oauth2/authorize, /oauth2/par, /oauth2/token and session unlock. SCIM counts only failed bearer authentications here (a provisioning run makes thousands of good calls). Raise it when many devices share one public address (an office NAT, with server.trustProxy off).',
          5,
          '1m',
        ),
        export: RateClass('Routes declaring the export class (`config: { rateLimit: \'export\' }`), per user.', 10, '1h'),
        search: RateClass('Routes declaring the search class (`config: { rateLimit: \'search\' }`), per user.', 20, '1m'),
        lockout: Type.Object(
          {
            after: Type.Integer({
              minimum: 1,
              maximum: 1_000_000,
              default: 10,
              description: 'Failed authentications (refused token requests, failed unlocks, SCIM 401s) by one IP or one account within `window` that lock it.',
            }),
            window: Duration('How long failed authentications are remembered towards a lock.', '15m'),
            base: Duration('Length of the first lock; each further lock of the same IP or account doubles it (base × 2^k), recorded as a security.rate_limit_lockout audit event.', '1m'),
            max: Duration('The longest a lock grows to.', '1h'),
            forget: Duration('Locks within this long of the first one keep growing; after it, the next lock starts again at `base`.', '24h'),
          },
          { additionalProperties: false, default: {}, description: 'Locking out repeated authentication failures; a locked IP or account is answered 429 locked-out with the lock’s Retry-After.' },
        ),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Rate limits by class. Counters are exact across instances when redis.url is set, in-process otherwise.',
      },
    ),
    requestSigning: Type.Object(
      {
        mode: Type.Union([Type.Literal('required'), Type.Literal('optional'), Type.Literal('off')], {
          default: 'required',
          description:
            'API requests (/api, /admin) signed per RFC 9421 with HMAC-SHA256 under the session’s signing key (returned with the tokens as signing_key / signing_key_id), covering @method, @target-uri, authorization and content-digest, with created, nonce and keyid. `required` refuses unsigned requests (401 signature-required); `optional` verifies a signature when present; `off` ignores signatures. Per app: clients[].requestSigning; per route: `config: { signing }`.',
        }),
        window: Duration(
          'A signature’s `created` must be within this long of server time (either way), and each nonce is accepted once within it — across instances when redis.url is set.',
          '5m',
        ),
      },
      { additionalProperties: false, default: {}, description: 'Request signatures and their replay window.' },
    ),
    devicePolicy: Type.Object(
      {
        default: Type.Optional(OwnershipRules('Rules for every app, per ownership: a device is corporate when its MDM reports it managed, BYOD otherwise.')),
        apps: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$' }), OwnershipRules('One app’s rules (clients[].id), over the default.'), { description: 'Per app (by clients[].id): rules over devicePolicy.default.' })),
        mfaAcrValues: Strings('acr values of the company IdP that mean a multi-factor sign-in (besides amr containing mfa), for requireMfa.'),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Device trust (docs/device-trust.md): the compliance policy checked at every code exchange and refresh against the posture report and the MDM.',
      },
    ),
    monitoring: MonitoringSchema,
    mdm: MdmSchema,
    photos: Type.Object(
      {
        store: Type.Union([Type.Literal('auto'), Type.Literal('folder'), Type.Literal('database'), Type.Literal('s3')], {
          default: 'auto',
          description:
            'Where photo bytes live (env PALISADE_PHOTOS_STORE). `folder`: files under dataDir/blobs, for one instance (the embedded default). `database`: PostgreSQL (bytea in 1 MiB chunks), shared by every instance. `s3`: an S3-compatible object store (photos.s3). `auto`: `database` when database.url is set, else `folder`; photos an earlier version wrote to the folder stay readable.',
        }),
        s3: Type.Optional(
          Type.Object(
            {
              bucket: Type.String({ minLength: 3, maxLength: 63, pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$', patternHint: 'must be an S3 bucket name (lower-case letters, digits, dots and hyphens)', description: 'The bucket (env PALISADE_PHOTOS_S3_BUCKET). Palisade does not create it.' }),
              region: Type.String({ minLength: 1, default: 'us-east-1', description: 'The bucket’s region (env PALISADE_PHOTOS_S3_REGION).' }),
              endpoint: Type.Optional(Type.String({ pattern: '^https?://', patternHint: 'must be an http(s):// URL', description: 'Endpoint of an S3-compatible store (MinIO, Ceph, Garage…) (env PALISADE_PHOTOS_S3_ENDPOINT). Absent: AWS S3. Plain http is refused in production.' })),
              forcePathStyle: Type.Boolean({ default: false, description: 'Address the bucket as a path (`endpoint/bucket/key`) rather than a host name; most self-hosted stores need it.' }),
              prefix: Type.String({ default: 'photos/', pattern: '^([A-Za-z0-9_.-]+/)*$', patternHint: 'must be empty or folder names each ending in /', description: 'Prefix of every object key, so the bucket can be shared.' }),
            },
            {
              additionalProperties: false,
              description:
                'The S3-compatible object store for photos.store `s3`. Credentials are not settings: the AWS SDK’s default chain reads them (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a web identity token, or the instance’s role).',
            },
          ),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    retention: Type.Object(
      {
        endedSessions: RetentionAge('Sessions ended (signed out, revoked or expired) this long ago are deleted, with their grants.', '90d'),
        endedDevices: RetentionAge('Device keys wiped, revoked or evicted this long ago are deleted, with their commands.', '90d'),
        jobEvents: RetentionAge('The status history of jobs closed (completed or cancelled) this long ago is deleted; the jobs stay.', '1095d'),
        locations: RetentionAge('Technicians’ positions older than this are deleted (data minimisation: the trail is for dispatch today, not a record of movement).', '30d'),
        photos: RetentionAge('Photos of jobs closed this long ago are deleted, the files with them.', '1095d'),
        replayState: RetentionAge('Replay and retry state (logout token ids, refresh retries, expired authorization-server records) is deleted this long after it expired.', '1d'),
        interval: Duration('How often the purge runs (on one instance at a time).', '1h'),
        batchSize: Type.Integer({ minimum: 1, maximum: 100_000, default: 1000, description: 'Rows deleted per transaction: short transactions, few locks held.' }),
      },
      {
        additionalProperties: false,
        default: {},
        description: 'Retention (docs/privacy.md): how long each kind of record is kept. `off` keeps a kind. Audit records are not purged here: see audit.retention.',
      },
    ),
    demo: Type.Object(
      {
        seed: Type.Optional(
          Type.Boolean({
            description:
              'Load the field-service demo dataset (territories, customers, technicians, a few hundred jobs) at start when the domain is empty (env PALISADE_DEMO_SEED). Absent: on with the development IdP, off with a company IdP. Refused in production. `palisade demo seed` loads it on demand.',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    securityTxt: Type.Object(
      {
        contact: Type.Array(
          Type.String({ pattern: '^(mailto:[^\\s@]+@[^\\s@]+|https://\\S+|tel:\\+?[0-9 ()-]+)$', patternHint: 'must be a mailto:, https:// or tel: URI' }),
          { default: [], maxItems: 10, description: 'Where to report a vulnerability (RFC 9116 Contact: mailto:, https:// or tel: URIs, in order of preference). Empty: /.well-known/security.txt is not served.' },
        ),
        expires: Type.Optional(
          Type.String({
            pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$',
            patternHint: 'must be an ISO 8601 date and time, e.g. 2027-06-30T00:00:00Z',
            description: 'When the file’s content stops being valid (RFC 9116 Expires, required with a contact; keep it less than a year ahead and renew it).',
          }),
        ),
        policy: Type.Optional(Type.String({ pattern: '^https://\\S+$', description: 'The disclosure policy (Policy: an https:// URL).' })),
        acknowledgments: Type.Optional(Type.String({ pattern: '^https://\\S+$', description: 'Where reporters are thanked (Acknowledgments: an https:// URL).' })),
        encryption: Type.Optional(Type.String({ pattern: '^https://\\S+$', description: 'The key to encrypt reports with (Encryption: an https:// URL).' })),
        preferredLanguages: Type.Optional(Type.String({ pattern: '^[A-Za-z-]+(, ?[A-Za-z-]+)*$', description: 'Preferred-Languages, e.g. "en, de".' })),
      },
      { additionalProperties: false, default: {}, description: '/.well-known/security.txt (RFC 9116), served when a contact is configured.' },
    ),
    metrics: Type.Object(
      {
        token: Type.Optional(
          Type.String({
            minLength: 32,
            description: 'Bearer token Prometheus sends to scrape /metrics (env PALISADE_METRICS_TOKEN). Absent: /metrics is not served.',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
          { default: 'info', description: 'Log level (pino). Secrets are redacted at every level.' },
        ),
        format: Type.Optional(
          Type.Union([Type.Literal('pretty'), Type.Literal('json')], {
            description:
              'How log lines are written to stdout (env PALISADE_LOG_FORMAT): `pretty`, one readable line each (one per request), or `json`, one JSON object per line for a log shipper. Absent: pretty in development, json in production. Every line of the process, the start-up banner included, has the one format.',
          }),
        ),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type PalisadeConfig = Static<typeof ConfigSchema>;
