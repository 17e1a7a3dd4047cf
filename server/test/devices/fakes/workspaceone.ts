/**
 * A fake Workspace ONE UEM API server: `GET /api/mdm/devices/search?page=&pagesize=` with the
 * `aw-tenant-code` header and Basic or an OAuth bearer (its own `/connect/token`), answering
 * `{ Devices, Page, PageSize, Total }` and 204 past the end, from fixtures/ws1-devices.json.
 */
import { readFileSync } from 'node:fs';
import { json, startFakeServer, type FakeServer } from './fake-server.ts';

export const WS1_DEVICES = JSON.parse(readFileSync(new URL('../fixtures/ws1-devices.json', import.meta.url), 'utf8')) as Record<string, unknown>[];

export function ws1Event(name: 'event-notification' | 'event-notification-legacy'): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/ws1-${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}

export interface FakeWorkspaceOne extends FakeServer {
  tenantCode: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  tokensIssued: string[];
  devices: Record<string, unknown>[];
}

export async function startFakeWorkspaceOne(): Promise<FakeWorkspaceOne> {
  const fake = { tenantCode: 'fakeTenantCode0123456789=', username: 'palisade-api', password: 'fake-ws1-password-0123456789', clientId: 'palisade-oauth', clientSecret: 'fake-ws1-client-secret-0123456789', tokensIssued: [] as string[], devices: WS1_DEVICES };
  const valid = new Set<string>();
  const base = await startFakeServer(
    (request, response) => {
      const { pathname, searchParams } = request.url;
      if (request.method === 'POST' && pathname === '/connect/token') {
        const form = new URLSearchParams(request.body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret) return json(response, 400, { error: 'invalid_client' });
        const token = `ws1-token-${fake.tokensIssued.length + 1}`;
        fake.tokensIssued.push(token);
        valid.add(token);
        return json(response, 200, { access_token: token, expires_in: 3600, token_type: 'Bearer' });
      }
      if (request.headers['aw-tenant-code'] !== fake.tenantCode) return json(response, 401, { errorCode: 1005, message: 'Invalid tenant code' });
      const auth = request.headers.authorization ?? '';
      const bearer = /^Bearer (.+)$/.exec(auth)?.[1];
      const basicOk = auth === `Basic ${Buffer.from(`${fake.username}:${fake.password}`).toString('base64')}`;
      if (!basicOk && !(bearer && valid.has(bearer))) return json(response, 401, { errorCode: 1005, message: 'User credentials are invalid' });
      if (request.method === 'GET' && pathname === '/api/mdm/devices/search') {
        const page = Number(searchParams.get('page') ?? 0);
        const size = Number(searchParams.get('pagesize') ?? 500);
        const devices = fake.devices.slice(page * size, page * size + size);
        if (devices.length === 0) {
          response.writeHead(204);
          return response.end();
        }
        return json(response, 200, { Devices: devices, Page: page, PageSize: size, Total: fake.devices.length });
      }
      json(response, 404, { errorCode: 404, message: 'Not found' });
    },
    (request) => request.url.pathname === '/api/mdm/devices/search',
  );
  return Object.assign(fake, base);
}
