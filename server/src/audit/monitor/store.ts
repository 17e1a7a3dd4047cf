/**
 * The monitor's in-memory state store: one capped table per kind of key, forgetting the least
 * recently seen key first and stale keys as time passes.
 */

/** One remembered key: the rule's state for it and its de-duplication bookkeeping. */
export interface Slot<S> {
  state: S;
  /** clock.now() when last seen, for forgetting stale keys. */
  seen: number;
  lastRaised?: number;
  suppressed: number;
}

interface Node<S> extends Slot<S> {
  key: string;
  older?: Node<S>;
  newer?: Node<S>;
}

/**
 * Keys in least-recently-seen order: a Map for lookup and a linked list for the order, so
 * touching a key, forgetting the stalest and sweeping are each O(1). (Re-inserting into a Map to
 * move a key to the end leaves holes V8 skips on every walk from the front: quadratic under a spray.)
 * Stale keys are dropped from the front as time passes; past the cap, the least recently seen is
 * forgotten.
 */
export class KeyTable<S> {
  readonly #nodes = new Map<string, Node<S>>();
  readonly #cap: number;
  readonly #retentionMs: number;
  #oldest: Node<S> | undefined;
  #newest: Node<S> | undefined;

  constructor(cap: number, retentionMs: number) {
    this.#cap = cap;
    this.#retentionMs = retentionMs;
  }

  get size(): number {
    return this.#nodes.size;
  }

  touch(key: string, now: number, create: () => S): Slot<S> {
    let node = this.#nodes.get(key);
    if (node) {
      this.#unlink(node);
    } else {
      node = { key, state: create(), seen: now, suppressed: 0 };
      this.#nodes.set(key, node);
    }
    node.seen = Math.max(node.seen, now);
    node.older = this.#newest;
    node.newer = undefined;
    if (this.#newest) this.#newest.newer = node;
    else this.#oldest = node;
    this.#newest = node;
    if (this.#nodes.size > this.#cap) this.#forget(this.#oldest!);
    return node;
  }

  /** Drops keys not seen for the retention; cheap, since the stalest keys are at the front. */
  sweep(now: number): void {
    while (this.#oldest && now - this.#oldest.seen >= this.#retentionMs) this.#forget(this.#oldest);
  }

  #forget(node: Node<S>): void {
    this.#unlink(node);
    this.#nodes.delete(node.key);
  }

  #unlink(node: Node<S>): void {
    if (node.older) node.older.newer = node.newer;
    else this.#oldest = node.newer;
    if (node.newer) node.newer.older = node.older;
    else this.#newest = node.older;
    node.older = undefined;
    node.newer = undefined;
  }
}
