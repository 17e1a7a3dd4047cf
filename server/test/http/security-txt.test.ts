/**
 * `/.well-known/security.txt` (RFC 9116) from configuration: the fields in order with a Canonical
 * at the public URL; not served without a contact; a contact without an expiry date, a plain-http
 * contact or a policy that is not https are refused at start.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from '../helpers/app.ts';
import { SECURITY_TXT_PATH, securityTxtRoute } from '../../src/http/security-txt.ts';
import { loadConfig, ConfigError } from '../../src/config/load.ts';

test('security.txt names the contacts, the expiry, the policy and its canonical place', async () => {
  const app = testApp();
  await app.register(securityTxtRoute, {
    settings: { contact: ['mailto:security@corp.test', 'https://corp.test/report'], expires: '2027-06-30T00:00:00Z', policy: 'https://corp.test/disclosure', preferredLanguages: 'en, de' },
    publicUrl: 'https://palisade.corp.test/',
  });
  await app.ready();
  const response = await app.inject({ method: 'GET', url: SECURITY_TXT_PATH });
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
  assert.equal(
    response.body,
    [
      'Contact: mailto:security@corp.test',
      'Contact: https://corp.test/report',
      'Expires: 2027-06-30T00:00:00.000Z',
      'Preferred-Languages: en, de',
      'Canonical: https://palisade.corp.test/.well-known/security.txt',
      'Policy: https://corp.test/disclosure',
      '',
    ].join('\n'),
  );
  await app.close();
});

test('without the route (no contact configured) the path is not found', async () => {
  const app = testApp();
  await app.ready();
  assert.equal((await app.inject({ method: 'GET', url: SECURITY_TXT_PATH })).statusCode, 404);
  await app.close();
});

test('a contact needs an expiry date, contacts and the policy must be mailto:, https:// or tel:', () => {
  const problems = (securityTxt: Record<string, unknown>) => {
    try {
      loadConfig({ env: {}, document: { securityTxt } });
      return '';
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.message;
    }
  };
  assert.match(problems({ contact: ['mailto:security@corp.test'] }), /securityTxt\.expires: is required with a contact/);
  assert.match(problems({ contact: ['http://corp.test/report'], expires: '2027-06-30T00:00:00Z' }), /securityTxt\.contact.*mailto:, https:\/\/ or tel:/s);
  assert.match(problems({ contact: ['mailto:security@corp.test'], expires: 'next year' }), /securityTxt\.expires: must be an ISO 8601/);
  assert.match(problems({ contact: ['mailto:security@corp.test'], expires: '2027-06-30T00:00:00Z', policy: 'http://corp.test/p' }), /securityTxt\.policy/);
  assert.equal(problems({ contact: ['mailto:security@corp.test'], expires: '2027-06-30T00:00:00Z' }), '', 'a contact and an expiry are enough');
});
