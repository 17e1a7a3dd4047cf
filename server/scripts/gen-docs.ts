// Writes the generated configuration documents (see server/src/config/docs.ts).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { configurationMarkdown, exampleYaml } from '../src/config/docs.ts';
import { withMatrix } from '../src/authz/docs.ts';

const root = path.resolve(import.meta.dirname, '../..');
mkdirSync(path.join(root, 'config'), { recursive: true });
mkdirSync(path.join(root, 'docs'), { recursive: true });
writeFileSync(path.join(root, 'config/palisade.example.yaml'), exampleYaml());
writeFileSync(path.join(root, 'docs/configuration.md'), configurationMarkdown());
const authorization = path.join(root, 'docs/authorization.md');
writeFileSync(authorization, withMatrix(readFileSync(authorization, 'utf8')));
console.log('wrote config/palisade.example.yaml, docs/configuration.md and the matrix in docs/authorization.md');
