# syntax=docker/dockerfile:1
# acrbot container: build TypeScript in one stage, install production dependencies in another,
# and run the result as the unprivileged `node` user on a slim Node 22 LTS image (Node 20 reached end of life in April 2026; the code and tests still run on Node 20).
# Build remotely without a local Docker engine:  az acr build -r <registry> -t acrbot:<version> .

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: full dependencies + tsc -> dist/ ----------------------------------------------
FROM ${NODE_IMAGE} AS build
# better-sqlite3 compiles from source when no prebuilt binary matches: it needs python3/make/g++.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# .npmrc sets yes=true: botbuilder-dialogs' postinstall runs `npx rimraf` and must not prompt.
COPY package.json package-lock.json .npmrc ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The Teams tab front end: esbuild bundles web/ into build/web during npm run build.
COPY web ./web
COPY scripts/run-ts.js scripts/build-web.ts ./scripts/
RUN npm run build

# ---- deps: production dependencies only (native modules built here, tools stay here) -------
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force

# ---- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ACRBOT_MODE=azure \
    PORT=3978
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /app/build/web ./build/web
COPY --chown=root:root package.json ./
COPY --chown=root:root cards ./cards
# The code stays root-owned and read-only for the app; only data/ (the default SQLite store
# when no ACRBOT_STORAGE is set) and .data/ (the sandbox demo's audit key and TLS cache, kept in
# the working directory as on a developer's machine) are writable by the runtime user.
RUN mkdir -p /app/data /app/.data && chown node:node /app/data /app/.data
USER node
EXPOSE 3978
# No curl in the slim image: Node's built-in fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/index.js"]
