/**
 * What one audit record says. Every module describes what happened in these terms; the audit
 * trail stores it (same transaction as the change it describes, or batched for reads), the
 * sealer chains it, and the monitor watches the stream of them.
 */

/** Who did it, as far as the request tells. Absent fields are unknown, not empty. */
export interface AuditActor {
  /** Palisade user id (uuid), or `system` / `cli` for work nobody asked for over HTTP. */
  userId?: string;
  sessionId?: string;
  /** Device key thumbprint (the DPoP `jkt`). */
  deviceId?: string;
  /** The app: OAuth client_id (later, the app-key id). */
  appId?: string;
  ip?: string;
  userAgent?: string;
}

export type AuditOutcome = 'success' | 'failure' | 'denied' | 'error';

export interface AuditEvent {
  /**
   * Dotted verb such as `auth.login`, `token.refresh`, `token.reuse`, `session.revoke`,
   * `http.denied`, `job.read`, `scim.user.update`, `config.change`, `security.rate_limit_lockout`,
   * `device.compromised`, `alert.brute_force`. The catalogue is in docs/audit.md.
   */
  action: string;
  outcome: AuditOutcome;
  /** Why it ended as it did (a problem type or a short machine-readable word). */
  reason?: string;
  actor: AuditActor;
  resource?: { type: string; id?: string };
  requestId?: string;
  /** For changes: the fields that differ, sensitive values already redacted. */
  changes?: { before?: Record<string, unknown>; after?: Record<string, unknown> };
  /** Anything else worth keeping (counts, the route, the status code). Never secrets. */
  detail?: Record<string, unknown>;
}

/** An event as stored: with its time (ms since the epoch) and row id. */
export interface StoredAuditEvent extends AuditEvent {
  id: number;
  at: number;
}
