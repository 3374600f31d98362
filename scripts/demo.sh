#!/usr/bin/env bash
# Sets up, builds cordon, and shows its main job on the built-in defaults: `cordon run`
# decides whether a command may run and runs it in the sandbox, where it may write in its
# workspace and nowhere else; a dangerous command is refused when nobody may be asked.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCORDON_TESTS=OFF >/dev/null
ninja -C "$root/build" cordon >/dev/null
cordon="$root/build/cordon"

demo=$(mktemp -d /var/tmp/cordon-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
mkdir -p "$demo/workspace/.git" "$demo/elsewhere"
echo "[core]" > "$demo/workspace/.git/config"
cd "$demo/workspace"
# No user or system config: the built-in defaults, plus --full-auto (workspace-write).
export CORDON_HOME="$demo/cordon-home"

run() {
  printf '\n$ cordon run --full-auto -- bash -c '"'"'%s'"'"'\n' "$1"
  set +e
  "$cordon" run --full-auto -- bash -c "$1" 2>&1 | sed 's/^/  /'
  echo "  (exit status ${PIPESTATUS[0]})"
  set -e
}
show() {
  printf '\n$ cordon %s\n' "$*"
  set +e
  "$cordon" "$@" 2>&1 | sed 's/^/  /'
  echo "  (exit status ${PIPESTATUS[0]})"
  set -e
}
run 'echo hello > notes.txt && cat notes.txt'
run "echo sneaky > $demo/elsewhere/notes.txt"
run 'echo "[core] hooksPath=/x" >> .git/config'
run 'echo hi > /dev/tcp/127.0.0.1/80'
run 'mkdir .codex'
# The approval side: what cordon would decide, and a dangerous command under a policy that
# never asks (refused with the reason and the rule that would allow it).
show explain -a untrusted -- bash -lc 'git status && ls -la'
show run --full-auto -a never -- rm -rf notes.txt

echo
echo "Seen from outside the sandbox afterwards (only notes.txt was written):"
(cd "$demo" && find . -mindepth 1 | sort | sed 's/^/  /')
