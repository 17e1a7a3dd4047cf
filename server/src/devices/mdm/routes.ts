/**
 * `POST /mdm/v1/:vendor/events`: notifications from the MDMs (docs/mdm.md). The vendor calls
 * it, so there is no app key or bearer token (app keys are asked only of /api and /admin);
 * each notification must instead carry the credentials configured for its MDM, which the
 * adapter checks in constant time over the exact bytes received. In order:
 *   1. the vendor must be configured (404 otherwise: an unconfigured MDM is no endpoint);
 *   2. Graph's subscription handshake (`?validationToken=`) is echoed as text/plain;
 *   3. credentials: refused 401 (with a Basic challenge where the vendor uses Basic) or 400,
 *      recorded as `mdm.webhook.refused`; failures count towards the per-IP lockout;
 *   4. the body is parsed (400 when it is not the vendor's notification);
 *   5. the changes are stored, then 202; the rest (reading devices again, `onDeviceChange`)
 *      runs after the answer — Graph wants one within 3 seconds, and nobody waits on the vendor.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { Problem, problems } from '../../http/index.ts';
import { currentContext, type AuditSink } from '../../audit/index.ts';
import { MdmError, type MdmVendor, type MdmWebhookRequest } from './index.ts';
import type { ConfiguredMdm } from './adapters.ts';
import type { MdmIngest } from './ingest.ts';

/** Notifications are small (a Graph batch of a few hundred is well below); the route's own limit. */
export const MDM_BODY_LIMIT = 1_048_576;
/** Device ids named in one `mdm.event` record at most (the count is always complete). */
const AUDITED_IDS = 50;

export interface MdmRoutesDeps {
  mdms: Map<MdmVendor, ConfiguredMdm>;
  ingest: MdmIngest;
  audit: AuditSink;
}

const refused = (challenge: string | undefined) =>
  new Problem({
    type: 'mdm-credentials-refused',
    status: 401,
    title: 'The notification’s credentials were refused',
    detail: 'Send the credentials configured in Palisade for this MDM (docs/mdm.md).',
    ...(challenge ? { headers: { 'www-authenticate': challenge } } : {}),
  });
const malformed = (detail: string) => new Problem({ type: 'mdm-notification-malformed', status: 400, title: 'The notification could not be read', detail });

// TypeBox schemas: the handler's params and query types are inferred from them (the TypeBox type provider).
const VendorParams = Type.Object({ vendor: Type.String({ maxLength: 32, description: '`intune`, `jamf` or `workspaceone`: one of the configured MDMs.' }) }, { additionalProperties: false });
const HandshakeQuery = Type.Object({ validationToken: Type.Optional(Type.String({ maxLength: 1024, description: 'Microsoft Graph’s subscription validation: echoed as text/plain.' })) }, { additionalProperties: false });

export async function mdmRoutes(app: FastifyInstance, deps: MdmRoutesDeps): Promise<void> {
  await app.register(async (scope) => {
    const mdm = scope.withTypeProvider<TypeBoxTypeProvider>();
    // The exact bytes, whatever the content type the vendor labels them with (Graph's
    // handshake is text/plain with no body): the adapter reads them, and only after the
    // credentials were checked. Nothing is parsed before that.
    mdm.removeAllContentTypeParsers();
    mdm.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    mdm.post(
      '/mdm/v1/:vendor/events',
      {
        bodyLimit: MDM_BODY_LIMIT,
        // Credentials are authentication: wrong ones count towards the per-IP lockout, good
        // deliveries are not counted (an MDM may send many in a burst), as for SCIM.
        config: { rateLimit: { class: 'auth', failuresOnly: true } },
        schema: {
          tags: ['mdm'],
          summary: 'A notification from an MDM (Intune via Graph, Jamf Pro webhook, Workspace ONE event notification)',
          params: VendorParams,
          querystring: HandshakeQuery,
          // Declared so the pipeline reads it (http/app.ts refuses bodies on routes that declare none); the adapter validates it.
          body: { description: 'The vendor’s notification, as it sends it (JSON).' },
        },
      },
      async (request, reply) => {
        const configured = deps.mdms.get(request.params.vendor as MdmVendor);
        if (!configured) throw problems.notFound();
        const { adapter } = configured;
        const webhook: MdmWebhookRequest = { headers: request.headers, rawBody: rawBody(request), query: new URLSearchParams(request.raw.url?.split('?')[1] ?? '') };

        const handshake = adapter.handshake?.(webhook);
        if (handshake) return reply.code(handshake.status).type(handshake.contentType).header('x-content-type-options', 'nosniff').header('cache-control', 'no-store').send(handshake.body);

        const verdict = adapter.verifyWebhook(webhook);
        if (!verdict.ok) {
          // The adapter's detail names what was wrong (no header, wrong password), never a value.
          deps.audit.emit({ action: 'mdm.webhook.refused', outcome: 'denied', reason: verdict.code, actor: {}, resource: { type: 'mdm', id: adapter.vendor }, detail: { vendor: adapter.vendor, why: verdict.detail } });
          throw verdict.code === 'body-malformed' ? malformed(verdict.detail) : refused(configured.challenge);
        }
        // From here on, the request is the MDM's: its records name it.
        const context = currentContext();
        if (context) context.actor.appId = `mdm:${adapter.vendor}`;

        let changes;
        try {
          changes = adapter.parseWebhook(webhook.rawBody);
        } catch (error) {
          if (!(error instanceof MdmError)) throw error;
          deps.audit.emit({ action: 'mdm.webhook.refused', outcome: 'denied', reason: error.reason, actor: {}, resource: { type: 'mdm', id: adapter.vendor }, detail: { vendor: adapter.vendor, why: error.message } });
          throw malformed(error.message);
        }
        const followUp = await deps.ingest.applyNotification(adapter, changes);
        deps.audit.emit({
          action: 'mdm.event',
          outcome: 'success',
          actor: {},
          resource: { type: 'mdm', id: adapter.vendor },
          detail: {
            vendor: adapter.vendor,
            count: changes.length,
            events: [...new Set(changes.map((c) => c.event))],
            removed: changes.filter((c) => c.removed).length,
            devices: changes.slice(0, AUDITED_IDS).map((c) => c.mdmDeviceId),
          },
        });
        // After this answer is on its way: nothing the device policy does may hold the vendor up.
        deps.ingest.afterResponse(followUp);
        return reply.code(202).send();
      },
    );
  });
}

function rawBody(request: FastifyRequest): Uint8Array {
  return Buffer.isBuffer(request.body) ? request.body : new Uint8Array(0);
}
