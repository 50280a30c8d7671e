#!/usr/bin/python3
"""A deliberately broken registry for bad-input tests (127.0.0.1 only).

The real docker-registry refuses to store manifests that are not JSON or
carry a wrong media type, so those cases are served from here instead.
ROUTES is a JSON file: {"/v2/repo/manifests/tag": {"file": "path",
"type": "content-type", "status": 200}, ...}.  GET and HEAD are served;
/v2/ answers 200; anything else 404 with a registry-style error body.
Faults, per route: "fail_first": N answers the first N GETs with
"fail_status" (default 500); "cut_first": N sends only half of the body of
the first N GETs, then drops the connection; "no_range": true ignores Range
headers (else "Range: bytes=N-" gets a 206).  With a third argument, every
GET is logged to that file as "PATH RANGE-START".  A POST (a blob upload
starting) is answered as a GET of its path is, and logged the same way.

Uploads (push): with a route "_upload": {...}, a POST to a path of no route
starts an upload held in memory, as distribution's: PATCH chunks
(Content-Range checked: 416 when it is not where the upload stands), GET of
the upload (204, Range "0-N"), PUT ?digest= (digest checked, 400 when it
differs), HEAD of a blob so stored, PUT of a manifest (kept, 201).  Faults:
"fail_patch_first" / "fail_put_first": N answer the first N PATCHes / PUTs
of an upload with "fail_status" (default 500); "cut_patch_first": N keeps
half of the body of the first N PATCHes, then drops the connection with no
answer; "always_status": S answers every PATCH and PUT with S;
"forget_uploads": true answers the GET of an upload 404 (no resume: the
blob starts over).  Each such request is logged as "METHOD PATH DETAIL".
"""
import hashlib
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
with open(sys.argv[2]) as f:
    ROUTES = json.load(f)
LOG = sys.argv[3] if len(sys.argv) > 3 else None
LOCK = threading.Lock()
SEEN = {}


def count(path):
    """How many GETs of path came before this one (and log this one)."""
    with LOCK:
        n = SEEN.get(path, 0)
        SEEN[path] = n + 1
        return n


UPLOADS = {}
BLOBS = {}
MANIFESTS = {}
NEXT = [0]


def log_line(line):
    if LOG:
        with LOCK, open(LOG, "a") as log:
            log.write(line + "\n")


