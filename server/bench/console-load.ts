/**
 * The admin console's first load: the JavaScript and CSS that /console/ (console/dist/index.html)
 * names, in bytes and gzipped (level 9, as a server or CDN would send them). Goal: under 300 KB
 * of gzipped JavaScript. Needs the build (`npm install` makes it). Run alone:
 * `./node_modules/.bin/node server/bench/console-load.ts`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CONSOLE_DIST } from '../src/console/serve.ts';

export interface ConsoleLoad {
  files: { name: string; bytes: number; gzipped: number }[];
  scriptGzipped: number;
}

export function measureConsoleLoad(dist = CONSOLE_DIST): ConsoleLoad {
  const index = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const names = [...index.matchAll(/(?:src|href)="\/console\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  const files = names.map((name) => {
    const bytes = readFileSync(path.join(dist, name));
    return { name, bytes: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length };
  });
  return { files, scriptGzipped: files.filter((f) => f.name.endsWith('.js')).reduce((sum, f) => sum + f.gzipped, 0) };
}

export function consoleLoadReport(load: ConsoleLoad): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    'Admin console, first load (console/dist):',
    ...load.files.map((f) => `  ${f.name}: ${kb(f.bytes)}, ${kb(f.gzipped)} gzipped`),
    `JavaScript gzipped: ${kb(load.scriptGzipped)} (goal: under 300 KB): ${load.scriptGzipped < 300 * 1024 ? 'met' : 'NOT met'}`,
  ].join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(consoleLoadReport(measureConsoleLoad()));
}
