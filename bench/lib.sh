# shellcheck shell=bash
# bench/lib.sh — the pieces the bench/ scripts share.  Source it from a
# script in bench/ (bash, set -euo pipefail); it sets REPO, WORK (scratch,
# kept between runs for the cached inputs) and ROOTFS_CACHE, and provides:
#
#   log MSG...                     a "# MSG" line on stderr
#   need_root NAME                 exit unless run as root
#   need_cmd CMD PACKAGE           exit, naming the Debian package, unless CMD is installed
#   warn_if_busy                   a warning when a test run or a load average ≥ 1 competes for the CPU
#   bench_on_exit CMD              run CMD (eval) when the script exits, last added first
#   build_berth                    sets BERTH (release build unless BERTH is given)
#   stores_fs                      a journaled ext4 loop filesystem at $STORES for every tool's
#                                  store (the machine's root has no journal: see ../shared/peers)
#   base_rootfs                    the debootstrap minbase bookworm tree, cached in ROOTFS_CACHE
#   busybox_root DIR               a busybox-static rootfs in DIR (applets as symlinks)
#   image_layout                   $WORK/images: one-layer images "busybox" (busybox_root) and
#                                  "debian" (base_rootfs), made once; sets IMAGES and BB_ROOT
#   layered_layout                 $WORK/layout: the 4-layer image of bench/pull (~100 MB gzipped,
#                                  172 MB of tar), made once; sets LAYERED
#   bench_registry_start           a plain registry on 127.0.0.1 (sets BENCH_HOST), stopped on exit
#   bench_dockerd_start DIR        a private Docker 20.10 daemon (../shared/peers), data and exec
#                                  roots under DIR, stopped by its pid on exit; sets DOCKER_SOCK
#   docker_cli ARGS...             Debian's docker client (/usr/bin/docker) on that daemon
#   have_docker                    true unless NO_DOCKER is set or docker.io is not installed
#   docker_rmi_all                 every image of that daemon removed (its store empty)
#   wipe_store DIR                 a tool's store gone entirely (unmounted, removed)
#   push_layout LAYOUT TAG REF     skopeo copy oci:LAYOUT:TAG to docker://REF (v2s2) and warm it
#   peer_env                       CONTAINERS_CONF (../shared/peers/ or bench/containers.conf) and
#                                  CONTAINERS_REGISTRIES_CONF (BENCH_HOST insecure) for podman, skopeo
#   settle                         sync, then wait (10 s at most) until the stores filesystem's
#                                  device has written nothing for 0.5 s: a daemon's clean-up after
#                                  its client returned (Docker's save and load) is not timed on
#                                  the next tool
#   results_reset                  forget the figures of an earlier run of this script
#   run_timed NAME PREP CMD...     eval PREP, sync, run CMD once under /usr/bin/time -v;
#                                  appends "seconds rss_kb user_s sys_s" to the NAME series
#   series NAME                    the seconds of the NAME series, one a line
#   median                         the median of the numbers on stdin
#   med_of NAME / rss_of NAME      median seconds / median peak RSS (MB) of a series
#   cpu_of NAME                    "user U s, system S s": median CPU times of a series
#   ratio A B                      A/B with two decimals
#   paired_ratio S T               the median of S[i]/T[i] over the runs of two series measured
#                                  in turns: steadier than a ratio of medians when the load drifts
#   update_benchmarks_md HEADING SECTION   (BENCH_MD=FILE writes elsewhere, for trials)
#                                  replace the "HEADING" section of BENCHMARKS.md (or append it)
#   unmount_under DIR              lazily unmount whatever is mounted at or below DIR
#
# Sourcing it installs an EXIT trap that runs the bench_on_exit hooks: scripts
# add to those rather than set their own trap.  Nothing here talks to anything
# but 127.0.0.1.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${BENCH_DIR:-/var/tmp/berth-bench}
STORES="$WORK/stores"
ROOTFS_CACHE=${BENCH_ROOTFS:-/var/cache/berth-bench/rootfs}
BENCH_NAME=$(basename "$0")
RES="$WORK/results-$BENCH_NAME"
mkdir -p "$WORK" "$RES"

# shellcheck source=tests/fixtures/lib.sh
source "$REPO/tests/fixtures/lib.sh"
# shellcheck source=tests/integration/lib/registry.bash
source "$REPO/tests/integration/lib/registry.bash"

log() { printf '# %s\n' "$*" >&2; }

need_root() {
  [[ $(id -u) == 0 ]] || {
    echo "$1 needs root" >&2
    exit 1
  }
}

