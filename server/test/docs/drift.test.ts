/**
 * The documentation names only things that exist. Every setting (`server.port`,
 * `clients[].attestation.apple`), environment variable (`PALISADE_…`), command (`palisade audit
 * verify --anchor`, `npm run docs`) and route (`GET /admin/v1/audit/events`) that README.md or a
 * page in docs/ names is checked against the configuration schema, the source, the CLI's command
 * tree, package.json and a running server. A renamed setting or a removed route then fails here
 * instead of misleading an operator.
 *
 * Decision records (docs/decisions/) are not checked: they record what was decided at the time,
 * and may name what has since changed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { ConfigSchema } from '../../src/config/schema.ts';
import { envName } from '../../src/config/load.ts';
import { buildCli } from '../../src/cli.ts';
import { recordsOfProcessingMarkdown, retentionDefaults, type OpenApiLike } from '../../src/privacy/index.ts';
import { freePort, startInProcess, REPO_ROOT } from '../helpers/server.ts';

interface Doc {
  file: string;
  text: string;
}

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'decisions' ? [] : markdownFiles(full);
    return name.endsWith('.md') ? [full] : [];
  });
}

const DOCS: Doc[] = [path.join(REPO_ROOT, 'README.md'), ...markdownFiles(path.join(REPO_ROOT, 'docs'))].map((file) => ({
  file: path.relative(REPO_ROOT, file),
  text: readFileSync(file, 'utf8'),
}));

/** Inline code spans and fenced code blocks: where docs name settings, commands and routes. */
function codeOf(text: string): string[] {
  const fenced = [...text.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const withoutFences = text.replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  const spans = [...withoutFences.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
  return [...fenced.flatMap((block) => block.split('\n')), ...spans];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|sql)$/.test(name) ? [full] : [];
  });
}

/** Everything the project's own code and scripts say: a name found here exists. */
const SOURCE = [
  ...sourceFiles(path.join(REPO_ROOT, 'server')),
  path.join(REPO_ROOT, '.ci/run'),
  path.join(REPO_ROOT, 'package.json'),
]
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

// ---------------------------------------------------------------------------------------------
// Settings

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  patternProperties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
};

/** Every setting's path (`clients[].attestation.apple`); `*` stands for a map's keys. */
function settingPaths(): Set<string> {
  const paths = new Set<string>();
  const visit = (schema: JsonSchema, at: string) => {
    if (at) paths.add(at);
    for (const alternative of schema.anyOf ?? []) visit(alternative, at);
    if (schema.type === 'array' && schema.items) visit(schema.items, `${at}[]`);
    for (const [key, child] of Object.entries(schema.properties ?? {})) visit(child, at ? `${at}.${key}` : key);
    for (const child of Object.values(schema.patternProperties ?? {})) visit(child, `${at}.*`);
    if (typeof schema.additionalProperties === 'object') visit(schema.additionalProperties, `${at}.*`);
  };
  visit(ConfigSchema as unknown as JsonSchema, '');
  return paths;
}

const SETTINGS = settingPaths();
const SECTIONS = new Set(Object.keys((ConfigSchema as unknown as JsonSchema).properties!));

const escape = (s: string) => s.replace(/[.[\]]/g, (c) => `\\${c}`);

/**
 * Whether a documented name is a setting. In the schema, `*` stands for a map's keys, which are
 * the operator's own (devicePolicy.apps.<app>); in a doc, `*` stands for any settings below
 * (`rateLimits.*`, `devicePolicy.*.requirePosture`).
 */
function isSetting(name: string): boolean {
  const normalized = name.replace(/\[\d*\]/g, '[]');
  if (SETTINGS.has(normalized)) return true;
  const documented = new RegExp(`^${normalized.split('.').map((s) => (s === '*' ? '.+' : escape(s))).join('\\.')}$`);
  return [...SETTINGS].some((candidate) => {
    if (documented.test(candidate)) return true;
    const inSchema = new RegExp(`^${candidate.split('.').map((s) => (s.startsWith('*') ? `[^.]+${escape(s.slice(1))}` : escape(s))).join('\\.')}$`);
    return inSchema.test(normalized);
  });
}

