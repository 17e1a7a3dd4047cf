/**
 * The part of autocannon's programmatic API the benchmark uses. autocannon ships no types and
 * @types/autocannon would be a dependency for a handful of fields, so they are declared here.
 */
declare module 'autocannon' {
  export interface Histogram {
    /** Mean of the per-second samples (requests) or of all latencies (ms). */
    average: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
  }

  export interface Options {
    url: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Worker threads generating the load (the calling thread then only aggregates). */
    workers?: number;
    servername?: string;
    warmup?: { connections?: number; duration?: number };
    /** Request templates; `setupRequest` changes each request before it is sent (not in workers mode). */
    requests?: { method?: 'GET' | 'POST'; setupRequest?: (request: { headers?: Record<string, string> } & Record<string, unknown>) => Record<string, unknown> }[];
  }

  export interface Result {
    /** Per-second samples; `total` counts the completed requests. */
    requests: Histogram & { total: number };
    latency: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    /** Seconds. */
    duration: number;
  }

  function autocannon(options: Options): PromiseLike<Result>;
  namespace autocannon {
    /** Aggregates a raw result (what autocannon returns when it runs off the main thread). */
    function aggregateResult(results: Result[], options: Options): Result;
  }
  export default autocannon;
}
