/**
 * The `palisade` command group compliance: the compliance report of the configuration this
 * command runs with (PALISADE_CONFIG and the environment, as the servers use them) and of the
 * database behind it, as JSON or HTML (docs/compliance.md). Recorded in the audit trail as
 * `compliance.read` by `cli`.
 */
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { resolveMasterKey } from '../main.ts';
import { systemClock } from '../clock.ts';
import { buildReport, gatherFacts, reportHtml } from '../compliance/index.ts';
import { action, asOperator } from './shared.ts';
import type { CommandGroup } from './registry.ts';

export const complianceCommands: CommandGroup = {
  name: 'compliance',
  register(program) {
    const compliance = program.command('compliance').description('the compliance report: live configuration and state against the control catalogue (docs/compliance.md)');
    compliance
      .command('report')
      .description('evaluate every control (met, not met with the fix, or the operator’s) with its evidence; never a certification')
      .addOption(new Option('--format <format>', 'json or html').choices(['json', 'html']).default('json'))
      .option('--out <file>', 'write the report to this file (default: standard output)')
      .action(
        action(async (options: { format: 'json' | 'html'; out?: string }) => {
          await asOperator(async (db, config, audit) => {
            const report = buildReport(await gatherFacts({ config, db, clock: systemClock, master: resolveMasterKey(config), audit }));
            await db.transaction((tx) =>
              audit.record(tx, { action: 'compliance.read', outcome: 'success', actor: {}, resource: { type: 'compliance' }, detail: { met: report.summary.met, notMet: report.summary.notMet, operator: report.summary.operator } }),
            );
            const text = options.format === 'html' ? reportHtml(report) : `${JSON.stringify(report, null, 2)}\n`;
            if (options.out) {
              await writeFile(options.out, text);
              console.error(`wrote ${options.format.toUpperCase()} to ${options.out}: ${report.summary.controls} controls, ${report.summary.met} met, ${report.summary.notMet} not met, ${report.summary.operator} the operator’s responsibility (not a certification)`);
            } else process.stdout.write(text);
          });
        }),
      );
  },
};
