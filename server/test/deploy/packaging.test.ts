/**
 * The packaging, checked as far as this machine can without pulling images: the Dockerfile's
 * shape (multi-stage, Node 24, non-root, health check, no shell as PID 1), compose.yaml's
 * services and hardening, the Kubernetes manifests against the Kubernetes API's JSON schemas
 * (kubernetes-models), their probes and budget, and the HAProxy configuration through
 * `haproxy -c` (when HAProxy is installed). What is not checked here: that the image builds and
 * runs (base images cannot be pulled) and `docker compose config` (no compose plugin).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { haproxySkip } from '../helpers/haproxy.ts';
import { REPO_ROOT } from '../helpers/server.ts';
import { ConfigSchema } from '../../src/config/schema.ts';

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
type Json = Record<string, unknown>;

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile.split('\n').filter((line) => /^[A-Z]+\s/.test(line));

  test('two stages on Node 24, the runtime one as the unprivileged node user', () => {
    const froms = instructions.filter((line) => line.startsWith('FROM '));
    assert.equal(froms.length, 2, 'a build stage and a runtime stage');
    for (const from of froms) assert.match(from, /^FROM node:24[-.]/, 'Node 24, the engines field’s version');
    const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    assert.match(runtime, /\nUSER node\n/, 'the runtime stage drops root');
    assert.doesNotMatch(runtime, /npm (ci|install)/, 'no install step (and no dev dependency) in the runtime stage');
    assert.match(runtime, /ENV NODE_ENV=production/);
  });

  test('a health check, and the server as PID 1 (signals reach it: graceful stop)', () => {
    assert.match(dockerfile, /\nHEALTHCHECK [^\n]*\\\n\s+CMD \["node"/);
    assert.match(dockerfile, /\nENTRYPOINT \["node", "server\/bin\/palisade\.ts"\]/, 'exec form: no shell between the runtime and SIGTERM');
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Json> };

  test('PostgreSQL, Redis, a migration step, two Palisade instances and HAProxy', () => {
    assert.deepEqual(Object.keys(compose.services).sort(), ['haproxy', 'migrate', 'palisade-1', 'palisade-2', 'postgres', 'redis']);
  });

  test('the instances run read-only, non-root, without capabilities, after the migration', () => {
    for (const name of ['palisade-1', 'palisade-2']) {
      const service = compose.services[name]!;
      assert.equal(service.read_only, true, `${name}: read-only root file system`);
      assert.notEqual(String(service.user).split(':')[0], '0', `${name}: not root`);
      assert.deepEqual(service.cap_drop, ['ALL']);
      assert.deepEqual((service.depends_on as Json).migrate, { condition: 'service_completed_successfully' });
      const env = service.environment as Record<string, string>;
      assert.equal(env.NODE_ENV, 'production', 'production mode refuses every development shortcut');
      assert.match(env.PALISADE_MASTER_KEY!, /^\$\{PALISADE_MASTER_KEY:\?/, 'the master key comes from the environment, never the file');
      assert.ok(env.REDIS_URL, 'several instances share the session feed and replay markers through Redis');
    }
  });

  test('every environment name it sets is a setting Palisade knows', () => {
    const known = new Set<string>(['NODE_ENV', 'DATABASE_URL', 'REDIS_URL']);
    const walk = (schema: Json, at: string[]) => {
      const name = 'PALISADE_' + at.map((s) => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_');
      if (at.length) known.add(name);
      for (const [key, child] of Object.entries((schema.properties as Record<string, Json> | undefined) ?? {})) walk(child, [...at, key]);
      for (const option of (schema.anyOf as Json[] | undefined) ?? []) walk(option, at);
    };
    walk(ConfigSchema as unknown as Json, []);
    const configMap = parse(read('deploy/k8s/configmap.yaml')) as { data: Record<string, string> };
    const secret = parse(read('deploy/k8s/secret.yaml')) as { stringData: Record<string, string> };
    const names = [...Object.keys(compose.services['palisade-1']!.environment as Json), ...Object.keys(configMap.data), ...Object.keys(secret.stringData)];
    assert.deepEqual(names.filter((n) => !known.has(n)), [], 'a misspelt variable would be silently ignored by the deployment');
  });
});

describe('Kubernetes manifests', () => {
  const docs = ['deployment.yaml', 'migrate-job.yaml', 'secret.yaml', 'configmap.yaml'].flatMap((file) => parseAllDocuments(read(`deploy/k8s/${file}`)).map((d) => d.toJSON() as Json));
  const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const models: Record<string, new (data: never) => { validate(): void }> = { Deployment, Job, PodDisruptionBudget, ConfigMap, Secret, Service };

  test('each object is valid against the Kubernetes API schema', () => {
    assert.deepEqual(docs.map((d) => d.kind).sort(), ['ConfigMap', 'Deployment', 'Job', 'PodDisruptionBudget', 'Secret', 'Service']);
    for (const doc of docs) {
      const Model = models[doc.kind as string]!;
      assert.doesNotThrow(() => new Model(doc as never).validate(), `${String(doc.kind)} is valid`);
    }
  });

  test('the schema check is real: a wrong type and a missing container name are refused', () => {
    const deployment = structuredClone(byKind('Deployment')[0]!) as { spec: { replicas: unknown; template: { spec: { containers: Json[] } } } };
    deployment.spec.replicas = 'three';
    assert.throws(() => new Deployment(deployment as never).validate(), /replicas must be integer/);
    const nameless = structuredClone(byKind('Deployment')[0]!) as typeof deployment;
    delete nameless.spec.template.spec.containers[0]!.name;
    assert.throws(() => new Deployment(nameless as never).validate(), /required property name/);
  });

  test('the Deployment: probes on /readyz and /healthz over HTTPS, a hardened container, a grace period above the shutdown timeout', () => {
    const deployment = new Deployment(byKind('Deployment')[0] as never);
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container.readinessProbe?.httpGet?.scheme, 'HTTPS');
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    const configMap = byKind('ConfigMap')[0] as { data: Record<string, string> };
    const shutdown = Number(/^(\d+)s$/.exec(configMap.data.PALISADE_SERVER_SHUTDOWN_TIMEOUT!)?.[1]);
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    assert.ok(pod.terminationGracePeriodSeconds! > shutdown + preStop, 'the pod is not killed while requests drain');
    assert.equal(deployment.spec!.strategy?.rollingUpdate?.maxUnavailable, 0);
    const secretRefs = (container.envFrom ?? []).map((e) => e.secretRef?.name).filter(Boolean);
    assert.deepEqual(secretRefs, ['palisade'], 'the master key comes from the Secret');
  });

  test('a PodDisruptionBudget covers the Deployment’s pods; the migration Job runs `migrate`', () => {
    const pdb = byKind('PodDisruptionBudget')[0] as { spec: { selector: { matchLabels: Json }; maxUnavailable: number } };
    const deployment = byKind('Deployment')[0] as { spec: { selector: { matchLabels: Json } } };
    assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
    assert.equal(pdb.spec.maxUnavailable, 1);
    const job = new Job(byKind('Job')[0] as never);
    assert.deepEqual(job.spec!.template.spec!.containers[0]!.args, ['migrate']);
    assert.equal(job.spec!.template.spec!.restartPolicy, 'Never');
  });

  test('the Secret in the repository holds placeholders only', () => {
    const secret = byKind('Secret')[0] as { stringData: Record<string, string> };
    for (const [name, value] of Object.entries(secret.stringData)) assert.match(value, /replace/, `${name} is a placeholder`);
  });
});

describe('deploy/haproxy/haproxy.cfg', { skip: haproxySkip() }, () => {
  test('haproxy -c accepts it (with throwaway certificates in place of /certs)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'palisade-haproxy-cfg-'));
    try {
      const key = path.join(dir, 'key.pem');
      const cert = path.join(dir, 'ca.crt');
      const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-keyout', key, '-out', cert], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      writeFileSync(path.join(dir, 'haproxy.pem'), readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
      const config = path.join(dir, 'haproxy.cfg');
      // Compose's service names do not resolve here: loopback stands in for them.
      writeFileSync(config, read('deploy/haproxy/haproxy.cfg').replaceAll('/certs/', `${dir}/`).replace(/palisade-(\d):8443/g, '127.0.0.1:1844$1'));
      const checked = spawnSync('haproxy', ['-c', '-f', config], { encoding: 'utf8', env: { ...process.env, PALISADE_PUBLIC_HOST: 'palisade.example.com' } });
      assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
