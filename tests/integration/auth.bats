#!/usr/bin/env bats
# Registry authentication (issue 2): bearer tokens, htpasswd basic auth over
# TLS with a test CA, login/logout and ~/.docker/config.json.

load lib/common

setup_file() {
  registry_with_fixtures TOK token basic public
  registry_with_fixtures TLS tls basic
}

teardown_file() {
  registry_stop TOK
  registry_stop TLS
}

# write_creds HOST USER PASS: a Docker config.json with "auths"
write_creds() {
  local auth
  auth=$(printf '%s:%s' "$2" "$3" | base64 -w0)
  jq -n --arg h "$1" --arg a "$auth" '{auths:{($h):{auth:$a}}}' > "$DOCKER_CONFIG/config.json"
  chmod 600 "$DOCKER_CONFIG/config.json"
}

@test "token: anonymous pull of a public repository" {
  run --separate-stderr berth pull "$TOK_HOST/public/busybox:latest"
  assert_success
  assert_line_eq -1 "$TOK_HOST/public/busybox:latest"
  grep -q 'granted -/anonymous .*public/busybox' "$TOK_DIR/token.log" ||
    fail_with "no anonymous token was requested"
}

@test "token: anonymous pull of a private repository is refused" {
  berth images > /dev/null # an initialised, empty store
  store_snapshot
  run --separate-stderr berth pull "$TOK_HOST/library/busybox:latest"
  assert_one_line_error
  assert_store_unchanged
}

@test "token: credentials from config.json" {
  write_creds "$TOK_HOST" "$TOK_USER" "$TOK_PASS"
  run --separate-stderr berth pull "$TOK_HOST/library/busybox:latest"
  assert_success
  assert_line_eq -2 "Status: Downloaded newer image for $TOK_HOST/library/busybox:latest"
  grep -q "granted $TOK_USER/user" "$TOK_DIR/token.log" || fail_with "no token for the user"
}

@test "token: wrong password is refused (401)" {
  write_creds "$TOK_HOST" "$TOK_USER" "wrong"
  berth images > /dev/null # an initialised, empty store
  store_snapshot
  run --separate-stderr berth pull "$TOK_HOST/library/busybox:latest"
  assert_one_line_error
  assert_store_unchanged
}

@test "login writes config.json 0600, logout removes the entry" {
  run --separate-stderr berth login -u "$TOK_USER" -p "$TOK_PASS" "$TOK_HOST"
  assert_success
  assert_output_has_line "Login Succeeded"
  local cfg="$DOCKER_CONFIG/config.json"
  [[ "$(stat -c %a "$cfg")" == 600 ]] || fail_with "config.json mode $(stat -c %a "$cfg")"
  [[ "$(jq -r --arg h "$TOK_HOST" '.auths[$h].auth' "$cfg" | base64 -d)" == "$TOK_USER:$TOK_PASS" ]] ||
    fail_with "auths entry: $(cat "$cfg")"
  run berth pull -q "$TOK_HOST/library/busybox:latest"
  assert_success
  run --separate-stderr berth logout "$TOK_HOST"
  assert_success
  assert_output_has_line "Removing login credentials for $TOK_HOST"
  jq -e --arg h "$TOK_HOST" '.auths[$h] == null' "$cfg" > /dev/null || fail_with "entry left"
}

@test "login --password-stdin" {
  run --separate-stderr bash -c 'printf "%s\n" "$1" | "$BERTH" --root "$BERTH_TEST_ROOT" login -u "$2" --password-stdin "$3"' \
    _ "$TOK_PASS" "$TOK_USER" "$TOK_HOST"
  assert_success
  [[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" == 600 ]] || fail_with "mode"
}

@test "login with a wrong password fails and writes nothing" {
  run --separate-stderr berth login -u "$TOK_USER" -p wrong "$TOK_HOST"
  assert_one_line_error
  [[ ! -e "$DOCKER_CONFIG/config.json" ]] ||
    jq -e --arg h "$TOK_HOST" '.auths[$h] == null' "$DOCKER_CONFIG/config.json" > /dev/null ||
    fail_with "credentials written after a failed login"
}

@test "htpasswd + TLS: pull without credentials is refused (401)" {
  export BERTH_CERTS_D="$TLS_CERTS_D"
  berth images > /dev/null # an initialised, empty store
  store_snapshot
  run --separate-stderr berth pull "$TLS_HOST/library/busybox:latest"
  assert_one_line_error
  assert_store_unchanged
}

@test "htpasswd + TLS: pull with credentials and the test CA" {
  export BERTH_CERTS_D="$TLS_CERTS_D"
  write_creds "$TLS_HOST" "$TLS_USER" "$TLS_PASS"
  run --separate-stderr berth pull "$TLS_HOST/library/busybox:latest"
  assert_success
  assert_line_eq -1 "$TLS_HOST/library/busybox:latest"
  run berth inspect "$TLS_HOST/library/busybox:latest"
  assert_success
}

@test "htpasswd + TLS: login and logout" {
  export BERTH_CERTS_D="$TLS_CERTS_D"
  run --separate-stderr berth login -u "$TLS_USER" -p "$TLS_PASS" "$TLS_HOST"
  assert_success
  assert_output_has_line "Login Succeeded"
  [[ "$(stat -c %a "$DOCKER_CONFIG/config.json")" == 600 ]] || fail_with "mode"
  run --separate-stderr berth login -u "$TLS_USER" -p wrong "$TLS_HOST"
  assert_one_line_error
  run --separate-stderr berth logout "$TLS_HOST"
  assert_success
}

@test "htpasswd + TLS: wrong password is refused" {
  export BERTH_CERTS_D="$TLS_CERTS_D"
  write_creds "$TLS_HOST" "$TLS_USER" "wrong"
  berth images > /dev/null # an initialised, empty store
  store_snapshot
  run --separate-stderr berth pull "$TLS_HOST/library/busybox:latest"
  assert_one_line_error
  assert_store_unchanged
}
