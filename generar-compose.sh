#!/usr/bin/env bash
# Writes the Docker Compose file: ./generar-compose.sh OUT N [--mode echo|bet|agency]
# All arguments go to the compose-gen CLI; it is built first if needed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$root/packages/compose-gen/dist/cli.js"

if [[ ! -f "$cli" ]]; then
  # Build output goes to stderr: stdout carries only the CLI's two lines.
  {
    if [[ ! -d "$root/node_modules" || ! -d "$root/packages/compose-gen/node_modules" ]]; then
      (cd "$root" && pnpm install --frozen-lockfile)
    fi
    (cd "$root" && pnpm --filter @tp0/compose-gen build)
  } >&2
fi

exec node "$cli" "$@"
