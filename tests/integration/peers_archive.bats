#!/usr/bin/env bats
# Tarballs and OCI layouts against the real peers (issue 8, "Tests against
# real peers"): berth's save read by podman, Docker 20.10 (a private dockerd,
# lib/dockerd.bash), skopeo and oci-image-tool; the peers' own archives read
# by berth load and run by berth run.  What save.bats, save_docker.bats,
# save_oci.bats and load.bats already check (image IDs after podman and
# docker load, podman/docker/skopeo archives loaded by berth with their IDs,
# umoci) is not repeated here.

load lib/common
load lib/dockerd

setup_file() {
  require_tool docker-registry skopeo podman runc oci-image-tool
  registry_with_fixtures REG plain basic layered
  dockerd_start "$BATS_FILE_TMPDIR/dockerd"
}

teardown_file() {
  dockerd_stop
  registry_stop REG
}

setup() {
  common_setup
  BB="$REG_HOST/library/busybox:latest"
  LAYERED="$REG_HOST/test/layered:1"
  OUT="$BATS_TEST_TMPDIR/out"
  mkdir -p "$OUT"
}

teardown() {
  if [[ -n "${PODMAN_DIR:-}" ]]; then
    podman_t rmi -a -f > /dev/null 2>&1 || true
  fi
  for id in $(b ps -aq --no-trunc 2> /dev/null); do
    b rm -f "$id" > /dev/null 2>&1 || true
  done
  dockerd_reset
  common_teardown
}

podman_setup() {
  PODMAN_DIR="$BATS_TEST_TMPDIR/podman"
  mkdir -p "$PODMAN_DIR"
  sed "s/127.0.0.1:5000/$REG_HOST/" "$INTEG_DIR/lib/registries.conf.in" > "$PODMAN_DIR/registries.conf"
  export CONTAINERS_REGISTRIES_CONF="$PODMAN_DIR/registries.conf"
  CONTAINERS_CONF=$(peer_containers_conf)
  export CONTAINERS_CONF
}

podman_t() {
  env -u DOCKER_CONFIG podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver overlay "$@"
}

sk() {
  skopeo --insecure-policy "$@"
}

image_id_of() {
  b inspect "$1" | jq -r '.[0].Id'
}

# fresh_store NAME: BERTH_TEST_ROOT moved to a new, empty store
fresh_store() {
  export BERTH_TEST_ROOT="$BATS_TEST_TMPDIR/$1"
  mkdir -p "$BERTH_TEST_ROOT"
}

# build_hist NAME: busybox plus a label, a COPY, a RUN that writes 5005
# bytes, an ENV and a CMD, built by berth: a history with empty and
# non-empty entries, created_by of each kind.
build_hist() {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  echo hi > "$ctx/hello.txt"
  cat > "$ctx/Dockerfile" << EOF
FROM $BB
LABEL a=b
COPY hello.txt /hello.txt
RUN echo made > /made && mkdir -p /d && head -c 5000 /dev/zero > /d/z
ENV X=1
CMD ["cat", "/made", "/hello.txt"]
EOF
  b pull -q "$BB" > /dev/null
  run --separate-stderr b build -q -t "$1" "$ctx"
  [[ "$status" -eq 0 ]] || fail_with "build failed: $stderr"
}

# LAYERED_CHECK: what a run of test/layered:1 shows of its three layers
# (whiteouts of a file and a directory, an opaque directory, links)
LAYERED_CHECK='find /opt -path /opt/small -prune -o -print | sort; ls /opt/small | wc -l; cat /opt/keep/NEW /opt/links/d.hard; readlink /opt/links/d.link; [ -e /etc/motd ] || echo no motd; echo "$LAYERED"'

