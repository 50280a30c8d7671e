#!/usr/bin/env bats
# The tools the suites, the demo and the benchmarks call are installed and can
# run: scripts/install-deps.sh promises them, so a missing one FAILS here
# with one line naming the Debian package, instead of a tool error deep in
# peers.bats or rig.bats.  These do not need berth.

load lib/common

setup() {
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/root"
}

teardown() {
  if [[ -n "${PODMAN_DIR:-}" ]]; then
    podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver overlay \
      rmi -a -f > /dev/null 2>&1 || true
  fi
  common_teardown
}

# The packages scripts/install-deps.sh installs, one a line.
promised_packages() {
  sed -n '/^PACKAGES=(/,/^)/p' "$REPO_ROOT/scripts/install-deps.sh" |
    sed -e '1d;$d' -e 's/#.*//' | tr -s ' \t' '\n' | grep .
}

# Every command the suites (tests/integration, tests/fixtures, tests/unit's
# scripts), scripts/demo.sh and bench/ call that does not come with a
# minbase Debian.
SUITE_TOOLS=(
  podman skopeo umoci oci-image-tool runc docker-registry conmon dockerd /usr/bin/docker
  bats jq curl openssl htpasswd python3 busybox zstd gzip tar
  getfattr setfattr getcap setcap pgrep ps script timeout flock sha256sum
  meson ninja pkg-config cc clang-format
  debootstrap /usr/bin/time mkfs.ext4 tree file
  iptables ip unshare nsenter tini-static
  /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/portmap /usr/lib/cni/firewall
)

