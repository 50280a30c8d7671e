# Start and stop throwaway registries on 127.0.0.1 for the integration tests.
#
#   registry_start NAME MODE [DIR]
#       MODE: plain    HTTP, no auth
#             tls      htpasswd basic auth over HTTPS with a throwaway CA
#             token    bearer-token auth (tests/integration/lib/token_server.py)
#       Exports, for NAME=REG:  REG_HOST (127.0.0.1:PORT), REG_PORT, REG_DIR,
#       REG_STORAGE (the registry's filesystem root), REG_MODE,
#       REG_CERTS_D (a certs.d tree holding HOST/ca.crt, tls only),
#       REG_USER/REG_PASS (the pull-only user; tls and token),
#       REG_ADMIN_USER/REG_ADMIN_PASS (may push; tls and token),
#       REG_PUBLIC_REPO (token: anonymous pull allowed), REG_SKOPEO_DEST
#       (skopeo flags to push there).
#   registry_stop NAME           kill it and remove its directory
#   registry_blob_path NAME DIGEST   the file holding a blob in the storage
#   fake_registry_start NAME ROUTES_JSON   a broken registry (fake_registry.py), NAME_REQUESTS
#
# Nothing listens anywhere but 127.0.0.1.

REGISTRY_LIB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REGISTRY_BIN="${REGISTRY_BIN:-/usr/bin/docker-registry}"
PY3="${PY3:-/usr/bin/python3}"

free_port() {
  "$PY3" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# _reg_set NAME SUFFIX VALUE: export NAME_SUFFIX=VALUE
_reg_set() {
  printf -v "$1_$2" '%s' "$3"
  export "$1_$2"
}

_reg_get() {
  local v="$1_$2"
  printf '%s' "${!v:-}"
}

# wait_http URL [curl args...]: until the URL answers 200 or 401 (10 s max).
wait_http() {
  local url="$1" code i
  shift
  for i in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true)
    if [[ "$code" == 200 || "$code" == 401 ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "registry at $url did not come up (last status $code)" >&2
  return 1
}

_reg_make_ca() {
  local dir="$1"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=berth-test-ca \
    -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf '%s\n' 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
    'basicConstraints=CA:FALSE' 'keyUsage=digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' > "$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
    -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.crt" 2>/dev/null
}

_reg_write_config() {
  local dir="$1" port="$2" mode="$3" tport="${4:-}"
  {
    cat <<EOF
version: 0.1
log:
  level: info
  formatter: text
storage:
  filesystem:
    rootdirectory: $dir/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: berth-test-$RANDOM$RANDOM
EOF
    if [[ "$mode" == tls ]]; then
      cat <<EOF
  tls:
    certificate: $dir/server.crt
    key: $dir/server.key
auth:
  htpasswd:
    realm: berth-test
    path: $dir/htpasswd
EOF
    elif [[ "$mode" == token ]]; then
      cat <<EOF
auth:
  token:
    realm: http://127.0.0.1:$tport/token
    service: berth-test-registry
    issuer: berth-test-issuer
    rootcertbundle: $dir/token.crt
EOF
    fi
  } > "$dir/config.yml"
}

_reg_start_token_server() {
  local name="$1" dir="$2" tport="$3"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=berth-token-signer \
    -keyout "$dir/token.key" -out "$dir/token.crt" 2>/dev/null
  "$PY3" "$REGISTRY_LIB_DIR/token_server.py" --port "$tport" \
    --key "$dir/token.key" --cert "$dir/token.crt" \
    --issuer berth-test-issuer --service berth-test-registry \
    --user "$(_reg_get "$name" USER):$(_reg_get "$name" PASS)" \
    --admin "$(_reg_get "$name" ADMIN_USER):$(_reg_get "$name" ADMIN_PASS)" \
    --public-repo "$(_reg_get "$name" PUBLIC_REPO)" \
    --log "$dir/token.log" > "$dir/token.out" 2>&1 &
  echo $! >> "$dir/pids"
  wait_http "http://127.0.0.1:$tport/token?service=berth-test-registry" || {
      echo "token server did not start" >&2
      cat "$dir/token.out" >&2
      return 1
    }
}

registry_start() {
  local name="$1" mode="$2" dir="${3:-}"
  if [[ ! -x "$REGISTRY_BIN" ]]; then
    echo "registry_start: $REGISTRY_BIN missing" >&2
    return 1
  fi
  if [[ -z "$dir" ]]; then
    dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/registry-$name.XXXXXX")
  fi
  mkdir -p "$dir/storage"
  local port tport=""
  port=$(free_port)
  _reg_set "$name" DIR "$dir"
  _reg_set "$name" PORT "$port"
  _reg_set "$name" HOST "127.0.0.1:$port"
  _reg_set "$name" STORAGE "$dir/storage/docker/registry/v2"
  _reg_set "$name" MODE "$mode"
  _reg_set "$name" USER "puller"
  _reg_set "$name" PASS "pull-secret-$RANDOM"
  _reg_set "$name" ADMIN_USER "pusher"
  _reg_set "$name" ADMIN_PASS "push-secret-$RANDOM"
  _reg_set "$name" PUBLIC_REPO "public/busybox"
  _reg_set "$name" CERTS_D ""
  local url="http://127.0.0.1:$port/v2/" curl_args=()
  case "$mode" in
    plain)
      _reg_set "$name" SKOPEO_DEST "--dest-tls-verify=false"
      ;;
    tls)
      _reg_make_ca "$dir"
      htpasswd -Bbn "$(_reg_get "$name" USER)" "$(_reg_get "$name" PASS)" > "$dir/htpasswd"
      htpasswd -Bbn "$(_reg_get "$name" ADMIN_USER)" "$(_reg_get "$name" ADMIN_PASS)" >> "$dir/htpasswd"
      mkdir -p "$dir/certs.d/127.0.0.1:$port"
      cp "$dir/ca.crt" "$dir/certs.d/127.0.0.1:$port/ca.crt"
      _reg_set "$name" CERTS_D "$dir/certs.d"
      _reg_set "$name" SKOPEO_DEST "--dest-cert-dir=$dir/certs.d/127.0.0.1:$port --dest-creds=$(_reg_get "$name" ADMIN_USER):$(_reg_get "$name" ADMIN_PASS)"
      url="https://127.0.0.1:$port/v2/"
      curl_args=(--cacert "$dir/ca.crt")
      ;;
    token)
      tport=$(free_port)
      _reg_set "$name" TOKEN_PORT "$tport"
      _reg_start_token_server "$name" "$dir" "$tport" || return 1
      _reg_set "$name" SKOPEO_DEST "--dest-tls-verify=false --dest-creds=$(_reg_get "$name" ADMIN_USER):$(_reg_get "$name" ADMIN_PASS)"
      ;;
    *)
      echo "registry_start: unknown mode $mode" >&2
      return 1
      ;;
  esac
  _reg_write_config "$dir" "$port" "$mode" "$tport"
  # Keep REGISTRY_* from the caller's environment out of the registry's
  # configuration (it reads them as overrides).
  env -u REGISTRY_HTTP_ADDR -u REGISTRY_STORAGE "$REGISTRY_BIN" serve "$dir/config.yml" \
    > "$dir/registry.log" 2>&1 &
  echo $! >> "$dir/pids"
  if ! wait_http "$url" "${curl_args[@]}"; then
    tail -n 20 "$dir/registry.log" >&2
    registry_stop "$name"
    return 1
  fi
}

