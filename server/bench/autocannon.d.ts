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

  export default function autocannon(options: Options): PromiseLike<Result>;
}
