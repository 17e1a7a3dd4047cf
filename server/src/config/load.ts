/**
 * Loads configuration: YAML file (PALISADE_CONFIG) < environment overrides < validation.
 * Every problem is reported at once, each with its setting path and a fix in plain words,
 * because an operator fixing one error per restart at 3 a.m. is how outages grow.
 */
import { isSecretName, monitoringProblems, REDACTED } from '../audit/index.ts';
import { mdmConfigProblems, relaxedPosture } from '../devices/index.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { Value } from 'typebox/value';
import { ConfigSchema, type PalisadeConfig } from './schema.ts';
import { parseDuration } from '../duration.ts';
import { ConfigError, type ConfigProblem } from '../errors/index.ts';

export { ConfigError, formatProblem, type ConfigProblem } from '../errors/index.ts';

/** Settings resolved for use: defaults applied, paths absolute, derived values filled in. */
export interface ResolvedConfig extends PalisadeConfig {
  production: boolean;
  /** Issuer / public origin without trailing slash. */
  publicUrl: string;
  /** Names of development defaults in use, announced at start-up. */
  developmentDefaults: string[];
  /** Settings that are allowed but weaken a protection: `config check` lists them. */
  warnings: ConfigProblem[];
  source: string;
  /** Where `masterKey` came from (never the key): the environment (PALISADE_MASTER_KEY) or the configuration file; absent when none was given. */
  masterKeyFrom?: 'environment' | 'file';
}

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  description?: string;
  pattern?: string;
  patternHint?: string;
  default?: unknown;
};

export function envName(segments: string[]): string {
  return 'PALISADE_' + segments.map((s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
}

/** Conventional names that also set a value; the PALISADE_ name wins when both are set. */
const ENV_ALIASES: Record<string, string> = { DATABASE_URL: 'database.url', REDIS_URL: 'redis.url' };

function coerce(raw: string, schema: JsonSchema, name: string, problems: ConfigProblem[], at: string): unknown {
  const type = schema.type ?? (schema.anyOf ? 'string' : undefined);
  try {
    if (type === 'integer' || type === 'number') {
      // eslint-disable-next-line security/detect-unsafe-regex -- linear: one optional group after digits, anchored
      if (!/^-?[0-9]+(\.[0-9]+)?$/.test(raw.trim())) throw new Error('not a number');
      return Number(raw);
    }
    if (type === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw.trim())) throw new Error('not true/false');
      return raw.trim() === 'true' || raw.trim() === '1';
    }
    if (type === 'array' && schema.items?.type === 'string') {
      return raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',').map((s) => s.trim()).filter(Boolean);
    }
    if (type === 'array' || type === 'object') return JSON.parse(raw);
    return raw;
  } catch {
    const given = givenValue(at, raw);
    problems.push({
      path: at,
      message: `environment variable ${name} could not be read as ${type === 'array' || type === 'object' ? 'JSON' : type}; fix its value`,
      ...(given !== undefined ? { given } : {}),
    });
    return undefined;
  }
}

function setPath(target: Record<string, unknown>, segments: string[], value: unknown): void {
  let node = target;
  for (const segment of segments.slice(0, -1)) {
    if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = {};
    node = node[segment] as Record<string, unknown>;
  }
  node[segments.at(-1)!] = value;
}

