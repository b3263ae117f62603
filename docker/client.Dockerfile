# Agency client image: node and the esbuild bundle, started from a V8 startup snapshot built here.
# Build from the repo root after `node docker/bundle.mjs`:
#   docker build -f docker/client.Dockerfile -t client:latest .
FROM tp0/node-base:local

# COPY --chown creates /app owned by uid 1000 (no shell in the base to chown).
COPY --chown=1000:1000 docker/dist/client.cjs /app/
# The snapshot holds the app's modules loaded (see docker/bundle.mjs). Built by this image's node, the only one it
# fits, under the ENTRYPOINT's V8 flags: none, as in docker/node-flags.json (a test holds them equal).
RUN ["node", "--snapshot-blob", "/app/client.blob", "--build-snapshot", "/app/client.cjs"]
WORKDIR /app
USER 1000:1000

# Exec form: node is PID 1 and receives docker stop's SIGTERM itself. The app starts from the snapshot; the script
# named after it is not run again (it is process.argv[1]).
ENTRYPOINT ["node", "--snapshot-blob", "/app/client.blob", "/app/client.cjs"]
