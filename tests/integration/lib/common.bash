# Shared helpers for the bats suites.  Load with `load lib/common`.
#
#   berth ARGS...            the binary under test, on a fresh store per test
#                            ($BATS_TEST_TMPDIR/root); $BERTH overrides the binary
#   store_fingerprint ROOT   every path under ROOT: type, mode, size, uid/gid,
#                            link target, device, sha256 of regular files, xattrs
#   store_snapshot / assert_store_unchanged
#   fixtures_ready           build (once, cached) the fixture OCI layouts
#   registry_with_fixtures NAME MODE SET...   start a registry, push fixtures
#   manifest_digest HOST REPO REF [CURL_ARGS]  the registry's digest of a manifest
#   manifest_json HOST REPO REF                 its bytes
#   chain_ids DIFFID...      chain IDs computed independently (sha256sum)
#   assert_success / assert_failure / assert_one_line_error / assert_line_eq

bats_require_minimum_version 1.5.0

INTEG_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$INTEG_DIR/../.." && pwd)"
FIXTURES_SRC="$REPO_ROOT/tests/fixtures"
export BERTH="${BERTH:-$REPO_ROOT/build/src/cli/berth}"
SHARED_DIR="${BERTH_SHARED_DIR:-$REPO_ROOT/../shared}"
REFERENCE_DIR="$SHARED_DIR/reference-outputs"
PY3="${PY3:-/usr/bin/python3}"
export LC_ALL=C

# shellcheck source=registry.bash
source "$INTEG_DIR/lib/registry.bash"

ACCEPT_MANIFESTS='application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json'

# --- the binary ------------------------------------------------------------

berth() {
  "$BERTH" --root "$BERTH_TEST_ROOT" "$@"
}

require_berth() {
  if [[ ! -x "$BERTH" ]]; then
    echo "berth binary not found at $BERTH (build it, or set BERTH)" >&2
    return 1
  fi
}

# --- the tools the suites call ----------------------------------------------
#
#   require_tool TOOL...     each TOOL can run here, or the test FAILS (never
#                            skips: scripts/install-deps.sh promises them all)
#                            with one line naming the Debian package to install
#   tool_problem TOOL        prints that line and returns 1 if TOOL cannot run
#   peer_containers_conf     the containers.conf podman runs with in the tests
#
# For podman "can run" means: the network backend and OCI runtime its config
# names are there, and `podman info` succeeds on a throwaway store with that
# config (tools.bats also runs a container).  A tool found good is not checked
# again in the same bats run.

