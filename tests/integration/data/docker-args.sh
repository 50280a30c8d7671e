#!/usr/bin/env bash
# docker-args.sh [OUT]: Docker 20.10's argument-count and flag errors, as
# its client prints them before it contacts a daemon, for every berth
# command and management form that Docker also has: each count row below
# ("COMMAND MIN MAX", MAX "-" for no limit, cobra's Args of docker/cli
# 20.10) run with one argument too few and one too many, then the flag
# rows as they are.  The daemon's socket does not exist, so nothing is
# contacted (every line errs on its command line first: the script checks
# it).  Writes OUT (default: ./docker-args.txt): "$ docker ARGS", the
# output (stdout and stderr), "[exit N]"; args.bats runs each line with
# berth in place of docker.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/docker-args.txt}"
docker=/usr/bin/docker
cfg="$(mktemp -d /tmp/docker-args-XXXXXX)"
trap 'rm -rf "$cfg"' EXIT
export DOCKER_HOST=unix:///tmp/nonexist.sock DOCKER_CONFIG="$cfg" LC_ALL=C
counts=(
  "attach 1 1" "build 1 1" "builder build 1 1" "builder prune 0 0" "commit 1 2"
  "container attach 1 1" "container commit 1 2" "container cp 2 2" "container create 1 -"
  "container diff 1 1" "container exec 2 -" "container export 1 1" "container inspect 1 -"
  "container kill 1 -" "container logs 1 1" "container ls 0 0" "container list 0 0"
  "container ps 0 0" "container pause 1 -" "container port 1 2" "container prune 0 0"
  "container rename 2 2" "container restart 1 -" "container rm 1 -" "container run 1 -"
  "container start 1 -" "container stop 1 -" "container top 1 -" "container unpause 1 -"
  "container wait 1 -" "cp 2 2" "create 1 -" "diff 1 1" "exec 2 -" "export 1 1" "history 1 1"
  "image build 1 1" "image history 1 1" "image import 1 -" "image inspect 1 -" "image load 0 0"
  "image ls 0 1" "image list 0 1" "image prune 0 0" "image pull 1 1" "image push 1 1"
  "image rm 1 -" "image rmi 1 -" "image save 1 -" "image tag 2 2" "images 0 1" "import 1 -"
  "info 0 0" "inspect 1 -" "kill 1 -" "load 0 0" "login 0 1" "logout 0 1" "logs 1 1"
  "manifest annotate 2 2" "manifest create 2 -" "manifest inspect 1 2" "manifest push 1 1"
  "manifest rm 1 -" "pause 1 -" "port 1 2" "ps 0 0" "pull 1 1" "push 1 1" "rename 2 2"
  "restart 1 -" "rm 1 -" "rmi 1 -" "run 1 -" "save 1 -" "start 1 -" "stop 1 -" "system df 0 0"
  "system info 0 0" "system prune 0 0" "tag 2 2" "top 1 -" "unpause 1 -" "version 0 0"
  "wait 1 -"
)
# flags anywhere (but after run's, create's, exec's, top's first
# argument), counted after them; bad flags
others=(
  "container rm -f" "images -a a b" "history a b --no-trunc" "history a -- b" "save -o f"
  "image ls a --all b" "kill --bogus" "rm a --bogus" "history -Z a" "history a -Z"
  "save -o" "save a -o" "image ls --bogus" "container rm a --bogus" "run --bogus"
  "exec -i" "top"
)
lines=()
words=(a b c d)
for row in "${counts[@]}"; do
  read -r -a f <<< "$row"
  max=${f[-1]} min=${f[-2]} cmd="${f[*]:0:${#f[@]}-2}"
  [[ "$min" == 0 ]] || lines+=("$cmd${min:+ }${words[*]:0:min-1}")
  [[ "$max" == - ]] || lines+=("$cmd ${words[*]:0:max+1}")
done
lines+=("${others[@]}")
{
  echo "# made by tests/integration/data/docker-args.sh with $("$docker" --version):" \
    "DOCKER_HOST=unix:///tmp/nonexist.sock $docker ARGS < /dev/null 2>&1"
  for line in "${lines[@]}"; do
    line="${line% }"
    read -r -a args <<< "$line"
    echo "\$ docker $line"
    status=0
    text="$("$docker" "${args[@]}" < /dev/null 2>&1)" || status=$?
    [[ "$text" != *"Cannot connect to the Docker daemon"* ]] || {
      echo "docker-args.sh: $line reached for the daemon" >&2
      exit 1
    }
    printf '%s\n[exit %s]\n' "$text" "$status"
  done
} > "$out.tmp"
mv "$out.tmp" "$out"
