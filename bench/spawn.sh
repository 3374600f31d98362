#!/usr/bin/env bash
# cordon whole-process spawn benchmark.
#
#   bench/spawn.sh [--cordon PATH] [--runs N] [--rounds R] [--user NAME] [--json-dir DIR]
#
#   --cordon PATH  the cordon executable (default: <repo>/build-bench/cordon, built with
#                  the default configuration when missing)
#   --runs N       timed runs per command and round (default 100)
#   --rounds R     rounds; each round runs every command once more, so that slow drift of
#                  the machine is spread over all commands (default 5; N*R runs pooled)
#   --user NAME    also run the whole suite as this unprivileged user (e.g. nobody)
#   --json-dir DIR keep hyperfine's JSON exports there
#
# In one hyperfine session per round it times, from a git workspace:
#   bare `true`;
#   raw bwrap, read-only: exactly the bwrap argv cordon builds for read-only, with `true`
#     run directly instead of cordon's inner stage;
#   cordon sandbox linux -- true                           (read-only)
#   raw bwrap, workspace-write: the same for --full-auto (binds of the workspace and
#     /tmp, read-only binds of .git, read-only empty directories over the missing
#     .agents/.codex; the raw line gets those empty directories made before each run);
#   cordon sandbox linux --full-auto -- true               (workspace-write; cordon makes
#     and removes the empty directories itself, inside the timing)
#   cordon sandbox linux --full-auto -- true, with .agents/.codex/... already present
#     (the same mounts as the raw line, no stub directories to make)
#   cordon sandbox linux --yolo -- true                    (danger-full-access: no sandbox)
# and prints a markdown table: median, mean, stddev, min, and each cordon mode's median
# overhead over its peer (the raw bwrap line of the same policy; bare `true` for --yolo).
#
# The raw bwrap lines are taken from cordon itself (strace of the execve of bwrap), so
# they follow any change in cordon's policy.
#
# As root the suite runs in a private mount namespace whose /tmp is a fresh directory on
# the same filesystem as /var/tmp, so the host's /tmp is never touched; everything the
# benchmark makes is removed at the end.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

cordon=""
runs=100
rounds=5
extra_user=""
json_dir=""
stage="outer"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cordon) cordon="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --user) extra_user="$2"; shift 2 ;;
    --json-dir) json_dir="$2"; shift 2 ;;
    --stage-inner) stage="inner"; shift ;;  # internal: inside the private mount namespace
    -h | --help) sed -n '2,36p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "spawn.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

die() { echo "spawn.sh: $*" >&2; exit 2; }

