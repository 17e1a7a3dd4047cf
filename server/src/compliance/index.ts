/**
 * The compliance report: the live configuration and state evaluated against the control
 * catalogue kept in this folder (catalogue.ts), with evidence and fixes, as JSON and HTML.
 * Never a certification.
 */
export { complianceModule } from './module.ts';
export { CATALOGUE, FRAMEWORKS, type Control, type Framework } from './catalogue.ts';
export { CHECKS, CHECK_IDS, LIMITS, type Check, type CheckId, type CheckStatus, type Finding } from './evaluators.ts';
export { gatherFacts, masterKeySource, type ComplianceFacts, type FactSources, type MasterKeySource } from './facts.ts';
export { buildReport, DISCLAIMER, REPORT_FORMAT, REPORT_SCHEMA, type ComplianceReport } from './report.ts';
export { reportHtml } from './html.ts';
export { complianceRoutes } from './routes.ts';
