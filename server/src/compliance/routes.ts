/**
 * `GET /admin/v1/compliance`: the compliance report (report.ts) of this instance, evaluated when
 * asked (`compliance.read`, admin; audited as `compliance.read`, a read of security evidence).
 * The response schema is the report's, so its shape is part of the API.
 */
import type { FastifyInstance } from 'fastify';
import { NO_QUERY } from '../http/index.ts';
import { gatherFacts, type FactSources } from './facts.ts';
import { buildReport, REPORT_SCHEMA } from './report.ts';

export async function complianceRoutes(app: FastifyInstance, deps: FactSources): Promise<void> {
  app.get(
    '/admin/v1/compliance',
    {
      onRequest: app.authenticate,
      config: { permission: 'compliance.read' },
      schema: {
        tags: ['admin'],
        summary: 'The compliance report: the live configuration and state against the control catalogue (ASVS, MASVS, SOC 2, ISO 27001, HIPAA, PCI DSS, GDPR), with evidence and fixes. Not a certification (admin)',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: { 200: REPORT_SCHEMA },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      const report = buildReport(await gatherFacts(deps));
      deps.audit.emit({ action: 'compliance.read', outcome: 'success', actor: {}, resource: { type: 'compliance' }, detail: { met: report.summary.met, notMet: report.summary.notMet, operator: report.summary.operator } });
      return report;
    },
  );
}
