/**
 * The breach clock (GDPR Art. 33 and 34). `openIncident` records a personal-data breach with its
 * detection time: the supervisory authority must be told within 72 hours of it. The clock shows
 * in /metrics (`palisade_breach_notification_seconds_left`), alerts are raised at 48 h and 68 h
 * (once each, whichever instance sees it first), `scopeIncident` computes from the audit trail
 * which people and records a user, session, app or address touched in a window, and
 * `reportIncident` writes the notification draft and the list of people to notify, in Markdown
 * and JSON. Every step is audited (`incident.open`, `incident.scope`, `incident.report`).
 */
import type { Clock } from '../clock.ts';
import type { Database } from '../db/index.ts';
import type { AuditSink } from '../audit/index.ts';
import { PalisadeError } from '../errors/index.ts';
import {
  assigneesOf,
  claimAlert,
  eventsInScope,
  findIncident,
  insertIncident,
  peopleByIds,
  runningIncidents,
  saveReportFacts,
  saveScope,
  type IncidentRow,
  type ScopeFilter,
} from './breach-store.ts';

const HOUR = 3_600_000;
export const NOTIFY_WITHIN_MS = 72 * HOUR;
/** The alerts, by the hours since detection at which they are raised. */
export const BREACH_ALERTS = [
  { name: '48h', afterMs: 48 * HOUR, severity: 'high' },
  { name: '68h', afterMs: 68 * HOUR, severity: 'critical' },
] as const;
/** Records a scope reads at most (it says so when it stopped there). */
export const SCOPE_LIMIT = 200_000;

export interface BreachDeps {
  db: Database;
  audit: AuditSink;
  clock: Clock;
}

export class UnknownIncidentError extends PalisadeError<'ERR_UNKNOWN_INCIDENT'> {
  constructor(message: string) {
    super('ERR_UNKNOWN_INCIDENT', message);
  }
}

export type Incident = IncidentRow;

export async function openIncident(deps: BreachDeps, input: { summary: string; detectedAt?: Date; openedBy: string }): Promise<Incident> {
  const now = new Date(deps.clock.now());
  const detectedAt = input.detectedAt ?? now;
  if (detectedAt.getTime() > now.getTime()) throw new RangeError('the detection time is in the future');
  return deps.db.asOwner(async (q) => {
    const incident = await insertIncident(q, { summary: input.summary, detectedAt, openedAt: now, openedBy: input.openedBy });
    await deps.audit.record(q, {
      action: 'incident.open',
      outcome: 'success',
      reason: input.summary,
      actor: {},
      resource: { type: 'incident', id: incident.id },
      detail: { detectedAt: detectedAt.toISOString(), notifyBy: deadlineOf(incident).toISOString() },
    });
    return incident;
  });
}

export const deadlineOf = (incident: Pick<Incident, 'detectedAt'>): Date => new Date(new Date(incident.detectedAt).getTime() + NOTIFY_WITHIN_MS);

export async function getIncident(db: Database, id: string | undefined): Promise<Incident> {
  const incident = await db.asOwner((q) => findIncident(q, id));
  if (!incident) throw new UnknownIncidentError(id ? `no incident ${id}` : 'no open incident: open one with palisade incident open --summary …');
  return incident;
}

/** Every running clock: seconds left to notify (negative: overdue), per incident. */
export async function runningClocks(db: Database, clock: Clock): Promise<{ incident: string; seconds: number }[]> {
  const running = await db.asOwner((q) => runningIncidents(q));
  return running.map((i) => ({ incident: i.id, seconds: Math.round((deadlineOf(i).getTime() - clock.now()) / 1000) }));
}

export interface OpenIncident {
  id: string;
  summary: string;
  detectedAt: Date;
  openedAt: Date;
  openedBy: string;
  notifyBy: Date;
  /** Negative: overdue. */
  secondsLeft: number;
  alertsSent: string[];
}

/** The incidents whose clock runs (not notified, not closed), the nearest deadline first, at most `limit`. */
export async function openIncidents(db: Database, clock: Clock, limit = 100): Promise<OpenIncident[]> {
  const running = await db.asOwner((q) => runningIncidents(q));
  return running.slice(0, limit).map((i) => ({
    id: i.id,
    summary: i.summary,
    detectedAt: i.detectedAt,
    openedAt: i.openedAt,
    openedBy: i.openedBy,
    notifyBy: deadlineOf(i),
    secondsLeft: Math.round((deadlineOf(i).getTime() - clock.now()) / 1000),
    alertsSent: i.alertsSent,
  }));
}

/** Seconds left on the earliest running clock (negative: overdue); null when none runs. */
export async function secondsLeft(db: Database, clock: Clock): Promise<number | null> {
  const running = await db.asOwner((q) => runningIncidents(q));
  if (running.length === 0) return null;
  return Math.round((deadlineOf(running[0]!).getTime() - clock.now()) / 1000);
}

export interface BreachAlert {
  incidentId: string;
  alert: (typeof BREACH_ALERTS)[number];
  notifyBy: Date;
}

