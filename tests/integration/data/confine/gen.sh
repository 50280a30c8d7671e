#!/usr/bin/env bash
# Makes the Docker 20.10 outputs confine.bats compares berth with, on a
# private daemon (tests/integration/lib/dockerd.bash), as root:
#
#   bash tests/integration/data/confine/gen.sh
#
# hostconfig.tsv  FLAGS<TAB>the output of
#                 docker create FLAGS IMAGE true | xargs docker inspect -f "$HC_FORMAT",
#                 then a space and that of -f "$TMPFS_FORMAT"
# errors.tsv      FLAGS<TAB>the first line docker run --rm FLAGS IMAGE true
#                 prints on stderr (this directory's path written as $DATA)
# info.txt        docker info's Security Options lines (sed -n '/Security Options/,+2p')
# seccomp-*.json  linux.seccomp of the config.json Docker hands runc for
#                 docker run -d --network none FLAGS IMAGE sleep 60, with FLAGS
#                 in seccomp.flags: Docker's built-in default profile for
#                 most (the same bytes as $PROFILE, which scripts/install-deps.sh
#                 takes out of golang-github-docker-docker-dev: checked here,
#                 its sha256 in profile.sha256), and one custom profile file,
#                 Debian's containers-common one ($CC_PROFILE, its sha256 in
#                 containers-common.sha256)
# calls.tsv       FLAGS<TAB>CALLS<TAB>what each call got in
#                 docker run --rm --network none -v SC:/sc:ro FLAGS IMAGE /sc/sc CALLS
#                 (confine.bats's syscall probe, its lines joined by "; ")
#
# The image is a busybox-static rootfs imported with docker import.  Docker
# is Debian's docker.io (the /usr/bin/docker client, not /usr/local/bin's).
set -euo pipefail
DATA=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$DATA/../../../.." && pwd)
PROFILE=/usr/local/share/berth/seccomp.json
CC_PROFILE=/usr/share/containers/seccomp.json
# Tmpfs apart: Docker's HostConfig leaves it out when empty, and only
# index (which makes Docker's template fall back to the raw JSON) takes that
TMPFS_FORMAT='{{json (index .HostConfig "Tmpfs")}}'
HC_FORMAT='{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}} {{json .HostConfig.Privileged}} {{json .HostConfig.SecurityOpt}} {{json .HostConfig.ReadonlyRootfs}} {{json .HostConfig.Devices}} {{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}}'
export HC_FORMAT TMPFS_FORMAT

require_tool() { :; }
# shellcheck source=../../lib/dockerd.bash
source "$ROOT/tests/integration/lib/dockerd.bash"
DOCKER_CLIENT=/usr/bin/docker

work=$(mktemp -d /tmp/confine-gen.XXXXXX)
trap 'dockerd_stop; rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc"
cp /bin/busybox "$work/rootfs/bin/busybox"
for a in sh true sleep; do ln -s busybox "$work/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' > "$work/rootfs/etc/passwd"
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
# confine.bats's syscall probe, from its source there
mkdir -p "$work/sc"
sed -n '/^#define _GNU_SOURCE/,/^EOF$/p' "$DATA/../../confine.bats" | sed '$d' > "$work/sc/sc.c"
gcc -static -O1 -o "$work/sc/sc" "$work/sc/sc.c"
dockerd_start "$work/d"
dk import "$work/rootfs.tar" confine:1 > /dev/null

