/**
 * Security monitoring: rules that watch the stream of audit events (and API responses) and
 * raise an alert when something looks like an attack — repeated failed sign-ins, an export far
 * above a user's habit, work outside working hours, a burst of refused API calls, a device that
 * reports itself compromised, a replayed refresh token.
 *
 * The monitor keeps its state in memory, per instance: windows are computed from the events'
 * own times and stale state is dropped by the injected clock, so there are no timers. Every
 * table of keys (accounts, IPs, users, apps, …) is capped and forgets the least recently seen
 * key first, so an attacker spraying addresses cannot grow memory without limit — and, because
 * each kind of key has its own table, cannot push the account under attack out of memory either.
 * State starts empty on restart (export baselines are relearned).
 */
export { MonitoringSchema, monitoringProblems, type DayName, type MonitoringConfig } from './monitor/config.ts';
export { Monitor, alertResource, type Alert, type AlertSeverity, type MonitorOptions } from './monitor/rules.ts';
