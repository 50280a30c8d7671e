#!/usr/bin/env bats
# Networks (issue 10): the default bridge, published ports, user networks,
# and what a killed berth leaves.  Every test runs its berth commands in a
# network (and mount) namespace of its own, made by `unshare --net --mount`
# with its loopback up: the bridges, veths, NAT rules and addresses live and
# die there, and nothing is ever sent to an address outside it.  Docker
# 20.10's outputs these are compared with are in data/network/, each with
# the command that made it.

load lib/common

DATA="$INTEG_DIR/data/network"

setup_file() {
  registry_with_fixtures REG plain basic
}

teardown_file() {
  registry_stop REG
}

# sb CMD…: CMD inside the test's namespaces
sb() {
  nsenter -t "$SANDBOX_PID" -n -m -- "$@"
}

# nb ARGS…: berth inside them, never allowed to hang the suite
nb() {
  sb timeout 60 "$BERTH" --root "$BERTH_TEST_ROOT" "$@"
}

setup() {
  container_setup # the fixture is pulled here, where the registry is
  require_tool iptables ip nsenter unshare curl jq \
    /usr/lib/cni/bridge /usr/lib/cni/host-local /usr/lib/cni/portmap /usr/lib/cni/firewall
  # the default network is Docker's bridge here, not the suite's host
  printf '{"insecure-registries":[]}\n' > "$BERTH_CONFIG"
  unshare --net --mount --propagation private sleep 100000 &
  SANDBOX_PID=$!
  local i
  for i in $(seq 100); do
    [[ "$(readlink /proc/$SANDBOX_PID/ns/net)" != "$(readlink /proc/self/ns/net)" ]] && break
    sleep 0.05
  done
  sb ip link set lo up
  sb iptables -w -t nat -L > /dev/null || fail_with "iptables does not work in a network namespace"
}

teardown() {
  local id
  if [[ -n "${SANDBOX_PID:-}" ]]; then
    for id in $(nb ps -aq --no-trunc 2> /dev/null); do
      nb rm -f "$id" > /dev/null 2>&1 || true
    done
    kill -9 "$SANDBOX_PID" 2> /dev/null || true
    wait "$SANDBOX_PID" 2> /dev/null || true
  fi
  common_teardown
}

# data FILE: a Docker output without its comment lines
data() {
  grep -v '^#' "$DATA/$1"
}

