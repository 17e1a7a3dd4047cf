/**
 * The compliance policy: rules per app and per ownership (corporate or BYOD), and the decision
 * for one device from the facts known about it. The MDM's facts outweigh the app's own report
 * (a tampered app can claim anything; the MDM's agent is a separate witness). Pure: no I/O.
 */
import { Problem } from '../../http/index.ts';
import type { MdmDeviceState } from '../mdm/index.ts';
import type { PostureReport, ReportPlatform } from './report.ts';

export type Ownership = 'corporate' | 'byod';

/** One ownership's rules as configured (every field optional: defaults below). */
export interface RulesInput {
  minOsVersion?: { ios?: string; android?: string };
  minAppVersion?: string;
  blockJailbroken?: boolean;
  requirePasscode?: boolean;
  requireMdm?: boolean;
  requireMfa?: boolean;
  requireAttestation?: boolean;
  requirePosture?: boolean;
  allowOffline?: boolean;
  allowExport?: boolean;
  features?: string[];
}

export type Rules = Required<Omit<RulesInput, 'minOsVersion' | 'minAppVersion'>> & Pick<RulesInput, 'minOsVersion' | 'minAppVersion'>;

/** The `devicePolicy` section of the configuration. */
export interface DevicePolicyConfig {
  default?: { corporate?: RulesInput; byod?: RulesInput };
  apps?: Record<string, { corporate?: RulesInput; byod?: RulesInput }>;
  /** `acr` values of the company IdP that mean multi-factor (besides `amr` containing `mfa`). */
  mfaAcrValues?: string[];
}

/**
 * Defaults when nothing is configured. Corporate devices are trusted with offline data and
 * export; personal ones are not, and their person must have signed in with MFA. Every app must
 * send a posture report (a device that says nothing about itself would otherwise escape every
 * rule the report feeds), except browser clients (`isBrowserClient`), which have no device to
 * report: `rulesFor` turns `requirePosture` off for them unless configured. An operator may
 * relax it per app (`devicePolicy.apps.<id>.<ownership>.requirePosture: false`); `palisade
 * config check` warns when they do.
 */
export const DEFAULT_RULES: Record<Ownership, Rules> = {
  corporate: {
    blockJailbroken: true,
    requirePasscode: true,
    requireMdm: true,
    requireMfa: false,
    requireAttestation: false,
    requirePosture: true,
    allowOffline: true,
    allowExport: true,
    features: [],
  },
  byod: {
    blockJailbroken: true,
    requirePasscode: true,
    requireMdm: false,
    requireMfa: true,
    requireAttestation: false,
    requirePosture: true,
    allowOffline: false,
    allowExport: false,
    features: [],
  },
};

/**
 * A client is a browser client when it is confidential (it has a `secret`: client_secret_basic,
 * OIDC `application_type: web`, as oauth/provider.ts registers it) — a web app or resource
 * server whose users sign in through a browser — or when the operator registers it as one
 * (`clients[].platform: web`: a public web app built on the SDK's web build, whose device key
 * is a non-extractable WebCrypto key and whose posture report names platform `web`). Every other
 * public client (`token_endpoint_auth_method: none`, `application_type: native`) is an app on a
 * device (RFC 8252) and must report its posture unless the operator relaxes it. The redirect
 * URI is no sign: native apps may claim https redirects (universal links), so it would let a
 * mobile app pass for a web page.
 */
export function isBrowserClient(client: { secret?: string | undefined; platform?: 'native' | 'web' | undefined }): boolean {
  return client.secret !== undefined || client.platform === 'web';
}

/**
 * The platforms whose posture report an app may send: a browser client's is `web` (the SDK's
 * web build reports the app version and the user agent's own hints, and no device facts); a
 * device app's are `ios` and `android`. A report naming another platform is refused: a device
 * app claiming to be a browser would otherwise escape the jailbreak, passcode and OS rules.
 */
export function platformsOf(browser: boolean): readonly ReportPlatform[] {
  return browser ? ['web'] : ['ios', 'android'];
}

/**
 * The rules for one app and ownership: the app's own over the configured default over the
 * built-in one. `browser`: the app is a browser client (`isBrowserClient`), for which the
 * built-in `requirePosture` is false.
 */
