# Comparing a berth build with Docker 20.10's legacy builder's build of the
# same Dockerfile (build_docker.bats).  Loaded after lib/common, lib/build
# and lib/dockerd.
#
#   image_summary IMGDIR ID   history (CREATED BY, empty_layer, layer size)
#                             and the Config fields a build sets, one a line
#   export_listing            a container's export tar on stdin: one line
#                             per path (type, mode, owner, size, sha256 or
#                             link target), what a runtime adds left out
#   mask_build_output         a build's printed lines with IDs masked
#   compare_build NAME        builds $CTX with both, compares all of that
#                             (and the Config of every step's image)

# image_summary IMGDIR ID: the image's history, newest last, one entry a
# line: CREATED BY, empty_layer, the size of its layer (layerdb's, what
# `history` prints; 0 for an empty layer); then the author and the
# Config's fields, each as compact sorted JSON.  Created times and IDs are
# left out: they differ by nature.
image_summary() {
  "$PY3" - "$1" "$2" <<'EOF'
import hashlib, json, os, re, sys
imgdir, iid = sys.argv[1], sys.argv[2]
if iid.startswith("sha256:"):
    iid = iid[7:]
doc = json.load(open(os.path.join(imgdir, "imagedb/content/sha256", iid)))
diffs = doc.get("rootfs", {}).get("diff_ids", [])
chains, c = [], None
for d in diffs:
    c = d if c is None else "sha256:" + hashlib.sha256(("%s %s" % (c, d)).encode()).hexdigest()
    chains.append(c)
li = 0
for h in doc.get("history", []):
    empty = bool(h.get("empty_layer", False))
    size = 0
    if not empty:
        size = int(open(os.path.join(imgdir, "layerdb/sha256", chains[li][7:], "size")).read())
        li += 1
    by = h.get("created_by", "")
    print("history\t%s\t%s\t%d" % (by, "empty" if empty else "layer", size))
print("author\t%s" % json.dumps(doc.get("author")))
# container_config's Cmd: the step as Docker records it (the cache key it
# compares); the sources' hash of a COPY/ADD masked there, since berth keeps
# its own digest of them in that place, and COPY --from's source image
# (step_copy.c: berth's cache key, a deliberate difference)
cc = (doc.get("container_config") or {}).get("Cmd")
if isinstance(cc, list):
    cc = [re.sub(r"^(#\(nop\) (?:COPY|ADD) .*(?:file|dir|multi):)[0-9a-f]{64}( in )", r"\1<hash>\2", c)
          for c in cc]
    # and COPY --from's source image, which berth's cache key holds too,
    # and the digest of what Docker's hash leaves out that berth appends
    cc = [re.sub(r"^(#\(nop\) COPY )--from=sha256:[0-9a-f]{64} ", r"\1", c) for c in cc]
    cc = [re.sub(r" #berth-content=sha256:[0-9a-f]{64}$", " ", c) for c in cc]
print("container_config.Cmd\t%s" % json.dumps(cc))
cfg = doc.get("config") or {}
# the Config's Image: the step's parent (Docker's updateRunConfig), by role
try:
    parent = open(os.path.join(imgdir, "imagedb/metadata/sha256", iid, "parent")).read().strip()
except OSError:
    parent = None
img = cfg.get("Image")
print("config.Image\t%s" % ("parent" if img and img == parent else json.dumps(img) if not img else "other"))
for k in ("Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Labels",
          "Volumes", "Healthcheck", "StopSignal", "OnBuild", "Shell"):
    print("config.%s\t%s" % (k, json.dumps(cfg.get(k), sort_keys=True, separators=(",", ":"))))
EOF
}

# export_listing: the tar of `export` on stdin; one line per path, sorted:
# path, type, mode, uid:gid, size and sha256 (files), target (links).  A
# hard link is listed as the file it links to (which name a tar writer
# keeps as the file and which as the link depends on its walk).  Left out:
# what the runtime puts in every container, not the image (Docker's init
# layer: /.dockerenv, /etc/hostname, /etc/hosts, /etc/resolv.conf,
# /etc/mtab, /dev, /proc, /sys).
export_listing() {
  "$PY3" -c '
import hashlib, sys, tarfile
SKIP = {".dockerenv", "etc/hostname", "etc/hosts", "etc/resolv.conf", "etc/mtab", "dev", "proc", "sys"}
files, out = {}, []
tf = tarfile.open(fileobj=sys.stdin.buffer, mode="r|")
for m in tf:
    name = m.name[2:] if m.name.startswith("./") else m.name.lstrip("/")
    name = name.rstrip("/") if name != "." else ""
    if name == "" or name in SKIP or name.split("/")[0] in ("dev", "proc", "sys"):
        continue
    rest = ""
    if m.isreg():
        h = hashlib.sha256(tf.extractfile(m).read()).hexdigest()
        files[name] = (m.size, h)
        kind, rest = "f", "%d %s" % (m.size, h)
    elif m.islnk():
        kind, rest = "f", "=%s" % (m.linkname[2:] if m.linkname.startswith("./") else m.linkname.lstrip("/"))
    elif m.issym():
        kind, rest = "l", m.linkname
    elif m.isdir():
        kind = "d"
    elif m.ischr() or m.isblk():
        kind, rest = "c" if m.ischr() else "b", "%d,%d" % (m.devmajor, m.devminor)
    else:
        kind = "o"
    out.append([name, kind, "%04o" % (m.mode & 0o7777), "%d:%d" % (m.uid, m.gid), rest])
for o in out:
    if o[4].startswith("="):
        size, h = files.get(o[4][1:], (0, "?"))
        o[4] = "%d %s" % (size, h)
for o in sorted(out):
    print("\t".join(o))
'
}

