#!/usr/bin/env bats
# load -i FILE of a plain tar reads the archive in place: indexed, each
# layer unpacked straight from its offset (no copy in tmp/scratch-*), still
# verified against its diffID before anything is visible; stdin pipes and
# compressed input keep the staged copy.

load lib/common

setup() {
  common_setup
  OUTSIDE="$BATS_TEST_TMPDIR/outside"
  BG_PID=
}

teardown() {
  [[ -z "$BG_PID" ]] || { kill -9 "$BG_PID" 2> /dev/null; wait "$BG_PID" 2> /dev/null || true; }
  common_teardown
}

hostile() {
  "$PY3" "$INTEG_DIR/lib/hostile_archive.py" "$1" "$BATS_TEST_TMPDIR/$1.tar" "$OUTSIDE"
  echo "$BATS_TEST_TMPDIR/$1.tar"
}

wait_for() {
  local what=$1 i
  shift
  for i in $(seq 600); do
    "$@" && return 0
    sleep 0.1
  done
  fail_with "waited 60 s for $what: $(cat "$BATS_TEST_TMPDIR/bg.out" 2> /dev/null)"
}

# paused_load HOW FILE: a load stopped at the test point after its layer
# is unpacked (in its stage, before the diffID check and the publish);
# HOW: "file" (-i FILE), "redirect" (< FILE) or "pipe" (cat FILE |)
paused_load() {
  local how=$1 f=$2 marker="$BATS_TEST_TMPDIR/at-point"
  rm -f "$marker"
  case $how in
  file) BERTH_TEST_PAUSE="load-unpacked:$marker" "$BERTH" --root "$BERTH_TEST_ROOT" load -i "$f" > "$BATS_TEST_TMPDIR/bg.out" 2>&1 & ;;
  redirect) BERTH_TEST_PAUSE="load-unpacked:$marker" "$BERTH" --root "$BERTH_TEST_ROOT" load < "$f" > "$BATS_TEST_TMPDIR/bg.out" 2>&1 & ;;
  pipe) cat "$f" | BERTH_TEST_PAUSE="load-unpacked:$marker" "$BERTH" --root "$BERTH_TEST_ROOT" load > "$BATS_TEST_TMPDIR/bg.out" 2>&1 & ;;
  esac
  BG_PID=$!
  wait_for "the test point" test -e "$marker"
}

scratch_dirs() { find "$BERTH_TEST_ROOT/tmp" -maxdepth 1 -name 'scratch-*' | wc -l; }
stage_dirs() { find "$BERTH_TEST_ROOT/tmp" -maxdepth 1 -name 'stage-*' | wc -l; }

@test "load -i of a plain tar: no copy in scratch, the layer in its stage and nowhere else until verified" {
  f=$(hostile good)
  b images > /dev/null
  paused_load file "$f"
  [[ "$(scratch_dirs)" -eq 0 ]] || fail_with "a scratch copy was made"
  [[ "$(stage_dirs)" -eq 1 ]] || fail_with "the layer is not in a stage"
  [[ -z "$(ls "$(img_dir)/layerdb/sha256" 2> /dev/null)" ]] || fail_with "a layer is visible before its check"
  kill -9 "$BG_PID"
  wait "$BG_PID" 2> /dev/null || true
  BG_PID=
  # killed there, it leaves nothing the next writer does not sweep
  run --separate-stderr b load -i "$f"
  assert_success
  [[ "$output" == "Loaded image: hostile/good:1" ]] || fail_with "output"
  assert_no_unreferenced_layers
  [[ "$(stage_dirs)" -eq 0 && "$(scratch_dirs)" -eq 0 ]] || fail_with "tmp/ not swept"
}

@test "load < FILE (stdin a regular file) reads in place too; a pipe or a gzip is copied first" {
  f=$(hostile good)
  b images > /dev/null
  paused_load redirect "$f"
  [[ "$(scratch_dirs)" -eq 0 ]] || fail_with "redirect: a scratch copy was made"
  kill -9 "$BG_PID"; wait "$BG_PID" 2> /dev/null || true; BG_PID=
  paused_load pipe "$f"
  [[ "$(scratch_dirs)" -eq 1 ]] || fail_with "pipe: no scratch copy"
  kill -9 "$BG_PID"; wait "$BG_PID" 2> /dev/null || true; BG_PID=
  gzip -c "$f" > "$f.gz"
  rm -rf "$BERTH_TEST_ROOT"/tmp/scratch-* # the killed one's (a later writer sweeps it)
  paused_load file "$f.gz"
  [[ "$(scratch_dirs)" -eq 1 ]] || fail_with "gzip: no scratch copy"
  kill -9 "$BG_PID"; wait "$BG_PID" 2> /dev/null || true; BG_PID=
  for how in "-i $f" "-i $f.gz"; do
    run --separate-stderr b load $how
    assert_success
    [[ "$output" == "Loaded image: hostile/good:1" ]] || fail_with "$how: output"
  done
  run --separate-stderr bash -c "cat '$f' | '$BERTH' --root '$BERTH_TEST_ROOT' load"
  assert_success
  assert_no_unreferenced_layers
}

