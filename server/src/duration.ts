/**
 * Durations in configuration are written the way operators say them: `90s`, `15m`, `7d`.
 * Plain numbers are refused on purpose: "900" could be seconds or milliseconds, and a
 * token lifetime off by a factor of 1000 is a security bug.
 */
export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h|d)$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `15m` into milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (!match) throw new TypeError(`"${text}" is not a duration like 30s, 15m, 7d`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** Whole seconds, as OAuth lifetimes (`expires_in`, `exp`) are expressed. */
export function durationSeconds(text: string): number {
  return Math.floor(parseDuration(text) / 1000);
}