# cols NAME...: the cells of a `docker history`-style table on stdin under
# the headers NAME..., tab-separated, one row a line; a column starts where
# its header does (text/tabwriter pads every cell to its column).
cols() {
  "$PY3" -c '
import re, sys
lines = sys.stdin.read().splitlines()
heads = [(m.start(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", lines[0])]
want = sys.argv[1:]
for l in lines[1:]:
    cells = {}
    for i, (start, name) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else None
        cells[name] = l[start:end].rstrip()
    print("\t".join(cells[w] for w in want))' "$@"
}

@test "peers_archive: berth save, podman load: podman run prints what berth run prints; podman history matches" {
  podman_setup
  build_hist demo/hist:1
  local id
  id=$(image_id_of demo/hist:1)
  b save -o "$OUT/hist.tar" demo/hist:1
  run podman_t load -q -i "$OUT/hist.tar"
  [[ "$status" -eq 0 ]] || fail_with "podman load: $output"
  run --separate-stderr b run --rm demo/hist:1
  assert_success
  [[ "$output" == "$(printf 'made\nhi')" ]] || fail_with "berth run"
  local want="$output"
  run podman_t run --rm --network none demo/hist:1
  [[ "$status" -eq 0 && "$output" == "$want" ]] || fail_with "podman run: $output"

  # podman's history, newest first as berth's: the top is the image ID,
  # the rest <missing> (podman has no parent images), CREATED BY exact
  # (with the trailing space Docker's COPY leaves), created times to the
  # nanosecond (the config's), no comments
  podman_t history --format json demo/hist:1 > "$OUT/p.json"
  [[ "$(jq -r '.[0].id' "$OUT/p.json")" == "${id#sha256:}" ]] || fail_with "podman: top $(jq -r '.[0].id' "$OUT/p.json")"
  [[ "$(jq -r '.[1:][].id' "$OUT/p.json" | sort -u)" == "<missing>" ]]
  local cfg="$BERTH_TEST_ROOT/image/overlay2/imagedb/content/sha256/${id#sha256:}"
  diff -u <(jq -c '.history | reverse[] | [.created_by, .created, .comment // ""]' "$cfg") \
    <(jq -c '.[] | [.CreatedBy, .created, .comment // ""]' "$OUT/p.json")
  # and the tables' CREATED BY columns untruncated (truncated, they differ:
  # podman keeps 42 characters and "...", Docker and berth 44 and "…")
  diff -u <(b history --no-trunc demo/hist:1 | cols "CREATED BY" COMMENT) \
    <(podman_t history --no-trunc demo/hist:1 | cols "CREATED BY" COMMENT)
  # Sizes: berth, as Docker, counts the bytes of the layer's files (5005
  # for the RUN layer, 3 for the COPY); podman counts the bytes of the
  # layer's tar (containers/storage's UncompressedSize): the size of that
  # layer's layer.tar in berth's archive; 0 for the empty layers in both.
  local sizes=() l
  for l in $(tar -xOf "$OUT/hist.tar" manifest.json | jq -r '.[0].Layers[]'); do
    sizes+=("$(tar -tvf "$OUT/hist.tar" "$l" | awk '{ print $3 }')")
  done
  local n=${#sizes[@]} want_sizes=()
  while read -r empty; do
    if [[ "$empty" == true ]]; then
      want_sizes+=(0)
    else
      n=$((n - 1))
      want_sizes+=("${sizes[$n]}")
    fi
  done < <(jq -r '.history | reverse[] | .empty_layer // false' "$cfg")
  [[ "$(jq -r '.[].size' "$OUT/p.json" | paste -sd' ')" == "${want_sizes[*]}" ]] ||
    fail_with "podman sizes $(jq -r '.[].size' "$OUT/p.json" | paste -sd' '), layer.tar sizes ${want_sizes[*]}"
  # printed as Docker's units print them, with a space before the unit
  local human=() sz
  for sz in "${want_sizes[@]}"; do
    human+=("$(human_size "$sz" | sed -E 's/([0-9])([a-zA-Z])/\1 \2/')")
  done
  [[ "$(podman_t history demo/hist:1 | cols SIZE | paste -sd'|')" == "$(IFS='|'; echo "${human[*]}")" ]] ||
    fail_with "podman prints the sizes $(podman_t history demo/hist:1 | cols SIZE | paste -sd'|')"
  [[ "$(b history -H=false demo/hist:1 | cols SIZE | head -5 | paste -sd' ')" == "0 0 5005 3 0" ]] ||
    fail_with "berth sizes: $(b history -H=false demo/hist:1 | cols SIZE | paste -sd' ')"
}

@test "peers_archive: berth save, docker load: docker run prints what berth run prints; docker history is berth's" {
  build_hist demo/hist:1
  b pull -q "$LAYERED" > /dev/null
  b save -o "$OUT/two.tar" demo/hist:1 "$LAYERED"
  run dk load -i "$OUT/two.tar"
  [[ "$status" -eq 0 ]] || fail_with "docker load: $output"
  local want
  want=$(b run --rm demo/hist:1)
  [[ "$(dk run --rm --network none demo/hist:1)" == "$want" ]] || fail_with "docker run of demo/hist:1"
  want=$(b run --rm "$LAYERED" sh -c "$LAYERED_CHECK")
  [[ "$want" == *"no motd"* && "$want" == *$'\n1' ]] || fail_with "berth run: $want"
  [[ "$(dk run --rm --network none "$LAYERED" sh -c "$LAYERED_CHECK")" == "$want" ]] ||
    fail_with "docker run of $LAYERED"
  # Docker's history of what it loaded, and berth's of the same archive
  # loaded into a fresh store: the same bytes, raw and human (the CREATED
  # column aside, which is relative to now)
  local store="$BERTH_TEST_ROOT" ref
  fresh_store loaded
  b load -q -i "$OUT/two.tar" > /dev/null
  for ref in demo/hist:1 "$LAYERED"; do
    diff -u <(dk history --no-trunc -H=false "$ref") <(b history --no-trunc -H=false "$ref")
    diff -u <(dk history "$ref" | cols IMAGE "CREATED BY" SIZE COMMENT) \
      <(b history "$ref" | cols IMAGE "CREATED BY" SIZE COMMENT)
  done
  # where berth built the image, its history names the intermediate
  # images Docker never got: the other columns are the same
  export BERTH_TEST_ROOT="$store"
  diff -u <(dk history --no-trunc -H=false demo/hist:1 | cut -c75-) \
    <(b history --no-trunc -H=false demo/hist:1 | cut -c75-)
}

@test "peers_archive: skopeo copy docker-archive:(berth save) to oci:, loaded back by berth: the image IDs" {
  build_hist demo/hist:1
  b pull -q "$LAYERED" > /dev/null
  local hist_id layered_id
  hist_id=$(image_id_of demo/hist:1)
  layered_id=$(image_id_of "$LAYERED")
  b save -o "$OUT/hist.tar" demo/hist:1
  b save -o "$OUT/layered.tar" "$LAYERED"
  run sk copy -q "docker-archive:$OUT/layered.tar" "oci:$OUT/l:layered"
  assert_success
  run sk copy -q "docker-archive:$OUT/hist.tar" "oci:$OUT/h:hist"
  assert_success
  tar -cf "$OUT/l-oci.tar" -C "$OUT/l" .
  tar -cf "$OUT/h-oci.tar" -C "$OUT/h" .
  fresh_store back
  run --separate-stderr b load -i "$OUT/l-oci.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$output" == "Loaded image: layered:latest" ]] || fail_with "output"
  # skopeo, writing an OCI manifest, writes the config again as Go's
  # encoder does (&, <, > as \u0026..., the container_config and the
  # Docker-only fields of the config dropped): the same image as JSON,
  # another ID, which is the digest of the config skopeo wrote
  local m cfg
  m=$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$OUT/l/index.json")
  cfg=$(jq -r .config.digest "$OUT/l/blobs/sha256/$m")
  [[ "$(image_id_of layered:latest)" == "$cfg" ]] || fail_with "not the config skopeo wrote"
  cmp <(jq -S . "$OUT/l/blobs/sha256/${cfg#sha256:}") \
    <(tar -xOf "$OUT/layered.tar" "${layered_id#sha256:}.json" | jq -S .) || fail_with "another config"
  run --separate-stderr b run --rm layered:latest sh -c "$LAYERED_CHECK"
  assert_success
  [[ "$output" == *"no motd"* ]] || fail_with "berth run of layered"
  # the built image's config loses more: its container_config and the
  # empty fields of its container.Config; rootfs and history are kept
  run --separate-stderr b load -i "$OUT/h-oci.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  local m cfg
  m=$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$OUT/h/index.json")
  cfg=$(jq -r .config.digest "$OUT/h/blobs/sha256/$m")
  [[ "$(image_id_of hist:latest)" == "$cfg" ]] || fail_with "not the config skopeo wrote"
  cmp <(jq -S '[.rootfs, .history]' "$OUT/h/blobs/sha256/${cfg#sha256:}") \
    <(tar -xOf "$OUT/hist.tar" "${hist_id#sha256:}.json" | jq -S '[.rootfs, .history]') ||
    fail_with "other layers or history"
  [[ "$(b run --rm hist:latest)" == "$(printf 'made\nhi')" ]] || fail_with "berth run of hist"
}

@test "peers_archive: skopeo copy oci:(berth oci-dir):TAG to docker-archive:, loaded back by berth: the image IDs" {
  build_hist demo/hist:1
  b pull -q "$LAYERED" > /dev/null
  local hist_id layered_id
  hist_id=$(image_id_of demo/hist:1)
  layered_id=$(image_id_of "$LAYERED")
  # one layout each: berth's oci-dir names an image by its tag alone in
  # org.opencontainers.image.ref.name (as containerd's export does), and
  # skopeo takes the first of two images that are both "1"
  b save --format oci-dir -o "$OUT/ldir" "$LAYERED"
  b save --format oci-dir -o "$OUT/hdir" demo/hist:1
  run sk copy -q "oci:$OUT/ldir:1" "docker-archive:$OUT/l.tar:back/layered:1"
  assert_success
  run sk copy -q "oci:$OUT/hdir:1" "docker-archive:$OUT/h.tar:back/hist:1"
  assert_success
  fresh_store back
  run --separate-stderr b load -i "$OUT/l.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$output" == "Loaded image: back/layered:1" ]] || fail_with "output"
  [[ "$(image_id_of back/layered:1)" == "$layered_id" ]] || fail_with "another id for layered"
  run --separate-stderr b load -i "$OUT/h.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$(image_id_of back/hist:1)" == "$hist_id" ]] || fail_with "another id for hist"
  [[ "$(b run --rm back/hist:1)" == "$(printf 'made\nhi')" ]] || fail_with "berth run of hist"
  run --separate-stderr b run --rm back/layered:1 sh -c "$LAYERED_CHECK"
  assert_success
  [[ "$output" == *"no motd"* ]] || fail_with "berth run of layered"
}

