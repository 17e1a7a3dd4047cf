/**
 * Configuration changes are recorded without what makes a configuration secret: passwords in
 * URLs, query strings, a Slack webhook's path, tokens, the master key — while the settings a
 * security reviewer must see change (an app's DPoP requirement) stay readable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config/load.ts';
import { configSnapshot } from '../../src/audit/config-change.ts';
import { generateMasterKey, randomId } from '../../src/security/primitives.ts';

test('a configuration snapshot holds no secret, and keeps the settings that matter', () => {
  const secrets = {
    master: generateMasterKey(),
    dbPassword: `pw${randomId(8)}`,
    sslPassword: `ssl${randomId(8)}`,
    slackPath: `T000/B000/${randomId(12)}`,
    hookKey: `hk${randomId(8)}`,
    metrics: randomId(32),
    redisPassword: `rp${randomId(8)}`,
  };
  const config = loadConfig({
    env: {
      PALISADE_MASTER_KEY: secrets.master,
      DATABASE_URL: `postgres://palisade:${secrets.dbPassword}@db.internal:5432/palisade?sslpassword=${secrets.sslPassword}`,
      REDIS_URL: `redis://:${secrets.redisPassword}@cache.internal:6379`,
      PALISADE_METRICS_TOKEN: secrets.metrics,
      PALISADE_MONITORING_WEBHOOKS: JSON.stringify([
        { url: `https://hooks.slack.com/services/${secrets.slackPath}`, format: 'slack' },
        { url: `https://siem.example.com/ingest?api_key=${secrets.hookKey}` },
      ]),
      PALISADE_CLIENTS: JSON.stringify([{ id: 'field-app', name: 'Field', redirectUris: ['com.example.field:/cb'], dpop: 'allowed' }]),
    },
  });
  const text = JSON.stringify(configSnapshot(config));
  for (const [name, value] of Object.entries(secrets)) assert.ok(!text.includes(value), `${name} must not be recorded`);
  const snapshot = configSnapshot(config);
  assert.match(text, /"dpop":"allowed"/, 'an app’s DPoP requirement is visible, so turning it off is a recorded change');
  assert.equal(snapshot['database.url'], 'postgres://[redacted]@db.internal:5432/palisade?[redacted]');
  assert.equal(snapshot['tokens.accessTokenTtl'], '15m', 'settings named after tokens stay readable');
  assert.match(text, /https:\/\/hooks\.slack\.com\/\[redacted\]/, 'a webhook is recorded by its origin only');
});