export function rulesFor(policy: DevicePolicyConfig | undefined, clientId: string, ownership: Ownership, browser = false): Rules {
  const base = browser ? { ...DEFAULT_RULES[ownership], requirePosture: false } : DEFAULT_RULES[ownership];
  const configured = policy?.default?.[ownership] ?? {};
  const own = policy?.apps?.[clientId]?.[ownership] ?? {};
  const merged = { ...base, ...strip(configured), ...strip(own) } as Rules;
  // A browser client has no device to show: the default's version minimums (meant for device
  // apps) do not reach it, or every web app without a report would be refused. Minimums
  // configured on the browser client itself apply: its app version through a web report (the
  // SDK's web build sends one); OS minimums are met by a web report (a browser has no OS version
  // to hold to one) and refuse a browser client that sends none.
  const inherited = browser ? {} : configured;
  delete merged.minAppVersion;
  const minAppVersion = own.minAppVersion ?? inherited.minAppVersion;
  if (minAppVersion) merged.minAppVersion = minAppVersion;
  delete merged.minOsVersion;
  const minOsVersion = { ...inherited.minOsVersion, ...own.minOsVersion };
  if (Object.keys(minOsVersion).length) merged.minOsVersion = minOsVersion;
  return merged;
}

function strip(rules: RulesInput): RulesInput {
  return Object.fromEntries(Object.entries(rules).filter(([, v]) => v !== undefined)) as RulesInput;
}

/**
 * Compares dotted versions numerically, part by part, missing parts being zero: `17.3.9` <
 * `17.4` = `17.4.0` < `17.10`. Returns a negative number, zero or a positive number.
 */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The leading dotted number of an MDM's OS version string ("17.4.1", "iOS 17.4.1 (21E236)"), if any. */
export function versionIn(text: string | undefined): string | undefined {
  // eslint-disable-next-line security/detect-unsafe-regex -- linear: at most three dot-separated groups
  return text ? /[0-9]+(\.[0-9]+){0,3}/.exec(text)?.[0] : undefined;
}

/** What the decision is made from: the report (when one came) combined with the MDM's state. */
export interface DeviceFacts {
  ownership: Ownership;
  platform?: ReportPlatform;
  osVersion?: string;
  appVersion?: string;
  jailbroken?: boolean;
  passcodeSet?: boolean;
  managed: boolean;
  /** The MDM's own compliance verdict, when it has one. */
  mdmCompliant?: boolean;
  /** Where each security fact came from, for the audit record. */
  sources: { jailbroken?: 'mdm' | 'app'; passcodeSet?: 'mdm' | 'app' };
  /** Platform attestation verified the device key in this request. */
  attested: boolean;
  postureReported: boolean;
}

/**
 * Combines the app's report and the MDM's state. A device is corporate only when its MDM says it
 * is managed now; the app saying `managed: true` is not enough. Where the MDM knows whether the
 * device is jailbroken or has a passcode, its answer replaces the app's.
 */
export function combineFacts(report: PostureReport | undefined, mdm: MdmDeviceState | undefined, attested = false): DeviceFacts {
  const managed = mdm?.managed === true;
  const facts: DeviceFacts = { ownership: managed ? 'corporate' : 'byod', managed, sources: {}, attested, postureReported: report !== undefined };
  const platform = report?.platform ?? (mdm?.platform === 'ios' || mdm?.platform === 'android' ? mdm.platform : undefined);
  if (platform) facts.platform = platform;
  // A browser's report states no device facts (report.ts): jailbreak and passcode stay unknown
  // unless the MDM knows them, and no rule reads them from the browser.
  const device = report?.platform === 'web' ? undefined : report;
  const osVersion = device?.osVersion ?? versionIn(mdm?.osVersion);
  if (osVersion) facts.osVersion = osVersion;
  if (report?.appVersion) facts.appVersion = report.appVersion;
  if (mdm?.jailbroken !== undefined) [facts.jailbroken, facts.sources.jailbroken] = [mdm.jailbroken, 'mdm'];
  else if (device) [facts.jailbroken, facts.sources.jailbroken] = [device.jailbroken || device.rootIndicators.length > 0, 'app'];
  if (mdm?.passcodeSet !== undefined) [facts.passcodeSet, facts.sources.passcodeSet] = [mdm.passcodeSet, 'mdm'];
  else if (device) [facts.passcodeSet, facts.sources.passcodeSet] = [device.passcodeSet, 'app'];
  if (mdm && managed && mdm.compliant !== undefined) facts.mdmCompliant = mdm.compliant;
  return facts;
}

/** Reasons a device is out of policy; stable slugs (audit records, `compliance_reasons`). */
export type Violation =
  | 'posture-required'
  | 'app-update-required'
  | 'os-update-required'
  | 'device-compromised'
  | 'passcode-required'
  | 'mdm-enrollment-required'
  | 'mdm-noncompliant'
  | 'attestation-required'
  | 'mfa-required';

export interface SessionAuthentication {
  acr: string | null;
  amr: readonly string[];
}

export interface Decision {
  /** `byod` unless the MDM says the device is managed: unknown ownership is the most restrictive. */
  ownership: Ownership;
  /** `unknown`: no report came and none is required, and nothing known is wrong. */
  compliance: 'compliant' | 'noncompliant' | 'unknown';
  violations: Violation[];
  rules: Rules;
}

