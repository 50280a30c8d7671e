# A private Docker 20.10 daemon (Debian's docker.io) for the suites that
# compare berth with Docker's legacy builder (build_docker.bats), started
# with the flags of ../shared/peers/README.md: no bridge, no iptables, its
# data root, exec root and socket under DIR, stopped by its pid.
#
#   dockerd_start DIR   start it (from setup_file: one daemon per file);
#                       exports DOCKERD_DIR, DOCKER_HOST, DOCKER_BUILDKIT=0
#   dockerd_stop        stop it by its pid (then its containerd by pid),
#                       unmount everything under DIR
#   dockerd_reset IMAGE...  every container and every image but these
#                       removed (from teardown: a test sees no cache and no
#                       container of another)
#   dk ARGS...          Debian's client (/usr/bin/docker, not the docker 28
#                       client in /usr/local/bin) on that daemon, never
#                       allowed to hang the suite
#   dk_img_dir          the daemon's image/overlay2 (the layout berth's
#                       store shares: imagedb, layerdb)
#
# A registry on 127.0.0.0/8 is insecure to dockerd by default, so it pulls
# from the test registry as berth does.

DOCKER_CLIENT="${DOCKER_CLIENT:-/usr/bin/docker}"
DOCKERD_BIN="${DOCKERD_BIN:-dockerd}"

dk() {
  timeout 180 "$DOCKER_CLIENT" "$@"
}

dk_img_dir() {
  echo "$DOCKERD_DIR/data/image/overlay2"
}

dockerd_start() {
  local dir="$1" i
  require_tool "$DOCKERD_BIN" "$DOCKER_CLIENT" runc || return 1
  mkdir -p "$dir/data" "$dir/exec"
  # containerd's socket lives under the exec root: a unix socket path
  # must stay under 108 bytes
  if [[ ${#dir} -gt 60 ]]; then
    echo "dockerd_start: $dir is too long for containerd's socket path" >&2
    return 1
  fi
  export DOCKERD_DIR="$dir"
  export DOCKER_HOST="unix://$dir/sock"
  export DOCKER_BUILDKIT=0
  "$DOCKERD_BIN" --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --storage-driver=overlay2 --data-root="$dir/data" --exec-root="$dir/exec" \
    -H "$DOCKER_HOST" --pidfile "$dir/pid" > "$dir/log" 2>&1 3>&- &
  echo $! > "$dir/dockerd.pid"
  for i in $(seq 1 300); do
    if dk version > /dev/null 2>&1; then
      return 0
    fi
    if ! kill -0 "$(cat "$dir/dockerd.pid")" 2> /dev/null; then
      break
    fi
    sleep 0.1
  done
  echo "dockerd did not start; its log:" >&2
  tail -n 20 "$dir/log" >&2
  dockerd_stop
  return 1
}

dockerd_stop() {
  local dir="${DOCKERD_DIR:-}" pid kids k i m killed=""
  [[ -n "$dir" && -f "$dir/dockerd.pid" ]] || return 0
  pid=$(cat "$dir/dockerd.pid")
  # its managed containerd, by pid, in case dockerd has to be killed
  kids=$(pgrep -P "$pid" 2> /dev/null || true)
  if kill -0 "$pid" 2> /dev/null; then
    kill -TERM "$pid" 2> /dev/null || true
    for i in $(seq 1 200); do
      kill -0 "$pid" 2> /dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2> /dev/null && killed=1
  fi
  # a dockerd that stopped stopped its containerd; a killed one did not
  if [[ -n "$killed" ]]; then
    for k in $kids; do
      kill -KILL "$k" 2> /dev/null || true
    done
  fi
  rm -f "$dir/dockerd.pid"
  while read -r m; do
    umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true
  done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
}

dockerd_reset() {
  local keep=" " ref ids id pass
  for ref in "$@"; do
    keep+="$(dk inspect -f '{{.Id}}' "$ref" 2> /dev/null) "
  done
  ids=$(dk ps -aq)
  [[ -z "$ids" ]] || dk rm -f -v $ids > /dev/null
  # the top images first (their untagged parents go with them), then
  # whatever is left (the parents of a kept image stay)
  for pass in "" -a; do
    ids=""
    for id in $(dk images $pass -q --no-trunc | sort -u); do
      [[ "$keep" == *" $id "* ]] || ids+=" $id"
    done
    [[ -z "$ids" ]] || dk rmi -f $ids > /dev/null 2>&1 || true
  done
}

# same_as_docker ARGS...: `berth ARGS` and `docker ARGS` print the same
# (stdout and stderr together) and exit the same; SAME_SORT=1 compares the
# lines sorted (for ties in an order Docker leaves to its sort).
same_as_docker() {
  local want got want_rc got_rc
  want=$(dk "$@" 2>&1) && want_rc=0 || want_rc=$?
  got=$(b "$@" 2>&1) && got_rc=0 || got_rc=$?
  if [[ -n "${SAME_SORT:-}" ]]; then
    want=$(sort <<< "$want")
    got=$(sort <<< "$got")
  fi
  [[ "$got" == "$want" && "$got_rc" == "$want_rc" ]] || {
    printf '%s\n docker (%s):\n%s\n berth (%s):\n%s\n' "$*" "$want_rc" "$want" "$got_rc" "$got" >&2
    return 1
  }
}
