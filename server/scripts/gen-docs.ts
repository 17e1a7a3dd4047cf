// Writes the generated documents: the configuration reference and example (server/src/config/docs.ts),
// the permission matrix in docs/authorization.md and the problem catalogue (server/src/errors/docs.ts).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
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
console.log('wrote config/palisade.example.yaml, docs/configuration.md, docs/problems.md and the matrix in docs/authorization.md');
