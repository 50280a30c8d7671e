#!/usr/bin/env python3
"""fixed_image.py OUT.tar: a `docker save` archive whose every byte is fixed
(layer tars, times, config), so that its image ID is the same in every
engine and on every machine: the object the recorded Docker outputs of
tests/integration/data/docker/ were made on (fixed/app:1.0, ID
sha256:87faebfa2007…)."""
import hashlib
import io
import json
import sys
import tarfile

MTIME = 1600000000  # 2020-09-13T12:26:40Z


def layer(entries):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data, mode in entries:
            ti = tarfile.TarInfo(name)
            ti.mode, ti.mtime = mode, MTIME
            if data is None:
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            else:
                ti.size = len(data)
                t.addfile(ti, io.BytesIO(data))
    return buf.getvalue()


def main(out):
    layers = [
        layer([("etc", None, 0o755), ("etc/motd", b"hello\n", 0o644)]),
        layer([("app", None, 0o755), ("app/run.sh", b"#!/bin/sh\necho hi\n", 0o755)]),
    ]
    diffs = [hashlib.sha256(b).hexdigest() for b in layers]
    created = "2020-09-13T12:26:40Z"
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": created,
        "author": "berth tests",
        "config": {
            "Env": ["PATH=/usr/bin:/bin", "LANG=C.UTF-8"],
            "Cmd": ["/app/run.sh", "--flag"],
            "WorkingDir": "/app",
            "User": "1000:1000",
            "Labels": {"org.example.b": "two", "org.example.a": "one <&>"},
            "ExposedPorts": {"80/tcp": {}, "53/udp": {}},
            "Volumes": {"/data": {}},
            "StopSignal": "SIGTERM",
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + d for d in diffs]},
        "history": [
            {"created": created, "created_by": "/bin/sh -c #(nop) ADD file:abc in / "},
            {"created": created, "created_by": "/bin/sh -c #(nop) COPY dir:def in /app ",
             "comment": "copied"},
            {"created": created,
             "created_by": '/bin/sh -c #(nop)  CMD ["/app/run.sh" "--flag"]',
             "empty_layer": True},
        ],
    }
    config_bytes = json.dumps(config, separators=(",", ":")).encode()
    config_id = hashlib.sha256(config_bytes).hexdigest()
    manifest = [{"Config": config_id + ".json", "RepoTags": ["fixed/app:1.0"],
                 "Layers": [d + "/layer.tar" for d in diffs]}]
    with tarfile.open(out, "w") as t:
        def add(name, data):
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime = len(data), MTIME
            t.addfile(ti, io.BytesIO(data))
        add(config_id + ".json", config_bytes)
        for d, b in zip(diffs, layers):
            add(d + "/layer.tar", b)
        add("manifest.json", json.dumps(manifest).encode())


if __name__ == "__main__":
    main(sys.argv[1])
