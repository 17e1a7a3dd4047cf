/**
 * The `palisade` command line for operators: start, migrate, config check, keys rotate/list,
 * apps keys create/list/rotate/revoke, scim tokens, audit, incident, privacy, compliance report, devices wipe/lock/commands,
 * demo seed. One file per command group (registry.ts); errors are printed in plain words (no
 * stack traces) and exit non-zero.
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { COMMAND_GROUPS } from './registry.ts';

export { count, table, timeOf } from './shared.ts';
export { COMMAND_GROUPS, type CommandGroup } from './registry.ts';

/** The version of the `@palisade/server` package this CLI belongs to. */
export const PALISADE_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export function buildCli(): Command {
  const program = new Command('palisade')
    .description('Palisade: secure backend for internal mobile apps')
    .version(PALISADE_VERSION, '-V, --version', 'print the version')
    .showHelpAfterError();
  for (const group of COMMAND_GROUPS) group.register(program);
  return program;
}
