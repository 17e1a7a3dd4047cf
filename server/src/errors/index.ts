/**
 * One error model: every deliberate error is a PalisadeError with a stable `ERR_` code, and every
 * problem type the API answers with is in one catalogue (its slug, status, title, code and
 * meaning), from which http/problems.ts answers and docs/problems.md is generated.
 */
export { PalisadeError, ERROR_CODE, codeOfSlug } from './palisade-error.ts';
export { ConfigError, formatProblem, type ConfigProblem } from './config-error.ts';
export { PROBLEM_BASE, PROBLEM_TYPES, isProblemSlug, problemType, type ProblemSlug, type ProblemType, type ProblemTypeInit } from './catalogue.ts';
export { problemsMarkdown } from './docs.ts';
