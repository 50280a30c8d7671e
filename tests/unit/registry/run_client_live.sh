#!/bin/bash
# Runs test_client_live (TAP) against real registries on 127.0.0.1: Debian's
# docker-registry over plain HTTP, the same with htpasswd basic auth over TLS
# (a throwaway CA), and fake_registry.py for token auth.  Images are pushed
# with skopeo from an OCI layout made here by hand.
# Usage: run_client_live.sh TEST_BINARY
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
for tool in docker-registry skopeo openssl htpasswd python3 curl; do
  if ! command -v "$tool" >/dev/null; then
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done

tmp=$(mktemp -d /tmp/berth-reg-live-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_up() { # URL
  for _ in $(seq 100); do
    if curl -ks -o /dev/null "$1"; then return 0; fi
    sleep 0.1
  done
  echo "Bail out! registry at $1 did not start"
  exit 1
}

# --- an OCI layout with one gzip layer (a few hundred KiB, several reads) ---
oci=$tmp/oci
mkdir -p "$oci/blobs/sha256" "$tmp/rootfs"
echo hello >"$tmp/rootfs/hello.txt"
head -c 700000 /dev/urandom >"$tmp/rootfs/random.bin"
tar -C "$tmp/rootfs" -cf "$tmp/layer.tar" .
diffid=$(sha256sum "$tmp/layer.tar" | cut -d' ' -f1)
gzip -n "$tmp/layer.tar"
blob() { # FILE -> prints hex, stores it in the layout
  local h
  h=$(sha256sum "$1" | cut -d' ' -f1)
  cp "$1" "$oci/blobs/sha256/$h"
  echo "$h"
}
layer=$(blob "$tmp/layer.tar.gz")
layer_size=$(stat -c %s "$tmp/layer.tar.gz")
printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
  "$diffid" >"$tmp/config.json"
config=$(blob "$tmp/config.json")
config_size=$(stat -c %s "$tmp/config.json")
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$config" "$config_size" "$layer" "$layer_size" >"$tmp/manifest.json"
manifest=$(blob "$tmp/manifest.json")
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"latest"}}]}' \
  "$manifest" "$(stat -c %s "$tmp/manifest.json")" >"$oci/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' >"$oci/oci-layout"

# --- plain HTTP registry ---
port=$(free_port)
mkdir -p "$tmp/root"
cat >"$tmp/plain.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $tmp/root}
http: {addr: 127.0.0.1:$port}
YML
docker-registry serve "$tmp/plain.yml" >"$tmp/plain.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$port/v2/"
skopeo --insecure-policy copy -q --dest-tls-verify=false "oci:$oci:latest" \
  "docker://127.0.0.1:$port/test/img:1" >&2

# --- TLS + htpasswd registry, CA in a certs.d dir ---
tport=$(free_port)
pki=$tmp/pki
mkdir -p "$pki" "$tmp/certs.d/127.0.0.1:$tport" "$tmp/troot"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$pki/ca.key" -out "$pki/ca.crt" -days 2 \
  -subj /CN=berth-test-ca 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$pki/server.key" -out "$pki/server.csr" \
  -subj /CN=127.0.0.1 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$pki/ext"
openssl x509 -req -in "$pki/server.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
  -out "$pki/server.crt" -days 2 -extfile "$pki/ext" 2>/dev/null
cp "$pki/ca.crt" "$tmp/certs.d/127.0.0.1:$tport/ca.crt"
htpasswd -Bbn alice wonderland >"$tmp/htpasswd" 2>/dev/null
cat >"$tmp/tls.yml" <<YML
version: 0.1
log: {level: error}
storage:
  filesystem: {rootdirectory: $tmp/troot}
http:
  addr: 127.0.0.1:$tport
  tls: {certificate: $pki/server.crt, key: $pki/server.key}
auth:
  htpasswd: {realm: basic-realm, path: $tmp/htpasswd}
YML
docker-registry serve "$tmp/tls.yml" >"$tmp/tls.log" 2>&1 &
pids+=($!)
wait_up "https://127.0.0.1:$tport/v2/"
skopeo --insecure-policy copy -q --dest-tls-verify=false --dest-creds alice:wonderland \
  "oci:$oci:latest" "docker://127.0.0.1:$tport/test/img:1" >&2

# --- fake token registry ---
coproc FAKE { exec python3 "$here/fake_registry.py"; }
pids+=($FAKE_PID)
read -r fport <&"${FAKE[0]}"
wait_up "http://127.0.0.1:$fport/v2/"

export BERTH_TEST_REG=127.0.0.1:$port BERTH_TEST_ROOT=$tmp/root
export BERTH_TEST_TLSREG=127.0.0.1:$tport BERTH_TEST_CERTS=$tmp/certs.d
export BERTH_TEST_FAKE=127.0.0.1:$fport BERTH_TEST_TMP=$tmp
export BERTH_TEST_MANIFEST=sha256:$manifest BERTH_TEST_LAYER=sha256:$layer
export BERTH_TEST_LAYER_SIZE=$layer_size BERTH_TEST_CONFIG=sha256:$config
export BERTH_TEST_CONFIG_SIZE=$config_size
# a dead proxy: loopback must bypass it (CURLOPT_NOPROXY)
export http_proxy=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 NO_PROXY= no_proxy=
"$bin"