/**
 * The decision for a device. `session` is the sign-in the tokens are for (MFA is a property of
 * the sign-in, not the device); without it (a re-evaluation outside a token request) the MFA rule
 * is not checked.
 */
export function evaluate(facts: DeviceFacts, rules: Rules, session: SessionAuthentication | undefined, mfaAcrValues: readonly string[] = []): Decision {
  const v: Violation[] = [];
  if (rules.requirePosture && !facts.postureReported) v.push('posture-required');
  if (rules.blockJailbroken && facts.jailbroken === true) v.push('device-compromised');
  if (facts.mdmCompliant === false) v.push('mdm-noncompliant');
  if (rules.requireMdm && !facts.managed) v.push('mdm-enrollment-required');
  if (rules.requirePasscode && facts.passcodeSet === false) v.push('passcode-required');
  // A minimum the device cannot show it meets is not met (no report, a report or MDM record
  // without the version). Where the report itself is required and missing, that is the answer.
  const unshown = !facts.postureReported && rules.requirePosture;
  if (!unshown && !meetsMinOs(facts, rules)) v.push('os-update-required');
  if (!unshown && rules.minAppVersion && !(facts.appVersion && compareVersions(facts.appVersion, rules.minAppVersion) >= 0)) v.push('app-update-required');
  if (rules.requireAttestation && !facts.attested) v.push('attestation-required');
  if (session && rules.requireMfa && !hasMfa(session, mfaAcrValues)) v.push('mfa-required');
  const compliance = v.length ? 'noncompliant' : facts.postureReported ? 'compliant' : 'unknown';
  return { ownership: facts.ownership, compliance, violations: v, rules };
}

/**
 * Whether the device shows it meets the OS minimum. A minimum the device cannot show it meets is
 * not met: a known platform with a minimum but no known OS version (no report, an MDM record
 * without one) fails it. A device whose platform is unknown (no report and no MDM record naming
 * it) fails as soon as a minimum is set for any platform — it could be a device of that
 * platform, and not reporting must not be a way around the rule. A device of a platform with no
 * minimum, or under rules with no OS minimum at all, is not constrained.
 */
function meetsMinOs(facts: DeviceFacts, rules: Rules): boolean {
  const minimums = Object.values(rules.minOsVersion ?? {}).filter((m) => m);
  if (!minimums.length) return true;
  if (!facts.platform) return false;
  // OS minimums are for phones. Only a browser client's report may name the web (report.ts
  // refuses it from a device app), and a browser states no OS version to hold to one.
  if (facts.platform === 'web') return true;
  const min = rules.minOsVersion?.[facts.platform];
  if (!min) return true;
  return facts.osVersion !== undefined && compareVersions(facts.osVersion, min) >= 0;
}

export function hasMfa(session: SessionAuthentication, mfaAcrValues: readonly string[]): boolean {
  return session.amr.includes('mfa') || (session.acr !== null && mfaAcrValues.includes(session.acr));
}

/**
 * The answer to the app for the first violation, most fundamental first: a compromised device is
 * not asked to update its app. RFC 9457 problem types telling the app what to fix.
 */
const ORDER: Violation[] = [
  'device-compromised',
  'mdm-noncompliant',
  'mdm-enrollment-required',
  'attestation-required',
  'posture-required',
  'passcode-required',
  'os-update-required',
  'app-update-required',
  'mfa-required',
];

export function refusalFor(decision: Decision, platform: ReportPlatform | undefined): Problem {
  const first = ORDER.find((o) => decision.violations.includes(o))!;
  const all = { violations: ORDER.filter((o) => decision.violations.includes(o)) };
  return devicePolicyProblem(first, decision.rules, platform === 'web' ? undefined : platform, all);
}

