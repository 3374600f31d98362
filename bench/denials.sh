#!/usr/bin/env bash
# cordon whole-process benchmark of the denial observer (issue 7): a build-like workload
# in the workspace, with the observer and without, for every sandbox backend.
#
#   bench/denials.sh [--cordon PATH] [--runs N] [--warmup W] [--count C] [--json FILE]
#                    [--tmpfs] [--no-observer-check]
#
#   --cordon PATH   the cordon executable (default: <repo>/build-bench/cordon, built with
#                   the default configuration when missing, as spawn.sh does)
#   --runs N        timed runs of every command (default 21)
#   --warmup W      untimed rounds first (default 2)
#   --count C       files per workload run (default 10000, the figure of issue 7)
#   --json FILE     write every sample (ms) there
#   --tmpfs         the workspace on a private tmpfs (root only) instead of ext4 under
#                   /var/tmp: file creation there costs far less, so the observer's share
#                   of the time is larger (on an ext4 without a journal a create soon after
#                   many deletes is slow, and its cost varies widely: see RESULTS.md)
#   --no-observer-check
#                   time even when the check below fails (to try the script against a
#                   cordon without the observer; the figures then say nothing about it)
#
# Workloads, run in the workspace (a fresh git repository in the scratch directory under
# /var/tmp, or with --tmpfs on a tmpfs mounted there in the private mount namespace):
#   A  create_loop (bench/create_loop.cc, compiled here with c++ -O2 into the scratch
#      directory): C times open(O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC) + write 4 KiB + close,
#      then C unlinks; it reports the time of each loop itself (CLOCK_MONOTONIC);
#   B  sh -c 'i=0; while [ $i -lt C ]; do echo data > f$i; i=$((i+1)); done'  (/bin/sh is
#      dash here); its files are removed by this script between runs, outside the timing.
# Commands, each for both workloads:
#   bare: the workload without a sandbox;
#   (A only) bare, minimal notifier: create_loop --notify-floor, no sandbox, its opens and
#     unlinks sent to a helper that answers each at once: the floor of any observer built
#     on seccomp user notification, to compare cordon's per-call cost with;
#   raw bwrap: exactly the bwrap argv cordon's bwrap backend builds for --full-auto (taken
#     by strace), --info-fd removed, the workload run directly instead of cordon's inner
#     stage (so: the same mounts and namespaces, no seccomp filter, no observer);
#   for each backend B of native, bwrap, landlock:
#     cordon sandbox linux --full-auto --backend B -- WORKLOAD                (observer on)
#     cordon sandbox linux --full-auto --backend B -c sandbox_linux.report_denials=false
#       -- WORKLOAD                                                           (observer off)
# One session: W warm-up rounds, then N rounds; each round runs every (workload, command)
# once, in an order rotated by one from round to round, so that the observer-on and -off
# runs of a backend alternate and the machine's drift is spread over all commands. Every
# run is timed as a whole process (fork to exit, from python3); for A also the two loops
# as the program measured them. Every run must exit 0 and leave the expected files
# (B: all C of them, A: none).
#
# Before timing, the observer is checked: with it on, a write outside the writable roots
# must produce cordon's "cordon: blocked ..." summary on stderr for every backend; with
# -c sandbox_linux.report_denials=false it must produce none and no configuration warning.
#
# The stub directories cordon binds over the missing protected paths (.agents, .codex in
# the workspace; as root also .git, .agents, .codex in /tmp) are made once before timing, so
# cordon and the raw bwrap line mount the same things and no run pays for making them.
# As root the benchmark runs in a private mount namespace whose /tmp is a directory in the
# scratch directory (under /var/tmp), so the host's /tmp is never touched. The scratch
# directory (workspace, compiled workload, cordon's copy, home) is removed on exit, also
# when the benchmark fails or is interrupted.
#
# Output (stdout, markdown): per workload, median/min/p90 of every command; per backend
# the observer's overhead (difference of medians, in % of the observer-off median, and
# per file: the difference divided by C; A's loops make one observed call per file), and
# the same for the minimal notifier against bare.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

cordon=""
runs=21
warmup=2
count=10000
json_out=""
check=1
tmpfs=0
stage="outer"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cordon) cordon="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --json) json_out="$2"; shift 2 ;;
    --no-observer-check) check=0; shift ;;
    --tmpfs) tmpfs=1; shift ;;
    --stage-inner) stage="inner"; shift ;;  # internal: inside the private mount namespace
    -h | --help) sed -n '2,/^set /p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "denials.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

die() { echo "denials.sh: $*" >&2; exit 2; }