# The per-container state of the namespace: iptables rules (no counters),
# links (no indexes), the IPAM allocations and network namespaces left in
# the store.  Global chains and the bridge stay once made, as Docker's do.
net_state() {
  sb iptables-save | grep -v '^#' | sed -E 's/\[[0-9]+:[0-9]+\]//'
  sb ip -o link | awk -F': ' '{print $2}' | sed 's/@.*//' | sort
  ls "$BERTH_TEST_ROOT"/network/ipam/* 2> /dev/null | grep -E '^[0-9.]+$' || true
  ls "$BERTH_TEST_ROOT"/network/netns 2> /dev/null || true
  cat "$BERTH_TEST_ROOT"/network/endpoints/*.json 2> /dev/null | grep -o '"Attached":true' || true
}

# warm_up: one container run (publishing a port) and removed, so the
# bridge and the plugins' global chains exist before a baseline is taken
warm_up() {
  nb run --rm -p 127.0.0.1:65001:1 "$IMG" true > /dev/null || fail_with "a first container on the bridge failed"
}

# wait_for WHAT CMD…: CMD succeeds within 30 s
wait_for() {
  local what=$1 i
  shift
  for i in $(seq 300); do
    "$@" && return 0
    sleep 0.1
  done
  fail_with "waited 30 s for $what"
}

# resolv_block N: Docker's resolv.conf for the N-th host file of resolv.txt
resolv_block() {
  awk -v n="$1" '/^## docker run/ { k++; on = (k == n); next } /^#/ { on = 0; next } on' "$DATA/resolv.txt"
}

key_set() {
  jq -S '[paths | map(if type == "number" then 0 else . end) | join(".")] | unique'
}

@test "network none: only lo" {
  run --separate-stderr nb run --rm --network none "$IMG" sh -c 'ls /sys/class/net'
  assert_success
  [ "$output" = lo ] || fail_with "links: $output"
}

@test "network bridge: the default; two containers ping each other by IP; hosts and resolv.conf as Docker's; nothing left after rm" {
  warm_up
  net_state > "$BATS_TEST_TMPDIR/before"
  nb run -d --name ca "$IMG" sleep 300 > /dev/null
  nb run -d --name b2 "$IMG" sleep 300 > /dev/null
  local ipa ipb
  ipa=$(nb inspect -f '{{.NetworkSettings.IPAddress}}' ca)
  ipb=$(nb inspect -f '{{.NetworkSettings.IPAddress}}' b2)
  [[ "$ipa" == 172.17.* && "$ipb" == 172.17.* && "$ipa" != "$ipb" ]] || fail_with "addresses $ipa $ipb"
  [ "$(nb inspect -f '{{.HostConfig.NetworkMode}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}' ca)" = "default 172.17.0.1 16" ]
  run nb exec ca ping -c 1 -W 5 "$ipb"
  assert_success
  run nb exec b2 ping -c 1 -W 5 "$ipa"
  assert_success
  # Docker's hosts for a bridge container: the localhost lines, its address and hostname
  run nb exec ca cat /etc/hosts
  [ "$output" = "$(printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n%s\t%s' "$ipa" "$(nb inspect -f '{{.Config.Hostname}}' ca)")" ] ||
    fail_with "hosts: $output"
  [ "$(nb exec ca hostname)" = "$(nb inspect -f '{{.Id}}' ca | cut -c1-12)" ] || fail_with "hostname"
  # stopped, the network is released already; inspect as Docker's for a
  # container not running (data/network/settings-created.json's keys)
  nb stop -t 0 ca b2 > /dev/null
  net_state > "$BATS_TEST_TMPDIR/after"
  diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail_with "left behind by stop"
  nb inspect -f '{{json .NetworkSettings}}' ca | key_set > "$BATS_TEST_TMPDIR/ours"
  data settings-created.json | key_set > "$BATS_TEST_TMPDIR/docker"
  diff -u "$BATS_TEST_TMPDIR/docker" "$BATS_TEST_TMPDIR/ours" || fail_with "stopped NetworkSettings keys"
  [ "$(nb inspect -f '{{.NetworkSettings.IPAddress}}|{{json .NetworkSettings.Ports}}' ca)" = "|{}" ]
  # started again: an address again, released again by rm
  nb start ca > /dev/null
  [[ "$(nb inspect -f '{{.NetworkSettings.IPAddress}}' ca)" == 172.17.* ]] || fail_with "no address after start"
  nb rm -f ca b2 > /dev/null
  net_state > "$BATS_TEST_TMPDIR/after"
  diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail_with "left behind"
}

@test "network bridge: resolv.conf is the host's without localhost nameservers, Docker's 8.8.8.8 when none is left" {
  # the test's mount namespace sees another /etc/resolv.conf: the host's is not touched
  printf 'search example.com\nnameserver 127.0.0.53\noptions edns0\n' > "$BATS_TEST_TMPDIR/resolv.local"
  sb mount --bind "$BATS_TEST_TMPDIR/resolv.local" /etc/resolv.conf
  run nb run --rm "$IMG" cat /etc/resolv.conf
  # Docker 20.10 on the same host files (data/network/resolv.txt)
  [ "$output" = "$(resolv_block 1)" ] || fail_with "resolv.conf: $output"
  [ "$output" = $'search example.com\noptions edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4' ] ||
    fail_with "resolv.conf: $output"
  printf 'nameserver 127.0.0.1\nnameserver 10.0.0.2\nnameserver ::1\nnameserver fe80::1\n' > "$BATS_TEST_TMPDIR/resolv.local"
  run nb run --rm "$IMG" cat /etc/resolv.conf
  [ "$output" = "$(resolv_block 2)" ] && [ "$output" = "nameserver 10.0.0.2" ] ||
    fail_with "resolv.conf: $output"
  # --network host: the host's file as it is
  run nb run --rm --network host "$IMG" cat /etc/resolv.conf
  [ "$output" = "$(cat "$BATS_TEST_TMPDIR/resolv.local")" ] || fail_with "host: $output"
  sb umount /etc/resolv.conf
}

@test "network bridge: bip and default-address-pools in the config set the default bridge" {
  printf '{"insecure-registries":[],"bip":"10.123.0.1/24"}\n' > "$BERTH_CONFIG"
  run nb run --rm "$IMG" sh -c 'ip -o -4 addr show eth0; ip route'
  assert_success
  [[ "$output" == *"inet 10.123.0.2/24"* && "$output" == *"default via 10.123.0.1"* ]] || fail_with "$output"
  run nb network inspect -f '{{json .IPAM.Config}}' bridge
  [ "$output" = '[{"Subnet":"10.123.0.0/24","Gateway":"10.123.0.1"}]' ] || fail_with "$output"
  nb rm -f $(nb ps -aq) > /dev/null 2>&1 || true
  sb ip link delete berth0
  printf '{"insecure-registries":[],"default-address-pools":[{"base":"10.77.0.0/16","size":24}]}\n' > "$BERTH_CONFIG"
  run nb run --rm "$IMG" ip -o -4 addr show eth0
  [[ "$output" == *"inet 10.77.0.2/24"* ]] || fail_with "$output"
  # a user network takes the next subnet of the pools
  run nb network create pooled
  assert_success
  [ "$(nb network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' pooled)" = "10.77.1.0/24 10.77.1.1" ]
}

@test "publish: -p 127.0.0.1:8080:80 to busybox httpd answers curl; port, ps, inspect as Docker's; the port is free again after rm -f" {
  warm_up
  net_state > "$BATS_TEST_TMPDIR/before"
  nb run -d --name web -p 127.0.0.1:8080:80 -p 7000 --expose 5000 "$IMG" \
    sh -c 'mkdir -p /www && echo hello from berth > /www/index.html && exec httpd -f -p 80 -h /www' > /dev/null
  wait_for "httpd" sb curl -sf -m 5 -o /dev/null http://127.0.0.1:8080/
  run sb curl -s -m 5 http://127.0.0.1:8080/
  [ "$output" = "hello from berth" ] || fail_with "curl: $output"
  run sb busybox wget -q -O - http://127.0.0.1:8080/
  [ "$output" = "hello from berth" ] || fail_with "wget: $output"
  # port and ps: Docker's shapes (its proxy binds :: too; berth's NAT is IPv4)
  local random
  random=$(nb port web 7000)
  [[ "$random" =~ ^0\.0\.0\.0:[0-9]+$ ]] || fail_with "port 7000: $random"
  run nb port web
  [ "$output" = "7000/tcp -> $random"$'\n'"80/tcp -> 127.0.0.1:8080" ] || fail_with "port: $output"
  # Docker's listing of the same container, less its IPv6 proxy and the udp range
  [ "$(data port.txt | grep -vE '::|^9[01]/udp|^0.0.0.0:9001|^Error' | head -2 | sed -E 's/0.0.0.0:[0-9]+$/RANDOM/')" = \
    "$(nb port web | sed -E 's/0.0.0.0:[0-9]+$/RANDOM/')" ] || fail_with "not Docker's port listing"
  [ "$(nb port web 80)" = "127.0.0.1:8080" ]
  run --separate-stderr nb port web 81
  [ "$status" = 1 ] && [ "$stderr" = "Error: No public port '81/tcp' published for web" ] || fail_with "$stderr"
  [ "$(nb ps --format '{{.Ports}}')" = "5000/tcp, 127.0.0.1:8080->80/tcp, ${random}->7000/tcp" ] ||
    fail_with "ps: $(nb ps --format '{{.Ports}}')"
  # Docker's cell for the same ports, less its IPv6 proxy and the udp range
  [ "$(data ps-ports.txt | sed -E 's/, :::[0-9]+->[0-9]+\/[a-z]+//g; s/, 0.0.0.0:900[01]->9[01]\/udp//g; s/0.0.0.0:[0-9]+->7000/RANDOM->7000/')" = \
    "$(nb ps --format '{{.Ports}}' | sed -E 's/0.0.0.0:[0-9]+->7000/RANDOM->7000/')" ] || fail_with "not Docker's PORTS"
  # inspect: the keys of Docker's NetworkSettings and HostConfig's ports
  nb inspect -f '{{json .NetworkSettings}}' web | key_set > "$BATS_TEST_TMPDIR/ours"
  data settings-running.json | jq 'del(.Ports["90/udp"], .Ports["91/udp"]) | .Ports |= with_entries(.value |= if . == null then null else map(select(.HostIp != "::")) end)' | key_set > "$BATS_TEST_TMPDIR/docker"
  diff -u "$BATS_TEST_TMPDIR/docker" "$BATS_TEST_TMPDIR/ours" || fail_with "NetworkSettings keys differ"
  run nb inspect -f '{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}} {{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}}' web
  [ "$output" = '{"7000/tcp":[{"HostIp":"","HostPort":""}],"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8080"}]} {"5000/tcp":{},"7000/tcp":{},"80/tcp":{}} default false' ] ||
    fail_with "$output"
  # the port is taken: Docker's words, and nothing left of the second container's try
  run --separate-stderr nb run -d --name web2 -p 127.0.0.1:8080:80 "$IMG" httpd -f -p 80
  assert_failure
  [[ "$stderr" == *"Bind for 127.0.0.1:8080 failed: port is already allocated"* ]] || fail_with "$stderr"
  nb rm -f web web2 > /dev/null
  net_state > "$BATS_TEST_TMPDIR/after"
  diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail_with "left behind"
  # free again: another container takes it
  nb run -d --name web3 -p 127.0.0.1:8080:80 "$IMG" sh -c 'mkdir -p /www && echo again > /www/index.html && exec httpd -f -p 80 -h /www' > /dev/null
  wait_for "httpd again" sb curl -sf -m 5 -o /dev/null http://127.0.0.1:8080/
  [ "$(sb curl -s -m 5 http://127.0.0.1:8080/)" = again ]
}

@test "publish: -P publishes every EXPOSE'd port on a port of the ephemeral range" {
  nb run -d --name allp -P --expose 81 --expose 82/udp "$IMG" sleep 300 > /dev/null
  run nb port allp
  [[ "${lines[0]}" =~ ^81/tcp\ -\>\ 0\.0\.0\.0:[0-9]+$ && "${lines[1]}" =~ ^82/udp\ -\>\ 0\.0\.0\.0:[0-9]+$ ]] ||
    fail_with "$output"
  [ "$(nb inspect -f '{{.HostConfig.PublishAllPorts}}' allp)" = true ]
}

# kill_at POINT: `run -d` paused at a test point in its monitor, which is
# then killed with SIGKILL (and the run with it)
kill_at() {
  local marker="$BATS_TEST_TMPDIR/at-point"
  rm -f "$marker"
  BERTH_TEST_PAUSE="$1:$marker" nb run -d --name victim -p 127.0.0.1:8080:80 "$IMG" \
    httpd -f -p 80 > "$BATS_TEST_TMPDIR/bg.out" 2>&1 &
  local run_pid=$!
  wait_for "test point $1" test -s "$marker"
  kill -9 "$(cat "$marker")"
  wait "$run_pid" || true
}

@test "crash: a monitor SIGKILLed after each plugin's ADD leaves nothing once the container is removed" {
  warm_up
  net_state > "$BATS_TEST_TMPDIR/before"
  local n
  for n in 1 2 3; do
    kill_at "network-plugin-added#$n"
    # the next command releases what the dead monitor held: the port is free
    nb run -d --name other -p 127.0.0.1:8080:80 "$IMG" sleep 300 > /dev/null ||
      fail_with "after a kill at plugin $n, the port is still taken"
    nb rm -f victim other > /dev/null
    net_state > "$BATS_TEST_TMPDIR/after"
    diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail_with "left behind after plugin $n"
  done
}

@test "crash: berth and the monitor of a running container SIGKILLed; rm -f releases address, veth, rules and port" {
  warm_up
  net_state > "$BATS_TEST_TMPDIR/before"
  nb run -d --name web -p 127.0.0.1:8080:80 "$IMG" sleep 300 > /dev/null
  local monitor
  monitor=$(jq -r .State.MonitorPid "$BERTH_TEST_ROOT"/containers/*/config.v2.json)
  [[ "$monitor" -gt 0 ]] || fail_with "no monitor pid"
  kill -9 "$monitor"
  # the container still runs: its network too
  [ "$(nb ps -q | wc -l)" = 1 ] || fail_with "the container should still run"
  nb rm -f web > /dev/null
  net_state > "$BATS_TEST_TMPDIR/after"
  diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail_with "left behind"
  nb run -d -p 127.0.0.1:8080:80 "$IMG" sleep 300 > /dev/null || fail_with "the port is not free"
}

