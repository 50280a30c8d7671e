#!/usr/bin/env bash
# Regenerates docker_hostconfig.txt and docker_errors.txt from Docker 20.10
# (Debian's docker.io: /usr/bin/docker and dockerd), on a private daemon
# started as tests/integration/lib/dockerd.bash starts it, with a busybox
# image loaded (docker load -i <berth save of the busybox fixture>):
#   DOCKER_HOST=unix:///path/sock bash regen.sh
# Each case is one line of flags; its answer is the line(s) after it.
set -u
cd "$(dirname "$0")"
# the fields the limit flags set, keys sorted (jq -S), then Path and Args
J='{Memory, MemorySwap, NanoCpus, CpuShares, PidsLimit, ShmSize, Ulimits, Init}'
T='{{json .HostConfig}}'
{
  echo "# docker create --network none FLAGS busybox sleep 5; docker inspect -f '$T' | jq -cS '$J';"
  echo "# docker inspect -f '{{json .Path}} {{json .Args}}'"
  echo "# ($(docker version -f '{{.Server.Version}}'))"
  while read -r flags; do
    [[ -z "$flags" || "$flags" == "#"* ]] && continue
    echo "## $flags"
    # shellcheck disable=SC2086
    id=$(docker create --network none $flags busybox sleep 5)
    docker inspect -f "$T" "$id" | jq -cS "$J"
    docker inspect -f '{{json .Path}} {{json .Args}}' "$id"
    docker rm "$id" > /dev/null
  done < cases_hostconfig.txt
} > docker_hostconfig.txt
{
  echo "# docker create --network none FLAGS busybox true: its stderr's first line"
  echo "# ($(docker version -f '{{.Server.Version}}'))"
  while read -r flags; do
    [[ -z "$flags" || "$flags" == "#"* ]] && continue
    echo "## $flags"
    # shellcheck disable=SC2086
    docker create --network none $flags busybox true 2>&1 | head -1
  done < cases_errors.txt
} > docker_errors.txt
