/**
 * The compliance report: every check evaluated once on the live facts, then every control of the
 * catalogue given the worst status of its checks (not met over the operator's responsibility over
 * met; a control without checks is the operator's). The JSON shape is `palisade-compliance-report/1`
 * (REPORT_SCHEMA, the admin API's response schema); the CLI writes the same object, or its HTML.
 */
import { CATALOGUE, FRAMEWORKS } from './catalogue.ts';
import { CHECK_IDS, CHECKS, type CheckId, type CheckStatus, type Finding } from './evaluators.ts';
import type { ComplianceFacts } from './facts.ts';

export const REPORT_FORMAT = 'palisade-compliance-report/1';

/** Said at the top of every report, JSON and HTML. */
export const DISCLAIMER =
  'This report is not a certification or an attestation of compliance with any framework. It shows how this Palisade instance’s live configuration and state meet the technical controls Palisade maps itself to; an auditor decides compliance, and many controls are the operator’s.';

export interface CheckResult extends Finding {
  id: CheckId;
  title: string;
  settings: readonly string[];
  tests: readonly string[];
}

export interface ControlResult {
  id: string;
  ref: string;
  title: string;
  status: CheckStatus;
  checks: CheckId[];
  /** The fixes of its checks that are not met. */
  fixes: string[];
  responsibility?: string;
}

export interface Counts {
  met: number;
  notMet: number;
  operator: number;
}

export interface ComplianceReport {
  format: typeof REPORT_FORMAT;
  generatedAt: string;
  disclaimer: string;
  instance: { publicUrl: string; production: boolean; configSource: string };
  summary: Counts & { controls: number };
  evidence: {
    lastAuditVerify: { at: string; ok: boolean; checked: number | null; firstSeq: number | null; lastSeq: number | null; via: 'api' | 'cli' | null } | null;
    signingKeys: { kid: string; alg: string; ageDays: number; state: 'active' | 'next' | 'retired' }[];
    appKeys: { appId: string; id: string; status: string; ageDays: number }[];
    openIncidents: { id: string; secondsLeft: number; notifyBy: string }[];
  };
  checks: CheckResult[];
  frameworks: { id: string; name: string; scope: string; summary: Counts; controls: ControlResult[] }[];
}

const RANK: Record<CheckStatus, number> = { met: 0, operator: 1, 'not-met': 2 };
const DAY = 86_400_000;

function count(statuses: CheckStatus[]): Counts {
  return { met: statuses.filter((s) => s === 'met').length, notMet: statuses.filter((s) => s === 'not-met').length, operator: statuses.filter((s) => s === 'operator').length };
}

export function buildReport(facts: ComplianceFacts): ComplianceReport {
  const results = new Map<CheckId, CheckResult>();
  for (const id of CHECK_IDS) {
    const check = CHECKS[id];
    let finding: Finding;
    try {
      finding = check.evaluate(facts);
    } catch (error) {
      // A check that cannot read its facts does not vouch for anything.
      finding = { status: 'not-met', summary: `the check could not be evaluated: ${(error as Error).message}`, evidence: {}, fix: 'fix the setting named in the message' };
    }
    results.set(id, { id, title: check.title, settings: check.settings, tests: check.tests, ...finding });
  }
  const frameworks = FRAMEWORKS.map((f) => {
    const controls = CATALOGUE.filter((c) => c.framework === f.id).map((c): ControlResult => {
      const found = c.checks.map((id) => results.get(id)!);
      const status = found.length === 0 ? 'operator' : found.reduce<CheckStatus>((worst, r) => (RANK[r.status] > RANK[worst] ? r.status : worst), 'met');
      const fixes = found.filter((r) => r.status === 'not-met' && r.fix).map((r) => r.fix!);
      return { id: c.id, ref: c.ref, title: c.title, status, checks: [...c.checks], fixes, ...(c.responsibility ? { responsibility: c.responsibility } : {}) };
    });
    return { id: f.id, name: f.name, scope: f.scope, summary: count(controls.map((c) => c.status)), controls };
  });
  const all = frameworks.flatMap((f) => f.controls.map((c) => c.status));
  return {
    format: REPORT_FORMAT,
    generatedAt: new Date(facts.now).toISOString(),
    disclaimer: DISCLAIMER,
    instance: { publicUrl: facts.config.publicUrl, production: facts.config.production, configSource: facts.config.source },
    summary: { ...count(all), controls: all.length },
    evidence: {
      lastAuditVerify: facts.lastAuditVerify ? { ...facts.lastAuditVerify, at: new Date(facts.lastAuditVerify.at).toISOString() } : null,
      signingKeys: facts.signingKeys.map((k) => ({ kid: k.kid, alg: k.alg, ageDays: Math.floor((facts.now - k.createdAt) / DAY), state: k.retiredAt !== null ? 'retired' : k.activatedAt !== null ? 'active' : 'next' })),
      appKeys: facts.appKeys.map((k) => ({ appId: k.appId, id: k.id, status: k.status, ageDays: Math.floor((facts.now - k.createdAt) / DAY) })),
      openIncidents: facts.incidents.map((i) => ({ id: i.id, secondsLeft: i.secondsLeft, notifyBy: new Date(facts.now + i.secondsLeft * 1000).toISOString() })),
    },
    checks: [...results.values()],
    frameworks,
  };
}

