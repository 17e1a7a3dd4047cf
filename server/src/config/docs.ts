/**
 * Generates the example configuration file and the settings reference from the schema, so
 * neither can drift from what the server actually accepts (`npm run docs`; a test compares).
 */
import { stringify } from 'yaml';
import { ConfigSchema } from './schema.ts';
import { envName } from './load.ts';

interface Node {
  type?: string;
  properties?: Record<string, Node>;
  required?: string[];
  items?: Node;
  anyOf?: { const?: unknown }[];
  description?: string;
  default?: unknown;
  examples?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
}

/** Example values for optional settings that have no default, as an IT team would write them. */
const EXAMPLES: Record<string, unknown> = {
  masterKey: '<32 random bytes, base64url — prefer env PALISADE_MASTER_KEY>',
  'server.publicUrl': 'https://palisade.example.com',
  'server.tls': {
    certFile: '/etc/palisade/tls.crt',
    keyFile: '/etc/palisade/tls.key',
    backupPins: ['sha256/<pin of the offline backup key: docs/certificate-pinning.md>'],
  },
  'database.url': 'postgres://palisade@db/palisade',
  upstream: {
    issuer: 'https://login.microsoftonline.com/<tenant>/v2.0',
    clientId: '<application (client) id>',
    clientSecret: '<prefer env PALISADE_UPSTREAM_CLIENT_SECRET>',
    scopes: ['openid', 'profile', 'email'],
    claims: { groups: 'groups', department: 'department', territory: 'territory', region: 'region', projects: 'projects', employeeType: 'employee_type' },
    roles: { technician: ['fs-technicians'], dispatcher: ['fs-dispatch'], manager: ['fs-managers'], admin: ['it-admins'] },
  },
};

function typeName(node: Node): string {
  if (node.anyOf) return node.anyOf.map((a) => JSON.stringify(a.const)).join(' | ');
  if (node.type === 'array') return `list of ${node.items?.type === 'object' ? 'objects' : (node.items?.type ?? 'values')}`;
  if (node.pattern === '^[0-9]+(ms|s|m|h|d)$') return 'duration';
  return node.type ?? 'value';
}

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

function yamlFor(node: Node, path: string[], depth: number): string {
  const pad = '  '.repeat(depth);
  const out: string[] = [];
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const here = [...path, key];
    const dotted = here.join('.');
    const description = child.description ? indent(child.description.replace(/(.{1,96})(\s|$)/g, '$1\n'), `${pad}# `) : '';
    const env = child.type === 'object' && child.properties ? '' : `${pad}# env: ${envName(here)}${dotted === 'database.url' ? ' (or DATABASE_URL)' : dotted === 'redis.url' ? ' (or REDIS_URL)' : ''}\n`;
    if (description) out.push(description);
    if (child.type === 'array' && child.items?.type === 'object' && child.items.properties) {
      const fields = Object.entries(child.items.properties).map(
        ([name, f]) => `${pad}#   ${name}${child.items!.required?.includes(name) ? '' : ' (optional)'}: ${f.description ?? ''}`,
      );
      out.push(`${pad}# Each entry:\n${fields.join('\n')}`);
    }
    if (child.type === 'object' && child.properties && child.default !== undefined) {
      const inner = yamlFor(child, here, depth + 1);
      // A section whose settings are all optional and commented out is written as `{}`, so the
      // file stays valid as it stands (a bare `key:` would be null).
      const allCommented = inner.split('\n').every((line) => line.trim() === '' || line.trim().startsWith('#'));
      out.push(`${pad}${key}:${allCommented ? ' {}' : ''}`);
      out.push(inner);
      continue;
    }
    const required = node.required?.includes(key);
    if (child.default !== undefined) {
      out.push(env + indent(stringify({ [key]: child.default }), pad));
    } else {
      const example = EXAMPLES[dotted] ?? (child.examples ? child.examples[0] : `<${typeName(child)}>`);
      out.push(env + indent(stringify({ [key]: example }), `${pad}${required ? '' : '# '}`));
    }
  }
  return out.join('\n');
}

export function exampleYaml(): string {
  return `# Palisade configuration — every setting, with its default.
# Generated from server/src/config/schema.ts by \`npm run docs\`; do not edit by hand.
# Point PALISADE_CONFIG at a copy of this file. Every setting can also be set in the
# environment: the variable name is shown above each setting (sections also take JSON,
# e.g. PALISADE_UPSTREAM_ROLES='{"admin":["it-admins"]}'). Commented settings are optional.

${yamlFor(ConfigSchema as unknown as Node, [], 0)}
`;
}

export function configurationMarkdown(): string {
  const rows: string[] = [];
  const visit = (node: Node, path: string[]) => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const here = [...path, key];
      if (child.type === 'object' && child.properties) {
        rows.push(`| \`${here.join('.')}\` | section | ${child.default === undefined ? '*(absent)*' : ''} | \`${envName(here)}\` (JSON) | ${(child.description ?? '').replace(/\|/g, '\\|')} |`);
        visit(child, here);
        continue;
      }
      const def = child.default === undefined ? '*(none)*' : `\`${JSON.stringify(child.default)}\``;
      rows.push(`| \`${here.join('.')}\` | ${typeName(child).replace(/\|/g, '\\|')} | ${def} | \`${envName(here)}\`${here.join('.') === 'database.url' ? ', `DATABASE_URL`' : here.join('.') === 'redis.url' ? ', `REDIS_URL`' : ''} | ${(child.description ?? '').replace(/\|/g, '\\|')} |`);
    }
  };
  visit(ConfigSchema as unknown as Node, []);
  return `# Configuration reference

Generated from \`server/src/config/schema.ts\` by \`npm run docs\`; do not edit by hand.

Settings come from the YAML file named by \`PALISADE_CONFIG\` (see \`config/palisade.example.yaml\`),
then from environment variables, which win. Durations are written like \`30s\`, \`15m\`, \`7d\`.
\`palisade config check\` (or \`npm run palisade -- config check\`) lists every problem at once.
With \`NODE_ENV=production\`, Palisade refuses the development IdP, a self-signed certificate, a
generated master key, \`*\` in CORS origins, and a plain-http company IdP.

| setting | type | default | environment | meaning |
|---|---|---|---|---|
${rows.join('\n')}
`;
}
