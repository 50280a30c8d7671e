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
  # run: the default seccomp profile every container gets
  # (/usr/share/containers/seccomp.json); tests: gcc -static (build-essential)
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
