# lingo-server as a container image. Not built in this project's CI (its machine has no Docker
# daemon): docs/deployment.md, "Docker", says how to build and run it.
#
#   docker build -t lingo-server .
#   docker run -p 8080:8080 -v lingo-data:/data lingo-server

# Build: compile TypeScript and better-sqlite3 (from source when its prebuilt binary cannot be
# downloaded), then keep only the runtime dependencies.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs the sources, copied below; better-sqlite3 is
# rebuilt explicitly instead.
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && find dist -name '*.map' -delete

# Runtime: no compiler, no sources, a non-root user, the data dir as a volume.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    LINGO_HOST=0.0.0.0 \
    LINGO_PORT=8080 \
    LINGO_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/bin ./bin
COPY --from=build /app/dist ./dist
# `node` (uid 1000) comes with the base image; it owns the data dir and nothing else.
RUN mkdir /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
# The slim image has no curl: ask with node's own fetch.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.LINGO_PORT || 8080) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "/app/bin/lingo-server.cjs"]
CMD ["serve"]