# validate DIR: oci-image-tool's check of an image layout, every ref in it
validate() {
  run oci-image-tool validate --type image "$1"
  [[ "$status" -eq 0 && "$output" == *"Validation succeeded"* ]] || fail_with "oci-image-tool: $1 refused"
}

@test "peers_archive: oci-image-tool validates berth's oci-dir and its oci-archive unpacked, each ref and each blob" {
  build_hist demo/hist:1
  b pull -q "$LAYERED" > /dev/null
  b save --format oci-dir -o "$OUT/dir" demo/hist:1 "$LAYERED"
  validate "$OUT/dir"
  b save --format oci-archive -o "$OUT/a.tar" "$LAYERED" demo/hist:1
  mkdir "$OUT/a"
  tar -xf "$OUT/a.tar" -C "$OUT/a"
  validate "$OUT/a"
  # a ref.name is the tag alone (as containerd's and Docker 25's OCI
  # exports write it): both images are "1", which a lookup by name refuses
  run oci-image-tool validate --type image --ref name=1 "$OUT/a"
  assert_failure
  [[ "$output" == *"descriptor retrieved by refs [name=1] is not unique"* ]] || fail_with "ref name=1"
  b save --format oci-archive -o "$OUT/one.tar" demo/hist:1
  mkdir "$OUT/one"
  tar -xf "$OUT/one.tar" -C "$OUT/one"
  run oci-image-tool validate --type image --ref name=1 "$OUT/one"
  [[ "$status" -eq 0 && "$output" == *"reference [name=1]: OK"* ]] || fail_with "ref name=1"
  run oci-image-tool validate --type imageIndex "$OUT/a/index.json"
  assert_success
  local m
  for m in $(jq -r '.manifests[].digest | ltrimstr("sha256:")' "$OUT/a/index.json"); do
    run oci-image-tool validate --type manifest "$OUT/a/blobs/sha256/$m"
    assert_success
    run oci-image-tool validate --type config "$OUT/a/blobs/sha256/$(jq -r '.config.digest | ltrimstr("sha256:")' "$OUT/a/blobs/sha256/$m")"
    assert_success
  done
  # and the validator does look: a manifest giving its config a wrong size
  # is refused
  m=$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$OUT/a/index.json")
  jq -c '.config.size += 1' "$OUT/a/blobs/sha256/$m" > "$OUT/m"
  local h
  h=$(sha256sum "$OUT/m" | cut -d' ' -f1)
  mv "$OUT/m" "$OUT/a/blobs/sha256/$h"
  jq -c --arg d "sha256:$h" --argjson s "$(stat -c %s "$OUT/a/blobs/sha256/$h")" \
    '.manifests[0].digest = $d | .manifests[0].size = $s' "$OUT/a/index.json" > "$OUT/i"
  mv "$OUT/i" "$OUT/a/index.json"
  run oci-image-tool validate --type image "$OUT/a"
  assert_failure
  [[ "$output" == *"size mismatch"* ]] || fail_with "another refusal"
}