[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
[[ $warmup =~ ^[0-9]+$ ]] || die "--warmup must be a number"
[[ $count =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number"

if [[ $stage == outer ]]; then
  for tool in bwrap strace python3 git c++; do
    command -v "$tool" >/dev/null || die "needs $tool"
  done
  if [[ -z $cordon ]]; then
    cordon="$repo/build-bench/cordon"
    if [[ ! -x $cordon ]]; then
      if ! cmake -S "$repo" -B "$repo/build-bench" -G Ninja -DCORDON_BENCH=ON \
        -DCORDON_TESTS=OFF >/dev/null || ! ninja -C "$repo/build-bench" cordon >/dev/null; then
        die "cannot build cordon"
      fi
    fi
  fi
  [[ -x $cordon ]] || die "no cordon executable at $cordon"
  [[ $tmpfs -eq 0 || $EUID -eq 0 ]] || die "--tmpfs needs root (a private mount namespace)"
  if [[ -n $json_out ]]; then
    touch "$json_out" || die "cannot write $json_out"
    json_out="$(realpath "$json_out")"
  fi
  scratch="$(mktemp -d /var/tmp/cordon-bench-denials.XXXXXX)"
  trap 'rm -rf "$scratch"' EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM
  chmod 755 "$scratch"
  mkdir -p "$scratch/bin" "$scratch/tmp" "$scratch/home" "$scratch/outside"
  chmod 1777 "$scratch/tmp"
  install -m 755 "$cordon" "$scratch/bin/cordon"
  c++ -std=c++17 -O2 -Wall -Wextra -Werror -o "$scratch/bin/create_loop" "$here/create_loop.cc" ||
    die "cannot compile create_loop.cc"
  args=(--stage-inner --runs "$runs" --warmup "$warmup" --count "$count")
  # The inner stage may see another /tmp: it writes into the scratch directory.
  [[ -n $json_out ]] && args+=(--json "$scratch/samples.json")
  [[ $check -eq 1 ]] || args+=(--no-observer-check)
  [[ $tmpfs -eq 0 ]] || args+=(--tmpfs)
  CORDON_BENCH_SOURCE="$(realpath "$cordon")"
  export CORDON_BENCH_SCRATCH="$scratch" CORDON_BENCH_SOURCE
  if [[ $EUID -eq 0 ]]; then
    unshare --mount --propagation private -- "${BASH_SOURCE[0]}" "${args[@]}"
  else
    echo "note: not root: using the real /tmp (cordon's stub directories there appear" \
      "briefly in every run, and the raw bwrap line skips them)" >&2
    "${BASH_SOURCE[0]}" "${args[@]}"
  fi
  [[ -z $json_out ]] || cp "$scratch/samples.json" "$json_out"
  exit 0
fi

# ---- inner stage: in the private mount namespace (when root) ----
scratch="$CORDON_BENCH_SCRATCH"
cordon="$scratch/bin/cordon"
create_loop="$scratch/bin/create_loop"
if [[ $EUID -eq 0 ]]; then
  mount --bind "$scratch/tmp" /tmp
  mkdir -p /tmp/.git /tmp/.agents /tmp/.codex
fi

ws="$scratch/ws"
mkdir "$ws"
if [[ $tmpfs -eq 1 ]]; then
  # Gone with the mount namespace when this stage ends.
  mount -t tmpfs -o size=512m,mode=755 cordon-bench-ws "$ws"
fi
git -C "$ws" init -q
echo "bench" >"$ws/README"
mkdir "$ws/.agents" "$ws/.codex"

clean_env=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$scratch/home"
  "CORDON_HOME=$scratch/home/.cordon" "LANG=C")

# cordon's bwrap argv for --full-auto, as a JSON list, with the inner stage and --info-fd
# taken out; the workload is appended by the timing code.
trace="$scratch/strace.txt"
(cd "$ws" && "${clean_env[@]}" strace -f -qq -e trace=execve -e signal=none -s 65536 \
  -o "$trace" "$cordon" sandbox linux --backend bwrap --full-auto -- true) ||
  die "cordon --backend bwrap --full-auto -- true failed"
raw_bwrap="$(python3 - "$trace" "$cordon" <<'EOF'
import ast, json, re, sys
trace, cordon = sys.argv[1], sys.argv[2]
for line in open(trace):
    m = re.search(r'execve\("[^"]*bwrap", (\[.*?\]), 0x', line)
    if not m:
        continue
    argv = ast.literal_eval(m.group(1))
    i = argv.index("--info-fd")
    del argv[i:i + 2]
    cut = argv.index(cordon)  # "-- <cordon> __inner ... -- true"
    print(json.dumps(argv[:cut]))
    break
else:
    sys.exit("no execve of bwrap in " + trace)
EOF
)" || die "cannot read the bwrap argv from strace"
rm -f "$trace"

echo "## machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)" >&2
echo "## $(bwrap --version), cordon $CORDON_BENCH_SOURCE ($(file -b "$cordon" | cut -d, -f1-2))" >&2
echo "## sh is $(readlink -f "$(command -v sh)"); workspace $ws on $(findmnt -n -o FSTYPE --target "$ws"); /tmp on $(findmnt -n -o FSTYPE --target /tmp)" >&2
echo "## date: $(date -u '+%Y-%m-%d %H:%M UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "## raw bwrap line: $raw_bwrap" >&2

cd "$ws"
"${clean_env[@]}" BENCH_CORDON="$cordon" BENCH_CREATE_LOOP="$create_loop" \
  BENCH_RAW_BWRAP="$raw_bwrap" BENCH_OUTSIDE="$scratch/outside" BENCH_RUNS="$runs" \
  BENCH_WARMUP="$warmup" BENCH_COUNT="$count" BENCH_CHECK="$check" BENCH_JSON="$json_out" \
  python3 - <<'EOF'
import json, os, re, statistics, subprocess, sys, time

E = os.environ
cordon, create_loop = E["BENCH_CORDON"], E["BENCH_CREATE_LOOP"]
raw_bwrap = json.loads(E["BENCH_RAW_BWRAP"])
outside = E["BENCH_OUTSIDE"]
runs, warmup, count = int(E["BENCH_RUNS"]), int(E["BENCH_WARMUP"]), int(E["BENCH_COUNT"])
check, json_out = E["BENCH_CHECK"] == "1", E["BENCH_JSON"]
ws = os.getcwd()
# The environment of every timed process: this one's, without the benchmark's variables.
env = {k: v for k, v in E.items() if not k.startswith("BENCH_")}
backends = ["native", "bwrap", "landlock"]
OFF = ["-c", "sandbox_linux.report_denials=false"]

def die(msg):
    print("denials.sh: " + msg, file=sys.stderr)
    sys.exit(2)

def cordon_argv(backend, on):
    return [cordon, "sandbox", "linux", "--full-auto", "--backend", backend] + \
        ([] if on else OFF) + ["--"]

# ---- the observer check ----
def canary(backend, on):
    target = os.path.join(outside, "canary")
    p = subprocess.run(cordon_argv(backend, on) + ["sh", "-c", f"echo x > {target}; exit 0"],
                       env=env, capture_output=True, text=True)
    if os.path.exists(target):
        die(f"--backend {backend} let a write outside the workspace through")
    return p.stderr

verified = True
for b in backends:
    on_err, off_err = canary(b, True), canary(b, False)
    problems = []
    if "cordon: blocked" not in on_err:
        problems.append("observer on: no 'cordon: blocked' summary")
    if "cordon: blocked" in off_err:
        problems.append("report_denials=false: still a summary")
    if "unknown key" in off_err or "report_denials" in off_err:
        problems.append("report_denials=false: " + off_err.strip().splitlines()[0])
    for p in problems:
        print(f"## observer check, --backend {b}: {p}", file=sys.stderr)
    if problems:
        verified = False
    else:
        print(f"## observer check, --backend {b}: ok ({on_err.strip().splitlines()[-1]})",
              file=sys.stderr)
if not verified and check:
    die("the observer check failed (see above); --no-observer-check times anyway")

# ---- the commands ----
loop_b = f"i=0; while [ $i -lt {count} ]; do echo data > f$i; i=$((i+1)); done"
workloads = {
    "A create_loop": [create_loop, str(count)],
    "B sh loop": ["sh", "-c", loop_b],
}
commands = [("bare", []), ("raw bwrap", raw_bwrap)]  # raw_bwrap ends with "--"
for b in backends:
    commands.append((f"{b}, observer on", cordon_argv(b, True)))
    commands.append((f"{b}, observer off", cordon_argv(b, False)))
FLOOR = "bare, minimal notifier"
jobs = [(w, c) for w in workloads for c, _ in commands]
jobs.insert(1, ("A create_loop", FLOOR))
prefix = dict(commands)

def clear_b():
    for name in os.listdir(ws):
        if re.fullmatch(r"f\d+", name):
            os.unlink(os.path.join(ws, name))

def leftovers(pattern):
    return [n for n in os.listdir(ws) if re.fullmatch(pattern, n)]

samples = {j: {"whole": [], "create": [], "unlink": []} for j in jobs}
floor_sync = set()
stderr_seen = {}

def run(job, record):
    w, c = job
    argv = [create_loop, "--notify-floor", str(count)] if c == FLOOR else prefix[c] + workloads[w]
    t0 = time.perf_counter_ns()
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    t1 = time.perf_counter_ns()
    err = p.stderr.decode(errors="replace")
    if p.returncode != 0:
        die(f"{c} / {w} exited {p.returncode}: {err.strip()}")
    if err.strip():
        stderr_seen.setdefault((c, w), err.strip())
    if w.startswith("A"):
        m = re.search(rb"create_ns=(\d+) unlink_ns=(\d+) count=(\d+)", p.stdout)
        if not m or int(m.group(3)) != count:
            die(f"{c} / {w}: unexpected output {p.stdout!r}")
        if c == FLOOR:
            f = re.search(rb"notified=(\d+) sync_wake=(\d)", p.stdout)
            if not f or int(f.group(1)) != 2 * count:
                die(f"{c}: the helper did not see every call: {p.stdout!r}")
            floor_sync.add(f.group(2).decode())
        if leftovers(r"cl-\d+"):
            die(f"{c} / {w}: files left in the workspace")
        if record:
            samples[job]["create"].append(int(m.group(1)) / 1e6)
            samples[job]["unlink"].append(int(m.group(2)) / 1e6)
    else:
        made = len(leftovers(r"f\d+"))
        clear_b()
        if made != count:
            die(f"{c} / {w}: made {made} files instead of {count}")
    if record:
        samples[job]["whole"].append((t1 - t0) / 1e6)

clear_b()
for r in range(warmup + runs):
    k = r % len(jobs)
    for job in jobs[k:] + jobs[:k]:
        run(job, r >= warmup)
    if r >= warmup:
        print(f"## round {r - warmup + 1}/{runs} done", file=sys.stderr)
for (c, w), err in stderr_seen.items():
    print(f"## stderr of {c} / {w} (first run that wrote any): {err[:300]}", file=sys.stderr)

if floor_sync:
    print(f"## minimal notifier: SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP taken: "
          f"{'yes' if floor_sync == {'1'} else 'no' if floor_sync == {'0'} else 'sometimes'}",
          file=sys.stderr)
if json_out:
    with open(json_out, "w") as f:
        json.dump({f"{w} | {c}": v for (w, c), v in samples.items()}, f, indent=1)

# ---- the tables ----
def p90(v):
    return statistics.quantiles(v, n=10, method="inclusive")[8] if len(v) > 1 else v[0]

med = lambda v: statistics.median(v)
note = "" if verified else " (OBSERVER NOT VERIFIED: see stderr)"
print(f"\n### {runs} runs per command, {count} files per run{note}\n")
for w in workloads:
    kinds = ["whole", "create", "unlink"] if w.startswith("A") else ["whole"]
    title = {"whole": "whole process", "create": "create loop (in-program)",
             "unlink": "unlink loop (in-program)"}
    print(f"#### Workload {w}\n")
    head = " | ".join(f"{title[k]}: median / min / p90" for k in kinds)
    print(f"| command | {head} |")
    print("|---|" + "---:|" * len(kinds))
    for c in [c for (w2, c) in jobs if w2 == w]:
        cells = []
        for k in kinds:
            v = samples[(w, c)][k]
            cells.append(f"{med(v):.1f} / {min(v):.1f} / {p90(v):.1f} ms")
        print(f"| {c} | " + " | ".join(cells) + " |")
    print()
    print("| backend | measure | observer on | observer off | overhead | per file (difference / C) | target <= 5 % |")
    print("|---|---|---:|---:|---:|---:|---|")
    for b in backends:
        for k in kinds:
            on = med(samples[(w, f"{b}, observer on")][k])
            off = med(samples[(w, f"{b}, observer off")][k])
            pct = (on - off) / off * 100.0
            per_call_us = (on - off) * 1000.0 / count
            verdict = "met" if pct <= 5.0 else "MISSED"
            print(f"| {b} | {title[k]} | {on:.1f} ms | {off:.1f} ms | {pct:+.1f} % | "
                  f"{per_call_us:+.2f} us | {verdict} |")
    if w.startswith("A"):
        # The same difference for the cheapest possible observer (create_loop --notify-floor).
        for k in kinds:
            on, off = med(samples[(w, FLOOR)][k]), med(samples[(w, "bare")][k])
            pct = (on - off) / off * 100.0
            print(f"| minimal notifier (floor), no sandbox | {title[k]} | {on:.1f} ms | "
                  f"{off:.1f} ms | {pct:+.1f} % | {(on - off) * 1000.0 / count:+.2f} us | |")
    print()
    base = med(samples[(w, "bare")]["whole"])
    print("| command | whole process over bare |")
    print("|---|---:|")
    for c in [c for (w2, c) in jobs if w2 == w and c != "bare"]:
        d = med(samples[(w, c)]["whole"]) - base
        print(f"| {c} | {d:+.1f} ms ({d / base * 100.0:+.1f} %) |")
    print()
EOF
