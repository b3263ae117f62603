#!/usr/bin/env bash
# Creates the local base images every Dockerfile here builds FROM. No registry
# is reachable from this machine, so both are `docker import`ed from root
# filesystems assembled from host files:
#   tp0/node-base:local  host node binary + the shared libraries ldd lists,
#                        /etc/passwd with user node (1000), /tmp 1777; no shell
#   busybox:local        Debian's busybox-static with one symlink per applet
#                        (sh, nc, timeout, ...) for throwaway test containers
# Idempotent: an existing image is kept unless --force is given. node-base is
# also rebuilt when its tp0.node-version label differs from the host's node.
set -euo pipefail

NODE_IMAGE=tp0/node-base:local
BUSYBOX_IMAGE=busybox:local
FORCE=0
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    *) echo "usage: $0 [--force]" >&2; exit 2 ;;
  esac
done

die() { echo "base-images: $*" >&2; exit 1; }
log() { echo "base-images: $*"; }

docker info >/dev/null 2>&1 || die "docker engine not reachable (run docker/install-engine.sh)"

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# Shared skeleton: root-owned tree, sticky world-writable /tmp, and the user
# database so `USER 1000` has a name and a home.
skeleton() {
  local root=$1
  mkdir -p "$root"/{etc,tmp,home/node}
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnode:x:1000:1000:node:/home/node:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnode:x:1000:\n' >"$root/etc/group"
  # glibc's default without this file is "dns [!UNAVAIL=return] files";
  # read /etc/hosts first like any normal system.
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# Packs a staged root as a tar stream with numeric ownership as staged.
import_root() {
  local root=$1 tag=$2; shift 2
  tar -C "$root" --numeric-owner -cf - . | docker import "$@" - "$tag" >/dev/null
}

build_node_base() {
  local node_bin node_version root="$STAGE/node"
  node_bin=$(command -v node) || die "node not found on the host"
  node_bin=$(readlink -f "$node_bin")
  node_version=$("$node_bin" --version)

  if image_exists "$NODE_IMAGE" && [ "$FORCE" = 0 ]; then
    local have
    have=$(docker image inspect -f '{{index .Config.Labels "tp0.node-version"}}' "$NODE_IMAGE")
    if [ "$have" = "$node_version" ]; then
      log "$NODE_IMAGE exists (node $have), skipping"
      return
    fi
    log "$NODE_IMAGE has node '$have', host has $node_version: rebuilding"
  fi

  skeleton "$root"
  mkdir -p "$root/usr/local/bin"
  cp "$node_bin" "$root/usr/local/bin/node"
  # Every absolute path ldd prints (libs and the ELF interpreter) is copied to
  # that same path, dereferenced: /lib is a symlink to /usr/lib on this host
  # but a plain directory in the image.
  local lib
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  chown -R 0:0 "$root"
  chown 1000:1000 "$root/home/node"

  import_root "$root" "$NODE_IMAGE" \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change "LABEL tp0.node-version=$node_version" \
    --change 'CMD ["node"]'
  log "built $NODE_IMAGE (node $node_version)"
}

build_busybox() {
  local root="$STAGE/busybox" bb applet
  if image_exists "$BUSYBOX_IMAGE" && [ "$FORCE" = 0 ]; then
    log "$BUSYBOX_IMAGE exists, skipping"
    return
  fi
  # Only the static build runs in an empty root; ldd fails on static binaries.
  bb=/bin/busybox
  if [ ! -x "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
    log "installing busybox-static"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq busybox-static >/dev/null
  fi
  ldd "$bb" >/dev/null 2>&1 && die "$bb is dynamically linked; install busybox-static"

  skeleton "$root"
  mkdir -p "$root/bin"
  cp "$bb" "$root/bin/busybox"
  for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  chown -R 0:0 "$root"
  chown 1000:1000 "$root/home/node"

  import_root "$root" "$BUSYBOX_IMAGE" \
    --change 'ENV PATH=/bin' \
    --change 'CMD ["sh"]'
  log "built $BUSYBOX_IMAGE"
}

build_node_base
build_busybox

# Smoke tests: catch a missing library or a broken applet here rather than in
# a compose run.
docker run --rm "$NODE_IMAGE" node -e 'console.log("node-base: node " + process.version)' \
  || die "$NODE_IMAGE cannot run node"
docker run --rm "$BUSYBOX_IMAGE" sh -c 'command -v nc >/dev/null && echo "busybox: sh and nc ok"' \
  || die "$BUSYBOX_IMAGE cannot run sh/nc"
