# syntax=docker/dockerfile:1
# anirec API image. Two stages: the build stage has the compilers better-sqlite3's native addon
# may need (when no prebuilt binary matches) and the TypeScript toolchain; the runtime stage
# gets only the compiled JS, production node_modules and the bundled sample data.
# Build: docker build -t anirec:latest .   Run: see docs/deployment.md.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first so source edits do not invalidate the npm layer. --ignore-scripts because
# the package's `prepare` script builds dist/ and the sources are not copied yet; the native
# addon is then built explicitly.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The web page is built by `npm run build` too (Vite → dist/web, served by `anirec serve`).
COPY web ./web
COPY bin ./bin
COPY data ./data
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    ANIREC_HOME=/var/lib/anirec \
    PORT=8080
# A fixed numeric uid/gid so Kubernetes' runAsNonRoot can verify it and the volume's fsGroup matches.
RUN groupadd --system --gid 10001 anirec \
 && useradd --system --uid 10001 --gid anirec --home-dir /var/lib/anirec --shell /usr/sbin/nologin anirec \
 && mkdir -p /var/lib/anirec/models \
 && chown -R anirec:anirec /var/lib/anirec
WORKDIR /app
# Application files stay root-owned: the service account can read but never modify its own code.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/data ./data
USER 10001:10001
# The store (anirec.db) and the model registry (models/, CURRENT) live here; mount a volume.
VOLUME ["/var/lib/anirec"]
EXPOSE 8080
# The slim image has no curl; Node 20's fetch is enough for a liveness probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/anirec.js"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