function applyEnv(doc: Record<string, unknown>, env: NodeJS.ProcessEnv, problems: ConfigProblem[]): void {
  const visit = (schema: JsonSchema, segments: string[]) => {
    if (schema.type === 'object' && schema.properties) {
      // A whole section may be given as JSON (PALISADE_UPSTREAM_ROLES='{"admin":["it"]}');
      // single settings inside it (PALISADE_UPSTREAM_ROLES_ADMIN=it) still win.
      const whole = segments.length > 0 ? env[envName(segments)] : undefined;
      if (whole) {
        const value = coerce(whole, schema, envName(segments), problems, segments.join('.'));
        if (value !== undefined) setPath(doc, segments, value);
      }
      for (const [key, child] of Object.entries(schema.properties)) visit(child, [...segments, key]);
      return;
    }
    const name = envName(segments);
    const alias = Object.entries(ENV_ALIASES).find(([, p]) => p === segments.join('.'))?.[0];
    const raw = env[name] ?? (alias ? env[alias] : undefined);
    if (raw === undefined || raw === '') return;
    const value = coerce(raw, schema, env[name] !== undefined ? name : alias!, problems, segments.join('.'));
    if (value !== undefined) setPath(doc, segments, value);
  };
  visit(ConfigSchema as unknown as JsonSchema, []);
}

/**
 * The value given at `at`, for a problem message: shortened JSON, or `[redacted]` when the
 * setting holds a secret (by its name, as the audit trail decides) — a problem report lands in
 * terminals, CI logs and tickets. Credentials inside a URL (`postgres://user:password@…`) are
 * masked too.
 */
export function givenValue(at: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const name = at.split(/[.[\]]/).filter((s) => s && !/^[0-9]+$/.test(s)).at(-1) ?? '';
  if (isSecretName(name)) return REDACTED;
  let shown = value;
  if (typeof value === 'string' && /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*@/i.test(value)) shown = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, `$1${REDACTED}@`);
  const json = JSON.stringify(shown) ?? String(shown);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

function schemaAt(instancePath: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = ConfigSchema as unknown as JsonSchema;
  for (const segment of instancePath.split('/').filter(Boolean)) {
    if (!node) return undefined;
    node = /^[0-9]+$/.test(segment) ? node.items : node.properties?.[segment];
  }
  return node;
}

