# syntax=docker/dockerfile:1
# acrbot container: build TypeScript in one stage, prune its dependencies to production ones in
# another, and run the result as the unprivileged `node` user on a slim Node 22 LTS image (Node 20
# reached end of life in April 2026; the code and tests still run on Node 20).
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

# ---- deps: the build's node_modules pruned to production dependencies ----------------------
# Pruned, not installed again: no install script runs a second time. A second `npm ci --omit=dev`
# ran botbuilder-dialogs' postinstall, whose `npx rimraf` then fetched an unpinned rimraf from the
# registry (rimraf is a dev dependency), outside the lockfile. better-sqlite3's binary is the one
# built above on the same base image. --offline: what prune restores comes from the build's npm
# cache (the lockfile's tarballs), never the network. It restores the copies of
# recognizers-text-number that the postinstall removed (the lockfile lists them): the loop removes
# them again, as that postinstall does (test/ship/dockerfile.test.ts compares the two).
FROM build AS deps
RUN npm prune --omit=dev --ignore-scripts --offline --no-audit --no-fund \
 && for p in suite date-time number-with-unit; do \
      rm -rf "node_modules/@microsoft/recognizers-text-$p/node_modules/@microsoft/recognizers-text-number"; \
    done

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
# The code stays root-owned and read-only for the app; only data/ (the sandbox demo's SQLite
# store; azure mode requires ACRBOT_STORAGE, and anything in this container's data/ is lost with
# it) and .data/ (the sandbox demo's audit key and TLS cache, kept in the working directory as on
# a developer's machine) are writable by the runtime user.
RUN mkdir -p /app/data /app/.data && chown node:node /app/data /app/.data
USER node
EXPOSE 3978
# No curl in the slim image: Node's built-in fetch does the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/index.js"]
