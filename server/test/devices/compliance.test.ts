/**
 * The compliance policy, each rule exactly at its boundary, the MDM outweighing the app's own
 * report, the problem each violation answers, and the export guard for BYOD devices.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertExportAllowed,
  combineFacts,
  isBrowserClient,
  relaxedPostureWarnings,
  compareVersions,
  devicePolicyProblem,
  evaluate,
  rulesFor,
  type DevicePolicyConfig,
  type DevicePostureReport,
  type WebPostureReport,
  type PostureReport,
} from '../../src/devices/index.ts';
import { refusalFor } from '../../src/devices/posture/compliance.ts';
import { Problem } from '../../src/http/problems.ts';
import type { MdmDeviceState } from '../../src/devices/mdm/index.ts';

const report = (overrides: Partial<DevicePostureReport> = {}): DevicePostureReport => ({
  platform: 'ios',
  osVersion: '17.4',
  appVersion: '2.4.0',
  appBuild: '240',
  jailbroken: false,
  rootIndicators: [],
  passcodeSet: true,
  biometry: true,
  managed: false,
  iat: 0,
  jti: 'x'.repeat(20),
  ...overrides,
});
const mdm = (overrides: Partial<MdmDeviceState> = {}): MdmDeviceState => ({ vendor: 'intune', mdmDeviceId: 'dev-1', platform: 'ios', osVersion: '17.4', managed: true, compliant: true, jailbroken: false, passcodeSet: true, ...overrides });
const mfa = { acr: null, amr: ['pwd', 'mfa'] };
const policy: DevicePolicyConfig = {
  default: { corporate: { minOsVersion: { ios: '17.4', android: '14' }, minAppVersion: '2.4.0' }, byod: { minOsVersion: { ios: '17.4' }, minAppVersion: '2.4.0' } },
  apps: { 'kiosk-app': { byod: { allowExport: true, requireMfa: false } } },
  mfaAcrValues: ['urn:example:mfa'],
};
const judge = (r: PostureReport | undefined, m?: MdmDeviceState, session: { acr: string | null; amr: string[] } | undefined = mfa, clientId = 'field-app') => {
  const facts = combineFacts(r, m);
  return evaluate(facts, rulesFor(policy, clientId, facts.ownership), session, policy.mfaAcrValues);
};

describe('versions compare numerically', () => {
  test('part by part, missing parts are zero', () => {
    assert.ok(compareVersions('17.3.9', '17.4') < 0);
    assert.equal(compareVersions('17.4', '17.4.0'), 0);
    assert.ok(compareVersions('17.10', '17.9') > 0, '17.10 is newer than 17.9 (not a string comparison)');
    assert.ok(compareVersions('2.4.0', '2.4.1') < 0);
  });
});

describe('compliance rules at their boundaries', () => {
  test('OS version: 17.3.9 is refused under a minimum of 17.4, 17.4 passes', () => {
    assert.deepEqual(judge(report({ osVersion: '17.3.9' })).violations, ['os-update-required']);
    assert.deepEqual(judge(report({ osVersion: '17.4' })).violations, []);
    assert.deepEqual(judge(report({ platform: 'android', osVersion: '13.9' }), mdm({ platform: 'android' })).violations, ['os-update-required']);
  });

  test('app version: equal to the minimum passes, one patch below is refused', () => {
    assert.equal(judge(report({ appVersion: '2.4.0' })).compliance, 'compliant');
    assert.deepEqual(judge(report({ appVersion: '2.3.9' })).violations, ['app-update-required']);
  });

  test('a minimum the device cannot show it meets is not met: no report, a report without the version, an MDM record without an OS version', () => {
    const relaxed: DevicePolicyConfig = { default: { byod: { requirePosture: false, requireMfa: false, minAppVersion: '2.4.0' } } };
    const judged = (r: PostureReport | undefined, m: MdmDeviceState | undefined, p: DevicePolicyConfig) => {
      const facts = combineFacts(r, m);
      return evaluate(facts, rulesFor(p, 'field-app', facts.ownership), mfa);
    };
    assert.deepEqual(judged(undefined, undefined, relaxed).violations, ['app-update-required'], 'no report: the app version is not shown');
    const noVersion = report();
    delete (noVersion as Partial<PostureReport>).appVersion;
    assert.deepEqual(judged(noVersion, undefined, relaxed).violations, ['app-update-required'], 'a report (e.g. a stored one) without app version');
    assert.deepEqual(judged(report({ appVersion: '2.3.9' }), undefined, relaxed).violations, ['app-update-required']);
    assert.deepEqual(judged(report(), undefined, relaxed).violations, [], 'a conforming report passes');
    const osMin: DevicePolicyConfig = { default: { corporate: { requirePosture: false, minOsVersion: { ios: '17.4' } } } };
    assert.deepEqual(judged(undefined, mdm({ osVersion: '' }), osMin).violations, ['os-update-required'], 'known platform, no OS version anywhere');
    assert.deepEqual(judged(undefined, mdm({ osVersion: 'unknown' }), osMin).violations, ['os-update-required'], 'an MDM OS version with no number in it');
    assert.deepEqual(judged(undefined, mdm({ osVersion: '17.4' }), osMin).violations, [], 'the MDM shows it');
    assert.deepEqual(judged(undefined, mdm({ platform: 'android', osVersion: '' }), osMin).violations, [], 'a platform without a minimum is not constrained');
  });

  test('platform unknown: refused when any platform has an OS minimum, unconstrained otherwise', () => {
    const facts = combineFacts(undefined, undefined);
    const rules = (byod: DevicePolicyConfig['default']) => rulesFor({ default: byod }, 'field-app', 'byod');
    const unknown = evaluate(facts, rules({ byod: { requirePosture: false, requireMfa: false, minOsVersion: { android: '14' } } }), mfa);
    assert.deepEqual(unknown.violations, ['os-update-required']);
    const body = refusalFor(unknown, undefined).body();
    assert.equal(body.status, 426);
    assert.deepEqual(body.minOsVersion, { android: '14' }, 'every platform’s minimum, since the platform is not known');
    assert.deepEqual(evaluate(facts, rules({ byod: { requirePosture: false, requireMfa: false } }), mfa).violations, [], 'a policy without minimums changes nothing');
  });

  test('browser clients: the default’s minimums do not reach them; their own do', () => {
    const facts = combineFacts(undefined, undefined);
    const p: DevicePolicyConfig = { default: { byod: { requireMfa: false, minAppVersion: '2.4.0', minOsVersion: { ios: '17.4' } } }, apps: { 'strict-portal': { byod: { minAppVersion: '1.0' } } } };
    assert.deepEqual(evaluate(facts, rulesFor(p, 'web-portal', 'byod', true), mfa).violations, []);
    assert.deepEqual(evaluate(facts, rulesFor(p, 'strict-portal', 'byod', true), mfa).violations, ['app-update-required']);
    assert.equal(rulesFor(p, 'field-app', 'byod').minAppVersion, '2.4.0', 'device apps inherit them');
  });

  test('a web report (browser client): its app version meets the app minimum, OS minimums do not apply, no device fact is read from it', () => {
    const web = (appVersion: string): WebPostureReport => ({ platform: 'web', appVersion, appBuild: '1', iat: 0, jti: 'x'.repeat(20) });
    const p: DevicePolicyConfig = { apps: { 'web-portal': { byod: { requireMfa: false, requirePosture: true, minAppVersion: '2.4.0', minOsVersion: { ios: '17.4', android: '14' } } } } };
    const rules = rulesFor(p, 'web-portal', 'byod', true);
    const facts = combineFacts(web('2.4.0'), undefined);
    assert.deepEqual([facts.platform, facts.jailbroken, facts.passcodeSet, facts.osVersion, facts.ownership], ['web', undefined, undefined, undefined, 'byod']);
    const ok = evaluate(facts, rules, mfa);
    assert.deepEqual([ok.violations, ok.compliance], [[], 'compliant']);
    assert.deepEqual(evaluate(combineFacts(web('2.3.9'), undefined), rules, mfa).violations, ['app-update-required']);
    assert.deepEqual(evaluate(combineFacts(undefined, undefined), rules, mfa).violations, ['posture-required'], 'omitting the report where it is required is still refused');
    assert.equal(refusalFor(evaluate(combineFacts(web('1.0'), undefined), rules, mfa), 'web').status, 426);
    const corporateOnly = rulesFor({ apps: { 'web-portal': { byod: { requireMdm: true, requireMfa: false } } } }, 'web-portal', 'byod', true);
    assert.deepEqual(evaluate(facts, corporateOnly, mfa).violations, ['mdm-enrollment-required'], 'a browser is never a managed device');
  });

  test('a required report that is missing is answered posture-required alone', () => {
    assert.deepEqual(judge(undefined).violations, ['posture-required']);
  });

  test('jailbreak: reported true is refused, false passes, root indicators count as rooted', () => {
    assert.deepEqual(judge(report({ jailbroken: true })).violations, ['device-compromised']);
    assert.deepEqual(judge(report({ jailbroken: false })).violations, []);
    assert.deepEqual(judge(report({ rootIndicators: ['su-binary'] })).violations, ['device-compromised']);
  });

  test('the MDM wins: it says jailbroken while the app says no → refused; it says not jailbroken while the app says yes → accepted', () => {
    assert.deepEqual(judge(report({ jailbroken: false }), mdm({ jailbroken: true })).violations, ['device-compromised']);
    assert.deepEqual(judge(report({ jailbroken: true }), mdm({ jailbroken: false })).violations, []);
    const facts = combineFacts(report(), mdm({ jailbroken: true }));
    assert.equal(facts.sources.jailbroken, 'mdm');
  });

  test('passcode: none is refused, also when only the MDM knows', () => {
    assert.deepEqual(judge(report({ passcodeSet: false })).violations, ['passcode-required']);
    assert.deepEqual(judge(report({ passcodeSet: true }), mdm({ passcodeSet: false })).violations, ['passcode-required']);
  });

  test('ownership: corporate only when the MDM says managed; the app saying managed is not enough', () => {
    assert.equal(judge(report({ managed: true })).ownership, 'byod');
    assert.equal(judge(report(), mdm()).ownership, 'corporate');
    assert.equal(judge(report(), mdm({ managed: false })).ownership, 'byod');
  });

  test('the MDM’s own verdict of noncompliance refuses a managed device', () => {
    assert.deepEqual(judge(report(), mdm({ compliant: false })).violations, ['mdm-noncompliant']);
  });

  test('MFA on BYOD: amr mfa or a configured acr passes; a password-only sign-in is refused; corporate does not need it', () => {
    assert.deepEqual(judge(report(), undefined, { acr: null, amr: ['pwd'] }).violations, ['mfa-required']);
    assert.deepEqual(judge(report(), undefined, { acr: 'urn:example:mfa', amr: ['pwd'] }).violations, []);
    assert.deepEqual(judge(report(), undefined, { acr: 'urn:example:other', amr: [] }).violations, ['mfa-required']);
    assert.deepEqual(judge(report(), mdm(), { acr: null, amr: ['pwd'] }).violations, []);
    assert.deepEqual(judge(report(), undefined, { acr: null, amr: ['pwd'] }, 'kiosk-app').violations, [], 'the app’s own byod rules turn MFA off');
  });

  test('requireMdm under byod makes an app corporate-only', () => {
    const facts = combineFacts(report(), undefined);
    const rules = rulesFor({ apps: { 'field-app': { byod: { requireMdm: true, requireMfa: false } } } }, 'field-app', 'byod');
    assert.deepEqual(evaluate(facts, rules, mfa).violations, ['mdm-enrollment-required']);
  });

  test('requirePosture: a device app without a report is refused by default; a browser client or a relaxed app is judged unknown BYOD', () => {
    const facts = combineFacts(undefined, undefined);
    assert.deepEqual(evaluate(facts, rulesFor(undefined, 'field-app', 'byod'), mfa).violations, ['posture-required'], 'not reporting the device is no way around the device rules');
    const browser = evaluate(facts, rulesFor(undefined, 'web-portal', 'byod', true), mfa);
    assert.deepEqual([browser.violations, browser.compliance, browser.ownership], [[], 'unknown', 'byod']);
    const relaxed = evaluate(facts, rulesFor({ apps: { 'field-app': { byod: { requirePosture: false } } } }, 'field-app', 'byod'), mfa);
    assert.deepEqual([relaxed.violations, relaxed.compliance, relaxed.ownership], [[], 'unknown', 'byod'], 'a relaxed app is judged as the most restrictive ownership');
    assert.deepEqual(evaluate(facts, rulesFor({ default: { byod: { requirePosture: true } } }, 'web-portal', 'byod', true), mfa).violations, ['posture-required'], 'an operator may require it of a browser client too');
  });

  test('a client is a browser client when it is confidential; public clients are device apps', () => {
    assert.equal(isBrowserClient({ secret: 'x'.repeat(32) }), true);
    assert.equal(isBrowserClient({}), false);
    assert.equal(isBrowserClient({ platform: 'web' }), true, 'a public web app registered as such');
    assert.equal(isBrowserClient({ platform: 'native' }), false);
  });

  test('config check warns for every device app and ownership that may skip the posture report', () => {
    const clients = [{ id: 'field-app' }, { id: 'kiosk' }, { id: 'portal', secret: 'x'.repeat(32) }];
    assert.deepEqual(relaxedPostureWarnings(clients, undefined), [], 'the defaults relax nothing');
    const warnings = relaxedPostureWarnings(clients, { apps: { kiosk: { byod: { requirePosture: false } } } });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^devicePolicy\.apps\.kiosk\.byod\.requirePosture is false: app kiosk/);
    const all = relaxedPostureWarnings(clients, { default: { corporate: { requirePosture: false } } });
    assert.deepEqual(all.map((w) => w.split(' ')[0]), ['devicePolicy.default.corporate.requirePosture', 'devicePolicy.default.corporate.requirePosture'], 'one per device app, none for the browser client');
  });

  test('requireAttestation refuses a report without verified attestation', () => {
    const rules = rulesFor({ default: { byod: { requireAttestation: true, requireMfa: false } } }, 'field-app', 'byod');
    assert.deepEqual(evaluate(combineFacts(report(), undefined, false), rules, mfa).violations, ['attestation-required']);
    assert.deepEqual(evaluate(combineFacts(report(), undefined, true), rules, mfa).violations, []);
  });

  test('defaults: BYOD no offline and no export, corporate both', () => {
    assert.equal(rulesFor(undefined, 'field-app', 'byod').allowExport, false);
    assert.equal(rulesFor(undefined, 'field-app', 'byod').allowOffline, false);
    assert.equal(rulesFor(undefined, 'field-app', 'corporate').allowExport, true);
    assert.equal(rulesFor(undefined, 'field-app', 'byod').blockJailbroken, true);
    assert.equal(rulesFor(undefined, 'field-app', 'byod').requirePosture, true);
    assert.equal(rulesFor(undefined, 'field-app', 'corporate').requirePosture, true);
    assert.equal(rulesFor(undefined, 'web-portal', 'byod', true).requirePosture, false);
  });
});

describe('refusals tell the app what to fix', () => {
  const rules = rulesFor(policy, 'field-app', 'byod');
  const cases: [Parameters<typeof devicePolicyProblem>[0], number][] = [
    ['app-update-required', 426],
    ['os-update-required', 426],
    ['device-compromised', 403],
    ['passcode-required', 403],
    ['mdm-enrollment-required', 403],
    ['mfa-required', 401],
    ['posture-required', 400],
  ];
  for (const [violation, status] of cases) {
    test(`${violation} answers ${status}`, () => {
      const problem = devicePolicyProblem(violation, rules, 'ios');
      assert.equal(problem.status, status);
      assert.equal(problem.body().type, `https://palisade.dev/problems/${violation}`);
    });
  }
  test('the minimum versions are in the 426 answers', () => {
    assert.equal(devicePolicyProblem('app-update-required', rules, 'ios').body().minAppVersion, '2.4.0');
    assert.equal(devicePolicyProblem('os-update-required', rules, 'ios').body().minOsVersion, '17.4');
  });
  test('with several violations, a compromised device is told so first, and every violation is listed', () => {
    const decision = judge(report({ jailbroken: true, appVersion: '1.0' }));
    const body = refusalFor(decision, 'ios').body();
    assert.equal(body.type, 'https://palisade.dev/problems/device-compromised');
    assert.deepEqual(body.violations, ['device-compromised', 'app-update-required']);
  });
});

describe('export on BYOD', () => {
  const refused = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      assert.ok(error instanceof Problem);
      assert.equal(error.status, 403);
      assert.equal(error.type, 'export-not-allowed-on-byod');
      return;
    }
    assert.fail('export must be refused');
  };
  test('a BYOD token is refused, a corporate one allowed', () => {
    refused(() => assertExportAllowed({ client_id: 'field-app', device_ownership: 'byod', device_compliant: true } as never));
    assertExportAllowed({ client_id: 'field-app', device_ownership: 'corporate' });
  });
  test('an app whose BYOD policy allows export is allowed when the policy is given', () => {
    assertExportAllowed({ client_id: 'kiosk-app', device_ownership: 'byod' }, policy);
    refused(() => assertExportAllowed({ client_id: 'field-app', device_ownership: 'byod' }, policy));
  });
  test('a token without device claims is refused like BYOD: not reporting the device is no way around the rule', () => {
    refused(() => assertExportAllowed({ client_id: 'field-app' }));
    refused(() => assertExportAllowed({ client_id: 'field-app', device_ownership: 'something' } as never));
    assertExportAllowed({ client_id: 'kiosk-app' }, policy);
  });
});