const STATUS = { type: 'string', enum: ['met', 'not-met', 'operator'] } as const;
const COUNTS = { type: 'object', additionalProperties: false, required: ['met', 'notMet', 'operator'], properties: { met: { type: 'integer' }, notMet: { type: 'integer' }, operator: { type: 'integer' } } } as const;
const STRINGS = { type: 'array', items: { type: 'string' } } as const;

/** The JSON Schema of the report: the admin API's response, so its shape is part of the API. */
export const REPORT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['format', 'generatedAt', 'disclaimer', 'instance', 'summary', 'evidence', 'checks', 'frameworks'],
  properties: {
    format: { type: 'string', enum: [REPORT_FORMAT] },
    generatedAt: { type: 'string', format: 'date-time' },
    disclaimer: { type: 'string' },
    instance: { type: 'object', additionalProperties: false, required: ['publicUrl', 'production', 'configSource'], properties: { publicUrl: { type: 'string' }, production: { type: 'boolean' }, configSource: { type: 'string' } } },
    summary: { type: 'object', additionalProperties: false, required: ['met', 'notMet', 'operator', 'controls'], properties: { ...COUNTS.properties, controls: { type: 'integer' } } },
    evidence: {
      type: 'object',
      additionalProperties: false,
      required: ['lastAuditVerify', 'signingKeys', 'appKeys', 'openIncidents'],
      properties: {
        lastAuditVerify: { type: ['object', 'null'], additionalProperties: false, required: ['at', 'ok', 'checked', 'firstSeq', 'lastSeq', 'via'], properties: { at: { type: 'string', format: 'date-time' }, ok: { type: 'boolean' }, checked: { type: ['integer', 'null'] }, firstSeq: { type: ['integer', 'null'], description: 'The range verified (null: recorded before ranges were).' }, lastSeq: { type: ['integer', 'null'] }, via: { type: ['string', 'null'], enum: ['api', 'cli', null], description: 'The admin API (and console) or `palisade audit verify`.' } } },
        signingKeys: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['kid', 'alg', 'ageDays', 'state'], properties: { kid: { type: 'string' }, alg: { type: 'string' }, ageDays: { type: 'integer' }, state: { type: 'string', enum: ['active', 'next', 'retired'] } } } },
        appKeys: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['appId', 'id', 'status', 'ageDays'], properties: { appId: { type: 'string' }, id: { type: 'string' }, status: { type: 'string' }, ageDays: { type: 'integer' } } } },
        openIncidents: { type: 'array', items: { type: 'object', additionalProperties: false, required: ['id', 'secondsLeft', 'notifyBy'], properties: { id: { type: 'string' }, secondsLeft: { type: 'integer', description: 'Negative: overdue.' }, notifyBy: { type: 'string', format: 'date-time' } } } },
      },
    },
    checks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'status', 'summary', 'evidence', 'settings', 'tests'],
        properties: {
          id: { type: 'string' },
          title: { type: 'string' },
          status: STATUS,
          summary: { type: 'string' },
          evidence: { type: 'object', additionalProperties: true, description: 'The values read: settings by their path, state by a short name. Never a secret.' },
          fix: { type: 'string' },
          settings: STRINGS,
          tests: { ...STRINGS, description: 'Test files (paths in the repository) that guard the behaviour.' },
        },
      },
    },
    frameworks: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'name', 'scope', 'summary', 'controls'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          scope: { type: 'string' },
          summary: COUNTS,
          controls: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['id', 'ref', 'title', 'status', 'checks', 'fixes'],
              properties: { id: { type: 'string' }, ref: { type: 'string' }, title: { type: 'string' }, status: STATUS, checks: STRINGS, fixes: STRINGS, responsibility: { type: 'string' } },
            },
          },
        },
      },
    },
  },
} as const;
