/**
 * Configuration: the schema (TypeBox), loading from YAML and PALISADE_* variables, durations
 * such as "15m", and the generated documentation. Other modules import these from here.
 */
export { loadConfig, envName, formatProblem, ConfigError, DEMO_SEED_DEFAULT, type ConfigProblem, type LoadOptions, type ResolvedConfig } from './load.ts';
export { ConfigSchema, ClaimsSchema, ROLE_NAMES, type PalisadeConfig, type RoleName } from './schema.ts';
export { DURATION_PATTERN, durationSeconds, parseDuration } from '../duration.ts';