@test "user networks: by name on one network, not across networks; network ls/inspect/connect/disconnect/rm/prune as Docker's" {
  warm_up
  net_state > "$BATS_TEST_TMPDIR/before"
  local id
  id=$(nb network create n1)
  [[ "$id" =~ ^[0-9a-f]{64}$ ]] || fail_with "network id $id"
  nb network create --subnet 10.9.0.0/24 --gateway 10.9.0.1 n2 > /dev/null
  run nb network ls
  [ "${lines[0]}" = "$(data ls.txt | head -1)" ] || fail_with "header: ${lines[0]}"
  [ "$(printf '%s\n' "${lines[@]:1}" | awk '{print $2, $3, $4}')" = $'bridge bridge local\nhost host local\nn1 bridge local\nn2 bridge local\nnone null local' ]
  [ "$(nb network ls -q | head -1 | wc -c)" = 13 ]
  [ "$(nb network ls -f type=custom --format '{{.Name}} {{.Driver}} {{.Scope}}' | xargs)" = "n1 bridge local n2 bridge local" ]
  [ "$(nb network ls -f name=n2 -q)" = "$(nb network inspect -f '{{.Id}}' n2 | cut -c1-12)" ]
  # inspect: Docker's keys, a user network's subnet from the pools after the bridge's
  # (made as Docker's was: --subnet alone, so its IPAM names no gateway)
  nb network create --subnet 10.10.0.0/24 ushape > /dev/null
  nb network inspect ushape | jq '.[0]' | key_set > "$BATS_TEST_TMPDIR/ours"
  data inspect-user.json | jq '.[0]' | key_set > "$BATS_TEST_TMPDIR/docker"
  diff -u "$BATS_TEST_TMPDIR/docker" "$BATS_TEST_TMPDIR/ours" || fail_with "network inspect keys"
  nb network rm ushape > /dev/null
  [ "$(nb network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' n1)" = "172.18.0.0/16 172.18.0.1" ]
  nb network inspect bridge | jq '.[0]' | key_set > "$BATS_TEST_TMPDIR/ours"
  data inspect-bridge.json | jq '.[0]' | key_set > "$BATS_TEST_TMPDIR/docker"
  diff -u "$BATS_TEST_TMPDIR/docker" "$BATS_TEST_TMPDIR/ours" || fail_with "bridge inspect keys"
  nb run -d --name u1 --network n1 --network-alias web "$IMG" sleep 300 > /dev/null
  nb run -d --name u2 --network n1 "$IMG" sleep 300 > /dev/null
  nb run -d --name v1 --network n2 "$IMG" sleep 300 > /dev/null
  nb run -d --name d1 "$IMG" sleep 300 > /dev/null
  run nb exec u1 ping -c 1 -W 5 u2
  assert_success
  run nb exec u2 ping -c 1 -W 5 web
  assert_success
  run nb exec u2 ping -c 1 -W 5 "$(nb inspect -f '{{.Id}}' u1 | cut -c1-12)"
  assert_success
  # a renamed member is found by its new name
  nb rename u2 u2b
  run nb exec u1 ping -c 1 -W 5 u2b
  assert_success
  nb rename u2b u2
  # not across networks, by name nor by address
  run nb exec u1 ping -c 1 -W 1 v1
  assert_failure
  run nb exec u1 ping -c 1 -W 1 "$(nb inspect -f '{{.NetworkSettings.Networks.n2.IPAddress}}' v1)"
  assert_failure
  run nb exec u1 ping -c 1 -W 1 "$(nb inspect -f '{{.NetworkSettings.IPAddress}}' d1)"
  assert_failure
  # inspect of a container on a user network, network inspect's Containers: Docker's keys
  nb inspect -f '{{json .NetworkSettings}}' u1 | key_set > "$BATS_TEST_TMPDIR/ours"
  data settings-user.json | key_set > "$BATS_TEST_TMPDIR/docker"
  diff -u "$BATS_TEST_TMPDIR/docker" "$BATS_TEST_TMPDIR/ours" || fail_with "settings keys"
  [ "$(nb inspect -f '{{json .NetworkSettings.Networks.n1.Aliases}}' u1)" = "[\"web\",\"$(nb inspect -f '{{.Id}}' u1 | cut -c1-12)\"]" ]
  nb network inspect -f '{{json .Containers}}' n1 | jq -S '[.[] | keys] | unique' > "$BATS_TEST_TMPDIR/ours"
  data network-containers.json | jq -S '[.[] | keys] | unique' > "$BATS_TEST_TMPDIR/docker"
  diff -u "$BATS_TEST_TMPDIR/docker" "$BATS_TEST_TMPDIR/ours" || fail_with "Containers keys"
  [ "$(nb network inspect -f '{{range .Containers}}{{.Name}} {{end}}' n1 | tr ' ' '\n' | sort | xargs)" = "u1 u2" ]
  # connect: u1 reaches v1 by name, v1's hosts file knows u1; disconnect undoes it
  nb network connect n2 u1
  run nb exec u1 ping -c 1 -W 5 v1
  assert_success
  run nb exec v1 ping -c 1 -W 5 u1
  assert_success
  [ "$(nb ps --format '{{.Names}} {{.Networks}}' | grep '^u1 ')" = "u1 n1,n2" ]
  run --separate-stderr nb network connect n2 u1
  [ "$stderr" = "Error: endpoint with name u1 already exists in network n2" ] || fail_with "$stderr"
  nb network disconnect n2 u1
  run nb exec u1 ping -c 1 -W 1 v1
  assert_failure
  run --separate-stderr nb network disconnect n2 u1
  [ "$stderr" = "Error: container $(nb inspect -f '{{.Id}}' u1) is not connected to network n2" ] || fail_with "$stderr"
  # rm of a network in use: Docker's words, nothing of the network store
  # changed; prune keeps it
  store_snapshot "$BERTH_TEST_ROOT/network"
  run --separate-stderr nb network rm n1
  [ "$status" = 1 ] && [ "$stderr" = "Error: error while removing network: network n1 id $id has active endpoints" ] ||
    fail_with "$stderr"
  assert_store_unchanged "$BERTH_TEST_ROOT/network"
  nb network create p1 > /dev/null
  run nb network prune -f
  [ "$output" = $'Deleted Networks:\np1' ] || fail_with "prune: $output"
  nb rm -f u1 u2 v1 d1 > /dev/null
  run nb network rm n1 n2
  [ "$output" = $'n1\nn2' ] || fail_with "rm: $output"
  [ "$(nb network ls --format '{{.Name}}' | xargs)" = "bridge host none" ]
  # their bridges and rules went with them
  net_state > "$BATS_TEST_TMPDIR/after"
  diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after" || fail_with "left behind"
}

