/**
 * The field app's role-dependent screens and its permission logic, without a server or a browser:
 * the app's own .ts/.tsx sources are compiled with TypeScript (JSX for React, `react-native` as
 * react-native-web, exactly what the web build renders) into a folder under apps/field, then
 * rendered to HTML with react-dom/server. Also type-checks apps/field.
 *
 * Skipped when apps/field/node_modules is absent and PALISADE_REQUIRE_FIELD_APP is unset.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { OfflineStore, offlinePolicy } from '../../../sdk/src/offline.ts';
import { memorySecureStore } from '../../../sdk/src/memory.ts';

const APP_DIR = path.resolve(import.meta.dirname, '../../../apps/field');
const skip = !existsSync(path.join(APP_DIR, 'node_modules')) && !process.env.PALISADE_REQUIRE_FIELD_APP ? 'apps/field/node_modules is absent: run `npm ci` in apps/field to test the field app; CI sets PALISADE_REQUIRE_FIELD_APP=1' : false;

/* eslint-disable @typescript-eslint/no-explicit-any -- the compiled modules are loaded at run time */
type Module = Record<string, any>;

/** Compiles src/ to ESM JavaScript under node_modules/.cache (so bare imports resolve from the app's node_modules). */
function compile(): string {
  const out = path.join(APP_DIR, 'node_modules', '.cache', 'palisade-screens-test');
  rmSync(out, { recursive: true, force: true });
  const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
  for (const file of walk(path.join(APP_DIR, 'src'))) {
    if (!/\.tsx?$/.test(file) || /\.web\.tsx?$/.test(file)) continue;
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, jsx: ts.JsxEmit.ReactJSX, verbatimModuleSyntax: false },
      fileName: file,
    });
    const js = outputText
      .replace(/from '(\.{1,2}\/[^']+)'/g, "from '$1.js'")
      .replace(/from 'react-native'/g, "from 'react-native-web'");
    const target = path.join(out, path.relative(path.join(APP_DIR, 'src'), file)).replace(/\.tsx?$/, '.js');
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, js);
  }
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  return out;
}