function valueAt(doc: unknown, instancePath: string): unknown {
  let node = doc;
  for (const segment of instancePath.split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

const dotted = (instancePath: string) =>
  instancePath
    .split('/')
    .filter(Boolean)
    .map((s, i) => (/^[0-9]+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
    .join('');

function schemaProblems(doc: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const error of Value.Errors(ConfigSchema, doc)) {
    const at = dotted(error.instancePath);
    const params = error.params as Record<string, unknown>;
    const givenAt = givenValue(at, valueAt(doc, error.instancePath));
    const given = givenAt !== undefined ? { given: givenAt } : {};
    if (error.keyword === 'boolean') continue; // reported once more as additionalProperties
    if (error.keyword === 'required') {
      for (const prop of params.requiredProperties as string[]) {
        const child = schemaAt(`${error.instancePath}/${prop}`);
        problems.push({ path: at ? `${at}.${prop}` : prop, message: `is required. ${child?.description ?? ''}`.trim() });
      }
    } else if (error.keyword === 'additionalProperties') {
      for (const prop of params.additionalProperties as string[]) {
        problems.push({
          path: at ? `${at}.${prop}` : prop,
          message: 'is not a Palisade setting: check the spelling against config/palisade.example.yaml',
        });
      }
    } else if (error.keyword === 'pattern' && schemaAt(error.instancePath)?.patternHint) {
      problems.push({ path: at, message: schemaAt(error.instancePath)!.patternHint!, ...given });
    } else if (error.keyword === 'anyOf' || error.keyword === 'const') {
      const schema = schemaAt(error.instancePath);
      const allowed = schema?.anyOf?.map((s) => JSON.stringify((s as { const?: unknown }).const)).join(', ');
      if (error.keyword === 'anyOf') problems.push({ path: at, message: `must be one of ${allowed}`, ...given });
    } else {
      const hint = schemaAt(error.instancePath)?.description;
      problems.push({ path: at, message: `${error.message}${hint ? `. ${hint}` : ''}`, ...given });
    }
  }
  return problems;
}

/**
 * Rules that cross settings or depend on the environment (production refuses development
 * shortcuts). They run even when the schema found problems, so one misspelt key does not hide a
 * production refusal; each rule runs on its own, and one that trips over a value of the wrong
 * type (already reported by the schema) is skipped instead of hiding the others.
 */
function policyProblems(config: PalisadeConfig, production: boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const check = (rule: () => void) => {
    try {
      rule();
    } catch {
      // A value of the wrong type: the schema problem already names it.
    }
  };
  check(() => {
    const keepAlive = parseDuration(config.server.keepAliveTimeout);
    // 0 would turn Node's idle timeout off (an idle connection stays open for good).
    if (keepAlive < 1_000 || keepAlive > 600_000) problems.push({ path: 'server.keepAliveTimeout', message: `must be between 1s and 10m, not ${config.server.keepAliveTimeout}` });
  });
  check(() => {
    if (config.database.runtimeUrl && !config.database.url) {
      problems.push({ path: 'database.runtimeUrl', message: 'needs database.url (the owner login that migrates): the embedded database has one connection' });
    }
  });
  check(() => {
    if (config.database.transactionPooling && !config.database.url) {
      problems.push({ path: 'database.transactionPooling', message: 'needs database.url: the embedded database has no pooler' });
    } else if (config.database.transactionPooling && !config.redis.url) {
      problems.push({ path: 'database.transactionPooling', message: 'needs redis.url: the session feed (remote logout, unlocks) uses LISTEN without Redis, and LISTEN does not pass through transaction pooling. Set REDIS_URL' });
    }
  });
  check(() => {
    if (config.photos.store === 's3' && !config.photos.s3) {
      problems.push({ path: 'photos.s3', message: 'photos.store `s3` needs photos.s3.bucket (and photos.s3.endpoint for a store that is not AWS S3)' });
    }
    if (production && config.photos.s3?.endpoint?.startsWith('http://')) {
      problems.push({ path: 'photos.s3.endpoint', message: 'production sends photos over https only: plain http would carry every photo and the request signatures in the clear' });
    }
  });
  check(() => {
    if (config.securityTxt.contact.length > 0 && !config.securityTxt.expires) {
      problems.push({ path: 'securityTxt.expires', message: 'is required with a contact (RFC 9116: a security.txt says until when it is valid); keep it less than a year ahead' });
    }
  });
  if (production) {
    check(() => {
      if (!config.upstream) {
        problems.push({ path: 'upstream', message: 'production needs the company IdP: the development IdP signs anyone in. Set upstream.issuer, upstream.clientId and upstream.clientSecret' });
      }
    });
    check(() => {
      if (!config.server.tls) {
        problems.push({ path: 'server.tls', message: 'production needs a real certificate: set server.tls.certFile and server.tls.keyFile (self-signed certificates are for development)' });
      }
    });
    check(() => {
      if (!config.masterKey) {
        problems.push({ path: 'masterKey', message: 'production needs a master key from the environment (PALISADE_MASTER_KEY, 32 random bytes base64url); a generated key on local disk is for development' });
      }
    });
    check(() => {
      if (config.server.corsOrigins.includes('*')) {
        problems.push({ path: 'server.corsOrigins', message: '`*` is refused in production: list the exact origins' });
      }
    });
    check(() => {
      if (config.demo.seed) {
        problems.push({ path: 'demo.seed', message: 'the demo dataset is refused in production: it invents customers and jobs' });
      }
    });
    check(() => {
      if (!config.server.publicUrl) {
        problems.push({ path: 'server.publicUrl', message: 'production needs the public https URL apps and the company IdP use' });
      }
    });
  }
  // Apps pin the certificate's key; with no backup pin, the day that key is lost, compromised or
  // replaced, every pinned app is locked out until it is updated (docs/certificate-pinning.md).
  check(() => {
    const tls = config.server.tls;
    if (tls && tls.backupPins.length === 0 && !tls.allowNoBackupPins) {
      problems.push({
        path: 'server.tls.backupPins',
        message:
          'apps that pin the certificate need at least one backup pin: generate a backup key pair, keep its private key offline and list its pin ' +
          '(`openssl pkey -in backup.key -pubout -outform der | openssl dgst -sha256 -binary | base64`, prefixed with sha256/); ' +
          'or set server.tls.allowNoBackupPins: true if no app pins. See docs/certificate-pinning.md',
      });
    }
  });
  const ids = new Set<string>();
  // Each app on its own: a problem in one app's settings hides nothing about the next.
  const clients = Array.isArray(config.clients) ? config.clients : [];
  clients.forEach((client, i) => {
    check(() => {
      if (ids.has(client.id)) problems.push({ path: `clients[${i}].id`, message: `"${client.id}" is declared twice` });
      ids.add(client.id);
    });
    check(() =>
      client.redirectUris.forEach((uri, j) => {
        const problem = redirectUriProblem(uri, client.secret !== undefined);
        if (problem) problems.push({ path: `clients[${i}].redirectUris[${j}]`, message: problem, given: JSON.stringify(uri) });
      }),
    );
    check(() => {
      if (client.secret !== undefined && client.platform === 'native') problems.push({ path: `clients[${i}].platform`, message: 'a client with a secret is a web client (mobile apps are public clients and must not have a secret): remove the secret or set platform: web' });
    });
    // A device app registered as web would escape every device rule (jailbreak, passcode, OS
    // minimums, attestation, MDM): its reports would have to name `web`, which states no device
    // fact. Two signs only a device app gives are refused on a web client: a private-use scheme
    // redirect (only an app on a device receives one, RFC 8252 §7.1) and platform attestation.
    check(() => {
      if (client.platform !== 'web') return;
      client.redirectUris.forEach((uri, j) => {
        if (isPrivateUseScheme(uri)) problems.push({ path: `clients[${i}].redirectUris[${j}]`, message: 'is a private-use scheme, which only an app on a device receives, but the client is platform: web, whose reports state no device facts and escape the device rules: set platform: native, or give the web build its own client with https redirects', given: JSON.stringify(uri) });
      });
      if (client.attestation !== undefined) problems.push({ path: `clients[${i}].attestation`, message: 'platform attestation is for an app on a device, but the client is platform: web (a browser has no attestation, and device rules do not apply to it): set platform: native' });
    });
    // A development App Attest key is what any build signed with a development profile gets.
    check(() => {
      if (production && client.attestation?.apple?.environment === 'development') {
        problems.push({ path: `clients[${i}].attestation.apple.environment`, message: '`development` is refused in production: any sideloaded build gets a development App Attest key. Use `production` (App Store and TestFlight builds)' });
      }
    });
  });
  check(() => problems.push(...monitoringProblems(config.monitoring, { production }).map((p) => ({ path: `monitoring.${p.path}`, message: p.message }))));
  check(() => problems.push(...mdmConfigProblems(config.mdm, { production }).map((p) => ({ path: `mdm.${p.path}`, message: p.message }))));
  const upstream = config.upstream;
  if (upstream) check(() => {
    const issuer = new URL(upstream.issuer);
    if (issuer.protocol === 'http:' && (production || !['127.0.0.1', '[::1]', 'localhost'].includes(issuer.hostname))) {
      problems.push({ path: 'upstream.issuer', message: 'the company IdP must be reached over https (plain http is only accepted for a loopback test IdP outside production)' });
    }
    const mapped = Object.values(upstream.roles).flat();
    if (mapped.length === 0) {
      problems.push({ path: 'upstream.roles', message: 'maps no group to any role, so nobody could sign in: list the IdP groups for at least one role' });
    }
  });
  return problems;
}

/**
 * Settings that are valid but weaken a protection on purpose. They do not stop the server;
 * `palisade config check` lists them so the choice is seen. Add a rule by pushing a problem here.
 */
function policyWarnings(config: PalisadeConfig): ConfigProblem[] {
  // Device apps that may sign in without a posture report (judged BYOD, but unverifiable).
  return [...relaxedPosture(config.clients, config.devicePolicy), ...publicWebClients(config)];
}

/**
 * A public web client (`platform: web`, no secret) is a way around the device rules for anyone:
 * its client id is public and needs no secret, so a person on a jailbroken or outdated phone can
 * sign in as it (with a web report, which states no device fact) where the device app refuses
 * them. Its tokens are what such a device gets; device rules set on it cannot apply.
 */
function publicWebClients(config: PalisadeConfig): ConfigProblem[] {
  const clients = Array.isArray(config.clients) ? config.clients : [];
  return clients.flatMap((client, i) => {
    if (client.platform !== 'web' || client.secret !== undefined) return [];
    const own = config.devicePolicy?.apps?.[client.id] ?? {};
    const unenforceable = (['corporate', 'byod'] as const).flatMap((ownership) => {
      const rules = own[ownership] ?? {};
      return (['blockJailbroken', 'requirePasscode', 'minOsVersion'] as const).filter((name) => rules[name] !== undefined && rules[name] !== false).map((name) => `devicePolicy.apps.${client.id}.${ownership}.${name}`);
    });
    return [
      {
        path: `clients[${i}].platform`,
        message:
          `is web: any device may sign in as ${client.id} (a public client) with a web report, and jailbreak, passcode and OS rules are not applied to it; ` +
          'its tokens are what a compromised phone gets, so give it no more than such a device may do' +
          (unenforceable.length ? ` (${unenforceable.join(', ')} cannot apply to a browser)` : ''),
      },
    ];
  });
}

/** A redirect URI of a private-use scheme (com.example.app:/callback): only an app on a device receives one. */
function isPrivateUseScheme(uri: string): boolean {
  try {
    const { protocol } = new URL(uri);
    return protocol !== 'https:' && protocol !== 'http:';
  } catch {
    return false;
  }
}

/** A schema problem at `path` or above it makes a rule's finding at `path` redundant. */
const coveredBy = (schema: ConfigProblem[]) => (p: ConfigProblem) =>
  !schema.some((s) => s.path === p.path || p.path.startsWith(`${s.path}.`) || p.path.startsWith(`${s.path}[`));

/**
 * A YAML syntax error as a problem: where it is (line and column) and the lines around it with a
 * caret, so the operator sees the mistake without opening the file. Values of secret settings in
 * the excerpt are masked.
 */
function yamlProblem(file: string, text: string, error: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): ConfigProblem {
  const pos = error.linePos?.[0];
  const reason = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
  if (!pos) return { path: 'PALISADE_CONFIG', message: `${file} is not valid YAML: ${reason}` };
  const lines = text.split(/\r?\n/);
  const width = String(pos.line).length;
  const excerpt: string[] = [];
  for (let n = Math.max(1, pos.line - 2); n <= Math.min(lines.length, pos.line); n += 1) {
    const masked = lines[n - 1]!.replace(/^(\s*-?\s*["']?)([\w.-]+)(["']?\s*:\s*)(\S.*)$/, (whole, lead: string, key: string, sep: string) => (isSecretName(key) ? `${lead}${key}${sep}${REDACTED}` : whole));
    excerpt.push(`${String(n).padStart(width)} | ${masked}`);
  }
  excerpt.push(`${' '.repeat(width)} | ${' '.repeat(Math.max(0, pos.col - 1))}^`);
  return { path: 'PALISADE_CONFIG', message: `${file} is not valid YAML at line ${pos.line}, column ${pos.col}: ${reason}\n${excerpt.join('\n')}` };
}

/**
 * RFC 8252 §7: native apps use a private-use scheme in reverse-DNS form (§7.1) or a loopback
 * IP literal over http (§7.3). `localhost` is refused (§8.3: it may resolve off the machine).
 * Confidential clients may use https.
 */
export function redirectUriProblem(uri: string, confidential: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not a URI';
  }
  if (url.hash) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  if (url.protocol === 'http:') {
    if (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]') {
      return 'plain http is only allowed for the loopback IP literals 127.0.0.1 or [::1] (RFC 8252 §7.3, §8.3)';
    }
    return undefined;
  }
  if (url.protocol === 'https:') return undefined;
  const scheme = url.protocol.slice(0, -1);
  if (!scheme.includes('.')) {
    return 'a private-use URI scheme must be in reverse-DNS form, such as com.example.app:/callback (RFC 8252 §7.1)';
  }
  if (confidential) return 'a confidential client (with a secret) must use an https redirect URI';
  return undefined;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** Inline document instead of reading PALISADE_CONFIG (tests). */
  document?: Record<string, unknown>;
  cwd?: string;
}

/** The development default the banner replaces with what the start actually did with the demo data. */
export const DEMO_SEED_DEFAULT = 'field-service demo dataset for an empty domain (demo.seed)';

export function loadConfig(options: LoadOptions = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const problems: ConfigProblem[] = [];
  let doc: Record<string, unknown> = {};
  let source = 'defaults and environment';
  if (options.document) {
    doc = structuredClone(options.document);
    source = 'inline document';
  } else if (env.PALISADE_CONFIG) {
    source = env.PALISADE_CONFIG;
    let text: string;
    try {
      text = readFileSync(path.resolve(cwd, env.PALISADE_CONFIG), 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message.split('\n')[0];
      throw new ConfigError([{ path: 'PALISADE_CONFIG', message: `cannot read ${env.PALISADE_CONFIG}: ${reason}` }], source);
    }
    // Every syntax error at once, each with its place; the settings cannot be checked past them.
    const parsedDoc = parseDocument(text);
    if (parsedDoc.errors.length > 0) throw new ConfigError(parsedDoc.errors.map((e) => yamlProblem(env.PALISADE_CONFIG!, text, e)), source);
    const parsed: unknown = parsedDoc.toJS();
    if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      problems.push({ path: '', message: 'the file must hold a YAML mapping of settings' });
    } else doc = (parsed as Record<string, unknown>) ?? {};
  }
  applyEnv(doc, env, problems);
  const withDefaults = Value.Default(ConfigSchema, doc) as Record<string, unknown>;
  problems.push(...schemaProblems(withDefaults));
  const production = env.NODE_ENV === 'production';
  problems.push(...policyProblems(withDefaults as PalisadeConfig, production).filter(coveredBy(problems)));
  if (problems.length > 0) throw new ConfigError(problems, source);

  const config = withDefaults as PalisadeConfig;
  const developmentDefaults: string[] = [];
  if (!config.database.url) developmentDefaults.push('embedded PGlite database (set DATABASE_URL for PostgreSQL)');
  if (!config.upstream) developmentDefaults.push('development IdP with demo users — anyone can sign in as any role (set upstream.* for the company IdP)');
  if (!config.server.tls) developmentDefaults.push('self-signed TLS certificate (set server.tls.certFile/keyFile)');
  if (!config.masterKey) developmentDefaults.push('generated master key on local disk (set PALISADE_MASTER_KEY)');
  if (config.demo.seed ?? !config.upstream) developmentDefaults.push(DEMO_SEED_DEFAULT);
  if (!config.redis.url) developmentDefaults.push('session feed over the database, no Redis (set REDIS_URL for Redis pub/sub)');
  return {
    ...config,
    dataDir: path.resolve(cwd, config.dataDir),
    production,
    publicUrl: config.server.publicUrl ?? `https://localhost:${config.server.port}`,
    developmentDefaults,
    warnings: policyWarnings(config),
    source,
    ...(config.masterKey ? { masterKeyFrom: env.PALISADE_MASTER_KEY ? ('environment' as const) : ('file' as const) } : {}),
  };
}