registry_stop() {
  local name="$1" dir pid
  dir=$(_reg_get "$name" DIR)
  [[ -n "$dir" && -d "$dir" ]] || return 0
  if [[ -f "$dir/pids" ]]; then
    while read -r pid; do
      kill "$pid" 2>/dev/null || true
    done < "$dir/pids"
    while read -r pid; do
      for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
      done
      kill -9 "$pid" 2>/dev/null || true
    done < "$dir/pids"
  fi
  rm -rf "$dir"
}

# registry_blob_path NAME sha256:HEX -> path of the blob's data file
registry_blob_path() {
  local storage hex
  storage=$(_reg_get "$1" STORAGE)
  hex="${2#sha256:}"
  printf '%s/blobs/sha256/%s/%s/data\n' "$storage" "${hex:0:2}" "$hex"
}

# fake_registry_start NAME ROUTES_JSON: exports NAME_HOST, NAME_DIR and
# NAME_REQUESTS (a file with a line "PATH RANGE-START" per GET served).
fake_registry_start() {
  local name="$1" routes="$2" dir port
  dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/fakereg-$name.XXXXXX")
  port=$(free_port)
  _reg_set "$name" DIR "$dir"
  _reg_set "$name" PORT "$port"
  _reg_set "$name" HOST "127.0.0.1:$port"
  _reg_set "$name" REQUESTS "$dir/requests"
  "$PY3" "$REGISTRY_LIB_DIR/fake_registry.py" "$port" "$routes" "$dir/requests" > "$dir/log" 2>&1 &
  echo $! >> "$dir/pids"
  wait_http "http://127.0.0.1:$port/v2/"
}
