/**
 * The effective configuration for the console's Configuration page (`config.read`, audited as
 * `admin.configuration.read`), with every secret removed, and what `palisade config check`
 * reports for it: the development defaults in use and the settings that weaken a protection.
 *
 * Secrets are removed twice over: every field whose name says it is secret (the audit trail's
 * rule, security/redact.ts) is `[redacted]`, and every URL is shown as its origin only — a
 * database or Redis URL may carry a password, and a chat webhook's path is itself its secret.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditSink } from '../audit/index.ts';
import { REDACTED, redact } from '../audit/index.ts';
import { formatProblem, type ResolvedConfig } from '../config/index.ts';
import { NO_QUERY } from '../http/index.ts';

export interface AdminConfigurationDeps {
  config: ResolvedConfig;
  audit: AuditSink;
}

/** A URL's origin only; anything after it (user info, path, query) might be a secret. */
function originOnly(value: string): string {
  try {
    const url = new URL(value);
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
    const rest = url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash;
    return rest ? `${url.protocol}//${url.host}/${REDACTED}` : value;
  } catch {
    return value;
  }
}

function scrubUrls(value: unknown): unknown {
  if (typeof value === 'string') return originOnly(value);
  if (Array.isArray(value)) return value.map(scrubUrls);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubUrls(v)]));
  return value;
}

/** The configuration as the console shows it: no secret, no URL path. */
export function publicConfiguration(config: ResolvedConfig): Record<string, unknown> {
  const { developmentDefaults: _d, warnings: _w, masterKeyFrom: _m, ...settings } = config;
  return scrubUrls(redact(JSON.parse(JSON.stringify(settings)) as Record<string, unknown>)) as Record<string, unknown>;
}

export async function adminConfigurationRoutes(app: FastifyInstance, deps: AdminConfigurationDeps): Promise<void> {
  app.get(
    '/admin/v1/configuration',
    {
      onRequest: app.authenticate,
      config: { permission: 'config.read' },
      schema: {
        tags: ['admin'],
        summary: 'The effective configuration with secrets removed, and `config check`’s findings (admin)',
        security: [{ bearer: [] }],
        querystring: NO_QUERY,
        response: {
          200: {
            type: 'object',
            additionalProperties: false,
            required: ['source', 'production', 'settings', 'findings'],
            properties: {
              source: { type: 'string' },
              production: { type: 'boolean' },
              settings: { type: 'object', additionalProperties: true },
              findings: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, required: ['kind', 'text'], properties: { kind: { type: 'string', enum: ['development-default', 'warning'] }, text: { type: 'string' } } },
              },
            },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      deps.audit.emit({ action: 'admin.configuration.read', outcome: 'success', actor: {}, resource: { type: 'configuration' } });
      return {
        source: deps.config.source,
        production: deps.config.production,
        settings: publicConfiguration(deps.config),
        findings: [
          ...deps.config.developmentDefaults.map((text) => ({ kind: 'development-default' as const, text })),
          ...deps.config.warnings.map((w) => ({ kind: 'warning' as const, text: formatProblem(w) })),
        ],
      };
    },
  );
}
