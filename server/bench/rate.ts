/**
 * In-process throughput: calls `fn` back to back for about `durationMs` (in batches of 50, so
 * reading the clock does not count) and returns calls per second. For the measurements that
 * need no HTTP (session checks, app key verification).
 */
export async function rate(durationMs: number, fn: () => Promise<unknown>): Promise<number> {
  const end = performance.now() + durationMs;
  let count = 0;
  const started = performance.now();
  while (performance.now() < end) {
    for (let i = 0; i < 50; i += 1) await fn();
    count += 50;
  }
  return count / ((performance.now() - started) / 1000);
}