@test "peers_archive: podman save (docker-archive and oci-archive) of an image podman committed: berth load, berth run" {
  podman_setup
  podman_t pull -q "$BB" > /dev/null
  podman_t run --name pc --network none "$BB" sh -c 'echo from podman > /note && rm /bin/tar && mkdir -p /srv/x && ln -s /note /srv/x/link' > /dev/null
  podman_t commit -q -f docker -c 'CMD ["cat", "/srv/x/link"]' pc demo/podman:1 > /dev/null
  podman_t rm pc > /dev/null
  local id want
  id="sha256:$(podman_t inspect -f '{{.Id}}' demo/podman:1)"
  want=$(podman_t run --rm --network none demo/podman:1 sh -c 'cat /note; ls /bin/tar 2>&1; ls -l /srv/x/link | cut -c1,2')
  [[ "$want" == "from podman"*"No such file"* ]] || fail_with "podman run: $want"
  podman_t save -q --format docker-archive -o "$OUT/p-docker.tar" demo/podman:1
  podman_t save -q --format oci-archive -o "$OUT/p-oci.tar" demo/podman:1
  # podman writes its docker-format image into an OCI archive with the
  # config rewritten as an OCI config (as skopeo does): another image ID,
  # the one podman load of that archive gives podman too
  local f oci_id
  mkdir "$OUT/x"
  tar -xf "$OUT/p-oci.tar" -C "$OUT/x" index.json
  oci_id=$(tar -xOf "$OUT/p-oci.tar" "blobs/sha256/$(jq -r '.manifests[0].digest | ltrimstr("sha256:")' "$OUT/x/index.json")" |
    jq -r .config.digest)
  [[ "$oci_id" != "$id" ]] || fail_with "podman kept its config in the OCI archive"
  for f in p-docker p-oci; do
    fresh_store "$f"
    run --separate-stderr b load -i "$OUT/$f.tar"
    [[ "$status" -eq 0 ]] || fail_with "$f: load failed: $stderr"
    [[ "$output" == "Loaded image: localhost/demo/podman:1" ]] || fail_with "$f: output"
    [[ "$f" == p-docker ]] || id=$oci_id
    [[ "$(image_id_of localhost/demo/podman:1)" == "$id" ]] || fail_with "$f: another id than podman's"
    [[ "$(b run --rm localhost/demo/podman:1)" == "from podman" ]] || fail_with "$f: berth run, CMD"
    run --separate-stderr b run --rm localhost/demo/podman:1 sh -c 'cat /note; ls /bin/tar 2>&1; ls -l /srv/x/link | cut -c1,2'
    [[ "$output" == "$want" ]] || fail_with "$f: berth run"
    run --separate-stderr b verify
    [[ "$status" -eq 0 ]] || fail_with "$f: verify: $stderr"
  done
}

