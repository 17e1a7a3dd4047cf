// Writes sdk/src/api/schema.ts from Palisade's OpenAPI document (see api-types.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Agent } from 'undici';
import { apiTypes } from './api-types.ts';

const source = process.argv[2];
if (!source) {
  console.error('usage: npm run api -w sdk -- <https://palisade…/openapi.json | https://palisade… | path/to/openapi.json> [ca.pem]');
  process.exit(2);
}
let document: Record<string, unknown>;
if (/^https?:/.test(source)) {
  const url = source.endsWith('/openapi.json') ? source : `${source.replace(/\/$/, '')}/openapi.json`;
  const ca = process.argv[3] ? readFileSync(process.argv[3], 'utf8') : undefined;
  const response = await fetch(url, ca ? ({ dispatcher: new Agent({ connect: { ca } }) } as RequestInit) : {});
  document = (await response.json()) as Record<string, unknown>;
} else {
  document = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
}
const target = path.resolve(import.meta.dirname, '../src/api/schema.ts');
writeFileSync(target, await apiTypes(document));
console.log(`wrote ${path.relative(process.cwd(), target)}`);
