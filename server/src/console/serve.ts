/**
 * Serves the admin console (the `console/` workspace, built into console/dist by `npm install`)
 * at `/console/` from Palisade's own origin, under the same strict CSP as every page (http/app.ts:
 * scripts and styles from 'self' only, no inline script). The files are listed once at start:
 * only a file that was in the build is ever served, so no path a client sends reaches the file
 * system. Other paths under /console/ are the app's own routes and get its index.html. Hashed
 * assets are cached for a year; index.html never (it names the current assets).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Where `npm install` (the root `prepare` script) builds the console. */
export const CONSOLE_DIST = path.resolve(import.meta.dirname, '../../../console/dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function listFiles(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) for (const [name, file] of listFiles(full, `${prefix}${entry}/`)) files.set(name, file);
    else if (TYPES[path.extname(entry)]) files.set(`${prefix}${entry}`, full);
  }
  return files;
}

const ConsoleParams = Type.Object({ '*': Type.String() });

export async function consoleRoutes(app: FastifyInstance, options: { dist?: string } = {}): Promise<void> {
  const dist = options.dist ?? CONSOLE_DIST;
  const files = existsSync(path.join(dist, 'index.html')) ? listFiles(dist) : new Map<string, string>();
  const index = files.get('index.html');
  const sendIndex = (reply: FastifyReply) => {
    if (!index) {
      return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send('The admin console is not built: run npm install (or npm run build -w console).\n');
    }
    return reply.type(TYPES['.html']!).header('cache-control', 'no-store').send(readFileSync(index));
  };
  app.get('/console', { schema: { hide: true } }, (_request, reply) => reply.redirect('/console/', 301));
  app.get('/console/', { schema: { hide: true } }, (_request, reply) => sendIndex(reply));
  // The wildcard, typed from its schema (the TypeBox type provider); any text matches it.
  app.withTypeProvider<TypeBoxTypeProvider>().get('/console/*', { schema: { hide: true, params: ConsoleParams } }, (request, reply) => {
    const name = request.params['*'];
    const file = files.get(name);
    if (!file) {
      // An asset that is not in the build is a 404; anything else is a page of the app.
      if (name.startsWith('assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
      return sendIndex(reply);
    }
    const immutable = name.startsWith('assets/');
    return reply
      .type(TYPES[path.extname(name)]!)
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-store')
      .send(readFileSync(file));
  });
}
