/**
 * Who is asking, for the whole of one request: the HTTP pipeline fills it (IP, user agent,
 * request id; user, session, device and app once the token is verified) and every audit record
 * written while serving that request is attributed from it. Modules therefore say *what*
 * happened, never re-plumb *who*.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { AuditActor } from './event.ts';

export interface RequestContext {
  actor: AuditActor;
  requestId?: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentContext(): RequestContext | undefined {
  return requestContext.getStore();
}
