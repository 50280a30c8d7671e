#!/usr/bin/env python3
"""A tiny fake OCI registry with Docker-style token auth, for the registry
client's live test.  Prints its port, then serves until killed.

/v2/...           401 + Bearer challenge unless "Authorization: Bearer <current>"
/token            Basic u:p -> {"access_token": ...}; else 401 {"details": ...}
manifests/ok      a manifest with the right Docker-Content-Digest
manifests/rotate  invalidates the token once (client must re-authenticate)
manifests/badcd   a Docker-Content-Digest that does not match the body
manifests/big     a 5 MiB body (over the client's cap)
blobs/<d>         307 to /storage/<d> (redirect), the bytes of "hello blob"
blobs/<trunc>     Content-Length larger than the body, then EOF
"""
import hashlib
import json
import socketserver
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BLOB = b"hello blob"
BLOB_D = "sha256:" + hashlib.sha256(BLOB).hexdigest()
TRUNC_D = "sha256:" + hashlib.sha256(b"truncated").hexdigest()
MANIFEST = json.dumps({"schemaVersion": 2, "mediaType":
                       "application/vnd.oci.image.manifest.v1+json"}).encode()
MANIFEST_D = "sha256:" + hashlib.sha256(MANIFEST).hexdigest()
state = {"n": 0, "current": None, "rotated": False}


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def challenge(self):
        port = self.server.server_address[1]
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED",
                                       "message": "authentication required"}]}).encode()
        self.send(401, body, [("WWW-Authenticate",
                               'Bearer realm="http://127.0.0.1:%d/token",service="fake",'
                               'scope="repository:t/img:pull"' % port),
                              ("Content-Type", "application/json")])

    def do_GET(self):
        p = self.path
        if p.startswith("/token"):
            if self.headers.get("Authorization") != "Basic dTpw":
                return self.send(401, b'{"details":"incorrect username or password"}')
            if "service=fake" not in p or "scope=repository%3At%2Fimg%3Apull" not in p:
                return self.send(400, b'{"details":"bad token request"}')
            state["n"] += 1
            state["current"] = "tok-%d" % state["n"]
            return self.send(200, json.dumps({"access_token": state["current"]}).encode())
        if p.startswith("/storage/"):
            return self.send(200, BLOB)
        if self.headers.get("Authorization") != "Bearer %s" % state["current"]:
            return self.challenge()
        if p == "/v2/":
            return self.send(200, b"{}")
        if p == "/v2/t/img/manifests/rotate" and not state["rotated"]:
            state["rotated"] = True
            state["current"] = None
            return self.challenge()
        mt = ("Content-Type", "application/vnd.oci.image.manifest.v1+json")
        if p in ("/v2/t/img/manifests/ok", "/v2/t/img/manifests/rotate"):
            return self.send(200, MANIFEST, [mt, ("Docker-Content-Digest", MANIFEST_D)])
        if p == "/v2/t/img/manifests/badcd":
            return self.send(200, MANIFEST, [mt, ("Docker-Content-Digest", BLOB_D)])
        if p == "/v2/t/img/manifests/big":
            return self.send(200, b" " * (5 * 1024 * 1024), [mt])
        if p == "/v2/t/img/blobs/" + BLOB_D:
            return self.send(307, b"", [("Location", "/storage/" + BLOB_D)])
        if p == "/v2/t/img/blobs/" + TRUNC_D:
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"truncated")
            self.close_connection = True
            return
        self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown to registry"}]}')


socketserver.TCPServer.allow_reuse_address = True
srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.handle_error = lambda *a: None  # clients that hang up early are expected
print(srv.server_address[1], flush=True)
sys.stdout.close()
srv.serve_forever()
