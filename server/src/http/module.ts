/**
 * The HTTP modules. `listener` binds the port first (a port in use is reported before the
 * database is touched) and answers probes through the start-up gate from that moment. `http`,
 * started last, builds the Fastify app with the request pipeline's stages, registers every
 * started module's routes, and opens the gate; stopping it stops the listener accepting, lets
 * in-flight requests finish, and drops idle keep-alive connections.
 */
import { createServer, type Server } from 'node:https';
import { Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { FastifyPluginAsync } from 'fastify';
import type { JWK } from 'jose';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { parseDuration } from '../duration.ts';
import type { AuditSink } from '../audit/index.ts';
import type { AppKeyStage, RateLimitStage, RequestSignatureStage } from '../apisec/index.ts';
import type { AuthorizationStage } from '../authz/index.ts';
import { defineModule } from '../module.ts';
import { portUnavailable } from '../start-errors.ts';
import { createApp, type AppOptions } from './app.ts';
import type { BearerVerifier } from './bearer.ts';
import { Metrics, metricsRoute, type SealerLag } from './metrics.ts';
import { pinsRoute } from './pins.ts';
import { securityTxtRoute } from './security-txt.ts';
import { startPage } from './start-page.ts';
import { startupGate, type StartupGate } from './starting.ts';
import { loadTls, TLS_POLICY, type TlsMaterial } from './tls.ts';

export interface ListenerApi {
  server: Server;
  gate: StartupGate;
  port: number;
  tls: TlsMaterial;
}

/** Closes `server` (stops accepting) and resolves once every connection has ended. */
function closed(server: Server): Promise<void> {
  return new Promise<void>((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

export const listenerModule = defineModule({
  name: 'listener',
  dependencies: [],
  config: ['server'],
  async start({ config }: { config: ResolvedConfig }) {
    const hostname = config.server.publicUrl ? new URL(config.server.publicUrl).hostname : 'localhost';
    const tls = await loadTls({ ...config.server.tls, dataDir: config.dataDir, hostnames: [hostname] });
    const gate = startupGate();
    // TLS 1.3 only, three AEAD suites, X25519 first (tls.ts says why).
    const server: Server = createServer({ ...TLS_POLICY, cert: tls.cert, key: tls.key }, gate.listener);
    // Node's own default is 5 s: shorter than every load balancer's idle timeout, so a balancer
    // reusing a connection could send a request just as Palisade closes it (a 502 for the caller).
    server.keepAliveTimeout = parseDuration(config.server.keepAliveTimeout);
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(portUnavailable(config.server.host, config.server.port, error)));
      server.listen(config.server.port, config.server.host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    const api: ListenerApi = { server, gate, port, tls };
    return {
      api,
      // After a failed start the gate still holds connections: they are dropped.
      async stop() {
        const done = closed(server);
        server.closeAllConnections();
        await done;
      },
    };
  },
});

/** Readiness probes get an answer in this time, not a wait on a connection that hangs. */
const READINESS_TIMEOUT_MS = 2000;

export interface HttpModuleDeps {
  config: ResolvedConfig;
  clock: Clock;
  log: Logger;
  listener: ListenerApi;
  audit: AuditSink;
  /** The started modules' routes, in start order. */
  routes: readonly { module: string; plugin: FastifyPluginAsync }[];
  stages: {
    bearer: BearerVerifier;
    appKeys: AppKeyStage;
    requestSignatures: RequestSignatureStage;
    rateLimits: RateLimitStage;
    authorization: AuthorizationStage;
  };
  sessionGuard: AppOptions['sessionGuard'];
  /** What must answer for the instance to be ready, each with the reason given when it does not. */
  dependencies: readonly { check(): Promise<unknown>; unreachable: string }[];
  observe: {
    sealerLag(): Promise<SealerLag>;
    dropped(): number;
    /** Rows the retention purge deleted on this instance, per kind. */
    retentionPurged?(): Readonly<Record<string, number>>;
    /** Seconds left on each running breach clock (GDPR Art. 33), per incident. */
    breachClocks?(): Promise<{ incident: string; seconds: number }[]>;
    onAlert(listener: (alert: { rule: string; severity: string }) => void): void;
    response(response: { appId: string; status: number; at: number }): void;
  };
  signingKey(): JWK;
  developmentIdp: boolean;
}

export const httpModule = defineModule({
  name: 'http',
  dependencies: ['listener', 'audit', 'sessions', 'authz', 'apisec', 'oauth'],
  config: ['log', 'metrics', 'securityTxt'],
  async start(deps: HttpModuleDeps) {
    const { config, clock, listener } = deps;
    const metrics = new Metrics(deps.observe.sealerLag, deps.observe.dropped, deps.observe.retentionPurged, deps.observe.breachClocks);
    deps.observe.onAlert((alert) => metrics.alert(alert.rule, alert.severity));
    // From SIGTERM on (the start of stop()): /readyz answers 503, every answer closes its connection.
    let draining = false;
    let forced = false;
    const within = (work: Promise<unknown>) =>
      Promise.race([work, new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), READINESS_TIMEOUT_MS).unref())]);
    const app = createApp({
      server: listener.server,
      appKeys: deps.stages.appKeys,
      bodyLimit: config.server.bodyLimit,
      logLevel: config.log.level,
      logger: deps.log,
      trustProxy: config.server.trustProxy,
      corsOrigins: config.server.corsOrigins,
      bearer: deps.stages.bearer,
      publicOrigin: config.publicUrl,
      authorization: deps.stages.authorization,
      stepUp: { maxAgeMs: parseDuration(config.sessions.stepUpMaxAge), acr: config.sessions.stepUpAcr, clock },
      sessionGuard: deps.sessionGuard,
      requestSignatures: deps.stages.requestSignatures,
      rateLimits: deps.stages.rateLimits,
      audit: deps.audit,
      onResponse: (response) => {
        metrics.response(response);
        if (response.appId) deps.observe.response({ appId: response.appId, status: response.status, at: clock.now() });
      },
      readiness: async () => {
        if (draining) return 'Palisade is stopping';
        for (const dependency of deps.dependencies) {
          try {
            await within(dependency.check());
          } catch {
            return dependency.unreachable;
          }
        }
        return undefined;
      },
    });
    const shutdownTimeoutMs = parseDuration(config.server.shutdownTimeout);
    // Requests whose headers have arrived and whose answer has not been sent.
    let inFlight = 0;
    const server = listener.server;
    const stop = async () => {
      draining = true;
      // Fastify did not call listen() (the https server was started before it), so it does not
      // close the listener itself. Stop accepting at once (the plain TLS server's close: the
      // https one would also drop idle keep-alive connections, so a load balancer holding one
      // could not be told 503). Every answer from now on closes its connection; once no request
      // is in flight the idle connections are dropped and the listener closes. Requests in
      // flight get `server.shutdownTimeout`; then their connections are cut.
      const done = new Promise<void>((resolve) => (server.listening ? TlsServer.prototype.close.call(server, () => resolve()) : resolve()));
      if (inFlight === 0) server.closeIdleConnections();
      let bound: NodeJS.Timeout | undefined;
      const finished = await Promise.race([done.then(() => true), new Promise<boolean>((resolve) => (bound = setTimeout(() => resolve(false), shutdownTimeoutMs)))]);
      clearTimeout(bound);
      if (!finished) {
        forced = true;
        deps.log.warn({ event: 'server.drain_timeout', timeout: config.server.shutdownTimeout, inFlight }, 'requests still in flight after server.shutdownTimeout: their connections are closed');
        server.closeAllConnections();
        await done;
      }
      await app.close();
    };
    try {
      for (const { plugin } of deps.routes) await app.register(plugin);
      const pins = { current: listener.tls.pin, backups: listener.tls.backupPins };
      await app.register(pinsRoute, { issuer: config.publicUrl, current: pins.current, backups: pins.backups, signingKey: deps.signingKey, clock });
      if (config.securityTxt.contact.length > 0 && config.securityTxt.expires) await app.register(securityTxtRoute, { settings: config.securityTxt, publicUrl: config.publicUrl });
      if (config.metrics.token) await app.register(metricsRoute, { metrics, token: config.metrics.token });
      // The start page signs demo people in; with a company IdP it (and its client) does not exist.
      if (deps.developmentIdp) await app.register(startPage, { development: true });
      await app.ready();
    } catch (error) {
      await app.close().catch(() => undefined);
      throw error;
    }
    // From here on requests reach the app; until now the start-up gate answered them.
    listener.gate.open((request, response) => {
      inFlight += 1;
      response.once('close', () => {
        inFlight -= 1;
        if (draining && inFlight === 0) server.closeIdleConnections();
      });
      if (draining) response.setHeader('connection', 'close');
      app.routing(request, response);
    });
    const api = {
      app,
      /** Whether the last stop had to cut requests that were still in flight. */
      get forced() {
        return forced;
      },
    };
    return { api, stop };
  },
});
