/** Reports: jobs by territory and status. */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { classified } from '../classification.ts';
import * as store from '../store.ts';
import { readLimit, security, JobReportRowView, type RouteContext } from './shared.ts';

export function reportRoutes(server: FastifyInstance, { scoping, run, record }: RouteContext): void {
  const app = server.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    '/api/v1/reports/jobs',
    {
      onRequest: app.authenticate,
      config: { permission: 'reports.read' },
      schema: {
        tags: ['field service'],
        summary: 'Jobs by territory and status, with average hours to completion (managers)',
        security,
        querystring: Type.Object({ days: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: 'Days back, 1–366 (default 30)' })) }, { additionalProperties: false }),
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['since', 'rows'],
            properties: {
              since: classified({ type: 'string', format: 'date-time' }, 'internal'),
              rows: {
                type: 'array',
                items: JobReportRowView,
              },
            },
          },
        },
      },
    },
    async (request) => {
      const days = readLimit(request.query.days, 30, 366, '/days');
      const since = new Date(Date.now() - days * 86_400_000);
      return run(request, async (tx) => {
        const rows = await store.jobReport(tx, scoping, since);
        await record(tx, 'report.read', { type: 'report', id: 'jobs' }, { detail: { days } });
        return { since, rows };
      });
    },
  );
}
