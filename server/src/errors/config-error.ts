/**
 * A configuration that cannot be used: every problem at once, each with its setting path and a
 * fix in plain words. Here, beside PalisadeError, so that a module that finds a configuration
 * problem while starting (the TLS files, say) reports it the same way without importing the
 * configuration loader, which composes the modules' configuration sections.
 */
import { PalisadeError } from './palisade-error.ts';

export interface ConfigProblem {
  path: string;
  message: string;
  /** The value given, as printed (JSON, shortened; `[redacted]` for a secret's). */
  given?: string;
}

/** One problem as a line: path, message and the value given. */
export function formatProblem(p: ConfigProblem): string {
  return `${p.path || '(top level)'}: ${p.message}${p.given !== undefined ? ` (given: ${p.given})` : ''}`;
}

export class ConfigError extends PalisadeError<'ERR_CONFIG'> {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[], source: string) {
    super(
      'ERR_CONFIG',
      `Configuration (${source}) has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  - ${formatProblem(p).replace(/\n/g, '\n    ')}`).join('\n'),
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
