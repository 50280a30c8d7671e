"""Writes a small docker-archive tarball, well-formed or broken one way.

usage: hostile_archive.py KIND OUT [OUTSIDE]
KIND: good, notar, truncated, nomanifest, missing, dotdot, baddiff,
      layer-dotdot, layer-abs, layer-symlink, badconfig, gzip, zstd-less
OUTSIDE: a path outside the store that the hostile layers aim at.
"""
import hashlib
import io
import json
import sys
import tarfile

kind, out = sys.argv[1], sys.argv[2]
outside = sys.argv[3] if len(sys.argv) > 3 else "/tmp/berth-load-outside"


def add(tar, name, data, **kw):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    for k, v in kw.items():
        setattr(info, k, v)
    tar.addfile(info, io.BytesIO(data))


def layer_tar():
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        add(t, "hello.txt", b"hello from a loaded layer\n")
        if kind == "layer-dotdot":
            add(t, "../../../../../../.." + outside, b"pwned\n")
        elif kind == "layer-abs":
            add(t, outside, b"pwned\n")
        elif kind == "layer-symlink":
            link = tarfile.TarInfo("esc")
            link.type = tarfile.SYMTYPE
            link.linkname = "../../../../../../.." + outside
            t.addfile(link)
            add(t, "esc/pwned", b"pwned\n")
    return buf.getvalue()


layer = layer_tar()
diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
if kind == "baddiff":
    diff_id = "sha256:" + hashlib.sha256(b"something else").hexdigest()
config = json.dumps({
    "architecture": "amd64", "os": "linux",
    "config": {"Cmd": ["/hello.txt"]},
    "rootfs": {"type": "layers", "diff_ids": [diff_id]},
    "history": [{"created_by": "hostile_archive.py"}],
}).encode()
if kind == "badconfig":
    config = b"this is { not JSON"
config_name = hashlib.sha256(config).hexdigest() + ".json"
layer_path = "0123abcd/layer.tar"
manifest = [{"Config": config_name, "RepoTags": ["hostile/" + kind + ":1"],
             "Layers": [layer_path]}]
if kind == "missing":
    manifest[0]["Layers"] = ["nope/layer.tar"]
if kind == "dotdot":
    manifest[0]["Layers"] = ["../0123abcd/layer.tar"]

if kind == "notar":
    with open(out, "wb") as f:
        f.write(b"this is not a tar archive at all\n" * 100)
    sys.exit(0)

buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    add(t, layer_path, layer)
    add(t, config_name, config)
    if kind != "nomanifest":
        add(t, "manifest.json", json.dumps(manifest).encode())
data = buf.getvalue()
if kind == "truncated":
    data = data[: 512 + len(layer) // 2]
with open(out, "wb") as f:
    f.write(data)
