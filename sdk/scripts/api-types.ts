/**
 * The typed API client's types, generated from Palisade's OpenAPI document by openapi-typescript.
 * `npm run api -w sdk -- <url of a running Palisade or a saved openapi.json>` rewrites
 * src/api/schema.ts; the SDK's end-to-end test regenerates it from the server it started and
 * fails when the committed file has drifted.
 */
import openapiTS, { astToString } from 'openapi-typescript';

export const SCHEMA_HEADER = '/**\n * Generated from Palisade\'s /openapi.json by openapi-typescript (`npm run api -w sdk -- <url>`). Do not edit.\n */\n';

export async function apiTypes(document: Record<string, unknown>): Promise<string> {
  return SCHEMA_HEADER + astToString(await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]));
}
