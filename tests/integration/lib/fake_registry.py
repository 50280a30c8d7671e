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


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

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
        self.reply(False)

    def do_HEAD(self):
        self.reply(True)

    def do_POST(self):
        self.reply(False)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
