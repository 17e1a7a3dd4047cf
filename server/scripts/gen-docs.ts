// Writes the generated documents: the configuration reference and example (server/src/config/docs.ts),
// the permission matrix in docs/authorization.md, the problem catalogue (server/src/errors/docs.ts)
// and the records of processing (server/src/privacy/records.ts), which read the OpenAPI document
// of a server started for the purpose on a throw-away PGlite folder.
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch } from 'undici';
import { loadConfig } from '../src/config/load.ts';
import { ConfigSchema } from '../src/config/schema.ts';
import { startServer } from '../src/main.ts';
import { generateMasterKey } from '../src/security/primitives.ts';
import { recordsOfProcessingMarkdown, retentionDefaults, type OpenApiLike } from '../src/privacy/index.ts';
import { configurationMarkdown, exampleYaml } from '../src/config/docs.ts';
import { withMatrix } from '../src/authz/docs.ts';
import { problemsMarkdown } from '../src/errors/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
mkdirSync(path.join(root, 'config'), { recursive: true });
mkdirSync(path.join(root, 'docs'), { recursive: true });
writeFileSync(path.join(root, 'config/palisade.example.yaml'), exampleYaml());
writeFileSync(path.join(root, 'docs/configuration.md'), configurationMarkdown());
const authorization = path.join(root, 'docs/authorization.md');
writeFileSync(authorization, withMatrix(readFileSync(authorization, 'utf8')));
writeFileSync(path.join(root, 'docs/problems.md'), problemsMarkdown());

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'palisade-docs-'));
try {
  const config = loadConfig({ env: { PALISADE_DATA_DIR: dataDir, PALISADE_SERVER_PORT: '0', PALISADE_MASTER_KEY: generateMasterKey(), PALISADE_LOG_LEVEL: 'silent' } });
  const server = await startServer({ config, announce: () => undefined });
  try {
    const dispatcher = new Agent({ connect: { ca: readFileSync(path.join(dataDir, 'tls', 'dev-cert.pem'), 'utf8') } });
    const openapi = (await (await fetch(`${server.url}/openapi.json`, { dispatcher })).json()) as OpenApiLike;
    await dispatcher.close();
    writeFileSync(path.join(root, 'docs/records-of-processing.md'), recordsOfProcessingMarkdown(openapi, retentionDefaults(ConfigSchema as never)));
  } finally {
    await server.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log('wrote config/palisade.example.yaml, docs/configuration.md, docs/problems.md, docs/records-of-processing.md and the matrix in docs/authorization.md');
