#!/usr/bin/env bash
# Install every Debian package berth's build, tests and demo need.
# Idempotent and quiet: packages already present are not fetched again.
set -euo pipefail

# Each group names what needs it; tests/integration/tools.bats checks that
# every peer tool listed here can really run (and names the package if not).
PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config clang clang-format
  libcurl4-openssl-dev libssl-dev libjansson-dev libarchive-dev zlib1g-dev
  libzstd-dev libisal-dev
  # tests: runner and the registries on 127.0.0.1 (docker-registry; the
  # token server and fake registry are python3 with jwt + cryptography)
  bats docker-registry curl openssl apache2-utils
  python3 python3-jwt python3-cryptography
  # tests: peer engines. Debian's podman with --no-install-recommends brings
  # containernetworking-plugins, but the podman configs (tests/integration/lib,
  # bench/ and ../shared/peers containers.conf) name netavark as the network
  # backend: without it every podman command fails 'could not find "netavark"'.
  # aardvark-dns is netavark's DNS helper (recommended by netavark).
  podman netavark aardvark-dns conmon skopeo umoci runc
  # tests: the OCI image-layout validator peers_archive.bats runs on
  # berth's --format oci-dir and oci-archive output
  oci-image-tool
  # berth's networks (issue 10): the CNI plugins it execs from /usr/lib/cni
  # (bridge, host-local, portmap, firewall), the iptables and ip they and
  # berth run (nf_tables iptables works inside a network namespace, where
  # network.bats makes every bridge)
  containernetworking-plugins iptables iproute2
  # run --init: tini's static build (/usr/bin/tini-static), bound into the
  # container as Docker binds its docker-init
  tini
  # tests: fixtures and checks (busybox-static images, layer tars, xattrs
  # and file capabilities, pgrep/ps, script(1) for ttys)
  busybox-static jq attr libcap2-bin zstd gzip tar procps bsdutils
  # tests: Docker 20.10 (/usr/bin/docker and /usr/sbin/dockerd; not the
  # docker 28 client in /usr/local/bin), whose legacy builder
  # build_docker.bats compares berth's builds with, on a private daemon
  docker.io
  # benchmarks (bench/): the Debian base image, /usr/bin/time -v, the
  # journaled ext4 loop filesystem the stores live on, buildah for
  # bench/build (and docker.io's legacy builder)
  debootstrap time e2fsprogs buildah
  # demo / store inspection
  tree file
  # run: containers-common's seccomp profile (/usr/share/containers/seccomp.json),
  # the one berth falls back to and confine.bats's custom-profile tests read
  # (the default is Docker's, below); tests: gcc -static (build-essential)
  # for confine.bats's syscall probe
  golang-github-containers-common
)

if [[ "$(id -u)" -ne 0 ]]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f '${Status}' "$p" 2> /dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [[ "${#missing[@]}" -gt 0 ]]; then
  echo "install-deps: installing ${missing[*]}"
  log=$(mktemp)
  if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } > "$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    exit 1
  fi
  rm -f "$log"
fi

# run: berth's default seccomp profile, /usr/local/share/berth/seccomp.json,
# is Docker 20.10's own default profile: moby's profiles/seccomp/default.json
# (Apache-2.0; not kept in berth's tree), byte for byte the one the docker.io
# daemon above has built in (the same 20.10.24 source). Debian ships it only
# inside golang-github-docker-docker-dev, whose install brings ~250 packages
# (a Go toolchain): so that .deb is downloaded, never installed, and just
# this one file taken out of it. Nothing is fetched when the file is
# already there with 20.10.24's bytes, nothing written when the .deb's are
# the ones there; else it is written to a temporary name and renamed, so a
# failure never leaves half a profile behind.
DOCKER_PROFILE=/usr/local/share/berth/seccomp.json
DOCKER_PROFILE_IN_DEB=./usr/share/gocode/src/github.com/docker/docker/profiles/seccomp/default.json
# the sha256 of 20.10.24's (tests/integration/data/confine was made from it):
# with that file in place nothing is fetched
DOCKER_PROFILE_SHA256=e5e91f884647e7332b3f89280777752f563df4f1372a186f14ddb7bf2f55cf61
if [[ "$(sha256sum "$DOCKER_PROFILE" 2> /dev/null | cut -d' ' -f1)" != "$DOCKER_PROFILE_SHA256" ]]; then
  dl=$(mktemp -d)
  trap 'rm -rf "$dl"' EXIT
  # apt-get download writes into the current directory, as the _apt user
  # when it can: the directory must be open to it
  chmod 0755 "$dl"
  if ! (cd "$dl" && apt-get download -qq golang-github-docker-docker-dev) > "$dl/log" 2>&1; then
    # no package lists yet (a fresh machine): once more after an update
    if ! { $SUDO apt-get update -qq && (cd "$dl" && apt-get download -qq golang-github-docker-docker-dev); } > "$dl/log" 2>&1; then
      cat "$dl/log" >&2
      exit 1
    fi
  fi
  deb=$(find "$dl" -maxdepth 1 -name 'golang-github-docker-docker-dev_*.deb' | head -n 1)
  dpkg-deb --fsys-tarfile "$deb" | tar -xO "$DOCKER_PROFILE_IN_DEB" > "$dl/seccomp.json"
  jq -e '.defaultAction and (.syscalls | length > 0)' "$dl/seccomp.json" > /dev/null 2>&1 || {
    echo "install-deps: $DOCKER_PROFILE_IN_DEB in $(basename "$deb") is not a seccomp profile" >&2
    exit 1
  }
  if [[ "$(sha256sum "$dl/seccomp.json" | cut -d' ' -f1)" != "$DOCKER_PROFILE_SHA256" ]]; then
    echo "install-deps: note: $(basename "$deb")'s profile is not 20.10.24's; regenerate tests/integration/data/confine (gen.sh)" >&2
  fi
  if ! cmp -s "$dl/seccomp.json" "$DOCKER_PROFILE"; then
    echo "install-deps: installing $DOCKER_PROFILE (Docker 20.10's default seccomp profile)"
    $SUDO install -D -m 0644 "$dl/seccomp.json" "$DOCKER_PROFILE.tmp"
    $SUDO mv -f "$DOCKER_PROFILE.tmp" "$DOCKER_PROFILE"
  fi
fi