@test "peers_archive: docker save of an image Docker's classic builder made: berth load, berth run as docker run, the same history" {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  echo "copied in" > "$ctx/in.txt"
  cat > "$ctx/Dockerfile" << EOF
FROM $BB
COPY in.txt /srv/in.txt
RUN mkdir -p /var/spool/x && echo from docker > /var/spool/x/note && rm /bin/tar && chmod 600 /srv/in.txt
WORKDIR /srv
ENTRYPOINT ["sh", "-c"]
CMD ["cat in.txt /var/spool/x/note; ls /bin/tar 2>&1; pwd; stat -c %a in.txt"]
EOF
  run dk build -q -t demo/docker:1 "$ctx"
  [[ "$status" -eq 0 ]] || fail_with "docker build: $output"
  local want
  want=$(dk run --rm --network none demo/docker:1)
  [[ "$want" == "copied in"*"No such file"*"600" ]] || fail_with "docker run: $want"
  dk save -o "$OUT/d.tar" demo/docker:1
  run --separate-stderr b load -i "$OUT/d.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$output" == "Loaded image: demo/docker:1" ]] || fail_with "output"
  [[ "$(image_id_of demo/docker:1)" == "$(dk inspect -f '{{.Id}}' demo/docker:1)" ]] || fail_with "another id than Docker's"
  run --separate-stderr b run --rm demo/docker:1
  assert_success
  [[ "$output" == "$want" ]] || fail_with "berth run"
  # Docker's history names its intermediate images and busybox; loaded
  # here they are <missing>, the rest is the same
  diff -u <(dk history --no-trunc -H=false demo/docker:1 | cut -c75-) \
    <(b history --no-trunc -H=false demo/docker:1 | cut -c75-)
  diff -u <(dk history demo/docker:1 | cols "CREATED BY" SIZE COMMENT) \
    <(b history demo/docker:1 | cols "CREATED BY" SIZE COMMENT)
  run --separate-stderr b verify
  assert_success
}

