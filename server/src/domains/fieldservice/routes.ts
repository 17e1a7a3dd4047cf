/**
 * The field-service API (`/api/v1/...`). Each route names its permission from the matrix
 * (authz/matrix.ts; checked by pipeline stage 7) and runs its queries in one transaction with the
 * caller's claims set (`asCaller`), so row-level security applies beneath the store's own scope
 * predicates. Rows outside the caller's scope answer 404 — they may not know those exist — and
 * actions the caller's roles allow but this row does not answer 403 or 409.
 * Every read of domain data and every change is audited in the same transaction.
 *
 * One file per resource family under routes/; this one registers them, in this order.
 */
import type { FastifyInstance } from 'fastify';
import { jobRoutes } from './routes/jobs.ts';
import { permissionRoutes } from './routes/permissions.ts';
import { reportRoutes } from './routes/reports.ts';
import { routeContext, type FieldServiceDeps } from './routes/shared.ts';
import { shiftRoutes } from './routes/shifts.ts';
import { siteRoutes } from './routes/sites.ts';
import { technicianRoutes } from './routes/technicians.ts';

export { fieldServiceProblems, type FieldServiceDeps, type SensitiveCipher } from './routes/shared.ts';

export async function fieldServiceRoutes(app: FastifyInstance, deps: FieldServiceDeps): Promise<void> {
  const context = routeContext(deps);
  permissionRoutes(app);
  jobRoutes(app, context);
  siteRoutes(app, context);
  technicianRoutes(app, context);
  shiftRoutes(app, context);
  reportRoutes(app, context);
}