# tool_package CMD: the Debian package that brings CMD
tool_package() {
  case "$1" in
    getfattr | setfattr) echo attr ;;
    getcap | setcap) echo libcap2-bin ;;
    busybox) echo busybox-static ;;
    htpasswd) echo apache2-utils ;;
    pgrep | ps) echo procps ;;
    script) echo bsdutils ;;
    tini-static) echo tini ;;
    mkfs.ext4) echo e2fsprogs ;;
    dockerd | /usr/sbin/dockerd | /usr/bin/docker) echo docker.io ;;
    time | /usr/bin/time) echo time ;;
    ninja) echo ninja-build ;;
    cc | gcc | make) echo build-essential ;;
    timeout | sha256sum | stty) echo coreutils ;;
    flock | unshare | nsenter | losetup) echo util-linux ;;
    ip) echo iproute2 ;;
    /usr/lib/cni/*) echo containernetworking-plugins ;;
    *) echo "$1" ;;
  esac
}

peer_containers_conf() {
  if [[ -f "$SHARED_DIR/peers/containers.conf" ]]; then
    echo "$SHARED_DIR/peers/containers.conf"
  else
    echo "$INTEG_DIR/lib/containers.conf"
  fi
}

# _conf_value FILE KEY: the first value of KEY ("..." or ["...", ...]) in a
# containers.conf, quotes and brackets removed, one a line.
_conf_value() {
  awk -v k="$2" '$0 ~ "^[[:space:]]*" k "[[:space:]]*=" { sub(/^[^=]*=/, ""); print; exit }' "$1" 2> /dev/null |
    grep -oE '"[^"]*"' | tr -d '"'
}

# _podman_helper NAME CONF: the path of a podman helper binary (netavark,
# aardvark-dns, conmon) in the directories podman 4.3 searches.
_podman_helper() {
  local name="$1" conf="$2" d dirs
  dirs=$(_conf_value "$conf" helper_binaries_dir)
  [[ -n "$dirs" ]] || dirs=$'/usr/local/libexec/podman\n/usr/local/lib/podman\n/usr/libexec/podman\n/usr/lib/podman'
  while read -r d; do
    [[ -x "$d/$name" ]] && { echo "$d/$name"; return 0; }
  done <<< "$dirs"
  if [[ "$name" == conmon ]]; then
    command -v conmon && return 0
  fi
  return 1
}

_podman_problem() {
  local conf="${CONTAINERS_CONF:-$(peer_containers_conf)}" backend runtime tmp out m
  backend=$(_conf_value "$conf" network_backend)
  backend="${backend:-netavark}"
  case "$backend" in
    netavark)
      _podman_helper netavark "$conf" > /dev/null ||
        { echo "podman cannot run: netavark is not installed (apt-get install netavark); $conf names it as the network backend"; return 1; }
      _podman_helper aardvark-dns "$conf" > /dev/null ||
        { echo "podman's network backend is incomplete: aardvark-dns, netavark's DNS server, is not installed (apt-get install aardvark-dns)"; return 1; }
      ;;
    cni)
      [[ -x /usr/lib/cni/bridge || -x /usr/libexec/cni/bridge ]] ||
        { echo "podman cannot run: the CNI plugins are not installed (apt-get install containernetworking-plugins)"; return 1; }
      ;;
  esac
  _podman_helper conmon "$conf" > /dev/null ||
    { echo "podman cannot run: conmon is not installed (apt-get install conmon)"; return 1; }
  runtime=$(_conf_value "$conf" runtime)
  runtime="${runtime:-crun}"
  if ! command -v "$runtime" > /dev/null 2>&1; then
    echo "podman cannot run: $runtime, the OCI runtime $conf names, is not installed (apt-get install $runtime)"
    return 1
  fi
  tmp=$(mktemp -d "${BATS_RUN_TMPDIR:-${TMPDIR:-/tmp}}/podman-check.XXXXXX")
  local rc=0
  out=$(CONTAINERS_CONF="$conf" podman --root "$tmp/root" --runroot "$tmp/run" \
    --storage-driver overlay info --format '{{.Host.NetworkBackend}}' 2>&1 < /dev/null) || rc=$?
  # a podman that fails half-way leaves its storage's private bind mount
  awk -v d="$tmp/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true; done
  rm -rf "$tmp"
  if [[ $rc -ne 0 ]]; then
    echo "podman cannot run with $conf: podman info: $(printf '%s\n' "$out" | grep . | tail -n 1)"
    return 1
  fi
  if [[ "$out" != "$backend" ]]; then
    echo "podman runs with network backend '$out', not the '$backend' that $conf names"
    return 1
  fi
}

tool_problem() {
  local t="$1" pkg out
  pkg=$(tool_package "$t")
  if ! command -v "$t" > /dev/null 2>&1; then
    echo "$t is not installed (apt-get install $pkg)"
    return 1
  fi
  case "$t" in
    podman)
      out=$(podman --version 2>&1) || { echo "podman cannot run: $out (apt-get install --reinstall podman)"; return 1; }
      _podman_problem || return 1
      ;;
    /usr/lib/cni/*)
      # the CNI specification's VERSION command
      out=$(echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION "$t" 2>&1) ||
        { echo "$t cannot run: $out (apt-get install --reinstall $pkg)"; return 1; }
      ;;
    iptables | ip)
      out=$("$t" -V 2>&1 < /dev/null) ||
        { echo "$t cannot run: $(printf '%s\n' "$out" | grep . | tail -n 1) (apt-get install --reinstall $pkg)"; return 1; }
      ;;
    skopeo | umoci | oci-image-tool | runc | crun | docker-registry | dockerd | /usr/sbin/dockerd | /usr/bin/docker)
      out=$("$t" --version 2>&1 < /dev/null) ||
        { echo "$t cannot run: $(printf '%s\n' "$out" | grep . | tail -n 1) (apt-get install --reinstall $pkg)"; return 1; }
      ;;
  esac
  return 0
}

require_tool() {
  local t msg key ok_dir="${BATS_RUN_TMPDIR:-}/tools-ok"
  for t in "$@"; do
    # podman's verdict depends on its config
    key="$t"
    [[ "$t" == podman ]] && key="podman${CONTAINERS_CONF:-$(peer_containers_conf)}"
    key="${key//\//_}"
    [[ -n "${BATS_RUN_TMPDIR:-}" && -e "$ok_dir/$key" ]] && continue
    if ! msg=$(tool_problem "$t"); then
      echo "$msg" >&2
      return 1
    fi
    if [[ -n "${BATS_RUN_TMPDIR:-}" ]]; then
      mkdir -p "$ok_dir" && : > "$ok_dir/$key"
    fi
  done
  return 0
}

require_shared() {
  [[ -d "$REFERENCE_DIR" ]] || skip "reference outputs ($REFERENCE_DIR) absent"
}

# common_setup: a fresh root, docker config dir and berth config per test.
common_setup() {
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/root"
  export BERTH_ROOT="$BERTH_TEST_ROOT"
  export DOCKER_CONFIG="$BATS_TEST_TMPDIR/docker-config"
  export BERTH_CONFIG="$BATS_TEST_TMPDIR/berth-config.json"
  mkdir -p "$BERTH_TEST_ROOT" "$DOCKER_CONFIG"
  # host networking for every suite but network*.bats: no test makes a bridge
  # outside a network namespace of its own
  printf '{"insecure-registries":[],"default-network":"host"}\n' > "$BERTH_CONFIG"
  export BERTH_CERTS_D="${REG_CERTS_D:-$BATS_TEST_TMPDIR/certs.d}"
  require_berth
}

# common_teardown: unmount anything left mounted under the test's directory
# (deepest first), so that the temp dir can be removed.
common_teardown() {
  local dir="${BATS_TEST_TMPDIR:-}" m
  [[ -n "$dir" ]] || return 0
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
}

setup() {
  common_setup
}

teardown() {
  common_teardown
}

# --- assertions ------------------------------------------------------------

fail_with() {
  {
    echo "$*"
    echo "-- status: ${status:-?}"
    echo "-- output:"
    printf '%s\n' "${output:-}"
    [[ -z "${stderr:-}" ]] || { echo "-- stderr:"; printf '%s\n' "$stderr"; }
  } >&2
  return 1
}

assert_success() {
  [[ "$status" -eq 0 ]] || fail_with "expected success"
}

assert_failure() {
  [[ "$status" -ne 0 ]] || fail_with "expected failure"
}

# assert_one_line_error: non-zero exit, exactly one non-empty line on stderr
# (run with --separate-stderr), nothing that looks like a crash.
assert_one_line_error() {
  [[ "$status" -ne 0 ]] || fail_with "expected a non-zero exit"
  local n
  n=$(printf '%s\n' "$stderr" | grep -c . || true)
  [[ "$n" -eq 1 ]] || fail_with "expected exactly one line on stderr, got $n"
  if grep -qiE 'AddressSanitizer|runtime error|Segmentation|core dumped|Aborted' <<< "$stderr"; then
    fail_with "the error looks like a crash"
  fi
  [[ "$status" -lt 128 ]] || fail_with "killed by a signal ($status)"
}

# assert_line_eq N TEXT: line N (0-based; negative from the end) equals TEXT
assert_line_eq() {
  local n="$1" want="$2" got
  if [[ "$n" -lt 0 ]]; then
    n=$((${#lines[@]} + n))
  fi
  got="${lines[$n]:-}"
  [[ "$got" == "$want" ]] || fail_with "line $n: expected '$want', got '$got'"
}

assert_output_has_line() {
  local want="$1" l
  for l in "${lines[@]}"; do
    [[ "$l" == "$want" ]] && return 0
  done
  fail_with "no line '$want' in output"
}

assert_output_lacks_line() {
  local want="$1" l
  for l in "${lines[@]}"; do
    [[ "$l" == "$want" ]] && fail_with "unexpected line '$want'"
  done
  return 0
}

# --- store fingerprint -----------------------------------------------------

# store_fingerprint ROOT: one line per path (sorted): path, type, mode, size
# (not for directories, whose size depends on the filesystem's history),
# uid:gid, link target / device numbers / sha256 of the contents, xattrs.
# Only the store's lock file is left out.
store_fingerprint() {
  "$PY3" - "$1" <<'EOF'
import hashlib, os, stat, sys
root = sys.argv[1]
LOCKS = set(os.environ.get("BERTH_STORE_LOCK_NAMES", "lock .lock berth.lock").split())
out = []
def xattrs(p):
    try:
        names = sorted(os.listxattr(p, follow_symlinks=False))
    except OSError:
        return ""
    parts = []
    for n in names:
        try:
            parts.append("%s=%s" % (n, os.getxattr(p, n, follow_symlinks=False).hex()))
        except OSError:
            parts.append("%s=?" % n)
    return ",".join(parts)
for dirpath, dirs, files in os.walk(root):
    for name in dirs + files:
        p = os.path.join(dirpath, name)
        rel = os.path.relpath(p, root)
        if dirpath == root and name in LOCKS:
            continue
        st = os.lstat(p)
        m = st.st_mode
        if stat.S_ISDIR(m):
            kind, size, extra = "d", "-", ""
        elif stat.S_ISLNK(m):
            kind, size, extra = "l", st.st_size, os.readlink(p)
        elif stat.S_ISREG(m):
            h = hashlib.sha256()
            with open(p, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            kind, size, extra = "f", st.st_size, h.hexdigest()
        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
            kind = "c" if stat.S_ISCHR(m) else "b"
            size, extra = "-", "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        else:
            kind, size, extra = "o", st.st_size, ""
        out.append("%s\t%s\t%o\t%s\t%d:%d\t%s\t%s" % (
            rel, kind, stat.S_IMODE(m), size, st.st_uid, st.st_gid, extra, xattrs(p)))
out.sort()
sys.stdout.write("".join(l + "\n" for l in out))
EOF
}

store_snapshot() {
  store_fingerprint "${1:-$BERTH_TEST_ROOT}" > "$BATS_TEST_TMPDIR/store.before"
}

assert_store_unchanged() {
  local root="${1:-$BERTH_TEST_ROOT}"
  store_fingerprint "$root" > "$BATS_TEST_TMPDIR/store.after"
  if ! diff -u "$BATS_TEST_TMPDIR/store.before" "$BATS_TEST_TMPDIR/store.after" >&2; then
    echo "the store changed" >&2
    return 1
  fi
}

# unreferenced_layers [ROOT]: what a collection should have removed, found
# without berth: layerdb entries that no image's rootfs (the chain ids of
# its diff_ids), no container (layerdb/mounts/*/parent) and no live image
# mount (tmp/image-mounts/*/chain whose target is mounted) reaches through
# parent links; overlay2 dirs that no kept layer's cache-id and no container's
# mount-id/init-id names; dangling overlay2/l links.  One line each; empty
# when the store holds no garbage.
unreferenced_layers() {
  "$PY3" - "${1:-$BERTH_TEST_ROOT}" <<'EOF'
import hashlib, json, os, sys
root = sys.argv[1]
img = os.path.join(root, "image/overlay2")
ldb = os.path.join(img, "layerdb/sha256")
def ls(d):
    try:
        return sorted(os.listdir(d))
    except FileNotFoundError:
        return []
def read(p):
    try:
        with open(p) as f:
            return f.read().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
roots = set()
for name in ls(os.path.join(img, "imagedb/content/sha256")):
    try:
        cfg = json.load(open(os.path.join(img, "imagedb/content/sha256", name)))
    except (ValueError, OSError):
        continue
    chain = None
    for d in cfg.get("rootfs", {}).get("diff_ids", []):
        chain = d if chain is None else "sha256:" + hashlib.sha256(("%s %s" % (chain, d)).encode()).hexdigest()
        roots.add(chain)
dirs = set()
for c in ls(os.path.join(img, "layerdb/mounts")):
    v = read(os.path.join(img, "layerdb/mounts", c, "parent"))
    if v:
        roots.add(v)
    for f in ("mount-id", "init-id"):
        v = read(os.path.join(img, "layerdb/mounts", c, f))
        if v:
            dirs.add(v)
mounted = set()
for line in open("/proc/self/mountinfo"):
    mounted.add(line.split(" ")[4].encode().decode("unicode_escape"))
for r in ls(os.path.join(root, "tmp/image-mounts")):
    t = read(os.path.join(root, "tmp/image-mounts", r, "target"))
    c = read(os.path.join(root, "tmp/image-mounts", r, "chain"))
    if t in mounted and c:
        roots.add(c)
live = set()
for c in roots:
    while c and c.startswith("sha256:") and c not in live:
        live.add(c)
        c = read(os.path.join(ldb, c[7:], "parent"))
for name in ls(ldb):
    if "sha256:" + name in live:
        cid = read(os.path.join(ldb, name, "cache-id"))
        if cid:
            dirs.add(cid)
    else:
        print("layer sha256:%s" % name)
ovl = os.path.join(root, "overlay2")
for name in ls(ovl):
    if name != "l" and name not in dirs:
        print("dir overlay2/%s" % name)
for name in ls(os.path.join(ovl, "l")):
    if not os.path.exists(os.path.join(ovl, "l", name)):
        print("link overlay2/l/%s" % name)
EOF
}