# one set of flags a line (words split by the shell; $DATA expanded)
hostconfig_flags=(
  ''
  '--cap-add sys_admin --cap-add CAP_net_admin --cap-drop chown'
  '--cap-drop ALL --cap-add chown'
  '--cap-add ALL --cap-drop CAP_KILL'
  '--privileged'
  '--privileged --cap-drop chown --security-opt no-new-privileges'
  '--security-opt no-new-privileges --security-opt seccomp=unconfined'
  '--security-opt seccomp:unconfined --security-opt label=disable --security-opt apparmor=unconfined'
  '--security-opt seccomp=$DATA/allow.json'
  '--security-opt no-new-privileges=true --security-opt no-new-privileges:false'
  '--read-only --tmpfs /t --tmpfs /u:rw,size=1m,mode=700 --tmpfs /a:ro'
  '--device /dev/null:/dev/mynull --device /dev/zero:/dev/z:r --device /dev/full --device /dev/null:/dev/../x'
)
error_flags=(
  '--cap-add FOO'
  '--cap-drop foo'
  '--cap-add CAP_'
  '--security-opt bogus'
  '--security-opt seccomp'
  '--security-opt foo=bar'
  '--security-opt no-new-privileges=xx'
  '--security-opt seccomp=/nonexistent/seccomp.json'
  '--security-opt seccomp=$DATA/bad.json'
  '--security-opt seccomp=$DATA/shape.json'
  '--device rel'
  '--device /dev/null:/dev/x:q'
  '--device /dev/null:/dev/x:rw:x'
  '--device /dev/null::r'
  '--device /nonexistent'
  '--device /etc/passwd'
  '--tmpfs t'
  '--tmpfs /'
  '--tmpfs /t:bogus'
  '--tmpfs /t:huge=always'
)

expand() { DATA="$DATA" envsubst '$DATA' <<< "$1"; }

{
  for f in "${hostconfig_flags[@]}"; do
    # shellcheck disable=SC2046
    id=$(dk create $(expand "$f") confine:1 true)
    printf '%s\t%s %s\n' "$f" "$(dk inspect -f "$HC_FORMAT" "$id")" "$(dk inspect -f "$TMPFS_FORMAT" "$id")"
    dk rm "$id" > /dev/null
  done
} > "$DATA/hostconfig.tsv"

{
  for f in "${error_flags[@]}"; do
    # shellcheck disable=SC2046
    line=$(dk run --rm --network none $(expand "$f") confine:1 true 2>&1 > /dev/null | head -n 1 || true)
    printf '%s\t%s\n' "$f" "${line//$DATA/\$DATA}"
  done
} > "$DATA/errors.tsv"

dk info 2> /dev/null | sed -n '/Security Options/,+2p' > "$DATA/info.txt"

sha256sum "$PROFILE" | cut -d' ' -f1 > "$DATA/profile.sha256"
sha256sum "$CC_PROFILE" | cut -d' ' -f1 > "$DATA/containers-common.sha256"

# filter FLAGS...: the linux.seccomp Docker hands runc for a container run with FLAGS
filter() {
  local id cfg
  id=$(dk run -d --network none "$@" confine:1 sleep 60)
  cfg=$(find "$DOCKERD_DIR/exec" -name config.json -path "*$id*" | head -n 1)
  jq -S '.linux.seccomp' "$cfg"
  dk rm -f "$id" > /dev/null
}

# the file is Docker's built-in profile: the same filter from either
if ! diff <(filter) <(filter --security-opt "seccomp=$PROFILE") > /dev/null; then
  echo "gen.sh: $PROFILE is not Docker's built-in default profile" >&2
  exit 1
fi
: > "$DATA/seccomp.flags"
n=0
for f in '' '--cap-add SYS_ADMIN --cap-drop AUDIT_WRITE' '--cap-drop ALL' '--cap-add ALL --cap-drop SYS_RESOURCE' \
  "--security-opt seccomp=$CC_PROFILE --cap-add SYS_ADMIN"; do
  # shellcheck disable=SC2086
  filter $f > "$DATA/seccomp-$n.json"
  printf '%s\t%s\n' "seccomp-$n.json" "$f" >> "$DATA/seccomp.flags"
  n=$((n + 1))
done

# --privileged is not among them: Docker gives every capability there is,
# and fails ("unable to apply caps") where its own bounding set lacks one
calls="add_key keyctl mount kcmp ptrace unshare"
{
  for f in '' '--security-opt seccomp=unconfined' '--cap-add SYS_ADMIN' '--cap-add SYS_PTRACE' \
    "--security-opt seccomp=$CC_PROFILE"; do
    # shellcheck disable=SC2086
    got=$(dk run --rm --network none -v "$work/sc:/sc:ro" $f confine:1 /sc/sc $calls)
    printf '%s\t%s\t%s\n' "$f" "$calls" "$(paste -sd';' <<< "$got" | sed 's/;/; /g')"
  done
} > "$DATA/calls.tsv"