# mask_build_output: a build's lines on stdin, IDs (12 or 64 hex) as <id>, the
# context's sender named as berth's ("Docker daemon" is "berth"); Docker's
# CLI ends that first line with its progress output's "\r\r\n", berth
# with a plain newline (the same on a terminal); Docker's CLI colours the
# daemon's warnings red (ANSI codes, even into a pipe), berth does not:
# the codes are dropped.  Docker's
# legacy builder runs a container for every step but COPY/ADD, and prints
# " ---> Running in ID" / "Removing intermediate container ID" for each;
# berth runs one only for RUN (issue 7: metadata steps need none, and
# WORKDIR's directory is made in a rootfs no process runs in), so those
# two lines are dropped outside RUN steps, on both sides.
mask_build_output() {
  "$PY3" -c '
import re, sys
run = False
for line in re.sub(r"\x1b\[[0-9;]*m", "", sys.stdin.read().replace("\r\r\n", "\n")).splitlines():
    m = re.match(r"Step [0-9]+/[0-9]+ : (\S+)", line)
    if m:
        run = m.group(1).upper() == "RUN"
    if not run and (line.startswith(" ---> Running in ") or line.startswith("Removing intermediate container ")):
        continue
    line = line.replace("Sending build context to Docker daemon", "Sending build context to berth")
    print(re.sub(r"\b[0-9a-f]{12}\b", "<id>", re.sub(r"\b[0-9a-f]{64}\b", "<id>", line)))
'
}

# skip_steps "N M…": the lines on stdin without those steps' blocks
# (BUILDCMP_DOCKER_SKIP for compare_build: the steps of a stage the target
# does not need, which Docker's legacy builder builds and berth does not,
# as issue 7 asks and BuildKit does; berth still counts them).
skip_steps() {
  awk -v skip=" $1 " '
    /^Step [0-9]+\/[0-9]+ : / { split($2, a, "/"); dropping = index(skip, " " a[1] " ") > 0 }
    /^Successfully / { dropping = 0 }
    !dropping'
}

# mask_history: `history --no-trunc -H=false` on stdin, image IDs and the
# RFC 3339 created times masked (same widths: the table's columns stay).
mask_history() {
  sed -E -e 's/sha256:[0-9a-f]{64}/sha256:<id>/g' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})/<created>/g'
}

# compare_build NAME [BUILD ARGS...]: builds $CTX with berth (on the test's
# store) and with the file's dockerd (--network none), both tagged
# cmp/NAME, and fails with a diff of whatever differs: the printed lines,
# the history and Config (image_summary), the files (export_listing).
compare_build() {
  local name="$1" d="$BATS_TEST_TMPDIR/cmp-$1" bid did cid
  shift
  mkdir -p "$d"
  b build "$@" -t "cmp/$name" "$CTX" > "$d/berth.out" 2> "$d/berth.err" ||
    { cat "$d/berth.out" "$d/berth.err" >&2; fail_with "berth build failed"; return 1; }
  dk build --network none "$@" -t "cmp/$name" "$CTX" > "$d/docker.out" 2> "$d/docker.err" ||
    { cat "$d/docker.out" "$d/docker.err" >&2; fail_with "docker build failed"; return 1; }
  mask_build_output < "$d/berth.out" > "$d/berth.lines"
  mask_build_output < "$d/docker.out" | skip_steps "${BUILDCMP_DOCKER_SKIP:-}" > "$d/docker.lines"
  bid=$(b inspect "cmp/$name" | jq -r '.[0].Id')
  did=$(dk inspect -f '{{.Id}}' "cmp/$name")
  image_summary "$(img_dir)" "$bid" > "$d/berth.image"
  image_summary "$(dk_img_dir)" "$did" > "$d/docker.image"
  # every step's image (both keep them all), newest first
  local id
  for id in $(b history -q --no-trunc "cmp/$name" | grep -v missing); do
    image_summary "$(img_dir)" "$id" | grep -v '^history'
  done > "$d/berth.steps"
  for id in $(dk history -q --no-trunc "cmp/$name" | grep -v missing); do
    image_summary "$(dk_img_dir)" "$id" | grep -v '^history'
  done > "$d/docker.steps"
  # `history` as each prints it: every column but the created times (IDs
  # masked, sizes in bytes)
  b history --no-trunc -H=false "cmp/$name" | mask_history > "$d/berth.history"
  dk history --no-trunc -H=false "cmp/$name" | mask_history > "$d/docker.history"
  cid=$(b create "cmp/$name" true)
  b export "$cid" | export_listing > "$d/berth.files"
  b rm "$cid" > /dev/null
  cid=$(dk create --network none "cmp/$name" true)
  dk export "$cid" | export_listing > "$d/docker.files"
  dk rm -v "$cid" > /dev/null
  # BUILDCMP_KEEP=DIR: everything compared, and both configs, kept there
  if [[ -n "${BUILDCMP_KEEP:-}" ]]; then
    jq -S . "$(img_dir)/imagedb/content/sha256/${bid#sha256:}" > "$d/berth.config.json"
    jq -S . "$(dk_img_dir)/imagedb/content/sha256/${did#sha256:}" > "$d/docker.config.json"
    cp -r "$d" "$BUILDCMP_KEEP/"
  fi
  local what bad=0
  for what in lines image steps history files; do
    if ! diff -u --label "docker $what" --label "berth $what" "$d/docker.$what" "$d/berth.$what" >&2; then
      bad=1
    fi
  done
  [[ $bad -eq 0 ]] || fail_with "berth's build of $name differs from Docker's (above: - Docker, + berth)"
}
