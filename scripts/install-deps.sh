#!/usr/bin/env bash
# Install every Debian package berth's build, tests and demo need.
# Idempotent and quiet: packages already present are not fetched again.
set -euo pipefail

PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config clang clang-format
  libcurl4-openssl-dev libssl-dev libjansson-dev libarchive-dev zlib1g-dev
  libzstd-dev libisal-dev
  # tests: runner, registry, peers, fixtures
  bats docker-registry skopeo podman umoci runc
  busybox-static jq curl openssl apache2-utils attr zstd gzip tar
  python3 python3-jwt python3-cryptography
  # demo / store inspection
  tree file
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
