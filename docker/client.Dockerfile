# Agency client image: node and the esbuild bundle.
# Build from the repo root after `node docker/bundle.mjs`:
#   docker build -f docker/client.Dockerfile -t client:latest .
FROM tp0/node-base:local

# COPY --chown creates /app owned by uid 1000 (no shell in the base to chown).
COPY --chown=1000:1000 docker/dist/client.cjs /app/
WORKDIR /app
USER 1000:1000

# Exec form: node is PID 1 and receives docker stop's SIGTERM itself. The local runner reads this line and runs
# the bundle the same way.
ENTRYPOINT ["node", "/app/client.cjs"]
