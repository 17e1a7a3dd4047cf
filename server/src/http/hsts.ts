/**
 * Strict-Transport-Security on every answer: one year, subdomains included. The one definition
 * that helmet (app.ts) and the start-up gate (starting.ts) send, and that the compliance report
 * reads as the live policy.
 */
export interface HstsPolicy {
  readonly maxAge: number;
  readonly includeSubDomains: boolean;
}

export const HSTS: HstsPolicy = { maxAge: 31_536_000, includeSubDomains: true };

/** The header's value, as helmet writes it. */
export function hstsHeader(policy: HstsPolicy): string {
  return `max-age=${policy.maxAge}${policy.includeSubDomains ? '; includeSubDomains' : ''}`;
}
