#!/usr/bin/env bash
# Checks that the running `server` container echoes a line back. netcat runs
# in a throwaway busybox container attached to the server's network: the host
# needs no netcat and the server publishes no port.
# Prints exactly one result line; exits 0 on success, 1 on fail. Every step has
# a timeout, so a missing, silent or wrong server fails within ~15 s.
set -u

cd "$(dirname "$0")"
CONFIG=packages/server/config.ini
DEFAULT_PORT=12345
SERVER=server
PROBE_IMAGE=busybox:local

result() {
  echo "action: test_echo_server | result: $1"
  [ "$1" = success ]
  exit
}

running=$(timeout 5 docker inspect -f '{{.State.Running}}' "$SERVER" 2>/dev/null) || result fail
[ "$running" = true ] || result fail

network=$(timeout 5 docker inspect "$SERVER" \
  --format '{{range $k,$v := .NetworkSettings.Networks}}{{$k}} {{end}}' 2>/dev/null | awk '{print $1}')
[ -n "$network" ] || result fail

# The default bridge has no embedded DNS, so the name only resolves on
# user-defined (compose) networks; there the server's IP is used instead.
target=$SERVER
if [ "$network" = bridge ]; then
  target=$(timeout 5 docker inspect "$SERVER" -f '{{.NetworkSettings.Networks.bridge.IPAddress}}' 2>/dev/null)
  [ -n "$target" ] || result fail
fi

# The port the server listens on: as in the course, an environment variable
# set on the container overrides the config file.
port=$(timeout 5 docker inspect "$SERVER" -f '{{range .Config.Env}}{{println .}}{{end}}' 2>/dev/null |
  sed -n 's/^SERVER_PORT=//p' | head -n 1)
if [ -z "$port" ] && [ -f "$CONFIG" ]; then
  port=$(awk '
    /^[[:space:]]*\[/ { section = $0; gsub(/[][[:space:]]/, "", section); next }
    section == "DEFAULT" && /^[[:space:]]*SERVER_PORT[[:space:]]*[=:]/ {
      sub(/^[^=:]*[=:][[:space:]]*/, ""); sub(/[[:space:]]*([;#].*)?\r?$/, ""); print; exit
    }' "$CONFIG")
fi
port=${port:-$DEFAULT_PORT}
case "$port" in '' | *[!0-9]*) result fail ;; esac

# A message unique to this run, so a server answering a fixed text cannot pass.
message="tp0 echo check $$ $(date +%s)"
probe=tp0-echo-probe-$$

# nc half-closes after stdin ends and waits for the server to close: the
# inner timeout bounds a server that never does, the outer one a stuck docker.
reply=$(timeout 15 docker run --rm --name "$probe" --network "$network" "$PROBE_IMAGE" \
  sh -c 'printf "%s\n" "$1" | timeout 5 nc -w 3 "$2" "$3"' sh "$message" "$target" "$port" 2>/dev/null)
timeout 5 docker rm -f "$probe" >/dev/null 2>&1

[ "$reply" = "$message" ] && result success
result fail
