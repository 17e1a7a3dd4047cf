/**
 * A Map that holds at most `max` entries, forgetting the oldest first: the one in-process cache
 * shape behind the verified-token cache, the DPoP proof-key cache, the app-key cache, the
 * request-signing keys and the data keys. Nothing it holds can grow without limit, however many
 * distinct keys a caller (or an attacker) sends.
 *
 * "Oldest" is by one of two orders, chosen per cache:
 *  - `order: 'use'` (least recently used): `get` moves a hit to the newest end, so keys in use
 *    stay while a flood of one-off keys only evicts other one-off keys.
 *  - `order: 'insert'` (first in, first out): `get` changes nothing, so a read costs no write;
 *    for caches whose entries expire anyway (tokens, cached rows) and are refilled on a miss.
 *
 * A JavaScript Map iterates in insertion order, so the oldest entry is always the first key:
 * deleting and re-inserting moves a key to the newest end, and eviction is O(1).
 */
export interface BoundedMapOptions {
  /** The most entries held (at least 1). */
  max: number;
  /** Which entry is forgotten first when full: the least recently used, or the first inserted. */
  order: 'use' | 'insert';
}

export class BoundedMap<K, V> {
  readonly #entries = new Map<K, V>();
  readonly #max: number;
  readonly #touchOnGet: boolean;

  constructor(options: BoundedMapOptions) {
    this.#max = Math.max(1, Math.floor(options.max));
    this.#touchOnGet = options.order === 'use';
  }

  get max(): number {
    return this.#max;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value for `key`; in a least-recently-used map, a hit becomes the newest entry. */
  get(key: K): V | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined && this.#touchOnGet) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  /** The value for `key` without changing the order. */
  peek(key: K): V | undefined {
    return this.#entries.get(key);
  }

  has(key: K): boolean {
    return this.#entries.has(key);
  }

  /** Stores `value` as the newest entry, forgetting the oldest ones beyond `max`. */
  set(key: K, value: V): this {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as K);
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /** Keys from the oldest to the newest (the next to be forgotten first). */
  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }
}
