/**
 * The encrypted offline store: what the app keeps for working without a network, under the
 * server's data classification. The OpenAPI document (`/openapi.json`) marks each field of the
 * API's answers with `x-palisade-offline` (false for sensitive data: site access notes,
 * customer contacts, locations); the store refuses to keep a record holding any field marked
 * false, and any field the document does not mark at all (default deny: a field the server adds
 * later is not cached until it is classified). Where the managed app configuration says
 * `offline_allowed: false` (BYOD), the store is off: it erases what it held and keeps nothing.
 *
 * It encrypts through its backend: on the web `encryptedIndexedDbStore('palisade-offline')`
 * (AES-GCM under a non-extractable key in IndexedDB), on React Native `sqlCipherOfflineBackend`
 * (an op-sqlite database built with SQLCipher, its key random and kept in the Keychain).
 * Register it with `client.registerStore(store)` so wipe and sign-out erase it.
 */
import { PalisadeError } from './errors.ts';
import type { AppConfig } from './documents.ts';

/** Where the offline records live (encrypted by the backend). Same shape as `SecureStore`. */
export interface OfflineBackend {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  delete(name: string): Promise<void>;
  clear(): Promise<void>;
}

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  'x-palisade-offline'?: boolean;
};

/** For each operation (`GET /api/v1/jobs/{id}`), the offline mark of each field path (`jobs[].title`). */
export type OfflinePolicy = Map<string, Map<string, boolean | 'container'>>;

function collect(schema: JsonSchema | undefined, prefix: string, marks: Map<string, boolean | 'container'>): void {
  if (!schema) return;
  for (const part of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) collect(part, prefix, marks);
  if (schema.items) collect(schema.items, `${prefix}[]`, marks);
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    const mark = property['x-palisade-offline'];
    if (typeof mark === 'boolean') marks.set(path, marks.get(path) === false ? false : mark);
    else if (!marks.has(path)) marks.set(path, 'container');
    collect(property, path, marks);
  }
}

/** Reads the offline marks of every successful JSON answer in the OpenAPI document. */
export function offlinePolicy(openapi: { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }> }>> }): OfflinePolicy {
  const policy: OfflinePolicy = new Map();
  for (const [path, operations] of Object.entries(openapi.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const marks = new Map<string, boolean | 'container'>();
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (!/^2\d\d$/.test(status)) continue;
        collect(response.content?.['application/json']?.schema, '', marks);
      }
      if (marks.size) policy.set(`${method.toUpperCase()} ${path}`, marks);
    }
  }
  return policy;
}

/** The field paths of `record` the policy does not allow offline (empty: it may be kept). */
export function refusedFields(marks: Map<string, boolean | 'container'>, record: unknown, prefix = ''): string[] {
  if (Array.isArray(record)) return record.flatMap((item) => refusedFields(marks, item, `${prefix}[]`));
  if (record === null || typeof record !== 'object') return [];
  const refused: string[] = [];
  for (const [name, value] of Object.entries(record)) {
    const path = prefix ? `${prefix}.${name}` : name;
    const mark = marks.get(path);
    if (mark === true) continue;
    // A field the document lists without a mark is looked into when it holds an object or a
    // list (its members carry the marks); holding a value itself, it is not classified.
    if (mark === 'container' && (value === null || typeof value === 'object')) refused.push(...refusedFields(marks, value, path));
    else refused.push(path); // marked false, or not classified at all
  }
  return refused;
}

export interface OfflineStoreOptions {
  backend: OfflineBackend;
  /** From `offlinePolicy(await (await fetch('/openapi.json')).json())`, or a copy built with the app. */
  policy: OfflinePolicy;
  /** The verified managed app configuration (`client.appConfig()`). */
  config: Pick<AppConfig, 'offline_allowed'>;
}

export class OfflineStore {
  private readonly backend: OfflineBackend;
  private readonly policy: OfflinePolicy;
  readonly enabled: boolean;
  private readonly ready: Promise<void>;

  constructor(options: OfflineStoreOptions) {
    this.backend = options.backend;
    this.policy = options.policy;
    this.enabled = options.config.offline_allowed === true;
    // Off (BYOD): whatever an earlier configuration allowed is erased now.
    this.ready = this.enabled ? Promise.resolve() : this.backend.clear();
  }

  private name(operation: string, key: string): string {
    return `${operation} ${key}`;
  }

  /**
   * Keeps `record` (an answer of `operation`, e.g. `GET /api/v1/jobs/{id}`, or part of one at
   * `at`, e.g. `jobs[]`) under `key`. Throws `offline-refused` naming the fields that may not be
   * kept, and `offline-not-allowed` where the configuration turned offline data off.
   */
  async put(operation: string, key: string, record: unknown, at = ''): Promise<void> {
    await this.ready;
    if (!this.enabled) throw new PalisadeError('offline-not-allowed', 'the managed app configuration does not allow offline data on this device');
    const marks = this.policy.get(operation);
    if (!marks) throw new PalisadeError('offline-refused', `${operation} has no classified answer in the OpenAPI document`);
    const refused = refusedFields(marks, at.endsWith('[]') ? [record] : record, at.endsWith('[]') ? at.slice(0, -2) : at);
    if (refused.length) throw new PalisadeError('offline-refused', `not allowed offline: ${refused.join(', ')}`);
    await this.backend.set(this.name(operation, key), JSON.stringify(record));
  }

  async get<T = unknown>(operation: string, key: string): Promise<T | undefined> {
    await this.ready;
    if (!this.enabled) return undefined;
    const value = await this.backend.get(this.name(operation, key));
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }

  async delete(operation: string, key: string): Promise<void> {
    await this.backend.delete(this.name(operation, key));
  }

  /** Erases everything (wipe, sign-out: register the store with the client). */
  async clear(): Promise<void> {
    await this.backend.clear();
  }
}
