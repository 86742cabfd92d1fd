# syntax=docker/dockerfile:1
# Baton: build with the dev dependencies, run with the production ones only.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native module when no prebuilt binary can be fetched.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The package's own `prepare` builds, which needs the sources: skip the scripts here, then run the
# one dependency install script there is (better-sqlite3's native module).
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY ui ./ui
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    BATON_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The code belongs to root and is only read; the one place Baton writes is the data volume
# (the SQLite file and its WAL), so the container runs with a read-only root filesystem.
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
# Ready means the store answers, is migrated and has room to write (README, "Running it").
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Node as PID 1 gets SIGTERM from `docker stop`; Baton drains and exits on it.
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start"]
