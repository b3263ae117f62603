# Lottery server image: node and the esbuild bundle, started from a V8 startup snapshot built here.
# Build from the repo root after `node docker/bundle.mjs`:
#   docker build -f docker/server.Dockerfile -t server:latest .
FROM tp0/node-base:local

# The server writes ./bets.csv, so /app must belong to uid 1000. The base image
# has no shell to chown with; COPY --chown creates /app with that owner.
COPY --chown=1000:1000 docker/dist/server.cjs /app/
# The snapshot holds the app's modules loaded (see docker/bundle.mjs). Built by this image's node, the only one it
# fits, under the ENTRYPOINT's V8 flags, docker/node-flags.json's (a test holds them equal).
RUN ["node", "--max-semi-space-size=8", "--snapshot-blob", "/app/server.blob", "--build-snapshot", "/app/server.cjs"]
WORKDIR /app
USER 1000:1000

# Exec form: node is PID 1 and receives docker stop's SIGTERM itself. The app starts from the snapshot; the script
# named after it is not run again (it is process.argv[1]).
ENTRYPOINT ["node", "--max-semi-space-size=8", "--snapshot-blob", "/app/server.blob", "/app/server.cjs"]
