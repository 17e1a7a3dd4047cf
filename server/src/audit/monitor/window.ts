/** Sliding windows over event times, in fixed memory per key. */

/**
 * Sums over a sliding window kept in fixed slices, so memory per key stays the same however busy
 * the key is. Slice i covers [i·slice, (i+1)·slice); the window at time t counts every slice that
 * overlaps (t − window, t], so an entry leaves between `window` and `window + slice` after it.
 */
export class SlicedWindow {
  readonly #windowMs: number;
  readonly #sliceMs: number;
  /** Ascending by index. */
  readonly #slices: { index: number; sums: number[] }[] = [];

  constructor(windowMs: number, slices: number) {
    this.#windowMs = windowMs;
    this.#sliceMs = Math.max(1, Math.ceil(windowMs / slices));
  }

  #first(at: number): number {
    return Math.floor((at - this.#windowMs) / this.#sliceMs);
  }

  /** Adds `values` at time `at` and returns the window's sums as of `at`. */
  add(at: number, values: readonly number[]): number[] {
    const index = Math.floor(at / this.#sliceMs);
    const first = this.#first(at);
    // A late event for a slice already outside the window can no longer matter.
    if (index >= first) {
      let i = this.#slices.length;
      while (i > 0 && this.#slices[i - 1]!.index > index) i -= 1;
      const slice = this.#slices[i - 1];
      if (slice && slice.index === index) values.forEach((v, k) => (slice.sums[k] = (slice.sums[k] ?? 0) + v));
      else this.#slices.splice(i, 0, { index, sums: [...values] });
    }
    const newest = Math.max(at, (this.#slices.at(-1)?.index ?? 0) * this.#sliceMs);
    const keepFrom = this.#first(newest);
    while (this.#slices.length > 0 && this.#slices[0]!.index < keepFrom) this.#slices.shift();
    const totals = values.map(() => 0);
    for (const slice of this.#slices) {
      if (slice.index < first) continue;
      slice.sums.forEach((v, k) => (totals[k] = (totals[k] ?? 0) + v));
    }
    return totals;
  }
}

/**
 * Records a failure at `at` in `times` (ascending, the most recent `keep` only — enough to tell
 * whether `keep` fell within the window) and returns how many are within the window ending at `at`.
 */
export function countInWindow(times: number[], at: number, windowMs: number, keep: number): number {
  let i = times.length;
  while (i > 0 && times[i - 1]! > at) i -= 1;
  times.splice(i, 0, at);
  while (times.length > keep) times.shift();
  let count = 0;
  for (const t of times) if (t <= at && at - t < windowMs) count += 1;
  return count;
}
