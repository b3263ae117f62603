# Lottery server image: node and the esbuild bundle (its starter, the script and its V8 code cache), nothing else.
# Build from the repo root after `node docker/bundle.mjs`:
#   docker build -f docker/server.Dockerfile -t server:latest .
FROM tp0/node-base:local

# The server writes ./bets.csv, so /app must belong to uid 1000. The base image
# has no shell to chown with; COPY --chown creates /app with that owner.
COPY --chown=1000:1000 docker/dist/server.mjs docker/dist/server.cjs docker/dist/server.cjs.cache /app/
WORKDIR /app
USER 1000:1000

# Exec form: node is PID 1 and receives docker stop's SIGTERM itself. The flags are docker/node-flags.json's
# (a test holds them equal): the code cache beside server.mjs was written under them.
ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/server.mjs"]
