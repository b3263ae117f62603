#!/usr/bin/env bash
# Makes a Docker engine answer on this machine. Idempotent: if `docker info`
# already works it does nothing.
#
# Machine notes (Debian 12 VM, checked):
# - There is no systemd (PID 1 is not an init), so the docker.service that the
#   docker.io package installs never starts: dockerd is started by hand, in the
#   background, logging to /var/log/dockerd.log. It then runs its own managed
#   containerd under /var/run/docker/containerd.
# - /usr/local/bin/docker is a newer client (28.x) than Debian's engine
#   (20.10, API 1.41); it negotiates the API version down and works.
# - docker.io pulls in iptables; with it, dockerd starts with defaults
#   (overlay2 on ext4, cgroupfs on cgroup v1). The kernel lacks blkio weight
#   (harmless warning).
# - Debian 12's docker-compose is 1.29: it rejects a top-level `name:`; the
#   project name comes from .env instead. Compose v2 (`docker compose`, what
#   the course uses) is not in bookworm, but trixie's docker-compose package
#   holds it as a static CLI plugin (needs only libc6 >= 2.34): it is
#   downloaded from trixie with a private apt list (the machine's sources are
#   left as they are) and unpacked into /usr/local/lib/docker/cli-plugins.
# If dockerd dies at start-up the script retries with fallback flags (no
# iptables, then also the vfs storage driver) for machines that lack those
# kernel features; the flags that worked are printed.
set -euo pipefail

LOG=/var/log/dockerd.log
WAIT_SECONDS=60

log() { echo "install-engine: $*"; }
die() { echo "install-engine: $*" >&2; exit 1; }

COMPOSE_PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
COMPOSE_V2_SUITE=trixie

# Compose v2 as a CLI plugin, from Debian's trixie package (see the notes above).
install_compose_v2() {
  local tmp mirror
  tmp=$(mktemp -d)
  # The mirror this machine's apt already uses for Debian itself.
  mirror=$({ grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null || true; } | head -n 1 | tr -d ' ')
  mirror=${mirror:-http://deb.debian.org/debian}
  mkdir -p "$tmp/lists/partial" "$tmp/cache/archives/partial"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror%/} $COMPOSE_V2_SUITE main" >"$tmp/sources.list"
  local apt=(apt-get -qq -o "Dir::Etc::SourceList=$tmp/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache" -o APT::Sandbox::User=root)
  "${apt[@]}" update
  (cd "$tmp" && "${apt[@]}" download docker-compose)
  dpkg-deb -x "$tmp"/docker-compose_*.deb "$tmp/root"
  mkdir -p "$COMPOSE_PLUGIN_DIR"
  install -m 0755 "$tmp/root/usr/libexec/docker/cli-plugins/docker-compose" "$COMPOSE_PLUGIN_DIR/docker-compose"
  rm -rf "$tmp"
}

if [ "$(id -u)" != 0 ]; then
  docker info >/dev/null 2>&1 && docker compose version >/dev/null 2>&1 && { log "docker engine already running"; exit 0; }
  die "must run as root to install and start dockerd"
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! docker compose version >/dev/null 2>&1; then
  log "installing Compose v2 (docker compose) from Debian $COMPOSE_V2_SUITE"
  install_compose_v2
fi
log "$(docker compose version) and $(docker-compose version --short 2>/dev/null | sed 's/^/docker-compose /')"

if docker info >/dev/null 2>&1; then
  log "docker engine already running"
  exit 0
fi

# A dockerd that died uncleanly leaves its pid file and refuses to start.
PIDFILE=/var/run/docker.pid
if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  rm -f "$PIDFILE"
fi

# Starts dockerd with the given flags; succeeds once `docker info` answers,
# fails as soon as dockerd exits or after WAIT_SECONDS.
try_start() {
  local pid i
  log "starting dockerd $*"
  nohup dockerd "$@" >>"$LOG" 2>&1 &
  pid=$!
  for ((i = 0; i < WAIT_SECONDS; i++)); do
    docker info >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  die "dockerd (pid $pid) did not answer within ${WAIT_SECONDS}s; see $LOG"
}

started=0
for flags in "" "--iptables=false --ip6tables=false" "--iptables=false --ip6tables=false --storage-driver=vfs"; do
  # shellcheck disable=SC2086 # flags are word lists on purpose
  if try_start $flags; then
    started=1
    [ -z "$flags" ] || log "dockerd needed fallback flags: $flags"
    break
  fi
  log "dockerd exited; last log lines:"
  tail -n 5 "$LOG" >&2
done
[ "$started" = 1 ] || die "dockerd would not start with any flag set; see $LOG"

log "docker engine up: server $(docker version -f '{{.Server.Version}}') ($(docker info -f '{{.Driver}}'))"

# The engine answering is not enough: prove a container starts (cgroups,
# runc). Needs the local busybox image, which docker/base-images.sh creates.
if docker image inspect busybox:local >/dev/null 2>&1; then
  docker run --rm busybox:local true || die "engine is up but cannot run a container; see $LOG"
  log "container smoke test ok"
else
  log "busybox:local missing: run docker/base-images.sh, then: docker run --rm busybox:local true"
fi