// ---------------------------------------------------------------------------------------------
// Commands

function subcommand(command: Command, name: string): Command | undefined {
  return command.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

function knowsOption(chain: Command[], flag: string): boolean {
  if (flag === '--help' || flag === '-h') return true;
  const name = flag.split('=')[0]!;
  return chain.some((c) => c.options.some((o) => o.long === name || o.short === name || o.long === name.replace(/^--no-/, '--')));
}

/** Checks `palisade a b --flag …` against the CLI; returns what is wrong, or undefined. */
function checkCommand(words: string[]): string | undefined {
  const chain: Command[] = [buildCli()];
  let positional = false;
  for (const raw of words) {
    const word = raw.replace(/[),.;:]+$/, '');
    if (/^[<[{"'…$|#>]/.test(word) || word === '\\') break;
    if (word.startsWith('-')) {
      if (!/^--?[a-zA-Z]/.test(word)) break;
      if (!knowsOption(chain, word)) return `option ${word} is not an option of \`${chain.map((c) => c.name()).join(' ')}\``;
      continue;
    }
    if (positional) continue;
    const current = chain.at(-1)!;
    // `apps keys list|rotate|revoke`: each alternative must be a command.
    const alternatives = word.split(/\\?\|/);
    if (alternatives.length > 1 && alternatives.every((a) => subcommand(current, a))) {
      chain.push(subcommand(current, alternatives[0]!)!);
      positional = true;
      continue;
    }
    const next = subcommand(current, word);
    if (next) {
      chain.push(next);
      continue;
    }
    if (current.commands.length > 0 && current.registeredArguments.length === 0) {
      return `\`${chain.map((c) => c.name()).join(' ')}\` has no command \`${word}\` (it has ${current.commands.map((c) => c.name()).join(', ')})`;
    }
    // Arguments of the command (an app id, a key id) and, after them, options.
    positional = true;
  }
  if (chain.length === 1 && !words.some((w) => w.startsWith('-'))) return 'names no command';
  return undefined;
}

/** `palisade …` and `npm run palisade -- …` invocations, as word lists after `palisade`. */
function commandsIn(line: string): string[][] {
  const found: string[][] = [];
  for (const m of line.matchAll(/(?:^|[\s(`$])(?:npx\s+|npm run\s+)?palisade(?:\s+--)?((?:\s+[^\s`]+)+)/g)) {
    // Stop at a shell comment, a pipe or the next command on the line.
    const words = m[1]!.trim().split(/\s+/);
    const end = words.findIndex((w) => w === '#' || w === '|' || w === '&&' || w === ';' || w.startsWith('#'));
    found.push(end === -1 ? words : words.slice(0, end));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Routes

/**
 * Routes of other systems that docs name on purpose (the MDM vendors' APIs Palisade calls, a
 * path relative to a route the same sentence names). Each must still be in its doc.
 */
const OTHER_SYSTEMS: { doc: string; route: string; why: string }[] = [
  { doc: 'docs/mdm.md', route: 'GET /api/v2/mobile-devices/detail', why: "Jamf Pro's inventory API, which Palisade reads" },
  { doc: 'docs/mdm.md', route: 'POST /api/v1/auth/token', why: "Jamf Pro's token endpoint" },
  { doc: 'docs/mdm.md', route: 'GET /api/mdm/devices/search', why: "Workspace ONE's device search, which Palisade reads" },
  { doc: 'docs/operations.md', route: 'DELETE /{id}', why: 'relative to /admin/v1/apps/{app}/keys, named in the same sentence' },
];

const ROUTE_PREFIXES = ['/api/', '/admin/', '/oauth2/', '/scim/', '/.well-known/', '/auth/', '/interaction/', '/mdm/', '/healthz', '/readyz', '/metrics', '/openapi.json'];

interface RouteRef {
  method: string | undefined;
  path: string;
  doc: string;
}

function routesIn(doc: Doc): RouteRef[] {
  const refs: RouteRef[] = [];
  const seen = new Set<string>();
  const add = (method: string | undefined, raw: string) => {
    // Drop the query, an alternative (`{id}/wipe|lock`) and trailing punctuation.
    const p = raw.split('?')[0]!.split(/\\?\|/)[0]!.replace(/[.,:;)]+$/, '');
    if (!ROUTE_PREFIXES.some((prefix) => p === prefix.replace(/\/$/, '') || p.startsWith(prefix))) return;
    const key = `${method ?? '*'} ${p}`;
    if (seen.has(key)) return;
    seen.add(key);
    refs.push({ method, path: p, doc: doc.file });
  };
  for (const m of doc.text.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/[^\s`)"'|,]*)/g)) {
    const route = `${m[1]} ${m[2]!.split('?')[0]}`;
    if (OTHER_SYSTEMS.some((o) => o.doc === doc.file && o.route === route)) continue;
    add(m[1], m[2]!);
  }
  for (const span of codeOf(doc.text)) {
    const m = span.trim().match(/^(\/[^\s]*)$/);
    if (m) add(undefined, m[1]!);
  }
  return refs;
}

/** A concrete request path for a documented one: placeholders become a well-formed value. */
function concrete(p: string): string | undefined {
  if (p.includes('…') && !p.endsWith('…')) return undefined;
  return p
    .replace(/…$/, 'x')
    .replace(/\*$/, 'x')
    .replace(/\{[^}]+\}|:[a-zA-Z]+|<[^>]+>/g, (param) => (/vendor/.test(param) ? 'jamf' : /app/.test(param) ? 'field-app' : '00000000-0000-4000-8000-000000000000'))
    .replace(/\/$/, '/x');
}

// ---------------------------------------------------------------------------------------------

describe('the docs name only what exists', () => {
  test('every setting a doc names is in the configuration schema', () => {
    const wrong: string[] = [];
    for (const doc of DOCS) {
      for (const span of codeOf(doc.text)) {
        for (const m of span.matchAll(/(?:^|[\s(])([a-z][A-Za-z0-9]*(?:\[\d*\])?(?:\.[A-Za-z*][A-Za-z0-9]*(?:\[\d*\])?)+)(?=$|[\s:=),])/g)) {
          const name = m[1]!;
          if (!SECTIONS.has(name.split(/[.[]/)[0]!)) continue;
          // Names under a section that are not settings are permissions, audit actions or
          // problem types (`audit.read`, `mdm.sync.failed`): the source must name them.
          if (isSetting(name) || SOURCE.includes(`'${name}'`) || SOURCE.includes(`"${name}"`) || SOURCE.includes(`\`${name}`)) continue;
          wrong.push(`${doc.file}: \`${name}\``);
        }
      }
    }
    assert.deepEqual([...new Set(wrong)], [], 'settings named in the docs that the schema does not have');
  });

  test('every PALISADE_ environment variable a doc names is a setting or read by the code', () => {
    const envNames = new Set([...SETTINGS].filter((s) => !s.includes('[]') && !s.includes('*')).map((s) => envName(s.split('.'))));
    const wrong: string[] = [];
    for (const doc of DOCS) {
      for (const m of doc.text.matchAll(/\bPALISADE_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        const name = m[0];
        if (envNames.has(name) || new RegExp(`\\b${name}\\b`).test(SOURCE)) continue;
        wrong.push(`${doc.file}: ${name}`);
      }
    }
    assert.deepEqual([...new Set(wrong)], [], 'environment variables named in the docs that nothing reads');
  });

  test('every palisade command, option and npm script a doc names exists', () => {
    const scripts = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const ciRun = readFileSync(path.join(REPO_ROOT, '.ci/run'), 'utf8');
    const wrong: string[] = [];
    let checked = 0;
    for (const doc of DOCS) {
      for (const line of codeOf(doc.text)) {
        for (const words of commandsIn(line)) {
          checked++;
          const problem = checkCommand(words);
          if (problem) wrong.push(`${doc.file}: \`palisade ${words.join(' ')}\`: ${problem}`);
        }
        for (const m of line.matchAll(/\bnpm (run )?([a-z][a-z:-]*)/g)) {
          const [, run, name] = m;
          if (!run && ['install', 'ci', 'i'].includes(name!)) continue;
          // npm's own output quoted in a doc (`npm warn EBADENGINE …`), not a command.
          if (!run && ['warn', 'error', 'notice', 'http', 'verbose'].includes(name!)) continue;
          // npm's own commands that .ci/run uses (the SBOM and the advisory check); the test below
          // holds them to .ci/run, so a doc cannot name one CI has stopped running.
          if (!run && ['sbom', 'audit'].includes(name!)) {
            if (!ciRun.includes(`npm ${name}`)) wrong.push(`${doc.file}: \`npm ${name}\` is named, but .ci/run no longer runs it`);
            continue;
          }
          if (!run && !['start', 'test'].includes(name!)) {
            wrong.push(`${doc.file}: \`npm ${name}\` is not a command this project uses`);
            continue;
          }
          // A workspace's script: `npm run <name> -w <workspace>` (in the same code span).
          const workspace = /^[^`]*?\s-w\s+([a-z][a-z-]*)/.exec(line.slice(m.index! + m[0].length))?.[1];
          const owner = workspace ? (JSON.parse(readFileSync(path.join(REPO_ROOT, workspace, 'package.json'), 'utf8')).scripts as Record<string, string>) : scripts;
          if (!owner[name!]) wrong.push(`${doc.file}: \`npm ${run ?? ''}${name}${workspace ? ` -w ${workspace}` : ''}\`: ${workspace ?? 'the root'}'s package.json has no script \`${name}\``);
        }
      }
    }
    assert.ok(checked > 20, `the docs name palisade commands (found ${checked})`);
    assert.deepEqual(wrong, [], 'commands named in the docs that the CLI or package.json does not have');
  });

  test('the exemptions for other systems’ routes are still named by their docs', () => {
    for (const o of OTHER_SYSTEMS) {
      const doc = DOCS.find((d) => d.file === o.doc);
      assert.ok(doc?.text.includes(o.route), `${o.doc} no longer names ${o.route} (${o.why}): remove it from OTHER_SYSTEMS`);
    }
  });

  test('the command check refuses what does not exist (the check itself can fail)', () => {
    assert.match(checkCommand(['audit', 'verfy']) ?? '', /no command `verfy`/);
    assert.match(checkCommand(['audit', 'verify', '--anchr', 'x']) ?? '', /--anchr/);
    assert.equal(checkCommand(['audit', 'verify', '--anchor', 'file']), undefined);
    assert.equal(isSetting('server.port'), true);
    assert.equal(isSetting('server.prot'), false);
    assert.equal(isSetting('clients[0].attestation.apple'), true);
  });
});

