/**
 * The audit module: the trail every other module records into (started right after the
 * database, so everything later can record), the sealer that chains and signs it, and the
 * monitor whose alerts are audit records themselves, delivered to the configured webhooks.
 * Stopping writes what is queued, seals it, then lets the database close.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { parseDuration } from '../duration.ts';
import type { Database } from '../db/index.ts';
import type { MasterKey } from '../security/index.ts';
import { defineModule } from '../module.ts';
import { WebhookDelivery } from './alerts.ts';
import { recordConfiguration } from './config-change.ts';
import { loadCheckpointSigner } from './keys.ts';
import { Monitor, MonitoringSchema, alertResource, type Alert } from './monitor.ts';
import { AuditTrail } from './trail.ts';
import { Sealer, sealerLag } from './sealer.ts';
import { auditRoutes } from './routes.ts';
import { insertDelivery } from './deliveries-store.ts';

/** Webhook delivery attempts kept for the console (older ones are deleted as new ones come). */
export const DELIVERY_LOG_KEEP = 1000;

export interface AuditModuleApi {
  readonly trail: AuditTrail;
  readonly monitor: Monitor;
  /** Also tells `listener` of every alert (the metrics count them). */
  onAlert(listener: (alert: Alert) => void): void;
  /** How far the sealer is behind (the metrics report it). */
  sealerLag(): ReturnType<typeof sealerLag>;
  /** Raises an alert of another module (the breach clock): recorded, sent to the webhooks, counted. */
  raise(alert: Alert): void;
}

export interface AuditModuleDeps {
  config: ResolvedConfig;
  db: Database;
  master: MasterKey;
  clock: Clock;
  log: Logger;
}

export const auditModule = defineModule({
  name: 'audit',
  dependencies: ['db'],
  config: ['audit', 'monitoring'],
  configSchema: { monitoring: MonitoringSchema },
  permissions: ['audit.read', 'audit.export'],
  migrations: ['0009_audit.sql', '0019_audit_pseudonyms.sql', '0027_alert_deliveries.sql'],
  async start({ config, db, master, clock, log }: AuditModuleDeps) {
    const signer = await loadCheckpointSigner(db, master);
    const trail = new AuditTrail(db, clock, log, { flushIntervalMs: parseDuration(config.audit.flushInterval) });
    const sealer = new Sealer(db, signer, clock, log, {
      batchSize: 2000,
      checkpointEvery: config.audit.checkpointEvery,
      checkpointIntervalMs: parseDuration(config.audit.checkpointInterval),
      pollIntervalMs: parseDuration(config.audit.sealInterval),
    });
    // Each attempt's outcome goes to the bounded delivery log the console shows; a write that
    // fails is logged and lost (the alert itself is in the trail and the log regardless).
    const logging = new Set<Promise<void>>();
    const onAttempt = (attempt: Parameters<typeof insertDelivery>[1]) => {
      const writing: Promise<void> = insertDelivery(db, attempt, DELIVERY_LOG_KEEP)
        .catch((err: unknown) => log.warn({ event: 'alert.delivery_log_failed', rule: attempt.rule, err }, 'a webhook delivery attempt was not logged'))
        .finally(() => logging.delete(writing));
      logging.add(writing);
    };
    const webhooks = new WebhookDelivery({ webhooks: config.monitoring.webhooks, log, clock, onAttempt });
    const listeners: ((alert: Alert) => void)[] = [];
    // An alert is itself an audit record, and goes to the webhooks and the listeners (metrics).
    // Its resource is what the alert is about, the key's kind and id apart (`user:<id>` is
    // { type: 'user', id }): a person's id then stands as a whole value, which pseudonyms and
    // erasure replace (subjects.ts); inside `user:<id>` it would outlive the person's erasure.
    const raise = (alert: Alert) => {
      for (const listener of listeners) listener(alert);
      webhooks.deliver(alert);
      trail.emit({ action: `alert.${alert.rule}`, outcome: 'success', reason: alert.summary, actor: {}, resource: alertResource(alert.key), detail: { severity: alert.severity, ...alert.detail } });
    };
    const monitor = new Monitor({ config: config.monitoring, clock, raise });
    // The sealer found the stored trail changed behind its back: it stops sealing, and people must know.
    sealer.onTamper = (error) => {
      log.error({ event: 'audit.tamper_detected', reason: error.message }, 'the audit trail was changed behind Palisade’s back: sealing stopped');
      raise({ rule: 'audit_tamper', key: 'audit:chain', severity: 'critical', summary: `The audit trail was tampered with: ${error.message}. Sealing has stopped; run palisade audit verify.`, at: clock.now(), detail: { suppressed: 0 } });
    };
    trail.onEvent((event) => {
      if (!event.action.startsWith('alert.')) monitor.observe(event);
    });
    sealer.start();
    const stop = async () => {
      // What is queued is written, then sealed, before the database closes.
      await trail.close();
      await sealer.stop();
      await sealer.drain().catch((err: unknown) => log.error({ err }, 'final audit sealing failed'));
      await webhooks.close();
      await Promise.allSettled([...logging]);
    };
    try {
      await recordConfiguration(db, trail, config);
    } catch (error) {
      await stop().catch(() => undefined);
      throw error;
    }
    const api: AuditModuleApi = {
      trail,
      monitor,
      onAlert: (listener) => void listeners.push(listener),
      sealerLag: () => sealerLag(db, clock),
      raise,
    };
    return {
      api,
      async routes(app) {
        await app.register(auditRoutes, { db, audit: trail, signer, clock });
      },
      stop,
    };
  },
});
