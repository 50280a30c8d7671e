#!/usr/bin/env bash
# record.sh: remakes this directory's Docker 20.10 outputs.  Root.  A
# private dockerd (Debian's docker.io) WITH its default bridge and iptables,
# started inside a network and mount namespace of its own (unshare), so its
# bridge, NAT rules and addresses live and die there: no packet leaves it.
# The image bb:1 is a busybox-static rootfs imported with `docker import`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$(mktemp -d /tmp/netrec-XXXXXX)"
export DOCKER_HOST="unix://$dir/sock"
cat > "$dir/start.sh" << EOS
ip link set lo up
exec dockerd --iptables=true --storage-driver=overlay2 --data-root=$dir/data \
  --exec-root=$dir/exec -H $DOCKER_HOST --pidfile $dir/pid > $dir/log 2>&1
EOS
unshare --net --mount --propagation private bash "$dir/start.sh" &
ns=$!
stop() {
  [[ -s "$dir/pid" ]] && kill "$(cat "$dir/pid")" 2> /dev/null || true
  wait "$ns" 2> /dev/null || true
  rm -rf "$dir"
}
trap stop EXIT
dk() { timeout 60 /usr/bin/docker "$@"; }
for _ in $(seq 300); do dk version > /dev/null 2>&1 && break || sleep 0.1; done
mkdir -p "$dir/r/bin" "$dir/r/var/www"
cp /bin/busybox "$dir/r/bin/"
for a in sh ls cat ip ping httpd wget sleep echo true hostname; do ln -s busybox "$dir/r/bin/$a"; done
echo hello > "$dir/r/var/www/index.html"
tar -C "$dir/r" -cf "$dir/bb.tar" .
dk import "$dir/bb.tar" bb:1 > /dev/null
H="# Docker 20.10.24 (Debian docker.io), a private dockerd with its bridge inside a network namespace of its own:
#   unshare --net --mount --propagation private dockerd --iptables=true --data-root=D/data --exec-root=D/exec -H unix://D/sock
# bb:1 is a busybox-static rootfs (docker import). Lines starting with # are comments. Made by record.sh."
cd "$here"
{ echo "$H"; echo "# docker network inspect bridge"; dk network inspect bridge; } > inspect-bridge.json
dk network create n1 > /dev/null
dk network create --subnet 10.9.0.0/24 ushape > /dev/null
{ echo "$H"; echo "# docker network create --subnet 10.9.0.0/24 ushape; docker network inspect ushape"; dk network inspect ushape; } > inspect-user.json
dk run -d --name pweb -p 127.0.0.1:8080:80 -p 9000-9001:90-91/udp -p 7000 --expose 5000 bb:1 httpd -f -p 80 -h /var/www > /dev/null
{
  echo "$H"
  echo "# docker run -d --name pweb -p 127.0.0.1:8080:80 -p 9000-9001:90-91/udp -p 7000 --expose 5000 bb:1 httpd -f -p 80 -h /var/www"
  echo "# docker port pweb; docker port pweb 80; docker port pweb 81 (stderr, exit 1)"
  dk port pweb
  dk port pweb 80
  dk port pweb 81 2>&1 || true
} > port.txt
{ echo "$H"; echo "# the same container: docker ps --format '{{.Ports}}' (dockerd's proxy binds :: too: berth's portmap rules are IPv4 only)"; dk ps --format '{{.Ports}}'; } > ps-ports.txt
{ echo "$H"; echo "# the same container: docker inspect -f '{{json .NetworkSettings}}' pweb"; dk inspect -f '{{json .NetworkSettings}}' pweb; } > settings-running.json
{ echo "$H"; echo "# docker inspect -f '{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}} {{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}}' pweb"; dk inspect -f '{{json .HostConfig.PortBindings}} {{json .Config.ExposedPorts}} {{.HostConfig.NetworkMode}} {{.HostConfig.PublishAllPorts}}' pweb; } > hostconfig-ports.txt
dk rm -f pweb > /dev/null
dk create --name c1 bb:1 true > /dev/null
{ echo "$H"; echo "# docker create --name c1 bb:1 true; docker inspect -f '{{json .NetworkSettings}}' c1"; dk inspect -f '{{json .NetworkSettings}}' c1; } > settings-created.json
dk run -d --name u1 --network n1 --network-alias web bb:1 sleep 300 > /dev/null
dk run -d --name u2 --network n1 bb:1 sleep 300 > /dev/null
{ echo "$H"; echo "# docker run -d --name u1 --network n1 --network-alias web bb:1 sleep 300; docker inspect -f '{{json .NetworkSettings}}' u1"; dk inspect -f '{{json .NetworkSettings}}' u1; } > settings-user.json
{ echo "$H"; echo "# docker network inspect -f '{{json .Containers}}' n1 (u1, u2 running on it)"; dk network inspect -f '{{json .Containers}}' n1; } > network-containers.json
{ echo "$H"; echo "# docker network ls (bridge, host, none, n1, ushape)"; dk network ls; } > ls.txt
{
  echo "$H"
  echo "# stderr of each command, one per line:"
  for cmd in "network create n1" "network create --subnet 10.9.0.0/16 n3" \
    "network create --subnet 10.6.0.0/24 --gateway 10.7.0.1 n4" "network create --subnet foo n5" \
    "network create --gateway 10.8.0.1 n6" "network rm nosuch" "network rm bridge" "network rm n1" \
    "run --rm --network nosuch bb:1 true" "run --rm -p foo bb:1 true" "run --rm -p 80/xyz bb:1 true" \
    "run --rm -p 1.2.3:80:80 bb:1 true" "run --rm -p 8080-8082:80-81 bb:1 true" \
    "network connect n1 u1" "network disconnect ushape u1"; do
    echo "## docker $cmd"
    # shellcheck disable=SC2086
    dk $cmd 2>&1 > /dev/null | head -1 || true
  done
} > errors.txt
dk network create p1 > /dev/null
dk network create p2 > /dev/null
{
  echo "$H"
  echo "# docker network create p1; docker network create p2; docker network prune -f (n1 in use by u1/u2: kept)"
  dk network prune -f
  echo "# then again: docker network prune -f"
  dk network prune -f
} > prune.txt
# resolv.conf as Docker writes it for a bridge container, from a host file
# bind-mounted over /etc/resolv.conf in the daemon's mount namespace
{
  echo "$H"
  for host in 'search example.com\nnameserver 127.0.0.53\noptions edns0\n' \
    'nameserver 127.0.0.1\nnameserver 10.0.0.2\nnameserver ::1\nnameserver fe80::1\n'; do
    printf "$host" > "$dir/resolv.host"
    nsenter -t "$(cat "$dir/pid")" -m mount --bind "$dir/resolv.host" /etc/resolv.conf
    echo "## the host's resolv.conf: $host"
    echo "## docker run --rm bb:1 cat /etc/resolv.conf"
    dk run --rm bb:1 cat /etc/resolv.conf
    nsenter -t "$(cat "$dir/pid")" -m umount /etc/resolv.conf
  done
} > resolv.txt
dk rm -f u1 u2 c1 > /dev/null