# The benchmarks' tools come from scripts/install-deps.sh; say which package
# is missing rather than fail half-way with "command not found".
need_cmd() {
  command -v "$1" > /dev/null 2>&1 || {
    echo "$1 is not installed (apt-get install $2, or run scripts/install-deps.sh)" >&2
    exit 1
  }
}

warn_if_busy() {
  local load
  if pgrep -f scripts/test.sh > /dev/null; then
    log "WARNING: scripts/test.sh is running: the figures will be noisy"
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  if awk -v l="$load" 'BEGIN {exit !(l >= 1)}'; then
    log "WARNING: load average $load: the figures will be noisy"
  fi
}

BENCH_EXIT_HOOKS=()
_bench_exit() {
  local i
  for ((i = ${#BENCH_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
    eval "${BENCH_EXIT_HOOKS[$i]}" || true
  done
}
trap _bench_exit EXIT
trap 'exit 130' INT TERM

bench_on_exit() { BENCH_EXIT_HOOKS+=("$1"); }

# Users' disks have journals; this machine's root filesystem has none, and
# there ext4 pays for recently deleted inodes on every new one.  So every
# tool's store lives on one journaled ext4 filesystem in a sparse file,
# made fresh for each script run and removed when it exits.
stores_fs() {
  need_cmd mkfs.ext4 e2fsprogs
  unmount_under "$STORES"
  mkdir -p "$STORES"
  rm -f "$WORK/stores.img"
  truncate -s 12G "$WORK/stores.img"
  mkfs.ext4 -q -F "$WORK/stores.img"
  mount -o loop "$WORK/stores.img" "$STORES"
  bench_on_exit "unmount_under '$STORES'; rm -f '$WORK/stores.img'"
  log "stores on $(findmnt -n -o SOURCE,FSTYPE,OPTIONS "$STORES")"
}

build_berth() {
  if [[ -n "${BERTH:-}" ]]; then
    return 0 # a binary given by the caller
  fi
  if [[ ! -d "$REPO/build-release" ]]; then
    meson setup "$REPO/build-release" "$REPO" --buildtype=release >/dev/null
  fi
  ninja -C "$REPO/build-release" src/cli/berth >/dev/null
  BERTH="$REPO/build-release/src/cli/berth"
}

base_rootfs() {
  if [[ ! -x "$ROOTFS_CACHE/bin/bash" ]]; then
    need_cmd debootstrap debootstrap
    log "debootstrap --variant=minbase bookworm (once, cached in $ROOTFS_CACHE)"
    mkdir -p "$(dirname "$ROOTFS_CACHE")"
    debootstrap --variant=minbase bookworm "$ROOTFS_CACHE" http://deb.debian.org/debian >/dev/null
  fi
  # As Debian's official images do: no package caches or lists in the image.
  rm -rf "$ROOTFS_CACHE"/var/cache/apt/archives/*.deb "$ROOTFS_CACHE"/var/cache/apt/*.bin \
    "$ROOTFS_CACHE"/var/lib/apt/lists/*
}

busybox_root() {
  local r="$1" bb="${BUSYBOX:-/bin/busybox}"
  mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,var/log,home,dev,proc,sys}
  chmod 1777 "$r/tmp"
  chmod 700 "$r/root"
  cp "$bb" "$r/bin/busybox"
  chmod 755 "$r/bin/busybox"
  "$bb" --list-full | python3 -c '
import os, sys
root = sys.argv[1]
for a in sorted(set(l.strip() for l in sys.stdin)):
    p = os.path.join(root, a)
    if not a or a == "bin/busybox" or os.path.lexists(p):
        continue
    os.makedirs(os.path.dirname(p), exist_ok=True)
    os.symlink("/bin/busybox", p)' "$r"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' > "$r/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
}

# One-layer images in an OCI layout, kept between runs (the gzip of the
# Debian tree takes a while).
image_layout() {
  IMAGES="$WORK/images"
  BB_ROOT="$WORK/busybox-root"
  [[ -x "$BB_ROOT/bin/busybox" ]] || {
    rm -rf "$BB_ROOT"
    busybox_root "$BB_ROOT"
  }
  [[ -f "$IMAGES/done" ]] && return 0
  base_rootfs
  rm -rf "$IMAGES"
  local path='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
  fx_begin "$IMAGES"
  fx_layer_dir "$BB_ROOT" gzip "busybox-static rootfs"
  fx_commit busybox amd64 "{\"Env\":[$path],\"Cmd\":[\"sh\"]}"
  fx_end
  fx_begin "$IMAGES"
  fx_layer_dir "$ROOTFS_CACHE" gzip "debootstrap --variant=minbase bookworm"
  fx_commit debian amd64 "{\"Env\":[$path],\"Cmd\":[\"bash\"]}"
  fx_end
  touch "$IMAGES/done"
}

# The 4-layer image of bench/pull (and push, save): the layer trees are made
# once and kept, so every run moves the same bytes.  Sets LAYERED (an OCI
# layout, tag "bench").
layered_layout() {
  LAYERED="$WORK/layout"
  local layout="$LAYERED"
  [[ -f "$layout/index.json" ]] && return 0
  rm -rf "$layout" "$WORK/trees"
  local t="$WORK/trees"
  mkdir -p "$t/big/opt/big" "$t/small/opt/small" "$t/last/opt" "$t/last/etc"
  head -c 25165824 /dev/urandom > "$t/big/opt/big/a.bin"
  head -c 8388608 /dev/urandom > "$t/big/opt/big/b.bin"
  for i in $(seq 1 2000); do head -c 2048 /dev/urandom > "$t/small/opt/small/f$i"; done
  head -c 12582912 /dev/urandom > "$t/small/opt/c.bin"
  head -c 2097152 /dev/urandom > "$t/last/opt/d.bin"
  ln -s /opt/d.bin "$t/last/opt/d.link"
  ln "$t/last/opt/d.bin" "$t/last/opt/d.hard"
  : > "$t/last/etc/.wh.issue.net"
  fx_begin "$layout"
  fx_layer_dir "$ROOTFS_CACHE" gzip "debootstrap --variant=minbase bookworm"
  fx_layer_dir "$t/big" gzip "/bin/sh -c mkdir -p /opt/big && head -c … > /opt/big/a.bin"
  fx_layer_dir "$t/small" gzip "/bin/sh -c for i in \$(seq 1 2000); do …; done"
  fx_layer_dir "$t/last" gzip "/bin/sh -c head -c 2097152 /dev/urandom > /opt/d.bin && …"
  fx_commit bench amd64 '{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["bash"]}'
  fx_end
}

bench_registry_start() {
  registry_start BENCH plain "$WORK/registry-$BENCH_NAME"
  bench_on_exit 'registry_stop BENCH'
}

# Docker 20.10's daemon does the work of its client: the figures of a docker
# command are the daemon's time and the client's peak RSS.
have_docker() { [[ -z "${NO_DOCKER:-}" && -x /usr/bin/docker ]] && command -v dockerd > /dev/null; }

docker_cli() { DOCKER_HOST="unix://$DOCKER_SOCK" /usr/bin/docker "$@"; }

bench_dockerd_start() {
  local dir="$1" i
  DOCKER_SOCK="$dir/docker.sock"
  mkdir -p "$dir/data" "$dir/exec"
  dockerd --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --storage-driver=overlay2 --data-root="$dir/data" --exec-root="$dir/exec" \
    -H "unix://$DOCKER_SOCK" --pidfile "$dir/docker.pid" > "$RES/dockerd.log" 2>&1 &
  BENCH_DOCKERD_PID=$!
  bench_on_exit "bench_dockerd_stop '$dir'"
  for i in $(seq 100); do
    docker_cli version > /dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "$BENCH_NAME: dockerd did not start (see $RES/dockerd.log)" >&2
  return 1
}

# By its pid (it stops its containerd), then whatever it left mounted.
bench_dockerd_stop() {
  local dir="$1" i
  [[ -n "${BENCH_DOCKERD_PID:-}" ]] || return 0
  kill "$BENCH_DOCKERD_PID" 2> /dev/null || true
  for i in $(seq 100); do
    kill -0 "$BENCH_DOCKERD_PID" 2> /dev/null || break
    sleep 0.2
  done
  BENCH_DOCKERD_PID=
  unmount_under "$dir"
}

docker_rmi_all() {
  local ids
  mapfile -t ids < <(docker_cli images -aq --no-trunc | sort -u)
  ((${#ids[@]} == 0)) || docker_cli rmi -f "${ids[@]}" > /dev/null 2>&1 || true
}

# podman's overlay driver mounts its root on itself
wipe_store() {
  unmount_under "$1"
  rm -rf "$1"
}

push_layout() {
  local layout="$1" tag="$2" ref="$3"
  skopeo copy -q --dest-tls-verify=false --format v2s2 "oci:$layout:$tag" "docker://$ref"
  skopeo inspect --tls-verify=false --raw "docker://$ref" > /dev/null # warm the registry
}

peer_env() {
  local regconf="$RES/registries.conf"
  sed "s/127.0.0.1:5000/$BENCH_HOST/" "$REPO/../shared/peers/registries.conf" > "$regconf" 2>/dev/null ||
    printf 'unqualified-search-registries = []\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$BENCH_HOST" > "$regconf"
  local conf="$REPO/../shared/peers/containers.conf"
  [[ -f "$conf" ]] || conf="$REPO/bench/containers.conf"
  export CONTAINERS_REGISTRIES_CONF="$regconf" CONTAINERS_CONF="$conf"
  need_cmd podman podman
  need_cmd skopeo skopeo
  # both configs name netavark as podman's network backend
  [[ -x /usr/lib/podman/netavark || -x /usr/libexec/podman/netavark ]] || {
    echo "podman cannot run: netavark is not installed (apt-get install netavark aardvark-dns)" >&2
    exit 1
  }
}

settle() {
  local dev stat before after i
  sync
  dev=$(findmnt -n -o SOURCE "$STORES" 2> /dev/null) || return 0
  stat="/sys/block/$(basename "$dev")/stat"
  [[ -r "$stat" ]] || return 0
  for i in $(seq 20); do
    before=$(awk '{print $7}' "$stat") # sectors written
    sleep 0.5
    sync
    after=$(awk '{print $7}' "$stat")
    if [[ "$before" == "$after" ]]; then
      ((i == 1)) || log "settle: the stores' device was still writing for $(((i - 1) * 5 / 10)).$(((i - 1) * 5 % 10)) s"
      return 0
    fi
  done
  log "settle: the stores' device still writing after 10 s"
}

results_reset() { rm -f "$RES"/results.* "$RES"/time.* "$RES"/err.*; }

# The clock is read around /usr/bin/time (nanoseconds, shown to the
# millisecond): time's own wall clock has only 10 ms steps, too coarse for
# run latency.  The fork of time itself costs every tool the same.
run_timed() {
  local name="$1" prep="$2"
  shift 2
  eval "$prep"
  sync
  local tv="$RES/time.$name" t0 t1 secs rss usr sys
  [[ -x /usr/bin/time ]] || need_cmd /usr/bin/time time
  t0=$(date +%s%N)
  /usr/bin/time -v -o "$tv" "$@" < /dev/null > /dev/null 2> "$RES/err.$name" || {
    cat "$RES/err.$name" >&2
    return 1
  }
  t1=$(date +%s%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e9}')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tv")
  usr=$(awk -F': ' '/User time \(seconds\)/ {print $2}' "$tv")
  sys=$(awk -F': ' '/System time \(seconds\)/ {print $2}' "$tv")
  echo "$secs $rss $usr $sys" >> "$RES/results.$name"
  log "$name: ${secs}s, peak RSS ${rss} kB"
}

series() { cut -d' ' -f1 "$RES/results.$1"; }

median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

med_of() { series "$1" | median; }

rss_of() { cut -d' ' -f2 "$RES/results.$1" | median | awk '{printf "%.1f", $1 / 1024}'; }

cpu_of() {
  printf 'user %s s, system %s s' "$(cut -d' ' -f3 "$RES/results.$1" | median)" \
    "$(cut -d' ' -f4 "$RES/results.$1" | median)"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }

paired_ratio() {
  paste -d' ' <(series "$1") <(series "$2") | awk '$2 > 0 {print $1 / $2}' | median |
    awk '{printf "%.2f", $1}'
}

# Replaces the "HEADING" section of BENCHMARKS.md (up to the next "## ") or
# appends it; the other sections are left as they are.
update_benchmarks_md() {
  local file="${BENCH_MD:-$REPO/BENCHMARKS.md}" heading="$1" section="$2"
  [[ -f "$file" ]] || printf '# berth benchmarks\n\nLatest figures; each section names the command that made it.\n' > "$file"
  HEADING="$heading" SECTION="$section" python3 - "$file" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path).read()
new = os.environ["SECTION"].rstrip() + "\n"
pat = re.compile(r"^" + re.escape(os.environ["HEADING"]) + r"\n.*?(?=^## |\Z)", re.S | re.M)
text = pat.sub(lambda m: new + "\n", text) if pat.search(text) else text.rstrip() + "\n\n" + new
open(path, "w").write(text.rstrip() + "\n")
PY
}

unmount_under() {
  local dir="$1" m
  # Deepest first; /proc/mounts escapes spaces as \040, which these paths never hold.
  awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r |
    while read -r m; do
      umount -l "$m" 2>/dev/null || true
    done
}
