# syntax=docker/dockerfile:1.7
# The Facedrift server (`facedrift serve`): the API, the web app on the same origin (web/build,
# served by server/src/http/web-app.ts), the batch scheduler and the streaming worker. Build from
# the repository root:
#
#   docker build -f deploy/docker/server.Dockerfile -t facedrift/server .
#   docker run -p 8080:8080 -e DATABASE_URL=postgres://… facedrift/server
#
# Without DATABASE_URL it runs on the embedded PGlite in /data (a volume).
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is rebuilt only when one of them changes. npm needs
# every workspace's package.json, and `npm ci` runs the root `prepare`, which compiles
# wasm-kernels/assembly with AssemblyScript: those sources come before it too.
COPY package.json package-lock.json tsconfig.json ./
# `npm ci` applies these to dependencies (patch-package, the root postinstall).
COPY patches patches
COPY stats/package.json stats/
COPY wasm-kernels/package.json wasm-kernels/
COPY wasm-kernels/scripts wasm-kernels/scripts
COPY wasm-kernels/assembly wasm-kernels/assembly
COPY models/package.json models/
COPY server/package.json server/
COPY web/package.json web/
COPY e2e/package.json e2e/
RUN npm ci --no-audit --no-fund
# The web app, built before the dev dependencies are pruned. The model weights
# come from npm packages and are checked against the registry's SHA-256 by the build
# (web/tooling/offline-files.ts), so it needs no network beyond `npm ci`.
COPY stats/src stats/src
COPY wasm-kernels/src wasm-kernels/src
COPY models/src models/src
COPY web web
RUN NODE_ENV=production npm run build -w web
# There is no build step: tsx runs the TypeScript sources. tsx is a root devDependency, so it and
# esbuild (its only dependency) are set aside before the dev tools (Biome, Vitest, AssemblyScript,
# drizzle-kit, …) are pruned, then put back.
RUN mkdir /keep && cp -a node_modules/tsx node_modules/esbuild node_modules/@esbuild /keep/ \
  && npm prune --omit=dev --no-audit --no-fund \
  && cp -a /keep/. node_modules/ && rm -rf /keep \
  && node -e "import('tsx/esm/api')"
COPY server/bin server/bin
COPY server/src server/src
COPY server/drizzle server/drizzle

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=8080 \
    FACEDRIFT_DATA_DIR=/data
WORKDIR /app
# Owned by root and read-only to the process: only /data (embedded database, local archive) and
# /tmp (tsx's transform cache) are written at run time.
COPY --from=build /app /app
RUN ln -s /app/server/bin/facedrift.mjs /usr/local/bin/facedrift \
  && mkdir /data && chown 1000:1000 /data
VOLUME /data
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 8080
# No curl in the slim image; Node's fetch does the same. /healthz is liveness only (no database).
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node is PID 1 and `serve` handles SIGTERM itself (stops accepting, finishes the scheduler and the
# streaming worker, closes the database), so no init process is needed.
ENTRYPOINT ["facedrift"]
CMD ["serve"]