# The outer archive's entries behind long-name headers (PAX and GNU), at
# offsets that are no multiple of a 10240-byte tar record, several layers
# sharing one file through a symlink and a hard link: the layers read in
# place are the layers.
@test "load -i: entries behind PAX and GNU long-name headers, links to shared layers, as the copy reads them" {
  "$PY3" - "$BATS_TEST_TMPDIR" <<'PY'
import hashlib, io, json, sys, tarfile
d = sys.argv[1]
def add(t, name, data):
    i = tarfile.TarInfo(name); i.size = len(data); i.mode = 0o644; t.addfile(i, io.BytesIO(data))
def layer(n):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w") as t:
        add(t, "f%d.txt" % n, (b"layer %d\n" % n) * (n * 700 + 1))
    return b.getvalue()
ls = [layer(i) for i in range(3)]
diffs = ["sha256:" + hashlib.sha256(l).hexdigest() for l in ls] + ["sha256:" + hashlib.sha256(ls[0]).hexdigest()]
cfgs = [json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": [str(k)]},
                   "rootfs": {"type": "layers", "diff_ids": ds}}).encode() for k, ds in enumerate((diffs[:3], diffs))]
for fmt, tag in ((tarfile.PAX_FORMAT, "pax"), (tarfile.GNU_FORMAT, "gnu")):
    long = "d/" + "x" * 150 + "/"
    names = [long + "%d/layer.tar" % i for i in range(3)]
    with tarfile.open("%s/%s.tar" % (d, tag), "w", format=fmt) as t:
        for n, l in zip(names, ls):
            add(t, n, l)
        s = tarfile.TarInfo("link/layer.tar"); s.type = tarfile.SYMTYPE; s.linkname = "../" + names[0]; t.addfile(s)
        h = tarfile.TarInfo("hard/layer.tar"); h.type = tarfile.LNKTYPE; h.linkname = names[0]; t.addfile(h)
        add(t, "c1.json", cfgs[0])
        add(t, "c2.json", cfgs[1])
        m = [{"Config": "c1.json", "RepoTags": ["fast/" + tag + ":1"], "Layers": names},
             {"Config": "c2.json", "RepoTags": ["fast/" + tag + ":2"], "Layers": ["link/layer.tar", names[1], names[2], "hard/layer.tar"]}]
        add(t, "manifest.json", json.dumps(m).encode())
PY
  for tag in pax gnu; do
    run --separate-stderr b load -i "$BATS_TEST_TMPDIR/$tag.tar"
    assert_success
    [[ "$output" == $'Loaded image: fast/'$tag$':1\nLoaded image: fast/'$tag:2 ]] || fail_with "$tag: output"
    run --separate-stderr b verify
    assert_success
  done
  bottom=$(b inspect fast/pax:1 | jq -r '.[0].RootFS.Layers[0]')
  [[ "$(head -1 "$(layer_diff_dir "$bottom")/f0.txt")" == "layer 0" ]] || fail_with "contents"
}

@test "load -i, bad input: a layer cut short in the file is a truncated archive, the store unchanged" {
  f=$(hostile good)
  b images > /dev/null
  store_snapshot
  # the layer's header says more bytes than the file holds after it
  head -c 1500 "$f" > "$BATS_TEST_TMPDIR/cut.tar"
  run --separate-stderr b load -i "$BATS_TEST_TMPDIR/cut.tar"
  assert_one_line_error
  [[ "$stderr" == "Error: load: read archive: Truncated tar archive" ]] || fail_with "words"
  assert_store_unchanged
}

@test "load -i, bad input: a layer whose diffID is not the config's, read in place, leaves nothing" {
  b images > /dev/null
  store_snapshot
  f=$(hostile baddiff)
  run --separate-stderr b load -i "$f"
  assert_one_line_error
  [[ "$stderr" == "Error: load: layer 0123abcd/layer.tar: content has diffID sha256:"* ]] || fail_with "words"
  assert_store_unchanged
}
