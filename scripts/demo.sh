#!/usr/bin/env bash
# berth's main job, end to end, on a fresh Debian machine (as root):
# install what is needed, build, make a busybox-static base image, push it
# into a registry on 127.0.0.1, pull it with berth and look at it from every
# side (images, history, layers, inspect, the store's own files), then run a
# container on it, see what it changed, commit that as a new image and run
# the new image; last, build a Dockerfile on the base image (seed 004's two
# RUNs, seed 002's ENTRYPOINT), run it, show its history and its diff, and
# build it again from the cache.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
"$REPO/scripts/install-deps.sh"
if [[ ! -d "$REPO/build" ]]; then
  meson setup "$REPO/build" "$REPO" >/dev/null
fi
ninja -C "$REPO/build" src/cli/berth >/dev/null
BERTH="$REPO/build/src/cli/berth"

# shellcheck source=../tests/fixtures/lib.sh
source "$REPO/tests/fixtures/lib.sh"
# shellcheck source=../tests/integration/lib/registry.bash
source "$REPO/tests/integration/lib/registry.bash"

DEMO=$(mktemp -d /tmp/berth-demo.XXXXXX)
cleanup() {
  "$BERTH" --root "$ROOT" rm -f demo-box >/dev/null 2>&1 || true
  registry_stop DEMO 2>/dev/null || true
  rm -rf "$DEMO"
}
trap cleanup EXIT
ROOT="$DEMO/root"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
berth() {
  say "berth $*"
  "$BERTH" --root "$ROOT" "$@"
}

# A base image from the busybox-static package: /bin/busybox, its applets as
# symlinks, and the few files a shell wants.
rootfs="$DEMO/rootfs"
mkdir -p "$rootfs"/{bin,etc,tmp,root}
cp /bin/busybox "$rootfs/bin/busybox"
for applet in $("$rootfs/bin/busybox" --list); do
  [[ -e "$rootfs/bin/$applet" ]] || ln -s busybox "$rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$rootfs/etc/passwd"
printf 'root:x:0:\n' > "$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"
fx_begin "$DEMO/layout"
fx_layer_dir "$rootfs" gzip "busybox-static rootfs"
fx_commit latest amd64
fx_end

registry_start DEMO plain "$DEMO/registry"
IMAGE="$DEMO_HOST/demo/busybox:latest"
say "skopeo copy oci:layout:latest docker://$IMAGE"
skopeo --insecure-policy copy -q --dest-tls-verify=false --format v2s2 \
  "oci:$DEMO/layout:latest" "docker://$IMAGE"

berth pull "$IMAGE"
berth pull "$IMAGE"
berth images
berth history "$IMAGE"
berth layers "$IMAGE"
berth inspect "$IMAGE"
berth manifest inspect "$IMAGE"
say "find $ROOT -maxdepth 4 -not -path '*/diff/*'"
find "$ROOT" -maxdepth 4 -not -path '*/diff/*' | sed "s|$ROOT|<root>|" | sort
say "cat <root>/image/overlay2/layerdb/sha256/*/{diff,size,cache-id}"
for d in "$ROOT"/image/overlay2/layerdb/sha256/*/; do
  printf 'diff:     %s\nsize:     %s\ncache-id: %s\n' "$(cat "$d/diff")" "$(cat "$d/size")" "$(cat "$d/cache-id")"
done
say "ls <root>/overlay2/<cache-id>/diff/bin | head"
ls "$ROOT/overlay2/$(cat "$ROOT"/image/overlay2/layerdb/sha256/*/cache-id | head -1)/diff/bin" | head
berth tag "$IMAGE" demo:mine
berth rmi demo:mine

# Seed 004: a container's changes, then a commit.
berth run --name demo-box "$IMAGE" sh -c 'rm /bin/tar; echo hello > /tmp/THIS_IS_CONTAINER'
berth diff demo-box
say "ls -l <root>/overlay2/<mount-id>/diff/bin   (the whiteout of /bin/tar)"
ls -l "$ROOT/overlay2/$(cat "$ROOT"/image/overlay2/layerdb/mounts/*/mount-id)/diff/bin"
berth commit -m "no tar" demo-box demo/without-tar:1
berth run --rm demo/without-tar:1 sh -c 'ls /bin/tar; cat /tmp/THIS_IS_CONTAINER'
berth history demo/without-tar:1
berth layers demo/without-tar:1
berth diff "$IMAGE" demo/without-tar:1
berth run --rm "demo/without-tar:1@layer:1" sh -c 'ls -l /bin/tar'
berth verify
berth ps -a
berth rm demo-box

# Seeds 002 and 004: a Dockerfile, built step by step on the base image.
mkdir -p "$DEMO/app"
cat > "$DEMO/app/Dockerfile" <<DOCKERFILE
FROM $IMAGE
ENV GREETING=hello
RUN mkdir -p /srv && echo "\$GREETING from a build" > /srv/message
RUN rm /bin/tar
ENTRYPOINT ["cat"]
CMD ["/srv/message"]
DOCKERFILE
say "cat Dockerfile"
cat "$DEMO/app/Dockerfile"
berth build -t demo/app:1 "$DEMO/app"
berth run --rm demo/app:1
berth history demo/app:1
berth diff "$IMAGE" demo/app:1
berth images -a
berth build -t demo/app:1 "$DEMO/app"
berth info
