/**
 * A fake Microsoft identity platform token endpoint and Graph `managedDevices`, serving the
 * documented payloads of fixtures/intune-managed-devices.json in pages linked by
 * `@odata.nextLink` (`$skiptoken`), and accepting only the token it issued.
 */
import { readFileSync } from 'node:fs';
import { json, startFakeServer, type FakeServer } from './fake-server.ts';

export const INTUNE_DEVICES = JSON.parse(readFileSync(new URL('../fixtures/intune-managed-devices.json', import.meta.url), 'utf8')) as Record<string, unknown>[];

export interface FakeIntune extends FakeServer {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  tokensIssued: string[];
  /** Token lifetime the fake announces (expires_in, seconds). */
  expiresIn: number;
  /** Makes the fake answer nextLinks on another origin (to test that the adapter refuses them). */
  foreignNextLink: string | undefined;
  devices: Record<string, unknown>[];
  /** Revokes every issued token (the next Graph call gets 401). */
  revokeTokens(): void;
}

export async function startFakeIntune(pageSize = 2): Promise<FakeIntune> {
  const fake = { tenantId: 'corp.test', clientId: 'palisade-mdm-reader', clientSecret: 'fake-intune-client-secret-0123456789', tokensIssued: [] as string[], expiresIn: 3599, foreignNextLink: undefined as string | undefined, devices: INTUNE_DEVICES };
  const valid = new Set<string>();
  const base = await startFakeServer(
    (request, response) => {
      const { pathname, searchParams } = request.url;
      if (request.method === 'POST' && pathname === `/${fake.tenantId}/oauth2/v2.0/token`) {
        const form = new URLSearchParams(request.body);
        if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== fake.clientId || form.get('client_secret') !== fake.clientSecret || !form.get('scope')?.endsWith('/.default')) {
          return json(response, 401, { error: 'invalid_client', error_description: `AADSTS7000215: Invalid client secret provided ${form.get('client_secret')}` });
        }
        const token = `graph-token-${fake.tokensIssued.length + 1}`;
        fake.tokensIssued.push(token);
        valid.add(token);
        return json(response, 200, { token_type: 'Bearer', expires_in: fake.expiresIn, ext_expires_in: fake.expiresIn, access_token: token });
      }
      const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      if (!bearer || !valid.has(bearer)) return json(response, 401, { error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty or invalid.' } });
      if (request.method === 'GET' && pathname === '/v1.0/deviceManagement/managedDevices') {
        const select = searchParams.get('$select')?.split(',');
        const skip = Number(searchParams.get('$skiptoken') ?? 0);
        const page = fake.devices.slice(skip, skip + pageSize).map((d) => (select ? Object.fromEntries(Object.entries(d).filter(([k]) => select.includes(k) || k.startsWith('@'))) : d));
        const body: Record<string, unknown> = { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#deviceManagement/managedDevices', value: page };
        if (skip + pageSize < fake.devices.length) {
          const next = new URL(fake.foreignNextLink ?? `${base.url}${pathname}`);
          next.search = searchParams.toString();
          next.searchParams.set('$skiptoken', String(skip + pageSize));
          body['@odata.nextLink'] = next.toString();
        }
        return json(response, 200, body);
      }
      const one = /^\/v1\.0\/deviceManagement\/managedDevices\/([^/]+)$/.exec(pathname);
      if (request.method === 'GET' && one) {
        const device = fake.devices.find((d) => String(d.id).toLowerCase() === decodeURIComponent(one[1]!).toLowerCase());
        return device ? json(response, 200, device) : json(response, 404, { error: { code: 'ResourceNotFound' } });
      }
      json(response, 404, { error: { code: 'NotFound' } });
    },
    (request) => request.url.pathname.startsWith('/v1.0/'),
  );
  // The handler reads `fake`, so the test's changes to the returned object reach it.
  return Object.assign(fake, base, { revokeTokens: () => valid.clear() });
}
