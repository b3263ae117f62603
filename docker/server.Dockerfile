# Lottery server image: node and the esbuild bundle.
# Build from the repo root after `node docker/bundle.mjs`:
#   docker build -f docker/server.Dockerfile -t server:latest .
FROM tp0/node-base:local

# The server writes ./bets.csv, so /app must belong to uid 1000. The base image
# has no shell to chown with; COPY --chown creates /app with that owner.
COPY --chown=1000:1000 docker/dist/server.cjs /app/
WORKDIR /app
USER 1000:1000

# Exec form: node is PID 1 and receives docker stop's SIGTERM itself.
# --max-semi-space-size=8 (V8's young generation at 8 MB instead of 16) keeps the server's RSS low with many
# agencies. The local runner reads this line and runs the bundle with the same flags.
ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/server.cjs"]