if [[ $stage == outer ]]; then
  for tool in hyperfine bwrap strace git python3 setpriv; do
    command -v "$tool" >/dev/null || die "needs $tool"
  done
  if [[ -z $cordon ]]; then
    cordon="$repo/build-bench/cordon"
    if [[ ! -x $cordon ]]; then
      cmake -S "$repo" -B "$repo/build-bench" -G Ninja -DCORDON_BENCH=ON -DCORDON_TESTS=OFF \
        >/dev/null && ninja -C "$repo/build-bench" cordon >/dev/null || die "cannot build cordon"
    fi
  fi
  [[ -x $cordon ]] || die "no cordon executable at $cordon"
  scratch="$(mktemp -d /var/tmp/cordon-bench.XXXXXX)"
  trap 'rm -rf "$scratch"' EXIT
  chmod 755 "$scratch"
  mkdir -p "$scratch/bin" "$scratch/tmp" "$scratch/out"
  chmod 1777 "$scratch/tmp" "$scratch/out"
  # A copy any user may execute (the build tree may not be reachable for --user).
  install -m 755 "$cordon" "$scratch/bin/cordon"
  args=(--stage-inner --runs "$runs" --rounds "$rounds")
  [[ -n $extra_user ]] && args+=(--user "$extra_user")
  export CORDON_BENCH_SCRATCH="$scratch" CORDON_BENCH_SOURCE="$cordon"
  if [[ $EUID -eq 0 ]]; then
    unshare --mount --propagation private -- "${BASH_SOURCE[0]}" "${args[@]}"
  else
    echo "note: not root: using the real /tmp (cordon's stub directories appear there briefly)" >&2
    "${BASH_SOURCE[0]}" "${args[@]}"
  fi
  if [[ -n $json_dir ]]; then
    mkdir -p "$json_dir"
    cp "$scratch"/out/*.json "$json_dir"/
  fi
  exit 0
fi

# ---- inner stage: in the private mount namespace (when root) ----
scratch="$CORDON_BENCH_SCRATCH"
cordon="$scratch/bin/cordon"
if [[ $EUID -eq 0 ]]; then
  mount --bind "$scratch/tmp" /tmp
fi

# Runs a command as $1 (root: directly) with a clean, fixed environment.
as_user() {
  local user="$1"
  shift
  local home="$scratch/home-$user"
  local envs=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$home" "CORDON_HOME=$home/.cordon"
    "LANG=C")
  if [[ $user == root || $user == "$(id -un)" ]]; then
    "${envs[@]}" "$@"
  else
    setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --clear-groups \
      "${envs[@]}" "$@"
  fi
}

# cordon's bwrap argv for the given cordon flags, as a hyperfine (shell-words) command
# that runs `true` directly: --info-fd and the inner stage removed.
raw_bwrap_command() {
  local user="$1" ws="$2"
  shift 2
  local trace="$scratch/out/strace-$user.txt"
  (cd "$ws" && as_user "$user" strace -f -qq -e trace=execve -e signal=none -s 65536 \
    -o "$trace" "$cordon" sandbox linux "$@" -- true)
  python3 - "$trace" "$cordon" <<'EOF'
import ast, re, shlex, sys
trace, cordon = sys.argv[1], sys.argv[2]
for line in open(trace):
    m = re.search(r'execve\("[^"]*bwrap", (\[.*?\]), 0x', line)
    if not m:
        continue
    argv = ast.literal_eval(m.group(1))
    i = argv.index("--info-fd")
    del argv[i:i + 2]
    cut = argv.index(cordon)  # "-- <cordon> __inner ... -- true"
    argv = argv[:cut] + ["true"]
    print(" ".join(shlex.quote(a) for a in argv))
    break
else:
    sys.exit("no execve of bwrap in " + trace)
EOF
}

# Workspaces live in /tmp (the private one when root); removed on exit either way.
workspaces=()
trap 'rm -rf "${workspaces[@]}"' EXIT

run_suite() {
  local user="$1"
  local ws
  ws="$(mktemp -d "/tmp/cordon-bench-ws-$user.XXXXXX")"
  workspaces+=("$ws")
  chmod 755 "$ws"
  mkdir -p "$scratch/home-$user"
  git -C "$ws" init -q
  echo "bench" >"$ws/README"
  [[ $user == root ]] || chown -R "$user" "$ws" "$scratch/home-$user"

  local raw_ro raw_ww
  raw_ro="$(raw_bwrap_command "$user" "$ws")"
  raw_ww="$(raw_bwrap_command "$user" "$ws" --full-auto)"
  # The empty directories cordon binds over missing protected paths (--ro-bind-try).
  local stubs
  stubs="$(python3 -c '
import shlex, sys
a = shlex.split(sys.argv[1])
print(" ".join(a[i + 1] for i, x in enumerate(a) if x == "--ro-bind-try"))' "$raw_ww")"
  local make_stubs="sh -c 'mkdir -p $stubs'"
  local remove_stubs="sh -c 'rmdir $stubs 2>/dev/null; exit 0'"

  echo "## $user: raw read-only line: $raw_ro" >&2
  echo "## $user: raw workspace-write line: $raw_ww" >&2
  echo "## $user: stub directories: $stubs" >&2

  local r
  for ((r = 1; r <= rounds; r++)); do
    (cd "$ws" && as_user "$user" hyperfine -N --style basic --runs "$runs" --warmup 10 \
      --export-json "$scratch/out/$user-round$r.json" \
      -n "bare true" --prepare "$remove_stubs" "true" \
      -n "raw bwrap, read-only" --prepare "$remove_stubs" "$raw_ro" \
      -n "cordon read-only" --prepare "$remove_stubs" "$cordon sandbox linux -- true" \
      -n "raw bwrap, workspace-write" --prepare "$make_stubs" "$raw_ww" \
      -n "cordon --full-auto" --prepare "$remove_stubs" "$cordon sandbox linux --full-auto -- true" \
      -n "cordon --full-auto, protected paths present" --prepare "$make_stubs" \
      "$cordon sandbox linux --full-auto -- true" \
      -n "cordon --yolo" --prepare "$remove_stubs" "$cordon sandbox linux --yolo -- true" \
      >"$scratch/out/$user-round$r.log" 2>&1) || {
      cat "$scratch/out/$user-round$r.log" >&2
      die "hyperfine failed (round $r, user $user)"
    }
    echo "## $user: round $r/$rounds done" >&2
  done
  as_user root sh -c "rmdir $stubs 2>/dev/null; exit 0"

  python3 - "$user" "$scratch"/out/"$user"-round*.json <<'EOF'
import json, statistics, sys
user, files = sys.argv[1], sys.argv[2:]
times = {}
for f in files:
    for r in json.load(open(f))["results"]:
        times.setdefault(r["command"], []).extend(r["times"])
ms = lambda s: s * 1000.0
med = {k: statistics.median(v) for k, v in times.items()}
print(f"\n### As {user} ({len(files)} rounds, {len(next(iter(times.values())))} runs per command)\n")
print("| command | median | mean | stddev | min | runs |")
print("|---|---:|---:|---:|---:|---:|")
for k, v in times.items():
    print(f"| {k} | {ms(med[k]):.2f} ms | {ms(statistics.mean(v)):.2f} ms | "
          f"{ms(statistics.stdev(v)):.2f} ms | {ms(min(v)):.2f} ms | {len(v)} |")
pairs = [
    ("raw bwrap, read-only", "bare true", None),
    ("cordon read-only", "raw bwrap, read-only", 3.0),
    ("cordon --full-auto", "raw bwrap, workspace-write", 3.0),
    ("cordon --full-auto, protected paths present", "raw bwrap, workspace-write", 3.0),
    ("cordon --yolo", "bare true", None),
]
print("\n| overhead (median minus median) | ms | target |")
print("|---|---:|---|")
for a, b, target in pairs:
    d = ms(med[a] - med[b])
    verdict = "" if target is None else (f"<= {target:g} ms: " + ("met" if d <= target else "MISSED"))
    print(f"| {a} over {b} | {d:+.2f} | {verdict} |")
EOF
}

echo "## machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)" >&2
echo "## $(bwrap --version), $(hyperfine --version), cordon $CORDON_BENCH_SOURCE ($(file -b "$cordon" | cut -d, -f1-2))" >&2
echo "## date: $(date -u '+%Y-%m-%d %H:%M UTC'), /tmp for the suite: $(findmnt -n -o FSTYPE --target /tmp)" >&2

run_suite "$(id -un)"
if [[ -n $extra_user ]]; then
  id "$extra_user" >/dev/null 2>&1 || die "no user $extra_user"
  run_suite "$extra_user"
fi
