/**
 * The API's shapes the app reads, taken from the SDK's types generated from Palisade's OpenAPI
 * document (`npm run api -w sdk`): when the server changes an answer, the app stops
 * type-checking instead of drifting.
 */
import type { paths } from '@palisade/client/core';

/** The JSON body of a successful answer (200 or 201) of `method` on `path`. */
type Answer<P extends keyof paths, M extends 'get' | 'post' | 'put' | 'patch'> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: { content: { 'application/json': infer T } } }
    ? T
    : R extends { 201: { content: { 'application/json': infer T } } }
      ? T
      : never
  : never;

export type Job = Answer<'/api/v1/jobs/{id}', 'get'>;
export type JobPage = Answer<'/api/v1/jobs', 'get'>;
export type Site = Answer<'/api/v1/sites/{id}', 'get'>;
export type Technician = Answer<'/api/v1/technicians', 'get'>['technicians'][number];
export type ReportRow = Answer<'/api/v1/reports/jobs', 'get'>['rows'][number];
export type Shift = Answer<'/api/v1/shifts', 'get'>['shifts'][number];
/** A technician's reported position (sensitive: shown on demand, never kept offline). */
export type Position = Answer<'/api/v1/technicians/{id}/locations', 'get'>['locations'][number];
/** The body of `POST /api/v1/shifts`. */
export type NewShift = NonNullable<paths['/api/v1/shifts']['post']['requestBody']>['content']['application/json'];
