#!/usr/bin/python3
"""A deliberately broken registry for bad-input tests (127.0.0.1 only).

The real docker-registry refuses to store manifests that are not JSON or
carry a wrong media type, so those cases are served from here instead.
ROUTES is a JSON file: {"/v2/repo/manifests/tag": {"file": "path",
"type": "content-type", "status": 200}, ...}.  GET and HEAD are served;
/v2/ answers 200; anything else 404 with a registry-style error body.
"""
import hashlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
with open(sys.argv[2]) as f:
    ROUTES = json.load(f)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        pass

    def reply(self, head_only):
        path = self.path.split("?", 1)[0]
        if path in ("/v2", "/v2/"):
            status, ctype, body = 200, "application/json", b"{}"
        elif path in ROUTES:
            r = ROUTES[path]
            with open(r["file"], "rb") as f:
                body = f.read()
            status = r.get("status", 200)
            ctype = r.get("type", "application/octet-stream")
        else:
            status, ctype = 404, "application/json"
            body = json.dumps({"errors": [{"code": "MANIFEST_UNKNOWN",
                                           "message": "manifest unknown"}]}).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Docker-Distribution-Api-Version", "registry/2.0")
        if status == 200 and path not in ("/v2", "/v2/"):
            self.send_header("Docker-Content-Digest",
                             "sha256:" + hashlib.sha256(body).hexdigest())
        self.end_headers()
        if not head_only:
            self.wfile.write(body)

    def do_GET(self):
        self.reply(False)

    def do_HEAD(self):
        self.reply(True)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
