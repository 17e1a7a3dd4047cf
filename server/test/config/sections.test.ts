/**
 * The configuration sections a module defines itself (`configSchema` in its PalisadeModule)
 * are composed into the one configuration schema as they are: the very object, at the path the
 * module names, so a module's settings change in its own folder. And every top-level key a
 * module says it owns is a key of the schema.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TSchema } from 'typebox';
import { ConfigSchema } from '../../src/config/index.ts';
import { auditModule } from '../../src/audit/index.ts';
import { devicesModule } from '../../src/devices/index.ts';
import { oauthModule } from '../../src/oauth/index.ts';
import { cacheModule } from '../../src/cache/index.ts';
import { databaseModule } from '../../src/db/index.ts';
import { httpModule, listenerModule } from '../../src/http/index.ts';
import { sessionsModule } from '../../src/sessions/index.ts';
import { apisecModule } from '../../src/apisec/index.ts';
import { fieldServiceModule } from '../../src/domains/fieldservice/index.ts';
import type { PalisadeModule } from '../../src/module.ts';

const modules: PalisadeModule<never, unknown>[] = [auditModule, devicesModule, oauthModule, cacheModule, databaseModule, httpModule, listenerModule, sessionsModule, apisecModule, fieldServiceModule] as never;

function at(schema: TSchema, path: string): TSchema | undefined {
  let node: TSchema | undefined = schema;
  for (const key of path.split('.')) node = (node as { properties?: Record<string, TSchema> } | undefined)?.properties?.[key];
  return node;
}

describe('modules own their configuration sections', () => {
  test('each section a module defines is in the configuration schema, the same object at its path', () => {
    const defined = modules.flatMap((m) => Object.entries(m.configSchema ?? {}).map(([path, schema]) => ({ module: m.name, path, schema })));
    assert.deepEqual(defined.map((d) => d.path).sort(), ['mdm', 'monitoring', 'upstream.claims']);
    for (const { module, path, schema } of defined) assert.equal(at(ConfigSchema, path), schema, `${module}: ${path} is composed as defined`);
  });

  test('the check itself fails on a section that is not composed', () => {
    assert.equal(at(ConfigSchema, 'no.such.section'), undefined);
    assert.notEqual(at(ConfigSchema, 'monitoring'), at(ConfigSchema, 'mdm'));
  });

  test('every top-level key a module owns is a configuration key, and no two modules own one', () => {
    const owners = new Map<string, string>();
    for (const m of modules) {
      for (const key of m.config ?? []) {
        assert.ok(key in ConfigSchema.properties, `${m.name}: ${key} is a configuration key`);
        assert.equal(owners.get(key), undefined, `${key} is owned once`);
        owners.set(key, m.name);
      }
    }
  });
});
