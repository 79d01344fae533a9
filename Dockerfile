# One image for both processes: the default command runs a worker; docker-compose.yml runs the API
# from the same image with `node --import tsx api/main.ts`. TypeScript runs through tsx (a runtime
# dependency), so there is no separate compile step.

# ---- dependencies: the toolchain is needed only while installing ----
FROM node:20-bookworm-slim AS deps

# better-sqlite3 first tries a prebuilt binary and falls back to node-gyp, which needs these.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime: same base (same glibc), so the native modules built above load here ----
FROM node:20-bookworm-slim

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY shared ./shared
COPY activities ./activities
COPY workflows ./workflows
COPY workers ./workers
COPY api ./api

# DATA_DIR in compose. Created here and owned by the runtime user so that an empty named volume
# mounted on it starts with this ownership and the non-root processes can write the SQLite file.
RUN mkdir -p /data && chown node:node /data

# Sources stay root-owned and read-only to the process; only /data (and /tmp, for tsx's cache) is written.
USER node

# Exec form: node is PID 1 and receives SIGTERM itself; the worker drains in-flight tasks, the API closes.
CMD ["node", "--import", "tsx", "workers/main.ts"]
