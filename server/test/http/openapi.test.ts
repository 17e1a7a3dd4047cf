/**
 * /openapi.json describes the pipeline as it runs: every operation has a unique operationId, the
 * security it really needs (the app key on every /api and /admin operation, a bearer or DPoP
 * token where the route authenticates, a request signature where signing is required), and the
 * problem responses the pipeline can answer with, each an RFC 9457 Problem of a catalogued type.
 * The document passes an OpenAPI lint (Redocly CLI) with zero errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROBLEM_BASE, PROBLEM_TYPES, isProblemSlug } from '../../src/errors/index.ts';
import { freePort, startInProcess, REPO_ROOT } from '../helpers/server.ts';

type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: { $ref?: string } }> }>;
  'x-palisade-permission'?: string;
  'x-palisade-problem-types'?: string[];
  'x-palisade-request-signing'?: string;
};
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> } };

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch']);

describe('the OpenAPI document', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'palisade-openapi-'));
  let server: Awaited<ReturnType<typeof startInProcess>>['server'] | undefined;
  let doc: Document;
  let ops: { key: string; path: string; op: Operation }[];

  before(async () => {
    const started = await startInProcess({ dataDir, url: undefined }, { env: {} }, await freePort());
    server = started.server;
    const { Agent, fetch } = await import('undici');
    const response = await fetch(`${server.url}/openapi.json`, { dispatcher: new Agent({ connect: { ca: started.ca } }) });
    assert.equal(response.status, 200);
    doc = (await response.json()) as Document;
    ops = Object.entries(doc.paths).flatMap(([p, item]) => Object.entries(item).filter(([m]) => METHODS.has(m)).map(([m, op]) => ({ key: `${m.toUpperCase()} ${p}`, path: p, op })));
  });
  after(async () => {
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('every operation has an operationId, and no two share one', () => {
    assert.ok(ops.length >= 40, `the document lists the API (${ops.length} operations)`);
    const ids = ops.map(({ key, op }) => op.operationId ?? assert.fail(`${key} has no operationId`));
    assert.equal(new Set(ids).size, ids.length, 'operationIds are unique');
  });

  test('every /api and /admin operation declares the app key in each of its security alternatives', () => {
    const keyed = ops.filter(({ path: p }) => /^\/(api|admin)(\/|$)/.test(p));
    assert.ok(keyed.length >= 40, `${keyed.length} keyed operations`);
    for (const { key, op } of keyed) {
      assert.ok(op.security?.length, `${key} declares its security`);
      for (const requirement of op.security!) assert.ok('appKey' in requirement, `${key}: every alternative needs the app key (${JSON.stringify(op.security)})`);
    }
  });

  test('an operation that needs a permission needs a bearer or DPoP token, and a request signature where signing is required', () => {
    const guarded = ops.filter(({ op }) => op['x-palisade-permission']);
    assert.ok(guarded.length >= 20);
    for (const { key, op } of guarded) {
      const schemes = op.security!.map((r) => Object.keys(r).sort().join('+'));
      assert.deepEqual(schemes, op['x-palisade-request-signing'] === 'required' ? ['appKey+bearer+requestSignature', 'appKey+dpop+requestSignature'] : ['appKey+bearer', 'appKey+dpop'], key);
      for (const slug of ['missing-token', 'invalid-token', 'forbidden']) assert.ok(op['x-palisade-problem-types']!.includes(PROBLEM_BASE + slug), `${key} documents ${slug}`);
    }
    // The device's acknowledgement of a wipe or lock is signed by the device key instead: its route turns request signing off.
    const ack = ops.find(({ key }) => /^POST \/api\/v1\/.*commands\/\{[^}]+\}\/ack/.test(key));
    if (ack) assert.ok(ack.op.security!.every((r) => !('requestSignature' in r)), `${ack.key} needs no request signature`);
  });

  test('every problem response is a Problem of catalogued types, documented in docs/problems.md', () => {
    for (const { key, op } of ops) {
      const types = op['x-palisade-problem-types'] ?? [];
      assert.ok(types.includes(`${PROBLEM_BASE}internal`) || types.includes(`${PROBLEM_BASE}scim-500`), `${key} documents the 500 problem`);
      for (const uri of types) assert.ok(uri.startsWith(PROBLEM_BASE) && isProblemSlug(uri.slice(PROBLEM_BASE.length)), `${key}: ${uri} is catalogued`);
      for (const slug of types.map((u) => u.slice(PROBLEM_BASE.length)) as (keyof typeof PROBLEM_TYPES)[]) {
        const response = op.responses?.[String(PROBLEM_TYPES[slug].status)];
        assert.ok(response, `${key} has a ${PROBLEM_TYPES[slug].status} response for ${slug}`);
        const schema = Object.values(response.content ?? {})[0]?.schema?.$ref;
        if (!op.responses?.[String(PROBLEM_TYPES[slug].status)]?.description?.startsWith('[')) continue; // declared by the route itself
        assert.equal(schema, PROBLEM_TYPES[slug].scim ? '#/components/schemas/ScimError' : '#/components/schemas/Problem', `${key} ${slug}`);
      }
    }
    for (const name of ['Problem', 'ScimError', 'Uuid', 'Timestamp', 'Page']) assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
    for (const name of ['appKey', 'bearer', 'dpop', 'requestSignature', 'scimToken', 'mdmCredentials']) assert.ok(doc.components.securitySchemes[name], `components.securitySchemes.${name}`);
  });

  test('Redocly CLI lints the document with zero errors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'palisade-openapi-lint-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const redocly = path.join(REPO_ROOT, 'node_modules/.bin/redocly');
      const run = await promisify(execFile)(redocly, ['lint', file, '--config', path.join(REPO_ROOT, 'redocly.yaml'), '--format', 'json'], { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } }).catch(
        (error: { stdout?: string; stderr?: string; code?: number }) => error,
      );
      const report = JSON.parse(run.stdout ?? '{}') as { totals?: { errors: number; warnings: number }; problems?: { ruleId: string; message: string; severity: string; location?: { pointer?: string }[] }[] };
      const errors = (report.problems ?? []).filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer ?? '?'}`);
      assert.ok(report.totals, `redocly ran (${run.stderr ?? ''})`);
      assert.deepEqual(errors, [], 'the OpenAPI lint finds no errors');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