@test "tools: every package scripts/install-deps.sh promises is installed" {
  local p missing=()
  while read -r p; do
    dpkg-query -W -f '${Status}' "$p" 2> /dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done < <(promised_packages)
  [[ ${#missing[@]} -eq 0 ]] ||
    fail_with "not installed: ${missing[*]} (run scripts/install-deps.sh, or apt-get install --no-install-recommends ${missing[*]})"
}

@test "tools: every tool the suites, demo and benchmarks call can run" {
  local t msg problems=()
  for t in "${SUITE_TOOLS[@]}"; do
    msg=$(tool_problem "$t") || problems+=("$msg")
  done
  "$PY3" -c 'import jwt, cryptography' 2> /dev/null ||
    problems+=("the token server needs python3's jwt and cryptography (apt-get install python3-jwt python3-cryptography)")
  [[ ${#problems[@]} -eq 0 ]] || fail_with "$(printf '%s\n' "${problems[@]}")"
}

@test "tools: each tool's package is one that scripts/install-deps.sh installs" {
  local promised t pkg missing=()
  promised=$(promised_packages)
  for t in "${SUITE_TOOLS[@]}"; do
    pkg=$(tool_package "$t")
    # Essential in every Debian
    [[ "$pkg" == coreutils || "$pkg" == util-linux ]] && continue
    grep -qx -- "$pkg" <<< "$promised" || missing+=("$t ($pkg)")
  done
  [[ ${#missing[@]} -eq 0 ]] || fail_with "install-deps.sh does not install: ${missing[*]}"
}

@test "tools: iptables and ip work in a network namespace of its own, where network.bats makes its bridges" {
  require_tool iptables ip unshare
  run unshare --net sh -c 'ip link set lo up && ip link add tools-br0 type bridge &&
    iptables -w -t nat -N TOOLS-CHECK && iptables -w -t nat -A POSTROUTING -s 10.0.0.2/32 -j TOOLS-CHECK &&
    iptables-save -t nat | grep -c TOOLS-CHECK'
  assert_success
  [[ "${lines[-1]}" == 2 ]] || fail_with "iptables in a new network namespace: $output"
}

# The one file scripts/install-deps.sh installs that is no package's: berth's
# default seccomp profile (Docker 20.10's), taken out of a .deb.
@test "tools: the default seccomp profile scripts/install-deps.sh extracts is there" {
  local path sha
  path=$(sed -n 's/^DOCKER_PROFILE=//p' "$REPO_ROOT/scripts/install-deps.sh")
  sha=$(sed -n 's/^DOCKER_PROFILE_SHA256=//p' "$REPO_ROOT/scripts/install-deps.sh")
  [[ "$path" == /usr/local/share/berth/seccomp.json && -n "$sha" ]] ||
    fail_with "install-deps.sh no longer names berth's default profile ($path)"
  [[ -r "$path" ]] || fail_with "no $path (run scripts/install-deps.sh)"
  [[ "$(sha256sum "$path" | cut -d' ' -f1)" == "$sha" ]] ||
    fail_with "$path is not Docker 20.10.24's default profile (run scripts/install-deps.sh)"
}

@test "tools: podman runs a busybox container with the tests' containers.conf" {
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
  require_tool podman runc busybox
  PODMAN_DIR="$BATS_TEST_TMPDIR/podman"
  local rootfs="$BATS_TEST_TMPDIR/rootfs"
  mkdir -p "$rootfs/bin" "$rootfs/etc" "$PODMAN_DIR"
  cp /bin/busybox "$rootfs/bin/busybox"
  ln -s busybox "$rootfs/bin/sh"
  printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
  local pd=(podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver overlay)
  run "${pd[@]}" info --format '{{.Host.NetworkBackend}} {{.Host.OCIRuntime.Name}}'
  assert_success
  [[ "$output" == "$(_conf_value "$CONTAINERS_CONF" network_backend) runc" ]] ||
    fail_with "podman's network backend and runtime are not the ones $CONTAINERS_CONF names"
  tar -C "$rootfs" -cf "$BATS_TEST_TMPDIR/rootfs.tar" .
  run "${pd[@]}" import -q "$BATS_TEST_TMPDIR/rootfs.tar" tools/busybox:1
  assert_success
  # as peers.bats runs its containers, and with the config's own netns
  run "${pd[@]}" run --rm --network none tools/busybox:1 /bin/sh -c 'echo hello from podman'
  assert_success
  [[ "$output" == "hello from podman" ]] || fail_with "podman run --network none"
  run "${pd[@]}" run --rm tools/busybox:1 /bin/busybox echo ok
  assert_success
  [[ "$output" == ok ]] || fail_with "podman run"
}

# The check itself: a config whose helper directory holds no netavark gets
# the package named, and podman really fails that way with that config.
@test "tools: podman without netavark fails naming the package" {
  command -v podman > /dev/null || skip "covered by the test above: podman is not installed"
  local conf="$BATS_TEST_TMPDIR/containers.conf" helpers="$BATS_TEST_TMPDIR/no-helpers"
  mkdir -p "$helpers"
  sed "s|^\[engine\]|[engine]\nhelper_binaries_dir = [\"$helpers\"]|" "$(peer_containers_conf)" > "$conf"
  grep -q '^network_backend = "netavark"' "$conf" || fail_with "the tests' config does not name netavark"
  run env CONTAINERS_CONF="$conf" podman --root "$BATS_TEST_TMPDIR/p/root" \
    --runroot "$BATS_TEST_TMPDIR/p/run" --storage-driver overlay info
  assert_failure
  [[ "$output" == *'could not find "netavark"'* ]] || fail_with "podman failed otherwise"
  CONTAINERS_CONF="$conf" run tool_problem podman
  assert_failure
  [[ "$output" == "podman cannot run: netavark is not installed (apt-get install netavark);"* ]] ||
    fail_with "the message does not name the package"
  CONTAINERS_CONF="$conf" run require_tool podman
  assert_failure
}

# with_path DIR CMD...: CMD (a function here) with PATH=DIR and no cache of
# tools found good earlier in the run.
with_path() {
  local PATH="$1" BATS_RUN_TMPDIR=""
  shift
  "$@"
}

@test "tools: a tool missing from PATH fails naming its package" {
  local empty="$BATS_TEST_TMPDIR/empty-path"
  mkdir -p "$empty"
  run with_path "$empty" tool_problem skopeo
  assert_failure
  [[ "$output" == "skopeo is not installed (apt-get install skopeo)" ]] || fail_with "skopeo"
  run with_path "$empty" tool_problem getfattr
  [[ "$output" == "getfattr is not installed (apt-get install attr)" ]] || fail_with "getfattr"
  run with_path "$empty" tool_problem podman
  [[ "$output" == "podman is not installed (apt-get install podman)" ]] || fail_with "podman"
  # and require_tool fails (a failed test, not a skipped one)
  run with_path "$empty" require_tool runc
  assert_failure
  [[ "$output" == "runc is not installed (apt-get install runc)" ]] || fail_with "runc"
}
