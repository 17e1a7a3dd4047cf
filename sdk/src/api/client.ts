/**
 * The typed API client: openapi-fetch over types generated from Palisade's /openapi.json
 * (schema.ts), sending every request through `PalisadeClient.fetch` so it carries the app key,
 * DPoP proof, signature and Content-Digest, and gets the SDK's handling of locks, step-up,
 * refresh and the rest.
 *
 *   const api = createApiClient(client);
 *   const { data, error } = await api.GET('/api/v1/me');
 */
import createClient, { type Client } from 'openapi-fetch';
import type { PalisadeClient } from '../client.ts';
import type { paths } from './schema.ts';

export type { paths } from './schema.ts';
export type PalisadeApi = Client<paths>;

export function createApiClient(client: PalisadeClient): PalisadeApi {
  return createClient<paths>({
    baseUrl: new URL(client.options.issuer).origin,
    fetch: async (request: Request) => {
      const url = new URL(request.url);
      const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
      return client.fetch(`${url.pathname}${url.search}`, { method: request.method, headers: request.headers, ...(body ? { body } : {}) });
    },
  });
}
