/**
 * The request-signature stage of the pipeline (http/app.ts registers it as the preValidation
 * hook `verifyRequestSignature`): after `app.authenticate` has verified the bearer token and the
 * session, before schema validation. It applies to authenticated `/api/` and `/admin/` routes.
 *
 * Whether a signature is demanded: the route's `config: { signing }` if it declares one, else
 * the app's `clients[].requestSigning`, else `requestSigning.mode`. `required` refuses a request
 * without a valid signature; `optional` verifies a signature that is present and accepts a
 * request without one; `off` ignores signatures.
 */
import type { FastifyRequest } from 'fastify';
import { SIGNED_SCOPES, problems, type Problem } from '../http/index.ts';
import { SignatureError, verifyRequestSignature, type SigningMode } from './signatures.ts';
import type { SessionSigningKeys } from './signing-keys.ts';
import { notAnAttempt } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Relaxes (or demands) request signing for this route; see apisec/signature-stage.ts. */
    signing?: SigningMode;
  }
}

export interface SignatureStageDeps {
  keys: Pick<SessionSigningKeys, 'lookup'>;
  claimOnce(key: string, ttlMs: number, issuedAtS?: number): Promise<boolean>;
  clock: { now(): number };
  mode: SigningMode;
  windowMs: number;
  /** Per app (client_id) overrides of `mode`. */
  clients: ReadonlyMap<string, SigningMode>;
  /** Where clients reach Palisade: `@target-uri` is this origin plus the request target. */
  publicOrigin: string;
}

const toProblem = (error: SignatureError): Problem => {
  switch (error.kind) {
    case 'required':
      return problems.signatureRequired(error.message, error.reason);
    case 'expired':
      return problems.signatureExpired(error.message, error.reason);
    case 'replayed':
      return problems.signatureReplayed(error.message, error.reason);
    case 'digest-required':
      return problems.contentDigestRequired(error.message, error.reason);
    case 'digest-mismatch':
      return problems.contentDigestMismatch(error.message, error.reason);
    default:
      return problems.signatureInvalid(error.message, error.reason);
  }
};


export class RequestSignatureStage {
  private readonly deps: SignatureStageDeps;

  constructor(deps: SignatureStageDeps) {
    this.deps = deps;
  }

  /** The deployment's default mode (requestSigning.mode); routes and apps may override it. */
  get defaultMode(): SigningMode {
    return this.deps.mode;
  }

  /** The mode for this request (route, then app, then the default). */
  modeFor(request: FastifyRequest): SigningMode {
    const route = request.routeOptions.config?.signing;
    if (route) return route;
    const client = request.auth?.client_id;
    return (client !== undefined ? this.deps.clients.get(client) : undefined) ?? this.deps.mode;
  }

  /** `body`: the exact bytes received (empty for a request without a body). */
  readonly verify = async (request: FastifyRequest, body: Uint8Array): Promise<void> => {
    const claims = request.auth;
    const url = request.routeOptions.url;
    if (!claims || !url || !SIGNED_SCOPES.some((scope) => url.startsWith(scope))) return;
    const mode = this.modeFor(request);
    if (mode === 'off') return;
    if (mode === 'optional' && request.headers['signature-input'] === undefined && request.headers['signature'] === undefined) return;
    try {
      await verifyRequestSignature(
        // The target URI as the client addressed it: the public origin and the raw request target.
        { method: request.method, targetUri: `${this.deps.publicOrigin}${request.url}`, headers: request.headers, body },
        { key: await this.deps.keys.lookup(claims.sid), now: this.deps.clock.now(), windowMs: this.deps.windowMs, claimOnce: this.deps.claimOnce },
      );
    } catch (error) {
      if (error instanceof SignatureError) {
        notAnAttempt(request);
        throw toProblem(error);
      }
      throw error;
    }
  };
}