describe('every route a doc names is served', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'palisade-docs-'));
  let server: Awaited<ReturnType<typeof startInProcess>>['server'];
  let ca: string;
  let appKey: string;

  before(async () => {
    // Routes that exist only when configured: the metrics scrape and an MDM's notifications
    // (the Jamf sync fails against a closed port, quietly, which does not matter here).
    const started = await startInProcess({ dataDir, url: undefined }, { env: {} }, await freePort(), {
      PALISADE_METRICS_TOKEN: 'docs-drift-metrics-token-0123456789',
      PALISADE_MDM_JAMF_BASE_URL: 'https://127.0.0.1:9',
      PALISADE_MDM_JAMF_AUTH_CLIENT_ID: 'docs',
      PALISADE_MDM_JAMF_AUTH_CLIENT_SECRET: 'docs-drift-secret-0123456789',
      PALISADE_MDM_JAMF_WEBHOOK_AUTH_USERNAME: 'docs',
      PALISADE_MDM_JAMF_WEBHOOK_AUTH_PASSWORD: 'docs-drift-password-0123456789',
      // security.txt is served only with a contact (the docs name its route).
      PALISADE_SECURITY_TXT_CONTACT: JSON.stringify(['mailto:security@docs.test']),
      PALISADE_SECURITY_TXT_EXPIRES: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    });
    server = started.server;
    ca = started.ca;
    // Every /api and /admin request is checked for an app key before routing, so without one a
    // route that does not exist would be refused like one that does.
    appKey = Object.values(started.appKeys)[0]!;
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('docs/records-of-processing.md is what `npm run docs` makes of the OpenAPI document and the retention defaults', async () => {
    const { Agent, fetch } = await import('undici');
    const dispatcher = new Agent({ connect: { ca } });
    const openapi = (await (await fetch(new URL('/openapi.json', server.url), { dispatcher })).json()) as OpenApiLike;
    await dispatcher.close();
    const generated = recordsOfProcessingMarkdown(openapi, retentionDefaults(ConfigSchema as never));
    assert.equal(readFileSync(path.join(REPO_ROOT, 'docs/records-of-processing.md'), 'utf8'), generated, 'docs/records-of-processing.md is stale: run npm run docs');
    // The record follows the document: the location trail is sensitive there, and a route that
    // disappears fails the generator instead of leaving a stale record.
    assert.match(generated, /\| `latitude` \| sensitive \|/);
    assert.match(generated, /`retention\.locations` = 30d/);
    const without = structuredClone(openapi);
    delete without.paths['/api/v1/technicians/{id}/locations'];
    assert.throws(() => recordsOfProcessingMarkdown(without, retentionDefaults(ConfigSchema as never)), /no GET \/api\/v1\/technicians\/\{id\}\/locations/);
  });

  test('each documented route answers with something other than “no such route”', async () => {
    const { Agent, fetch } = await import('undici');
    const dispatcher = new Agent({ connect: { ca } });
    // The check can fail: a route nobody serves is refused with the not-found problem.
    const refs = [{ method: 'GET', path: '/admin/v1/docs-drift-no-such-route', doc: '(self-check)' }, ...DOCS.flatMap(routesIn)];
    const served = new Set<string>();
    for (const ref of refs) {
      const url = concrete(ref.path);
      if (!url) continue;
      for (const method of ref.method ? [ref.method] : ['GET', 'POST']) {
        const response = await fetch(new URL(url, server.url), { method, dispatcher, redirect: 'manual', headers: { 'palisade-app-key': appKey } });
        const body = await response.text();
        if (!(response.status === 404 && /"type":"[^"]*not-found"/.test(body))) served.add(ref.path);
      }
    }
    await dispatcher.close();
    // A family of routes (`/auth/*`, `PATCH /scim/v2/…`, `/scim/v2`, `/api/v1/`) is served when a route in it is.
    const family = (p: string) => p.replace(/(\/\*|\/?…|\/)$/, '');
    const wrong = refs
      .filter((ref) => !served.has(ref.path) && ![...served].some((s) => s.startsWith(`${family(ref.path)}/`)))
      .map((ref) => `${ref.doc}: ${ref.method ?? 'GET/POST'} ${ref.path}`);
    assert.ok(refs.length > 30, `the docs name routes (found ${refs.length})`);
    assert.equal(wrong[0], '(self-check): GET /admin/v1/docs-drift-no-such-route', 'a route nobody serves is found missing');
    assert.deepEqual(wrong.slice(1), [], 'routes named in the docs that the server does not serve');
  });
});