# assert_no_unreferenced_layers [ROOT]
assert_no_unreferenced_layers() {
  local left
  left=$(unreferenced_layers "$@")
  [[ -z "$left" ]] || fail_with "unreferenced layers left behind: $left"
}

# --- fixtures and registries ------------------------------------------------

# fixtures_ready: build the OCI layouts once per content of tests/fixtures
# (cached across files and runs under $BERTH_FIXTURE_CACHE); sets FIXTURES.
fixtures_ready() {
  local key
  key=$(cat "$FIXTURES_SRC"/*.sh "$FIXTURES_SRC"/*.py | sha256sum | cut -c1-16)
  FIXTURES="${BERTH_FIXTURE_CACHE:-${TMPDIR:-/tmp}/berth-fixtures}/$key"
  export FIXTURES
  bash "$FIXTURES_SRC/build.sh" "$FIXTURES" >&2
}

# registry_with_fixtures NAME MODE SET...: start a registry and push SETs
# (see tests/fixtures/push.sh).
registry_with_fixtures() {
  local name="$1" mode="$2"
  shift 2
  require_tool docker-registry skopeo || return 1
  fixtures_ready
  registry_start "$name" "$mode" || return 1
  bash "$FIXTURES_SRC/push.sh" "$FIXTURES" "$(_reg_get "$name" HOST)" \
    "$(_reg_get "$name" STORAGE)" "$(_reg_get "$name" SKOPEO_DEST)" "$@"
}

# manifest_digest HOST REPO REF: Docker-Content-Digest of the manifest
# (plain HTTP, no auth).
manifest_digest() {
  curl -sf -I -H "Accept: $ACCEPT_MANIFESTS" "http://$1/v2/$2/manifests/$3" |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }'
}

manifest_json() {
  curl -sf -H "Accept: $ACCEPT_MANIFESTS" "http://$1/v2/$2/manifests/$3"
}

blob_json() {
  curl -sf "http://$1/v2/$2/blobs/$3"
}

# image_id HOST REPO REF: sha256 of the config blob the registry serves
image_id() {
  local cd
  cd=$(manifest_json "$1" "$2" "$3" | jq -r .config.digest)
  echo "sha256:$(curl -sf "http://$1/v2/$2/blobs/$cd" | sha256sum | cut -d' ' -f1)"
}

# chain_ids DIFFID...: chain(1) = diffID(1); chain(n) = sha256 of
# "chain(n-1) diffID(n)", both written with their "sha256:" prefix.
chain_ids() {
  local chain="" d
  for d in "$@"; do
    if [[ -z "$chain" ]]; then
      chain="$d"
    else
      chain="sha256:$(printf '%s %s' "$chain" "$d" | sha256sum | cut -d' ' -f1)"
    fi
    echo "$chain"
  done
}

# The store layout (SPEC §2).
img_dir() { echo "$BERTH_TEST_ROOT/image/overlay2"; }
ovl_dir() { echo "$BERTH_TEST_ROOT/overlay2"; }

# layer_diff_dir CHAIN_ID: the overlay2/<cache-id>/diff of a layer
layer_diff_dir() {
  local cid
  cid=$(cat "$(img_dir)/layerdb/sha256/${1#sha256:}/cache-id")
  echo "$(ovl_dir)/$cid/diff"
}

# --- Docker's text formats -------------------------------------------------

# docker_table: read rows of TAB-separated cells on stdin and lay them out as
# Docker's CLI does (text/tabwriter, minwidth 10, padding 3; every cell that
# is followed by another one is padded, the last one is not).
docker_table() {
  "$PY3" -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in sys.stdin if l.strip("\n")]
n = max(len(r) for r in rows)
w = [0] * n
for r in rows:
    for i, c in enumerate(r[:-1]):
        w[i] = max(w[i], len(c) + 3, 10)
for r in rows:
    sys.stdout.write("".join(c.ljust(w[i]) for i, c in enumerate(r[:-1])) + r[-1] + "\n")
'
}

# human_size BYTES: units.HumanSizeWithPrecision(bytes, 3) as Docker prints it
human_size() {
  "$PY3" -c '
import sys
s = float(sys.argv[1]); units = ["B", "kB", "MB", "GB", "TB", "PB"]; i = 0
while s >= 1000 and i < len(units) - 1:
    s /= 1000; i += 1
print("%.3g%s" % (s, units[i]))' "$1"
}

# human_ago RFC3339: go-units HumanDuration(now - t) + " ago"
human_ago() {
  "$PY3" -c '
import sys, datetime
import re
t = datetime.datetime.fromisoformat(re.sub(r"\.[0-9]+", "", sys.argv[1]).replace("Z", "+00:00"))
d = (datetime.datetime.now(datetime.timezone.utc) - t).total_seconds()
sec = int(d); mins = int(d / 60); hours = int(round(d / 3600))
if sec < 1: s = "Less than a second"
elif sec == 1: s = "1 second"
elif sec < 60: s = "%d seconds" % sec
elif mins == 1: s = "About a minute"
elif mins < 60: s = "%d minutes" % mins
elif hours == 1: s = "About an hour"
elif hours < 48: s = "%d hours" % hours
elif hours < 24 * 7 * 2: s = "%d days" % (hours // 24)
elif hours < 24 * 30 * 2: s = "%d weeks" % (hours // 24 // 7)
elif hours < 24 * 365 * 2: s = "%d months" % (hours // 24 // 30)
else: s = "%d years" % int(d / 3600 / 24 / 365)
print(s + " ago")' "$1"
}

# trunc45 TEXT: Docker's CREATED BY column (45 characters, "…" last)
trunc45() {
  "$PY3" -c '
import sys
s = sys.argv[1]
print(s if len(s) <= 45 else s[:44] + "\u2026")' "$1"
}

# ---- container suites (containers, exec, commit) ----------------------------

# b ARGS...: berth on the test's store, never allowed to hang the suite.
b() {
  timeout 60 "$BERTH" --root "$BERTH_TEST_ROOT" "$@"
}

# container_setup: a fresh store with the busybox fixture ($IMG) pulled.
container_setup() {
  common_setup
  require_tool runc
  IMG="$REG_HOST/library/busybox:latest"
  berth pull -q "$IMG" > /dev/null
}

# container_teardown: every container removed (killed first), every image
# mount released and a background berth ($BG_PID) killed, so no mount and no
# process outlives the test; fails if a mount under the test dir is left.
container_teardown() {
  local id m
  for id in $(b ps -aq --no-trunc 2> /dev/null); do
    b rm -f "$id" > /dev/null 2>&1 || true
  done
  for m in "$BERTH_TEST_ROOT"/tmp/image-mounts/*/target; do
    [[ -f "$m" ]] && b image umount "$(cat "$m")" > /dev/null 2>&1
  done
  [[ -n "${BG_PID:-}" ]] && kill -9 "$BG_PID" 2> /dev/null || true
  common_teardown
  if grep -q "$BATS_TEST_TMPDIR" /proc/mounts; then
    echo "mounts left behind:" >&2
    grep "$BATS_TEST_TMPDIR" /proc/mounts >&2
    return 1
  fi
}

# oci_layout_of IMAGE DIR: an OCI layout of a berth image made straight from
# the store's files — its config bytes and each layer's tar rebuilt from the
# layer directory and tar-split (tests/tools/layer_tar) — tagged "berth".
oci_layout_of() {
  local image="$1" dir="$2" tool id cfg hex chain diff size layers=()
  tool="$(dirname "$BERTH")/../../tests/tools/layer_tar"
  [[ -x "$tool" ]] || fail_with "tests/tools/layer_tar not built next to $BERTH"
  mkdir -p "$dir/blobs/sha256"
  printf '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
  id=$(berth inspect "$image" | jq -r '.[0].Id')
  cfg="$BERTH_TEST_ROOT/image/overlay2/imagedb/content/sha256/${id#sha256:}"
  cp "$cfg" "$dir/blobs/sha256/${id#sha256:}"
  while read -r chain diff; do
    "$tool" "$BERTH_TEST_ROOT" "$chain" > "$dir/layer.tar"
    hex=$(sha256sum "$dir/layer.tar" | cut -d' ' -f1)
    [[ "sha256:$hex" == "$diff" ]] || fail_with "rebuilt layer $chain hashes to $hex, not $diff"
    mv "$dir/layer.tar" "$dir/blobs/sha256/$hex"
    size=$(stat -c %s "$dir/blobs/sha256/$hex")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:$hex\",\"size\":$size}")
  done < <(berth layers --no-trunc "$image" | awk 'NR > 1 {print $4, $3}')
  local list
  list=$(IFS=,; echo "${layers[*]}")
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
    "$id" "$(stat -c %s "$cfg")" "$list" > "$dir/manifest"
  hex=$(sha256sum "$dir/manifest" | cut -d' ' -f1)
  size=$(stat -c %s "$dir/manifest")
  mv "$dir/manifest" "$dir/blobs/sha256/$hex"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"berth"}}]}' \
    "$hex" "$size" > "$dir/index.json"
}