export function devicePolicyProblem(violation: Violation, rules: Rules, platform: 'ios' | 'android' | undefined, extensions: Record<string, unknown> = {}): Problem {
  switch (violation) {
    case 'app-update-required':
      return new Problem({ type: 'app-update-required', status: 426, title: 'Update the app', detail: `This app version is not allowed, or the app did not show its version in a posture report; install ${rules.minAppVersion} or later.`, extensions: { minAppVersion: rules.minAppVersion, ...extensions } });
    case 'os-update-required': {
      // Platform unknown (no report, no MDM record): every platform's minimum, and how to show it.
      if (!platform) {
        return new Problem({ type: 'os-update-required', status: 426, title: 'Update the operating system', detail: 'This app requires a minimum OS version: send a posture report (header palisade-device-posture) showing the platform and its version.', extensions: { minOsVersion: rules.minOsVersion, ...extensions } });
      }
      const minOsVersion = rules.minOsVersion?.[platform];
      return new Problem({ type: 'os-update-required', status: 426, title: 'Update the operating system', detail: `Update the device to ${platform === 'android' ? 'Android' : 'iOS'} ${minOsVersion} or later.`, extensions: { minOsVersion, platform, ...extensions } });
    }
    case 'device-compromised':
      return new Problem({ type: 'device-compromised', status: 403, title: 'This device is not trusted', detail: 'The device appears jailbroken or rooted; company apps do not run on it.', extensions });
    case 'passcode-required':
      return new Problem({ type: 'passcode-required', status: 403, title: 'Set a device passcode', detail: 'Set a passcode (or PIN) on the device, then sign in again.', extensions });
    case 'mdm-enrollment-required':
      return new Problem({ type: 'mdm-enrollment-required', status: 403, title: 'Enrol the device', detail: 'This app needs a device managed by the company: enrol it in device management, or ask IT.', extensions });
    case 'mdm-noncompliant':
      return new Problem({ type: 'mdm-noncompliant', status: 403, title: 'The device is out of compliance', detail: 'Device management reports this device as not compliant; follow its instructions, or ask IT.', extensions });
    case 'attestation-required':
      return new Problem({ type: 'attestation-required', status: 403, title: 'Platform attestation required', detail: 'Send an App Attest (or Play Integrity) proof of the device key with the posture report.', extensions });
    case 'posture-required':
      return new Problem({ type: 'posture-required', status: 400, title: 'Send the device posture', detail: 'Send a posture report signed with the device key (header palisade-device-posture) with every token request.', extensions });
    case 'mfa-required':
      return new Problem({
        type: 'mfa-required',
        status: 401,
        title: 'Multi-factor sign-in required',
        detail: 'On a personal device this app needs a sign-in with multi-factor authentication: sign in again with prompt=login.',
        extensions: { stepUp: { prompt: 'login' }, ...extensions },
      });
  }
}

/** A posture report that was sent but refused (forged, stale, replayed, malformed). */
export function postureInvalid(detail: string): Problem {
  return new Problem({ type: 'posture-invalid', status: 400, title: 'The posture report is not valid', detail });
}

/** What the export helper reads from the caller's verified access token. */
export interface ExportCaller {
  client_id: string;
  device_ownership?: Ownership;
}

export const exportNotAllowedOnByod = () =>
  new Problem({ type: 'export-not-allowed-on-byod', status: 403, title: 'Export is not allowed on a personal device', detail: 'Company data may not be exported to a personal (BYOD) device; use a company-managed device.' });

/**
 * What a token's device claim means for every decision: the ownership it names, and BYOD — the
 * most restrictive — when it names none (a browser client, a token from before device claims,
 * an app whose posture requirement the operator relaxed). Not reporting the device must never
 * be a way around the rules for personal devices.
 */
export function ownershipOf(claim: unknown): Ownership {
  return claim === 'corporate' ? 'corporate' : 'byod';
}

/**
 * For routes that hand data out of the company's control (CSV export): refuses a caller whose
 * token says the device is BYOD, or says nothing about the device (`ownershipOf`), unless the
 * app's BYOD policy allows export (`policy` given).
 */
export function assertExportAllowed(caller: ExportCaller, policy?: DevicePolicyConfig): void {
  const rules = rulesFor(policy, caller.client_id, ownershipOf(caller.device_ownership));
  if (!rules.allowExport) throw exportNotAllowedOnByod();
}

/**
 * Where the configuration lets a device app (not a browser client) sign in without a posture
 * report: one line per app and ownership, naming the setting. `palisade config check` prints
 * them as warnings; such sessions are judged as BYOD, version minimums refuse them (they show
 * no versions), and no other rule that needs the report (jailbreak, passcode, attestation) can.
 */
export function relaxedPosture(clients: readonly { id: string; secret?: string | undefined; platform?: 'native' | 'web' | undefined }[], policy: DevicePolicyConfig | undefined): { path: string; message: string }[] {
  const found: { path: string; message: string }[] = [];
  for (const client of clients) {
    if (isBrowserClient(client)) continue;
    for (const ownership of ['corporate', 'byod'] as const) {
      if (rulesFor(policy, client.id, ownership).requirePosture) continue;
      const path = policy?.apps?.[client.id]?.[ownership]?.requirePosture === false ? `devicePolicy.apps.${client.id}.${ownership}.requirePosture` : `devicePolicy.default.${ownership}.requirePosture`;
      found.push({ path, message: `is false: app ${client.id} signs in on ${ownership} devices without a posture report (judged as BYOD; jailbreak, passcode and attestation rules cannot refuse it, and version minimums refuse it)` });
    }
  }
  return found;
}

/** The same, one line each: the setting, then what it allows. */
export function relaxedPostureWarnings(clients: readonly { id: string; secret?: string | undefined; platform?: 'native' | 'web' | undefined }[], policy: DevicePolicyConfig | undefined): string[] {
  return relaxedPosture(clients, policy).map((w) => `${w.path} ${w.message}`);
}