def counted(key):
    with LOCK:
        n = SEEN.get(key, 0)
        SEEN[key] = n + 1
        return n


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def answer(self, status, headers=(), body=b""):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.answer(status, [("Content-Type", "application/json")], body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length", "0")))

    def upload_mode(self):
        """Answers an upload request; False when it is none."""
        up = ROUTES.get("_upload")
        path, _, query = self.path.partition("?")
        if up is None or path in ROUTES:
            return False
        parts = path.split("/")
        m = self.command
        if m == "POST" and path.endswith("/blobs/uploads/"):
            with LOCK:
                NEXT[0] += 1
                uid = "u%d" % NEXT[0]
                UPLOADS[uid] = bytearray()
            log_line("POST %s" % path)
            self.answer(202, [("Location", path + uid), ("Range", "0-0"),
                              ("Docker-Upload-UUID", uid)])
            return True
        if "/blobs/uploads/" in path and parts[-1] in UPLOADS:
            uid = parts[-1]
            data = UPLOADS[uid]
            if m == "GET":
                log_line("GET %s %d" % (path, len(data)))
                if up.get("forget_uploads"):
                    self.error(404, "BLOB_UPLOAD_UNKNOWN", "blob upload unknown")
                    return True
                self.answer(204, [("Location", path),
                                  ("Range", "0-%d" % max(len(data) - 1, 0))])
                return True
            if m == "PATCH":
                rng = self.headers.get("Content-Range", "")
                n = counted("PATCH")
                log_line("PATCH %s %s" % (path, rng))
                if up.get("always_status"):
                    self.body()
                    self.error(up["always_status"], "UNKNOWN", "try again")
                    return True
                if n < up.get("cut_patch_first", 0):
                    length = int(self.headers.get("Content-Length", "0"))
                    part = self.rfile.read(length // 2)
                    if rng.startswith("%d-" % len(data)):
                        data.extend(part)
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return True
                chunk = self.body()
                if n < up.get("fail_patch_first", 0):
                    self.error(up.get("fail_status", 500), "UNKNOWN", "try again")
                    return True
                if rng and not rng.startswith("%d-" % len(data)):
                    self.error(416, "BLOB_UPLOAD_INVALID", "range mismatch")
                    return True
                data.extend(chunk)
                self.answer(202, [("Location", "%s?_state=%d" % (path, len(data))),
                                  ("Range", "0-%d" % (len(data) - 1))])
                return True
            if m == "PUT":
                chunk = self.body()
                n = counted("PUT")
                log_line("PUT %s %d" % (path, len(chunk)))
                if up.get("always_status"):
                    self.error(up["always_status"], "UNKNOWN", "try again")
                    return True
                if n < up.get("fail_put_first", 0):
                    self.error(up.get("fail_status", 500), "UNKNOWN", "try again")
                    return True
                digest = dict(kv.split("=", 1) for kv in query.split("&")
                              if "=" in kv).get("digest", "")
                whole = bytes(data) + chunk
                got = "sha256:" + hashlib.sha256(whole).hexdigest()
                if got != digest:
                    self.error(400, "DIGEST_INVALID",
                               "provided digest did not match uploaded content")
                    return True
                BLOBS[digest] = whole
                del UPLOADS[uid]
                self.answer(201, [("Location", path.split("/blobs/")[0] + "/blobs/" + digest),
                                  ("Docker-Content-Digest", digest)])
                return True
        if len(parts) > 2 and parts[-2] == "blobs" and m in ("HEAD", "GET"):
            blob = BLOBS.get(parts[-1])
            if blob is None:
                self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")
                return True
            self.send_response(200)
            self.send_header("Content-Length", str(len(blob)))
            self.send_header("Docker-Content-Digest", parts[-1])
            self.end_headers()
            if m == "GET":
                self.wfile.write(blob)
            return True
        if len(parts) > 2 and parts[-2] == "manifests" and m == "GET" and path in MANIFESTS:
            self.answer(200, [("Content-Type", "application/json")], MANIFESTS[path])
            return True
        if len(parts) > 2 and parts[-2] == "manifests" and m == "PUT":
            text = self.body()
            MANIFESTS[path] = text
            log_line("PUT %s manifest" % path)
            self.answer(201, [("Docker-Content-Digest",
                               "sha256:" + hashlib.sha256(text).hexdigest())])
            return True
        return False

    def reply(self, head_only):
        path = self.path.split("?", 1)[0]
        r = ROUTES.get(path, {})
        start = 0
        rng = self.headers.get("Range", "")
        if rng.startswith("bytes=") and rng.endswith("-") and not r.get("no_range"):
            start = int(rng[6:-1])
        nth = 0
        if not head_only:
            nth = count(path)
            if LOG:
                with LOCK, open(LOG, "a") as log:
                    log.write("%s %d\n" % (path, start))
        if path in ("/v2", "/v2/"):
            status, ctype, body = 200, "application/json", b"{}"
        elif path in ROUTES and nth < r.get("fail_first", 0):
            status, ctype = r.get("fail_status", 500), "application/json"
            body = json.dumps({"errors": [{"code": "UNKNOWN",
                                           "message": "try again"}]}).encode()
        elif path in ROUTES:
            with open(r["file"], "rb") as f:
                body = f.read()
            status = r.get("status", 200)
            ctype = r.get("type", "application/octet-stream")
        else:
            status, ctype = 404, "application/json"
            body = json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN",
                                           "message": "manifest unknown"}]}).encode()
        whole = body
        if status == 200 and start > 0:
            status, body = 206, body[start:]
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        if status == 206:
            self.send_header("Content-Range", "bytes %d-%d/%d"
                             % (start, len(whole) - 1, len(whole)))
        if status in (200, 206) and path not in ("/v2", "/v2/"):
            self.send_header("Docker-Content-Digest",
                             "sha256:" + hashlib.sha256(whole).hexdigest())
        self.end_headers()
        if head_only:
            return
        if status in (200, 206) and nth < r.get("cut_first", 0):
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        self.wfile.write(body)

    def do_GET(self):
        if not self.upload_mode():
            self.reply(False)

    def do_HEAD(self):
        if not self.upload_mode():
            self.reply(True)

    def do_POST(self):
        if not self.upload_mode():
            self.reply(False)

    def do_PATCH(self):
        if not self.upload_mode():
            self.error(405, "UNSUPPORTED", "unsupported")

    def do_PUT(self):
        if not self.upload_mode():
            self.error(405, "UNSUPPORTED", "unsupported")


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
