/**
 * Who is asking, for the whole of one request: the HTTP pipeline fills it (IP, user agent,
 * request id; user, session, device and app once the token is verified) and every audit record
 * written while serving that request is attributed from it. Modules therefore say *what*
 * happened, never re-plumb *who*. A root file (no module's): the HTTP pipeline and the CLI fill it,
 * the audit trail reads it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditActor } from './audit/index.ts';

export interface RequestContext {
  actor: AuditActor;
  requestId?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return requestContext.getStore();
}