@test "peers_archive: skopeo copy docker:// to docker-archive: of a multi-layer image with whiteouts: berth load, berth run as docker run" {
  run sk copy -q --src-tls-verify=false "docker://$LAYERED" "docker-archive:$OUT/l.tar:sk/layered:1"
  assert_success
  run --separate-stderr b load -i "$OUT/l.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$output" == "Loaded image: sk/layered:1" ]] || fail_with "output"
  [[ "$(image_id_of sk/layered:1)" == "$(image_id "$REG_HOST" test/layered 1)" ]] || fail_with "another id"
  dk pull -q "$LAYERED" > /dev/null
  local want
  want=$(dk run --rm --network none "$LAYERED" sh -c "$LAYERED_CHECK")
  [[ "$want" == *"no motd"* ]] || fail_with "docker run: $want"
  run --separate-stderr b run --rm sk/layered:1 sh -c "$LAYERED_CHECK"
  assert_success
  [[ "$output" == "$want" ]] || fail_with "berth run"
}

@test "peers_archive: docker save of an image with one diffID twice (the second layer.tar a symlink): berth load, berth run" {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  echo same > "$ctx/a"
  printf 'FROM %s\nCOPY a /a\nCOPY a /a\n' "$BB" > "$ctx/Dockerfile"
  run dk build -q -t demo/twice:1 "$ctx"
  [[ "$status" -eq 0 ]] || fail_with "docker build: $output"
  dk save -o "$OUT/t.tar" demo/twice:1
  tar -tvf "$OUT/t.tar" | grep -q '^l.* [0-9a-f]*/layer.tar -> \.\./[0-9a-f]*/layer.tar$' ||
    fail_with "Docker wrote no link (its layers differ)"
  run --separate-stderr b load -i "$OUT/t.tar"
  [[ "$status" -eq 0 ]] || fail_with "load failed: $stderr"
  [[ "$(image_id_of demo/twice:1)" == "$(dk inspect -f '{{.Id}}' demo/twice:1)" ]] || fail_with "another id than Docker's"
  [[ "$(b run --rm demo/twice:1 cat /a)" == same ]] || fail_with "berth run"
  run --separate-stderr b verify
  assert_success
}
