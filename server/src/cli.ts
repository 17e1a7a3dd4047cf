/** The `palisade` command line; its command groups live in cli/ (see cli/registry.ts). */
export { buildCli, count, table, timeOf, PALISADE_VERSION, COMMAND_GROUPS, type CommandGroup } from './cli/index.ts';
