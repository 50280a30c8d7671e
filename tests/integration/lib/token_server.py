#!/usr/bin/python3
"""Minimal Docker registry token server for the berth integration tests.

Implements the token endpoint of the Docker registry token authentication
spec (GET /token?service=...&scope=repository:NAME:ACTIONS), listening on
127.0.0.1 only.  Policy:
  * --user NAME:PASSWORD   gets "pull" on every repository;
  * --admin NAME:PASSWORD  gets "pull,push" on every repository (the rig
                           uses it to push fixtures);
  * anonymous requests get "pull" on --public-repo repositories only;
  * wrong credentials are refused with 401;
  * anything else gets a token with no access (the registry then answers
    401 insufficient_scope, as Docker Hub does).
Tokens are RS256 JWTs carrying the signing certificate in the x5c header;
the registry trusts it through `rootcertbundle`.
"""
import argparse
import base64
import json
import os
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--key", required=True, help="PEM RSA private key")
    p.add_argument("--cert", required=True, help="PEM certificate of --key")
    p.add_argument("--issuer", required=True)
    p.add_argument("--service", required=True)
    p.add_argument("--user", action="append", default=[])
    p.add_argument("--admin", action="append", default=[])
    p.add_argument("--public-repo", action="append", default=[])
    p.add_argument("--log", default=None)
    return p.parse_args()


ARGS = parse_args()
with open(ARGS.key, "rb") as f:
    KEY = serialization.load_pem_private_key(f.read(), password=None)
with open(ARGS.cert, "rb") as f:
    CERT = x509.load_pem_x509_certificate(f.read())
X5C = [base64.b64encode(CERT.public_bytes(serialization.Encoding.DER)).decode()]
USERS = dict(u.split(":", 1) for u in ARGS.user)
ADMINS = dict(u.split(":", 1) for u in ARGS.admin)


def log(msg):
    if ARGS.log:
        with open(ARGS.log, "a") as f:
            f.write(msg + "\n")


def parse_scopes(values):
    """'repository:a/b:pull,push' (several may be given) -> list of dicts."""
    out = []
    for value in values:
        for scope in value.split(" "):
            parts = scope.split(":")
            if len(parts) < 3:
                continue
            typ, actions = parts[0], parts[-1]
            name = ":".join(parts[1:-1])
            out.append({"type": typ, "name": name,
                        "actions": [a for a in actions.split(",") if a]})
    return out


def allowed(account, role, scope):
    if scope["type"] != "repository":
        return []
    if role == "admin":
        ok = {"pull", "push", "delete", "*"}
    elif role == "user":
        ok = {"pull"}
    elif scope["name"] in ARGS.public_repo:
        ok = {"pull"}
    else:
        ok = set()
    return [a for a in scope["actions"] if a in ok]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        log("%s %s" % (self.address_string(), fmt % args))

    def deny(self, code, msg):
        body = json.dumps({"errors": [{"code": "UNAUTHORIZED",
                                       "message": msg}]}).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authenticate(self):
        """Returns (account, role) or None when credentials are wrong."""
        hdr = self.headers.get("Authorization")
        if not hdr:
            return ("", "anonymous")
        if not hdr.startswith("Basic "):
            return None
        try:
            user, pw = base64.b64decode(hdr[6:]).decode().split(":", 1)
        except Exception:
            return None
        if ADMINS.get(user) == pw:
            return (user, "admin")
        if USERS.get(user) == pw:
            return (user, "user")
        return None

    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/token":
            return self.deny(404, "not found")
        q = parse_qs(url.query)
        if q.get("service", [""])[0] != ARGS.service:
            return self.deny(400, "unknown service")
        who = self.authenticate()
        if who is None:
            log("refused credentials")
            return self.deny(401, "authentication failed")
        account, role = who
        access = []
        for scope in parse_scopes(q.get("scope", [])):
            actions = allowed(account, role, scope)
            if actions:
                access.append({"type": scope["type"], "name": scope["name"],
                               "actions": actions})
        now = int(time.time())
        claims = {"iss": ARGS.issuer, "sub": account, "aud": ARGS.service,
                  "exp": now + 300, "nbf": now - 10, "iat": now,
                  "jti": uuid.uuid4().hex, "access": access}
        token = jwt.encode(claims, KEY, algorithm="RS256",
                           headers={"x5c": X5C})
        log("granted %s/%s %s" % (account or "-", role, json.dumps(access)))
        body = json.dumps({"token": token, "access_token": token,
                           "expires_in": 300,
                           "issued_at": time.strftime(
                               "%Y-%m-%dT%H:%M:%SZ", time.gmtime(now))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    sys.stdout.write("listening\n")
    sys.stdout.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    os.umask(0o077)
    main()
