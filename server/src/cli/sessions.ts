/**
 * Sessions for the commands that end sessions outside a running server (device wipes and locks,
 * incident containment, erasure). A running server's modules register what each deletes when a
 * session ends (Sessions.onEnd); the commands have no modules, so the same endings are
 * registered here: the grant's refresh tokens and codes (oauth) and the request signing key
 * (apisec), each through its owner's store.
 */
import { systemClock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import type { SharedCache } from '../cache/index.ts';
import { parseDuration } from '../duration.ts';
import { deleteGrantRecords } from '../oauth/index.ts';
import { deleteSessionSigningKey } from '../apisec/index.ts';
import { Sessions } from '../sessions/index.ts';
import { consoleLog } from './shared.ts';

export function operatorSessions(db: Database, config: ResolvedConfig, options: { cache?: SharedCache; audit?: AuditSink } = {}): Sessions {
  const sessions = new Sessions(db, systemClock, parseDuration(config.tokens.accessTokenTtl), consoleLog, options.cache, options.audit);
  sessions.onEnd((tx, sessionId) => deleteGrantRecords(tx, sessionId));
  sessions.onEnd((tx, sessionId) => deleteSessionSigningKey(tx, sessionId));
  return sessions;
}
