# syntax=docker/dockerfile:1.7
# The extraction replica: headless Chromium running the face pipeline (models/) for server-side
# image batches, on WebGPU where the node has a GPU and on WASM otherwise.
#
# `facedrift replica` claims image-batch jobs from PostgreSQL and embeds each image on the web
# app's /replica page (the capture worker itself) in Chromium, so it needs the built web app
# (web/build, served to Chromium from disk) besides the server's code.
#
#   docker build -f deploy/docker/replica.Dockerfile -t facedrift/replica .
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Same dependency layer as server.Dockerfile (BuildKit shares it when both are built).
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
# The web app, built before the dev dependencies are pruned, as in server.Dockerfile.
COPY stats/src stats/src
COPY wasm-kernels/src wasm-kernels/src
COPY models/src models/src
COPY web web
RUN NODE_ENV=production npm run build -w web
# tsx runs the sources; keep it (a root devDependency) through the prune, as in server.Dockerfile.
RUN mkdir /keep && cp -a node_modules/tsx node_modules/esbuild node_modules/@esbuild /keep/ \
  && npm prune --omit=dev --no-audit --no-fund \
  && cp -a /keep/. node_modules/ && rm -rf /keep \
  && node -e "import('tsx/esm/api')"
COPY server/bin server/bin
COPY server/src server/src
COPY server/drizzle server/drizzle

FROM ${NODE_IMAGE}
# Debian's Chromium (the one e2e/ drives with playwright-core), fonts so pages lay out the same
# everywhere, and the Vulkan loader Chromium's WebGPU uses; the NVIDIA container runtime mounts the
# driver's Vulkan ICD when NVIDIA_DRIVER_CAPABILITIES includes "graphics".
RUN apt-get update \
  && apt-get install -y --no-install-recommends chromium fonts-liberation fonts-dejavu-core libvulkan1 ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    CHROMIUM_PATH=/usr/bin/chromium \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility,graphics
WORKDIR /app
COPY --from=build /app /app
RUN ln -s /app/server/bin/facedrift.mjs /usr/local/bin/facedrift
USER 1000:1000
# Chromium's sandbox needs user namespaces, which most container runtimes deny; the replica only
# opens its own local page, so it is expected to pass --no-sandbox (set in the deployment).
ENTRYPOINT ["facedrift"]
CMD ["replica"]