/** The 48 h and 68 h alerts now due and not raised before (claimed, so each is raised once across instances). */
export async function dueAlerts(deps: Pick<BreachDeps, 'db' | 'clock'>): Promise<BreachAlert[]> {
  const now = deps.clock.now();
  return deps.db.asOwner(async (q) => {
    const due: BreachAlert[] = [];
    for (const incident of await runningIncidents(q)) {
      const since = now - new Date(incident.detectedAt).getTime();
      for (const alert of BREACH_ALERTS) {
        if (since >= alert.afterMs && !incident.alertsSent.includes(alert.name) && (await claimAlert(q, incident.id, alert.name))) {
          due.push({ incidentId: incident.id, alert, notifyBy: deadlineOf(incident) });
        }
      }
    }
    return due;
  });
}

/** What the actions in the trail were about, in the words of a notification. */
function categoryOf(action: string, resourceType: string | null): string {
  if (action.startsWith('export.')) return 'bulk exports (jobs, customers, sites)';
  switch (resourceType) {
    case 'job':
      return 'field-service jobs';
    case 'photo':
      return 'photos';
    case 'site':
    case 'customer':
      return 'customers and sites (contact details, access notes)';
    case 'user':
      return 'people (profile, roles)';
    case 'session':
      return 'sessions';
    case 'device':
      return 'devices';
    case 'technician':
    case 'location':
      return 'technicians and locations';
    default:
      return resourceType ? resourceType : 'other';
  }
}

const READS = /\.(read|list|search)$|^export\./;

export interface ScopeCategory {
  category: string;
  recordsRead: number;
  recordsChanged: number;
  refused: number;
}

export interface IncidentScope {
  filter: { userId?: string; sessionId?: string; appId?: string; ip?: string; from: string; to: string };
  events: number;
  /** True when the trail held more than SCOPE_LIMIT records in scope: the counts are a lower bound. */
  truncated: boolean;
  categories: ScopeCategory[];
  /** People whose data was read or changed: users acted on, technicians of jobs read, the accounts used. */
  people: { id: string; name: string | null; email: string | null }[];
}

export async function scopeIncident(deps: BreachDeps, incidentId: string | undefined, filter: ScopeFilter): Promise<IncidentScope> {
  if (!filter.userId && !filter.sessionId && !filter.appId && !filter.ip) throw new RangeError('give at least one of --user, --session, --app or --ip');
  if (filter.to.getTime() <= filter.from.getTime()) throw new RangeError('--to must be after --from');
  const incident = await getIncident(deps.db, incidentId);
  const scope = await deps.db.asOwner(async (q) => {
    const events = await eventsInScope(q, filter, SCOPE_LIMIT + 1);
    const truncated = events.length > SCOPE_LIMIT;
    const counted = events.slice(0, SCOPE_LIMIT);
    const byCategory = new Map<string, { read: Set<string>; changed: Set<string>; refused: number }>();
    const people = new Set<string>();
    const jobs = new Set<string>();
    for (const e of counted) {
      const category = categoryOf(e.action, e.resourceType);
      const entry = byCategory.get(category) ?? { read: new Set<string>(), changed: new Set<string>(), refused: 0 };
      byCategory.set(category, entry);
      if (e.outcome !== 'success') {
        entry.refused += 1;
        continue;
      }
      const record = `${e.resourceType}:${e.resourceId ?? e.action}`;
      (READS.test(e.action) ? entry.read : entry.changed).add(record);
      if (e.resourceType === 'user' && e.resourceId) people.add(e.resourceId);
      if (e.resourceType === 'job' && e.resourceId) jobs.add(e.resourceId);
      if (e.actorUserId && /^[0-9a-f-]{36}$/.test(e.actorUserId)) people.add(e.actorUserId);
    }
    for (const id of await assigneesOf(q, [...jobs])) people.add(id);
    const result: IncidentScope = {
      filter: { ...(filter.userId ? { userId: filter.userId } : {}), ...(filter.sessionId ? { sessionId: filter.sessionId } : {}), ...(filter.appId ? { appId: filter.appId } : {}), ...(filter.ip ? { ip: filter.ip } : {}), from: filter.from.toISOString(), to: filter.to.toISOString() },
      events: counted.length,
      truncated,
      categories: [...byCategory].map(([category, c]) => ({ category, recordsRead: c.read.size, recordsChanged: c.changed.size, refused: c.refused })).sort((a, b) => a.category.localeCompare(b.category)),
      people: await peopleByIds(q, [...people]),
    };
    await saveScope(q, incident.id, result);
    // The record holds counts, never the people: the trail must not become the notification list.
    await deps.audit.record(q, {
      action: 'incident.scope',
      outcome: 'success',
      actor: {},
      resource: { type: 'incident', id: incident.id },
      detail: { filter: result.filter, events: result.events, truncated, people: result.people.length, categories: result.categories.length },
    });
    return result;
  });
  return scope;
}

export interface IncidentReport {
  markdown: string;
  json: Record<string, unknown>;
  /** Art. 34: the people to notify (Markdown and JSON). */
  peopleMarkdown: string;
  peopleJson: IncidentScope['people'];
}