@test "network bad inputs: Docker's words, the store unchanged" {
  nb network create n1 > /dev/null
  store_snapshot
  local cases=(
    "run --rm -p foo $IMG true|berth: Invalid containerPort: foo."
    "run --rm -p 80/xyz $IMG true|berth: Invalid proto: xyz."
    "run --rm -p 1.2.3:80:80 $IMG true|berth: Invalid ip address: 1.2.3."
    "run --rm -p 8080-8082:80-81 $IMG true|berth: Invalid ranges specified for container and host Ports: 80-81 and 8080-8082."
    "run --rm -p 80: $IMG true|berth: No port specified: 80:<empty>."
    "run --rm --network nosuch $IMG true|Error: network nosuch not found"
    "create --network nosuch $IMG true|Error: network nosuch not found"
    "network create n1|Error: network with name n1 already exists"
    "network create --subnet 172.18.5.0/24 n3|Error: Pool overlaps with other one on this address space"
    "network create --subnet 172.17.0.0/16 n3|Error: Pool overlaps with other one on this address space"
    "network create --subnet 10.6.0.0/24 --gateway 10.7.0.1 n4|Error: no matching subnet for gateway 10.7.0.1"
    "network create --subnet foo n5|Error: Invalid subnet foo : invalid CIDR address: foo"
    "network create --gateway 10.8.0.1 n6|Error: every ip-range or gateway must have a corresponding subnet"
    "network rm nosuch|Error: No such network: nosuch"
    "network rm bridge|Error: bridge is a pre-defined network and cannot be removed"
    "network inspect nosuch|Error: No such network: nosuch"
  )
  local c cmd want
  for c in "${cases[@]}"; do
    cmd=${c%%|*}
    want=${c#*|}
    # shellcheck disable=SC2086
    run --separate-stderr nb $cmd
    assert_failure
    [[ "$stderr" == "$want"* ]] || fail_with "$cmd: got '$stderr', want '$want'"
    # the message part is Docker's (data/network/errors.txt)
    local words=${want#berth: }
    words=${words#Error: }
    grep -qF -- "${words%.}" "$DATA/errors.txt" || [[ "$cmd" == *"80:"* || "$cmd" == *172.1[78]* || "$cmd" == create* ]] ||
      fail_with "not Docker's words: $words"
  done
  assert_store_unchanged
}

@test "build: RUN steps use the default bridge unless --network" {
  local ctx="$BATS_TEST_TMPDIR/ctx"
  mkdir -p "$ctx"
  printf 'FROM %s\nRUN ip -o -4 addr show eth0 > /addr && cat /addr\n' "$IMG" > "$ctx/Dockerfile"
  run --separate-stderr nb build -t netbuild "$ctx"
  assert_success
  [[ "$output" == *"inet 172.17.0."* ]] || fail_with "$output"
  printf 'FROM %s\nRUN ls /sys/class/net > /links\n' "$IMG" > "$ctx/Dockerfile"
  run --separate-stderr nb build -q --network none -t netbuild2 "$ctx"
  assert_success
  [ "$(nb run --rm --network none netbuild2 cat /links)" = lo ]
  [ -z "$(ls "$BERTH_TEST_ROOT"/network/netns)" ] || fail_with "a namespace is left"
}

@test "network container:NAME shares another container's namespace and names" {
  nb run -d --name base "$IMG" sleep 300 > /dev/null
  local ip
  ip=$(nb inspect -f '{{.NetworkSettings.IPAddress}}' base)
  run nb run --rm --network container:base "$IMG" sh -c 'ip -o -4 addr show eth0; hostname; tail -1 /etc/hosts'
  assert_success
  [[ "${lines[0]}" == *"inet $ip/16"* ]] || fail_with "$output"
  [ "${lines[1]}" = "$(nb inspect -f '{{.Config.Hostname}}' base)" ] || fail_with "$output"
  run --separate-stderr nb run --rm --network container:base -p 80 "$IMG" true
  [[ "$stderr" == *"conflicting options: port publishing and the container type network mode"* ]] || fail_with "$stderr"
}
