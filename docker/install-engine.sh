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
# - Debian's docker-compose is 1.29 (no `docker compose` v2 plugin): it
#   rejects a top-level `name:`; the project name comes from .env instead.
# If dockerd dies at start-up the script retries with fallback flags (no
# iptables, then also the vfs storage driver) for machines that lack those
# kernel features; the flags that worked are printed.
set -euo pipefail

LOG=/var/log/dockerd.log
WAIT_SECONDS=60

log() { echo "install-engine: $*"; }
die() { echo "install-engine: $*" >&2; exit 1; }

if docker info >/dev/null 2>&1; then
  log "docker engine already running"
  exit 0
fi

[ "$(id -u)" = 0 ] || die "must run as root to install and start dockerd"

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
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
