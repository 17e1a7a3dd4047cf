# syntax=docker/dockerfile:1
# Palisade's image: Node 24 runs the TypeScript sources directly (type stripping, no build step
# for the server); only the SDK, the admin console and the start page's script are built. Two stages: the build stage has the dev
# dependencies Vite needs, the runtime stage only production dependencies, no npm cache, no
# compiler, and runs as the unprivileged `node` user. Run it with a read-only root file system
# (compose.yaml and deploy/k8s do): the process writes only to /var/lib/palisade and /tmp.

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY server/package.json server/
COPY sdk/package.json sdk/
COPY console/package.json console/
# --ignore-scripts: the `prepare` scripts build the SDK and the console, which need the sources.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN npm run build -w sdk \
 && npm run build -w console \
 && npm prune --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf server/test server/bench

FROM node:24-bookworm-slim AS runtime
# NODE_OPTIONS caps V8's old generation (docs/operations.md, "Memory"): without a cap V8 lets the
# heap grow to several times what is live before a major collection, and an instance with
# 10 000 active sessions held over 600 MB. Keep it in step with package.json's start script.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=128 \
    PALISADE_DATA_DIR=/var/lib/palisade \
    PALISADE_LOG_FORMAT=json \
    PALISADE_SERVER_HOST=0.0.0.0 \
    PALISADE_SERVER_PORT=8443
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json /app/package-lock.json ./
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/server ./server
COPY --from=build --chown=root:root /app/console/dist ./console/dist
COPY --from=build --chown=root:root /app/console/dist-start ./console/dist-start
COPY --from=build --chown=root:root /app/console/package.json ./console/package.json
RUN mkdir -p /var/lib/palisade && chown node:node /var/lib/palisade
USER node
EXPOSE 8443
VOLUME ["/var/lib/palisade"]
# Liveness only: /healthz answers while the process serves. Readiness (/readyz: database and
# Redis reachable, not stopping) is the load balancer's and the orchestrator's check. The
# certificate is the public name's, not 127.0.0.1's, so this local probe does not verify it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "require('https').get({host:'127.0.0.1',port:process.env.PALISADE_SERVER_PORT||8443,path:'/healthz',rejectUnauthorized:false,timeout:2500},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# SIGTERM starts the graceful stop (server.shutdownTimeout); node is PID 1 here, so no shell.
ENTRYPOINT ["node", "server/bin/palisade.ts"]
CMD ["start"]
