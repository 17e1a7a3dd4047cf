/**
 * A fake Jamf Pro server: `POST /api/oauth/token` (API client, client credentials),
 * `POST /api/v1/auth/token` (Basic, the older way) and `GET /api/v2/mobile-devices/detail`
 * paged by `page` / `page-size` with `totalCount`, serving fixtures/jamf-mobile-devices-detail.json.
 */
import { readFileSync } from 'node:fs';
import { json, startFakeServer, type FakeServer } from './fake-server.ts';

export const JAMF_DEVICES = JSON.parse(readFileSync(new URL('../fixtures/jamf-mobile-devices-detail.json', import.meta.url), 'utf8')) as Record<string, unknown>[];

export function jamfWebhook(name: 'mobile-device-check-in' | 'mobile-device-unenrolled' | 'computer-check-in'): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/jamf-webhook-${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

export interface FakeJamf extends FakeServer {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  tokensIssued: string[];
  devices: Record<string, unknown>[];
}

export async function startFakeJamf(): Promise<FakeJamf> {
  const fake = { clientId: 'c7a1f3e2-palisade', clientSecret: 'fake-jamf-client-secret-0123456789', username: 'palisade-api', password: 'fake-jamf-password-0123456789', tokensIssued: [] as string[], devices: JAMF_DEVICES };
  const valid = new Set<string>();
  const issue = () => {
    const token = `jamf-token-${fake.tokensIssued.length + 1}`;
    fake.tokensIssued.push(token);
    valid.add(token);
    return token;
  };
  const base = await startFakeServer(
    (request, response) => {
      const { pathname, searchParams } = request.url;
      if (request.method === 'POST' && pathname === '/api/oauth/token') {
        const form = new URLSearchParams(request.body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret) return json(response, 401, { error: 'invalid_client' });
        return json(response, 200, { access_token: issue(), scope: 'api-role:1', token_type: 'Bearer', expires_in: 299 });
      }
      if (request.method === 'POST' && pathname === '/api/v1/auth/token') {
        if (request.headers.authorization !== `Basic ${Buffer.from(`${fake.username}:${fake.password}`).toString('base64')}`) return json(response, 401, { httpStatus: 401, errors: [] });
        return json(response, 200, { token: issue(), expires: new Date(Date.now() + 20 * 60_000).toISOString() });
      }
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!bearer || !valid.has(bearer)) return json(response, 401, { httpStatus: 401, errors: [{ code: 'INVALID_TOKEN', description: 'Unauthorized' }] });
      if (request.method === 'GET' && pathname === '/api/v2/mobile-devices/detail') {
        const page = Number(searchParams.get('page') ?? 0);
        const size = Number(searchParams.get('page-size') ?? 100);
        const sections = searchParams.getAll('section');
        const keep: Record<string, string> = { GENERAL: 'general', HARDWARE: 'hardware', SECURITY: 'security', USER_AND_LOCATION: 'userAndLocation' };
        const wanted = new Set((sections.length ? sections : ['GENERAL']).map((s) => keep[s]));
        const results = fake.devices.slice(page * size, page * size + size).map((d) => Object.fromEntries(Object.entries(d).filter(([k]) => k === 'mobileDeviceId' || k === 'deviceType' || wanted.has(k))));
        return json(response, 200, { totalCount: fake.devices.length, results });
      }
      json(response, 404, { httpStatus: 404, errors: [] });
    },
    (request) => request.url.pathname === '/api/v2/mobile-devices/detail',
  );
  return Object.assign(fake, base);
}
