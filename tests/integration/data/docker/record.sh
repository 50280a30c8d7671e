#!/usr/bin/env bash
# record.sh [OUT]: runs every line of ./commands with Debian's docker 20.10
# client (/usr/bin/docker) on a private daemon that holds only the fixed
# image (../../lib/fixed_image.py), and writes the outputs (stdout and
# stderr, then the exit status) to OUT (default: ./outputs.txt).  Root;
# the daemon runs as ../../../../shared/peers/README.md says.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/outputs.txt}"
dir="$(mktemp -d /tmp/record-XXXXXX)"
docker=/usr/bin/docker
export DOCKER_HOST="unix://$dir/sock" TZ=UTC
dockerd --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
  --storage-driver=overlay2 --data-root="$dir/data" --exec-root="$dir/exec" \
  -H "$DOCKER_HOST" --pidfile "$dir/pid" > "$dir/log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2> /dev/null || true
  wait "$pid" 2> /dev/null || true
  umount -R "$dir/data" "$dir/exec" 2> /dev/null || true
  rm -rf "$dir"
}
trap stop EXIT
for _ in $(seq 300); do "$docker" version > /dev/null 2>&1 && break || sleep 0.1; done
python3 "$here/../../lib/fixed_image.py" "$dir/fixed.tar"
"$docker" load -q -i "$dir/fixed.tar" > /dev/null
{
  echo "# made by tests/integration/data/docker/record.sh with $("$docker" --version)"
  while IFS= read -r line; do
    [[ -z "$line" || "$line" == "#"* ]] && continue
    eval "args=($line)"
    echo "\$ docker $line"
    "$docker" "${args[@]}" 2>&1 && echo "[exit 0]" || echo "[exit $?]"
  done < "$here/commands"
} > "$out.tmp"
mv "$out.tmp" "$out"