describe('the field app’s screens (rendered with react-native-web)', { skip }, () => {
  let out: string;
  let render: (element: unknown) => string;
  let h: (type: unknown, props?: Record<string, unknown> | null) => unknown;
  const load = async (name: string): Promise<Module> => import(pathToFileURL(path.join(out, `${name}.js`)).href);

  before(async () => {
    out = compile();
    const req = (await import('node:module')).createRequire(path.join(APP_DIR, 'package.json'));
    const React = req('react') as { createElement: typeof h };
    const server = req('react-dom/server') as { renderToStaticMarkup: typeof render };
    h = React.createElement;
    render = server.renderToStaticMarkup;
  });

  test('apps/field type-checks (strict, native and web files)', () => {
    execFileSync(process.execPath, [path.resolve(APP_DIR, '../../node_modules/typescript/bin/tsc'), '--noEmit', '-p', APP_DIR], { stdio: 'pipe' });
  });

  const me = (roles: string[], names: string[], stepUp: string[] = []) => ({
    roles,
    permissions: names.map((name) => ({ name, scope: 'jobs', stepUp: stepUp.includes(name) })),
    scope: { territory: 'north', region: null, department: 'hvac', projects: [], contractor: false },
  });

  test('the permission matrix decides the home: technician, dispatcher, manager, admin, nobody', async () => {
    const { homeFor } = await load('permissions');
    assert.deepEqual(homeFor(me(['technician'], ['account.self', 'jobs.read', 'jobs.status', 'photos.upload'])).sections, ['my-jobs']);
    assert.deepEqual(homeFor(me(['dispatcher'], ['account.self', 'jobs.read', 'jobs.assign', 'technicians.read'])).sections, ['jobs', 'assign']);
    const manager = homeFor(me(['manager'], ['jobs.read', 'jobs.assign', 'reports.read', 'data.export'], ['data.export']));
    assert.deepEqual(manager.sections, ['jobs', 'assign', 'report', 'export']);
    assert.equal(manager.exportNeedsStepUp, true);
    assert.ok(homeFor(me(['admin'], ['jobs.read', 'jobs.assign', 'sessions.read'])).sections.includes('console'));
    // Shifts and positions: the technician's card, the office's team screen.
    assert.deepEqual(homeFor(me(['technician'], ['jobs.read', 'jobs.status', 'schedules.read', 'locations.report'])).sections, ['my-jobs', 'my-shift']);
    assert.deepEqual(homeFor(me(['dispatcher'], ['jobs.read', 'jobs.assign', 'schedules.read', 'schedules.manage', 'locations.read'])).sections, ['jobs', 'assign', 'team', 'locations']);
    assert.deepEqual(homeFor(me(['technician'], ['jobs.read', 'jobs.status', 'locations.report'])).sections, ['my-jobs'], 'no shift card without seeing one’s shifts');
    // A role name alone grants nothing: the screens follow permissions.
    assert.equal(homeFor(me(['manager'], ['account.self'])).refused, true, 'a role whose permissions were taken away sees the refusal');
    assert.equal(homeFor(me([], [])).refused, true, 'no role: refused');
  });

  test('the technician’s workflow goes en route → on site → completed, and nowhere after', async () => {
    const { nextStatus } = await load('permissions');
    assert.deepEqual(['assigned', 'en_route', 'on_site', 'completed', 'cancelled', 'new'].map(nextStatus), ['en_route', 'on_site', 'completed', undefined, undefined, undefined]);
  });

  const job = (over: Record<string, unknown> = {}) => ({
    id: '00000000-0000-4000-8000-000000000001',
    title: 'Boiler service',
    description: 'Annual check',
    department: 'hvac',
    territory: 'north',
    region: 'east',
    siteId: '00000000-0000-4000-8000-0000000000aa',
    project: null,
    priority: 'normal',
    windowStart: new Date().toISOString(),
    windowEnd: null,
    status: 'assigned',
    assignedTo: 'u-tess',
    statusChangedAt: new Date().toISOString(),
    createdAt: new Date().toISOString(),
    ...over,
  });

  test('my jobs today: open jobs and today’s, never a cancelled one or an old completed one', async () => {
    const { jobsForToday, MyJobs } = await load('screens/jobs');
    const old = new Date(Date.now() - 20 * 86_400_000).toISOString();
    const jobs = [job(), job({ id: 'done-old', status: 'completed', windowStart: old }), job({ id: 'cancelled', status: 'cancelled' }), job({ id: 'on-site', status: 'on_site', windowStart: old })];
    assert.deepEqual(jobsForToday(jobs).map((j: { id: string }) => j.id).sort(), ['00000000-0000-4000-8000-000000000001', 'on-site']);
    const html = render(h(MyJobs, { jobs, onOpen: () => undefined, onRefresh: () => undefined }));
    assert.match(html, /My jobs today \(2\)/);
    assert.doesNotMatch(html, /data-testid="job-cancelled"/);
  });

  test('job detail: the technician gets the workflow and photos but no assignment; the dispatcher the reverse', async () => {
    const { JobDetail } = await load('screens/job');
    const base = { job: job(), site: { id: 's', customerName: 'Acme', name: 'Plant', address: '1 Road', accessNotes: 'Gate code 4321' }, offline: false, notice: undefined, photos: 0, onMove: () => undefined, onAssign: () => undefined, onPhoto: () => undefined };
    const tech = render(h(JobDetail, { ...base, canMove: true, canUpload: true, technicians: undefined }));
    assert.match(tech, /data-testid="workflow"/);
    assert.match(tech, /data-testid="add-photo"/);
    assert.doesNotMatch(tech, /data-testid="assign"/);
    assert.match(tech, /Gate code 4321/, 'the access notes, fetched on demand, are shown online');
    const dispatcher = render(h(JobDetail, { ...base, canMove: false, canUpload: false, technicians: [{ id: 't1', displayName: 'Tess Technician', territory: 'north', active: true }, { id: 't2', displayName: 'Gone Person', territory: 'north', active: false }] }));
    assert.doesNotMatch(dispatcher, /data-testid="workflow"/);
    assert.doesNotMatch(dispatcher, /data-testid="add-photo"/);
    assert.match(dispatcher, /data-testid="assign-t1"/);
    assert.doesNotMatch(dispatcher, /assign-t2/, 'an inactive technician is not offered');
  });

  test('offline, the job detail says it needs a connection and shows no access notes', async () => {
    const { JobDetail } = await load('screens/job');
    const html = render(h(JobDetail, { job: job(), site: { id: 's', customerName: 'Acme', name: 'Plant', address: '1 Road', accessNotes: 'Gate code 4321' }, offline: true, notice: undefined, canMove: true, canUpload: false, technicians: undefined, photos: undefined, onMove: () => undefined, onAssign: () => undefined, onPhoto: () => undefined }));
    assert.match(html, /data-testid="needs-connection"/);
    assert.doesNotMatch(html, /Gate code/);
  });

  test('the server’s 409 is shown as it said it', async () => {
    const { JobDetail } = await load('screens/job');
    const said = 'The job is assigned; it cannot move to completed.';
    const html = render(h(JobDetail, { job: job(), site: undefined, offline: false, notice: said, canMove: true, canUpload: false, technicians: undefined, photos: undefined, onMove: () => undefined, onAssign: () => undefined, onPhoto: () => undefined }));
    assert.match(html, /role="alert"/);
    assert.ok(html.includes(said.replace(';', ';')), 'the server’s words');
  });

  test('the manager’s export: shown with the step-up note, hidden on a personal device with the reason, absent without the permission', async () => {
    const { Report } = await load('screens/report');
    const rows = [{ territory: 'north', status: 'completed', jobs: 12, avgHoursToComplete: 3.5 }];
    const base = { rows, notice: undefined, info: undefined, onExport: () => undefined, exportNeedsStepUp: true };
    const corporate = render(h(Report, { ...base, canExport: true, exportRefusal: undefined }));
    assert.match(corporate, /data-testid="export"/);
    assert.match(corporate, /recent sign-in/);
    const byod = render(h(Report, { ...base, canExport: true, exportRefusal: 'Company data may not be exported to a personal (BYOD) device.' }));
    assert.doesNotMatch(byod, /data-testid="export"/, 'no export button on a personal device');
    assert.match(byod, /personal \(BYOD\) device/, 'the reason is shown');
    const dispatcher = render(h(Report, { ...base, canExport: false, exportRefusal: undefined }));
    assert.doesNotMatch(dispatcher, /data-testid="export"/);
  });

  test('gate screens: refusal, lock, update required, not compliant with the server’s reason, wiped', async () => {
    const gate = await load('screens/gate');
    assert.match(render(h(gate.RefusedScreen, { onSignOut: () => undefined })), /no role in Field Service/);
    assert.match(render(h(gate.LockScreen, { onUnlock: async () => undefined, onSignIn: () => undefined })), /data-testid="unlock"/);
    assert.match(render(h(gate.DeviceStateScreen, { kind: 'update-required', reason: 'install the update' })), /Update required/);
    const reason = 'Device management reports this device as not compliant; follow its instructions, or ask IT.';
    assert.ok(render(h(gate.DeviceStateScreen, { kind: 'not-compliant', reason })).includes(reason.replace(/'/g, '&#x27;')));
    assert.match(render(h(gate.SignInScreen, { onSignIn: () => undefined, message: 'This device was wiped by your administrator' })), /wiped/);
  });

  const tess = { id: 't1', displayName: 'Tess Technician', territory: 'north', region: 'east', department: 'hvac', skills: [], active: true };
  const shift = (startsAt: Date, hours: number, technicianId = 't1') => ({ id: `s-${startsAt.getTime()}`, technicianId, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + hours * 3_600_000).toISOString() });

  test('the team screen: shifts per technician, planning only with the permission, positions only when asked and allowed', async () => {
    const { Team } = await load('screens/team');
    const now = new Date('2026-03-02T10:00:00Z');
    const base = { technicians: [tess, { ...tess, id: 't2', displayName: 'Gone Person', active: false }], shifts: [shift(new Date('2026-03-03T08:00:00Z'), 8)], offline: false, notice: undefined, info: undefined, now, onPlan: () => undefined, onShowPositions: () => undefined };
    const dispatcher = render(h(Team, { ...base, positions: undefined, canPlan: true, canSeeLocations: true }));
    assert.match(dispatcher, /data-testid="technician-t1"/);
    assert.doesNotMatch(dispatcher, /technician-t2/, 'an inactive technician is not listed');
    assert.match(dispatcher, /data-testid="shift"/);
    assert.match(dispatcher, /data-testid="plan-t1"/);
    assert.match(dispatcher, /data-testid="show-positions"/);
    assert.doesNotMatch(dispatcher, /data-testid="position"/, 'positions are fetched only when asked for');
    const shown = render(h(Team, { ...base, positions: new Map([['t1', { at: new Date(now.getTime() - 5 * 60_000).toISOString(), latitude: 52.37312, longitude: 4.89221, accuracyM: 20 }]]), canPlan: true, canSeeLocations: true }));
    assert.match(shown, /Last seen 5 min ago at 52\.3731, 4\.8922 \(±20 m\)/);
    const noneYet = render(h(Team, { ...base, positions: new Map([['t1', null]]), canPlan: true, canSeeLocations: true }));
    assert.match(noneYet, /No position reported/);
    const noLocations = render(h(Team, { ...base, positions: undefined, canPlan: true, canSeeLocations: false }));
    assert.doesNotMatch(noLocations, /show-positions/, 'without locations.read no positions are offered');
    const readOnly = render(h(Team, { ...base, positions: undefined, canPlan: false, canSeeLocations: false }));
    assert.doesNotMatch(readOnly, /plan-t1/, 'without schedules.manage no planning');
    const offline = render(h(Team, { ...base, positions: undefined, canPlan: true, canSeeLocations: true, offline: true }));
    assert.match(offline, /data-testid="needs-connection"/);
    assert.doesNotMatch(offline, /technician-t1/, 'offline, nothing of the team is shown');
  });

  test('a planned shift is whole hours on the chosen day, 8 hours long', async () => {
    const { shiftAt } = await load('screens/team');
    const now = new Date(2026, 2, 2, 15, 42);
    const { startsAt, endsAt } = shiftAt(now, 1, 8);
    assert.equal(new Date(startsAt).getTime(), new Date(2026, 2, 3, 8, 0).getTime());
    assert.equal(Date.parse(endsAt) - Date.parse(startsAt), 8 * 3_600_000);
  });

  test('the technician’s shift card: the location is offered only while on shift', async () => {
    const { MyShift, currentShift } = await load('screens/team');
    const now = new Date('2026-03-02T10:00:00Z');
    const on = [shift(new Date('2026-03-02T08:00:00Z'), 8)];
    const later = [shift(new Date('2026-03-03T08:00:00Z'), 8)];
    assert.equal(currentShift(on, now)?.technicianId, 't1');
    assert.equal(currentShift(later, now), undefined);
    assert.equal(currentShift([shift(new Date('2026-03-02T02:00:00Z'), 8)], now), undefined, 'a shift that ended is not current');
    const onShift = render(h(MyShift, { shifts: on, reported: undefined, notice: undefined, now, onReport: () => undefined }));
    assert.match(onShift, /data-testid="on-shift"/);
    assert.match(onShift, /data-testid="report-location"/);
    const offShift = render(h(MyShift, { shifts: later, reported: undefined, notice: undefined, now, onReport: () => undefined }));
    assert.match(offShift, /data-testid="off-shift"/);
    assert.doesNotMatch(offShift, /report-location/, 'off shift the app does not ask for the location');
    const sent = render(h(MyShift, { shifts: on, reported: { at: now.toISOString() }, notice: undefined, now, onReport: () => undefined }));
    assert.match(sent, /Location sent just now/);
  });

  /** A slice of Palisade's OpenAPI document: the job list, one field not allowed offline, one not classified. */
  const openapi = {
    paths: {
      '/api/v1/jobs': {
        get: {
          responses: {
            '200': {
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      jobs: { type: 'array', items: { type: 'object', properties: { id: { type: 'string', 'x-palisade-offline': true }, title: { type: 'string', 'x-palisade-offline': true }, status: { type: 'string', 'x-palisade-offline': true }, accessNotes: { type: 'string', 'x-palisade-offline': false }, later: { type: 'string' } } } },
                      next: { type: ['string', 'null'], 'x-palisade-offline': true },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };

  test('offline store: only the fields allowed offline are kept (encrypted by the SDK’s backend), and nothing where the configuration says no', async () => {
    const { keepJobs, keptJobs, offlineCopy } = await load('offline');
    const policy = offlinePolicy(openapi);
    const jobs = [{ id: 'j1', title: 'Boiler', status: 'assigned', accessNotes: 'Gate code 4321', later: 'x' }];
    assert.deepEqual(offlineCopy(policy.get('GET /api/v1/jobs'), { jobs }), { jobs: [{ id: 'j1', title: 'Boiler', status: 'assigned' }] });
    const backend = memorySecureStore();
    const store = new OfflineStore({ backend, policy, config: { offline_allowed: true } });
    assert.equal(await keepJobs(store, policy, jobs), true);
    assert.deepEqual(await keptJobs(store), [{ id: 'j1', title: 'Boiler', status: 'assigned' }]);
    const raw = await backend.get('GET /api/v1/jobs list');
    assert.ok(raw && !raw.includes('Gate code') && !raw.includes('later'), 'the sensitive and the unclassified fields never reach the store');

    // A personal device (offline_allowed: false): the store is off, erases what it held, keeps nothing.
    const byod = new OfflineStore({ backend, policy, config: { offline_allowed: false } });
    assert.equal(await keepJobs(byod, policy, jobs), false);
    assert.equal(await keptJobs(byod), undefined);
    assert.equal(await backend.get('GET /api/v1/jobs list'), undefined, 'what an earlier configuration kept is gone');
  });

  test('every build sends a posture report through the SDK: the phones gather the facts from their modules, the web build its web report (source; the type-check above holds them to the real modules)', () => {
    const native = readFileSync(path.join(APP_DIR, 'src', 'platform.ts'), 'utf8');
    assert.match(native, /posture: reactNativePosture\(\{ os: OS\.OS, device: Device, application: Application, localAuthentication: LocalAuthentication, jailMonkey: JailMonkey, managedConfig: Emm \}\)/);
    for (const module of ['expo-device', 'expo-application', 'expo-local-authentication', 'jail-monkey', '@mattermost/react-native-emm']) assert.match(native, new RegExp(`from '${module}'`), module);
    const web = readFileSync(path.join(APP_DIR, 'src', 'platform.web.ts'), 'utf8');
    assert.match(web, /webPlatform\(\{ appVersion: APP_VERSION, database: 'palisade-field' \}\)/, 'the web platform with its default: a web report with every token request');
    assert.doesNotMatch(web, /posture: false/);
  });

  test('no token, key or sensitive field goes to AsyncStorage, localStorage or the log (source scan)', () => {
    const walk = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    for (const file of [...walk(path.join(APP_DIR, 'src')), ...walk(path.join(APP_DIR, 'app'))]) {
      const text = readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /AsyncStorage|localStorage|document\.cookie|console\.(log|info|debug|warn|error)/, `${path.relative(APP_DIR, file)}: no storage outside the SDK's, no logging`);
    }
  });
});
