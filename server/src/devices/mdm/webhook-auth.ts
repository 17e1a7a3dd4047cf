/**
 * Credentials on incoming MDM notifications: HTTP Basic (Jamf "Basic Authentication",
 * Workspace ONE event notifications) and a fixed header secret (Jamf "Header Authentication").
 * Every comparison is constant-time (security/primitives.ts), so response timing tells an
 * attacker nothing about how much of a guess was right.
 */
import { constantTimeEqual } from '../../security/index.ts';
import { header } from './http.ts';
import type { MdmWebhookRequest, WebhookVerdict } from './types.ts';

export interface BasicCredentials {
  username: string;
  password: string;
}

/** RFC 7617: `Authorization: Basic base64(user-id ":" password)`. */
export function verifyBasicAuth(request: MdmWebhookRequest, expected: BasicCredentials): WebhookVerdict {
  const value = header(request.headers, 'authorization');
  if (value === undefined) return { ok: false, code: 'credentials-missing', detail: 'no Authorization header' };
  const match = /^Basic[ ]+([A-Za-z0-9+/]+={0,2})$/i.exec(value.trim());
  if (!match) return { ok: false, code: 'credentials-invalid', detail: 'the Authorization header is not Basic credentials' };
  const presented = Buffer.from(match[1]!, 'base64');
  const wanted = Buffer.from(`${expected.username}:${expected.password}`, 'utf8');
  if (!constantTimeEqual(presented, wanted)) return { ok: false, code: 'credentials-invalid', detail: 'wrong user name or password' };
  return { ok: true };
}

export interface HeaderSecret {
  /** The header name set in the MDM's webhook settings, e.g. `X-Palisade-Webhook-Secret` or `Authorization`. */
  name: string;
  /** Its whole value, e.g. the secret itself or `Bearer <secret>`. */
  value: string;
}

export function verifyHeaderSecret(request: MdmWebhookRequest, expected: HeaderSecret): WebhookVerdict {
  const value = header(request.headers, expected.name);
  if (value === undefined) return { ok: false, code: 'credentials-missing', detail: `no ${expected.name} header` };
  if (!constantTimeEqual(value.trim(), expected.value)) return { ok: false, code: 'credentials-invalid', detail: `wrong ${expected.name} header` };
  return { ok: true };
}

/** Configuration checks that refuse secrets too short to resist guessing over the network. */
export function assertStrongSecret(what: string, secret: string): void {
  if (secret.length < 16) throw new TypeError(`${what} must be at least 16 characters (a random value, e.g. openssl rand -base64 24)`);
}
