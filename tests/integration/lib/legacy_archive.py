"""Writes a legacy docker-archive tarball (docker save before 1.10: no
manifest.json; `repositories` and one directory per v1 layer holding `json`,
`VERSION` and `layer.tar`, chained by `parent`), well-formed or broken one way.

usage: legacy_archive.py KIND OUT
KIND: good (three layers, the top one tagged legacy/good:1 and the middle one
      legacy/good:mid), untagged, old (docker_version 1.6.2, before 1.8.3), gzip (each
      layer.tar gzip-compressed), cycle (two layers naming each other as
      parent), noparent (a parent the archive lacks), badjson (a json that is
      not JSON), badtag (repositories names an id the archive lacks), nolayer
      (a directory without its layer.tar), baddiff (a layer.tar that is not a
      tar)
"""
import gzip
import hashlib
import io
import json
import sys
import tarfile

kind, out = sys.argv[1], sys.argv[2]


def add(tar, name, data, mode=0o644, mtime=1500000000):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = mtime
    tar.addfile(info, io.BytesIO(data))


def layer_tar(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as t:
        for name, data in files:
            add(t, name, data)
    data = buf.getvalue()
    if kind == "gzip":
        data = gzip.compress(data, mtime=0)
    return data


def v1id(n):
    return hashlib.sha256(b"legacy layer %d" % n).hexdigest()


ids = [v1id(i) for i in range(3)]
layers = [
    layer_tar([("etc/one.txt", b"one\n"), ("bin/a<b&c>.txt", b"markup name\n")]),
    layer_tar([("etc/two.txt", b"two\n")]),
    layer_tar([("etc/three.txt", b"three\n")]),
]
cmds = [
    ["/bin/sh", "-c", "#(nop) ADD file:0123 in /"],
    ["/bin/sh", "-c", "echo two > /etc/two.txt"],
    ["/bin/sh", "-c", "#(nop) CMD [\"cat\" \"/etc/three.txt\"]"],
]
dockerver = "1.6.2" if kind == "old" else "1.9.1"


def v1json(i):
    parent = ids[i - 1] if i > 0 else None
    if kind == "cycle" and i == 0:
        parent = ids[2]
    if kind == "noparent" and i == 0:
        parent = v1id(99)
    cfg = {
        "Hostname": "0123abcd", "Domainname": "", "User": "", "AttachStdin": False,
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Cmd": ["cat", "/etc/three.txt"] if i == 2 else None,
        "Image": parent or "", "Volumes": None, "WorkingDir": "", "Entrypoint": None,
        "OnBuild": None, "Labels": {"stage": str(i)} if i == 2 else {},
    }
    cc = dict(cfg)
    cc["Cmd"] = cmds[i]
    j = {"id": ids[i]}
    if parent:
        j["parent"] = parent
    j.update({
        "created": "2015-11-0%dT10:00:00.123456700Z" % (i + 1),
        "container": "c0ffee%d" % i,
        "container_config": cc,
        "docker_version": dockerver,
        "author": "Legacy <legacy@example.com>" if i == 1 else "",
        "config": cfg,
        "architecture": "amd64",
        "os": "linux",
        "Size": len(layers[i]),
    })
    if i == 2:
        j["comment"] = "the top & the last"
    return json.dumps(j, indent=2).encode()


repos = {"legacy/" + kind: {"1": ids[2], "mid": ids[1]}}
if kind == "untagged":
    repos = {}
if kind == "badtag":
    repos["legacy/" + kind]["1"] = v1id(42)

buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    for i in range(3):
        d = ids[i] + "/"
        info = tarfile.TarInfo(ids[i])
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
        t.addfile(info)
        add(t, d + "VERSION", b"1.0")
        js = v1json(i)
        if kind == "badjson" and i == 1:
            js = b"{ this is not JSON"
        add(t, d + "json", js)
        if kind == "baddiff" and i == 1:
            add(t, d + "layer.tar", b"not a tar at all\n" * 64)
        elif not (kind == "nolayer" and i == 2):
            add(t, d + "layer.tar", layers[i])
    add(t, "repositories", json.dumps(repos).encode())
with open(out, "wb") as f:
    f.write(buf.getvalue())
