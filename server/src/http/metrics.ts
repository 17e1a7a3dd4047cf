/**
 * Prometheus metrics at `/metrics`, served only when `metrics.token` is configured and only to
 * a scraper presenting it as a bearer token (compared in constant time): request counts and
 * latencies by route, denials by problem type, rate-limit hits, alerts raised, and how far the
 * audit sealer lags behind. Labels are route templates, never raw URLs (no ids, no tokens,
 * bounded cardinality).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { constantTimeEqual } from '../security/index.ts';
import { problems } from './problems.ts';

export interface SealerLag {
  /** Records written but not yet linked into the chain. */
  pending: number;
  /** Age in seconds of the oldest of them (0 when none). */
  oldestSeconds: number;
  /** Records sealed since the newest signed checkpoint. */
  uncovered: number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'palisade_http_requests_total', help: 'HTTP responses by method, route template and status.', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 'palisade_http_request_duration_seconds',
    help: 'Time to answer, by method and route template.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly denials = new Counter({ name: 'palisade_http_denials_total', help: '401 and 403 answers by problem type.', labelNames: ['status', 'problem'] as const, registers: [this.registry] });
  private readonly rateLimited = new Counter({ name: 'palisade_rate_limit_hits_total', help: '429 answers by route template.', labelNames: ['route'] as const, registers: [this.registry] });
  private readonly alerts = new Counter({ name: 'palisade_alerts_total', help: 'Monitoring alerts raised, by rule and severity.', labelNames: ['rule', 'severity'] as const, registers: [this.registry] });

  constructor(lag: () => Promise<SealerLag>, dropped: () => number, purged?: () => Readonly<Record<string, number>>, breachClocks?: () => Promise<{ incident: string; seconds: number }[]>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'palisade_' });
    const registry = this.registry;
    let last: Promise<SealerLag> | undefined;
    // One query per scrape, shared by the gauges below.
    const read = () => (last ??= lag().finally(() => setTimeout(() => (last = undefined), 100).unref()));
    new Gauge({ name: 'palisade_audit_sealer_lag_records', help: 'Audit records not yet linked into the hash chain.', registers: [registry], async collect() { this.set((await read()).pending); } });
    new Gauge({ name: 'palisade_audit_sealer_lag_seconds', help: 'Age of the oldest audit record not yet sealed.', registers: [registry], async collect() { this.set((await read()).oldestSeconds); } });
    new Gauge({ name: 'palisade_audit_uncovered_records', help: 'Sealed records newer than the last signed checkpoint.', registers: [registry], async collect() { this.set((await read()).uncovered); } });
    if (purged) {
      new Gauge({
        name: 'palisade_retention_purged_total',
        help: 'Rows the retention purge deleted on this instance since it started, by kind (retention.*).',
        labelNames: ['kind'] as const,
        registers: [registry],
        collect() {
          for (const [kind, n] of Object.entries(purged())) this.set({ kind }, n);
        },
      });
    }
    if (breachClocks) {
      // Labelled by incident: with none open there is no sample at all (an unlabelled gauge would
      // read 0, "due now"). Open incidents are few; the label's values stay bounded.
      new Gauge({
        name: 'palisade_breach_notification_seconds_left',
        help: 'Seconds left to notify the supervisory authority of each open personal-data breach (GDPR Art. 33, 72 h after detection); negative when overdue, absent when none is open.',
        labelNames: ['incident'] as const,
        registers: [registry],
        async collect() {
          const clocks = await breachClocks();
          this.reset();
          for (const c of clocks) this.set({ incident: c.incident }, c.seconds);
        },
      });
    }
    new Gauge({ name: 'palisade_audit_dropped_total', help: 'Audit events lost: the queue overflowed while the database was unreachable, a record the database refused, or events still queued at shutdown.', registers: [registry], collect() { this.set(dropped()); } });
  }

  response(r: { method: string; route: string; status: number; durationMs: number; problem: string | undefined }): void {
    const status = String(r.status);
    this.requests.inc({ method: r.method, route: r.route, status });
    this.latency.observe({ method: r.method, route: r.route }, r.durationMs / 1000);
    if (r.status === 401 || r.status === 403) this.denials.inc({ status, problem: r.problem ?? 'none' });
    if (r.status === 429) this.rateLimited.inc({ route: r.route });
  }

  alert(rule: string, severity: string): void {
    this.alerts.inc({ rule, severity });
  }
}

export async function metricsRoute(app: FastifyInstance, deps: { metrics: Metrics; token: string }): Promise<void> {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    const given = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    if (!constantTimeEqual(given, deps.token)) throw problems.forbidden('Scraping metrics needs the configured metrics token.');
    reply.header('cache-control', 'no-store').type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