const CONSEQUENCES: Record<string, string> = {
  'field-service jobs': 'exposure of work locations and schedules of technicians, and of customers’ addresses',
  photos: 'exposure of images of customer sites, which may show people or premises',
  'customers and sites (contact details, access notes)': 'exposure of customers’ contact details and of site access notes (door codes, key locations): risk of unauthorised entry',
  'people (profile, roles)': 'exposure of employees’ names, e-mail addresses and roles: phishing and social engineering',
  sessions: 'use of employees’ sign-ins by someone else',
  devices: 'misuse of enrolled devices',
  'technicians and locations': 'exposure of technicians’ movements',
  'bulk exports (jobs, customers, sites)': 'exposure of a large set of records at once',
};

/** The notification draft (Art. 33(3)) and the list of people to notify (Art. 34), from the incident and its last scope. */
export async function reportIncident(deps: BreachDeps, incidentId: string | undefined, input: { contact: string; measures?: string; notifiedAt?: Date }): Promise<IncidentReport> {
  let incident = await getIncident(deps.db, incidentId);
  await deps.db.asOwner((q) => saveReportFacts(q, incident.id, input.measures, input.notifiedAt));
  incident = await getIncident(deps.db, incident.id);
  const scope = (incident.scope ?? null) as IncidentScope | null;
  const now = new Date(deps.clock.now());
  const deadline = deadlineOf(incident);
  const hoursLeft = Math.round((deadline.getTime() - now.getTime()) / HOUR);
  const categories = scope?.categories ?? [];
  const records = categories.reduce((n, c) => n + c.recordsRead + c.recordsChanged, 0);
  const people = scope?.people ?? [];
  const consequences = categories.map((c) => CONSEQUENCES[c.category]).filter((c): c is string => !!c);
  const json = {
    draft: true,
    incident: incident.id,
    nature: incident.summary,
    detectedAt: new Date(incident.detectedAt).toISOString(),
    notifyBy: deadline.toISOString(),
    ...(incident.notifiedAt ? { notifiedAt: new Date(incident.notifiedAt).toISOString() } : { hoursLeft }),
    scope: scope ? { filter: scope.filter, truncated: scope.truncated } : null,
    categories,
    approximateNumberOfPeople: people.length,
    approximateNumberOfRecords: records,
    likelyConsequences: consequences,
    measuresTaken: incident.measures,
    contact: input.contact,
    generatedAt: now.toISOString(),
  };
  const lines = [
    `# Personal data breach notification — DRAFT`,
    '',
    `Incident ${incident.id}. Draft generated ${now.toISOString()} by Palisade from its audit trail; review every statement before sending (GDPR Art. 33(3)).`,
    '',
    `- **Nature of the breach:** ${incident.summary}`,
    `- **Detected:** ${json.detectedAt}`,
    `- **Notification due by:** ${json.notifyBy} (72 hours after detection)${incident.notifiedAt ? `; notified ${new Date(incident.notifiedAt).toISOString()}` : `; ${hoursLeft >= 0 ? `${hoursLeft} h left` : `${-hoursLeft} h overdue: give the reasons for the delay`}`}`,
    `- **Approximate number of people concerned:** ${people.length}`,
    `- **Approximate number of records concerned:** ${records}${scope?.truncated ? ' (at least: the scope stopped at its limit)' : ''}`,
    `- **Contact point:** ${input.contact}`,
    '',
    '## Categories of personal data and records',
    '',
    ...(categories.length
      ? ['| category | records read | records changed | attempts refused |', '|---|--:|--:|--:|', ...categories.map((c) => `| ${c.category} | ${c.recordsRead} | ${c.recordsChanged} | ${c.refused} |`)]
      : ['No scope computed yet: run `palisade incident scope` first.']),
    '',
    '## Likely consequences',
    '',
    ...(consequences.length ? consequences.map((c) => `- ${c}`) : ['- to be assessed']),
    '',
    '## Measures taken or proposed',
    '',
    incident.measures ?? 'To be described (`palisade incident report --measures …`), e.g. the containment done with `palisade incident contain`.',
    '',
    scope ? `Scope: audit records ${scope.filter.from} – ${scope.filter.to} of ${Object.entries(scope.filter).filter(([k]) => k !== 'from' && k !== 'to').map(([k, v]) => `${k} ${v}`).join(', ')}.` : '',
    '',
  ];
  const peopleLines = [
    `# People to notify (GDPR Art. 34) — incident ${incident.id}`,
    '',
    `${people.length} people whose data was read or changed in the scope. Notify them without undue delay when the breach is likely to result in a high risk to them.`,
    '',
    '| name | e-mail | user id |',
    '|---|---|---|',
    ...people.map((p) => `| ${p.name ?? ''} | ${p.email ?? ''} | ${p.id} |`),
    '',
  ];
  await deps.db.transaction((tx) =>
    deps.audit.record(tx, { action: 'incident.report', outcome: 'success', actor: {}, resource: { type: 'incident', id: incident.id }, detail: { people: people.length, records, notified: !!incident.notifiedAt } }),
  );
  return { markdown: lines.join('\n'), json, peopleMarkdown: peopleLines.join('\n'), peopleJson: people };
}
