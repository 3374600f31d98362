#!/usr/bin/env bash
# cordon benchmark: what watching every open costs when a permission profile hides paths
# (issue 4 with issue 7's observer). Whole-process: cordon runs bench/create_loop in the
# sandbox, which creates, reads back and unlinks COUNT files in the workspace; the figure
# is the read loop (open O_RDONLY, read 4 KiB, close), per open.
#
#   bench/deny_read.sh [--cordon PATH] [--runs N] [--count C]
#
#   --cordon PATH  the cordon executable (default: <repo>/build-dev/cordon)
#   --runs N       timed runs of every configuration (default 11)
#   --count C      files per run (default 10000)
#
# create_loop.cc is compiled here (c++ -O2), as bench/denials.sh does.
# For each backend (bwrap, native) three configurations, all with the same workspace:
#   writes watched  profile "plain" (extends :workspace, denies nothing): the observer sees
#                   write-intent opens only, read-only opens never leave the kernel
#   reads watched   profile "deny" (the same plus one deny-read path that does not exist):
#                   every open goes to the observer
#   observer off    profile "deny" with sandbox_linux.report_denials = false
# Prints the median per open of each, and the difference. Needs nothing but cordon, bwrap,
# python3. Leaves nothing behind (its temporary directory is removed on exit).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cordon="$repo/build-dev/cordon"
runs=11
count=10000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cordon) cordon="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    *) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
[[ -x "$cordon" ]] || { echo "deny_read.sh: no cordon at $cordon (--cordon PATH)" >&2; exit 2; }

tmp="$(mktemp -d /var/tmp/cordon-bench-deny.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ws" "$tmp/home"
c++ -std=c++17 -O2 -Wall -Wextra -Werror -o "$tmp/create_loop" "$repo/bench/create_loop.cc"
cat > "$tmp/home/config.toml" <<EOF
default_permissions = "plain"
[permissions.plain]
extends = ":workspace"
[permissions.deny]
extends = ":workspace"
[permissions.deny.filesystem]
"$tmp/ws/never.env" = "none"
EOF

CORDON_HOME="$tmp/home" WS="$tmp/ws" LOOP="$tmp/create_loop" CORDON="$cordon" \
  RUNS="$runs" COUNT="$count" python3 - <<'PY'
import os, re, statistics, subprocess
cordon, ws, loop = os.environ["CORDON"], os.environ["WS"], os.environ["LOOP"]
runs, count = int(os.environ["RUNS"]), os.environ["COUNT"]
configs = [("writes watched", ["-P", "plain"]),
           ("reads watched", ["-P", "deny"]),
           ("observer off", ["-P", "deny", "-c", "sandbox_linux.report_denials=false"])]
for backend in ("bwrap", "native"):
    med = {}
    for name, flags in configs:
        samples = []
        for i in range(runs + 1):
            p = subprocess.run([cordon, "sandbox", "linux", "--backend", backend, "-C", ws]
                               + flags + ["--", loop, count],
                               capture_output=True, cwd=ws)
            m = re.search(rb"read_ns=(\d+)", p.stdout)
            if p.returncode != 0 or not m:
                raise SystemExit(f"{backend} {name}: failed: {p.stderr.decode(errors='replace')}")
            if i > 0:  # the first run warms the caches
                samples.append(int(m.group(1)) / int(count) / 1000.0)
        med[name] = statistics.median(samples)
        print(f"{backend:6} {name:15} median {med[name]:7.2f} us per open "
              f"(min {min(samples):.2f}, max {max(samples):.2f}, {runs} runs)")
    print(f"{backend:6} reads watched - writes watched: "
          f"{med['reads watched'] - med['writes watched']:+.2f} us per open")
PY
