# Agency client image: node and the esbuild bundle (its starter, the script and its V8 code cache), nothing else.
# Build from the repo root after `node docker/bundle.mjs`:
#   docker build -f docker/client.Dockerfile -t client:latest .
FROM tp0/node-base:local

# COPY --chown creates /app owned by uid 1000 (no shell in the base to chown).
COPY --chown=1000:1000 docker/dist/client.mjs docker/dist/client.cjs docker/dist/client.cjs.cache /app/
WORKDIR /app
USER 1000:1000

# Exec form: node is PID 1 and receives docker stop's SIGTERM itself. No V8 flags, as in docker/node-flags.json
# (a test holds them equal): the code cache beside client.mjs was written under none.
ENTRYPOINT ["node", "/app/client.mjs"]
