/** The `palisade` command group config check: validate the configuration and list every problem at once. */
import { formatProblem, loadConfig } from '../config/index.ts';
import { action } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const configCommands: CommandGroup = {
  name: 'config',
  register(program) {
    const configCommand = program.command('config').description('configuration tools');
    configCommand
      .command('check')
      .description('validate the configuration and list every problem at once')
      .action(
        action(async () => {
          const config = loadConfig();
          console.log(`configuration OK (${config.source}${config.production ? ', production' : ''})`);
          for (const line of config.developmentDefaults) console.log(`  development default: ${line}`);
          for (const warning of config.warnings) console.log(`  warning: ${formatProblem(warning)}`);
        }),
      );
  },
};
