#!/usr/bin/env bash
# cordon whole-process spawn benchmark, for every sandbox backend.
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
#   raw bwrap, read-only: exactly the bwrap argv cordon's bwrap backend builds for
#     read-only, with `true` run directly instead of cordon's inner stage;
#   raw bwrap, workspace-write: the same for --full-auto (binds of the workspace and
#     /tmp, read-only binds of .git, read-only empty directories over the missing
#     .agents/.codex; the raw line gets those empty directories made before each run);
#   for each backend B of bwrap, native and landlock:
#     cordon sandbox linux --backend B -- true               (read-only)
#     cordon sandbox linux --backend B --full-auto -- true   (workspace-write; cordon makes
#       and removes the empty directories itself, inside the timing)
#     cordon sandbox linux --backend B --full-auto -- true, with .agents/.codex/...
#       already present (the same mounts as the raw line, no stub directories to make)
#   cordon sandbox linux --yolo -- true                      (danger-full-access: no sandbox)
# and prints markdown tables:
#   - median, mean, stddev, min of every command;
#   - the bwrap backend's median overhead over its raw bwrap line of the same policy
#     (target of issue 2: at most 3 ms), and --yolo's over bare `true`;
#   - per backend and mode, the median overhead over bare `true`, and that overhead
#     divided by raw bwrap's overhead over bare `true` for the same policy (target of
#     issue 3 for the native backend: at most 0.5; the workspace-write modes are compared
#     with the one raw workspace-write line).
#
# The raw bwrap lines are taken from cordon itself (strace of the execve of bwrap by
# --backend bwrap), so they follow any change in cordon's policy.
#
# As root the suite runs in a private mount namespace whose /tmp is a fresh directory on
# the same filesystem as /var/tmp, so the host's /tmp is never touched; everything the
# benchmark makes is removed at the end, also when it fails or is interrupted.
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
    -h | --help) sed -n '2,/^set /p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
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
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
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

# Workspaces live in /tmp (the private one when root); they and the stub directories made
# for the raw workspace-write line (in the real /tmp when not root) are removed on exit,
# whatever the way out.
workspaces=()
stub_dirs=()
cleanup() {
  [[ ${#workspaces[@]} -eq 0 ]] || rm -rf "${workspaces[@]}"
  [[ ${#stub_dirs[@]} -eq 0 ]] || rmdir "${stub_dirs[@]}" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

backends=(bwrap native landlock)

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
  raw_ro="$(raw_bwrap_command "$user" "$ws" --backend bwrap)"
  raw_ww="$(raw_bwrap_command "$user" "$ws" --backend bwrap --full-auto)"
  # The empty directories cordon binds over missing protected paths (--ro-bind-try).
  local stubs
  stubs="$(python3 -c '
import shlex, sys
a = shlex.split(sys.argv[1])
print(" ".join(a[i + 1] for i, x in enumerate(a) if x == "--ro-bind-try"))' "$raw_ww")"
  read -r -a stub_dirs <<<"$stubs"
  local make_stubs="sh -c 'mkdir -p $stubs'"
  local remove_stubs="sh -c 'rmdir $stubs 2>/dev/null; exit 0'"

  echo "## $user: raw read-only line: $raw_ro" >&2
  echo "## $user: raw workspace-write line: $raw_ww" >&2
  echo "## $user: stub directories: $stubs" >&2

  # Each backend once in both policies first, so that one this user cannot use stops the
  # benchmark with cordon's own message rather than in the middle of a round.
  local b
  for b in "${backends[@]}"; do
    (cd "$ws" && as_user "$user" "$cordon" sandbox linux --backend "$b" -- true &&
      as_user "$user" "$cordon" sandbox linux --backend "$b" --full-auto -- true) \
      2>"$scratch/out/$user-check-$b.log" || {
      cat "$scratch/out/$user-check-$b.log" >&2
      die "cordon --backend $b does not run as $user"
    }
  done

  # hyperfine's arguments (name, preparation, command) for every command; one session
  # per round runs them all, so that they alternate as the machine drifts.
  local hf=(-n "bare true" --prepare "$remove_stubs" "true"
    -n "raw bwrap, read-only" --prepare "$remove_stubs" "$raw_ro"
    -n "raw bwrap, workspace-write" --prepare "$make_stubs" "$raw_ww")
  for b in "${backends[@]}"; do
    hf+=(-n "cordon --backend $b, read-only" --prepare "$remove_stubs"
      "$cordon sandbox linux --backend $b -- true"
      -n "cordon --backend $b --full-auto" --prepare "$remove_stubs"
      "$cordon sandbox linux --backend $b --full-auto -- true"
      -n "cordon --backend $b --full-auto, protected paths present" --prepare "$make_stubs"
      "$cordon sandbox linux --backend $b --full-auto -- true")
  done
  hf+=(-n "cordon --yolo" --prepare "$remove_stubs" "$cordon sandbox linux --yolo -- true")

  local r
  for ((r = 1; r <= rounds; r++)); do
    (cd "$ws" && as_user "$user" hyperfine -N --style basic --runs "$runs" --warmup 10 \
      --export-json "$scratch/out/$user-round$r.json" "${hf[@]}" \
      >"$scratch/out/$user-round$r.log" 2>&1) || {
      cat "$scratch/out/$user-round$r.log" >&2
      die "hyperfine failed (round $r, user $user)"
    }
    echo "## $user: round $r/$rounds done" >&2
  done
  as_user root sh -c "rmdir $stubs 2>/dev/null; exit 0"

  python3 - "$user" "${backends[*]}" "$scratch"/out/"$user"-round*.json <<'EOF'
import json, math, statistics, sys
user, backends, files = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
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

RO, WW = "raw bwrap, read-only", "raw bwrap, workspace-write"
modes = [  # (end of the cordon command's name, the raw bwrap line of the same policy)
    (", read-only", RO),
    (" --full-auto", WW),
    (" --full-auto, protected paths present", WW),
]

# The bwrap backend against its own raw line (target of issue 2).
print("\n| overhead (median minus median) | ms | target |")
print("|---|---:|---|")
pairs = [(RO, "bare true", None), (WW, "bare true", None)]
pairs += [("cordon --backend bwrap" + end, raw, 3.0) for end, raw in modes]
pairs += [("cordon --yolo", "bare true", None)]
for a, b, target in pairs:
    d = ms(med[a] - med[b])
    verdict = "" if target is None else (f"<= {target:g} ms: " + ("met" if d <= target else "MISSED"))
    print(f"| {a} over {b} | {d:+.2f} | {verdict} |")

# Every backend against raw bwrap, both over bare `true` (target of issue 3: native <= 0.5).
base = med["bare true"]
print("\n| command | overhead over bare true | raw bwrap's (same policy) | ratio | target |")
print("|---|---:|---:|---:|---|")
for b in backends:
    for end, raw in modes:
        name = "cordon --backend " + b + end
        over, raw_over = ms(med[name] - base), ms(med[raw] - base)
        ratio = over / raw_over if raw_over > 0 else math.nan
        verdict = ("<= 0.5: " + ("met" if ratio <= 0.5 else "MISSED")) if b == "native" else ""
        print(f"| {name} | {over:+.2f} ms | {raw_over:+.2f} ms | {ratio:.2f} | {verdict} |")
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
