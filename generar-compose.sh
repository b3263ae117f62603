#!/usr/bin/env bash
# Writes the Docker Compose file: ./generar-compose.sh OUT N [--mode echo|bet|agency] [--target compose|swarm]
# All arguments go to the compose-gen CLI; it is built first if needed. Run it from any folder: OUT is relative to
# that folder, and the paths inside OUT are relative to OUT's folder.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cli="$root/packages/compose-gen/dist/cli.js"

if [[ ! -f "$cli" ]]; then
  # Build output goes to stderr: stdout carries only the CLI's two lines.
  {
    if [[ ! -d "$root/node_modules" || ! -d "$root/packages/compose-gen/node_modules" ]]; then
      (cd "$root" && pnpm install --frozen-lockfile)
    fi
    # With the packages it depends on: its types import @tp0/protocol, whose dist/ a fresh clone lacks.
    (cd "$root" && pnpm --filter '@tp0/compose-gen...' build)
  } >&2
fi

exec node "$cli" "$@"
