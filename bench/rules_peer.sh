#!/usr/bin/env bash
# cordon vs Codex: whole-process `execpolicy check` against a 10,000-rule .rules file.
#
#   bench/rules_peer.sh --codex PATH [--codex-mode MODE] [--cordon PATH] [--runs N]
#                       [--json-dir DIR] [--no-hyperfine]
#
#   --codex PATH       Codex's executable: either the `codex` CLI (it has `codex execpolicy
#                      check`) or a `codex-execpolicy` binary built from codex-rs/execpolicy
#   --codex-mode MODE  `cli` (PATH execpolicy check ...) or `crate` (PATH check ...);
#                      default: `cli` when PATH's basename is `codex`, else `crate`
#   --cordon PATH      cordon's executable (default: <repo>/build-dev/cordon)
#   --runs N           timed runs per command (default 50)
#   --json-dir DIR     keep hyperfine's JSON export there
#   --no-hyperfine     time with the python3 loop even when hyperfine is installed
#
# The rules file is the one bench/rules_bench.cc builds in memory (the same shapes, counts
# and names): 9,950 rules over 2,000 programs prog0..prog1999 and 50 rules for `git`, two of
# which match `git commit -m "fix the build"`. The script
#   1. writes it to a temporary directory and checks that both tools load it;
#   2. asks both tools for the decision of a few commands (matching, not matching,
#      forbidden, justification, alternatives) and prints any difference;
#   3. times, whole process (start, reading and parsing the 10,000 rules, one decision,
#      JSON output), `execpolicy check` of `git commit -m "fix the build"` with both tools,
#      and the same against a file of only the two matching git rules (what is left is
#      the tools' start-up and the rest of the process), in one hyperfine session (one
#      command after the other, in the same invocation), or, without hyperfine, with a
#      python3 loop that alternates the commands run by run and reports medians.
# Codex runs with CODEX_HOME set to an empty temporary directory, so that no user
# configuration is read and nothing is written in the home directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cordon="$repo/build-dev/cordon"
codex=""
codex_mode=""
runs=50
json_dir=""
use_hyperfine=1

while [[ $# -gt 0 ]]; do
  case "$1" in
    --codex) codex="$2"; shift 2 ;;
    --codex-mode) codex_mode="$2"; shift 2 ;;
    --cordon) cordon="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --json-dir) json_dir="$2"; shift 2 ;;
    --no-hyperfine) use_hyperfine=0; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "rules_peer.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [[ -z "$codex" ]]; then
  echo "rules_peer.sh: --codex PATH is required" >&2
  exit 2
fi
for exe in "$cordon" "$codex"; do
  if [[ ! -x "$exe" ]]; then
    echo "rules_peer.sh: not an executable: $exe" >&2
    exit 2
  fi
done
cordon="$(realpath "$cordon")"
codex="$(realpath "$codex")"
if [[ -z "$codex_mode" ]]; then
  if [[ "$(basename "$codex")" == codex ]]; then codex_mode=cli; else codex_mode=crate; fi
fi
case "$codex_mode" in
  cli) codex_check=("$codex" execpolicy check) ;;
  crate) codex_check=("$codex" check) ;;
  *) echo "rules_peer.sh: --codex-mode must be cli or crate" >&2; exit 2 ;;
esac

work="$(mktemp -d /tmp/cordon-rules-peer.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/codex-home"
export CODEX_HOME="$work/codex-home"
rules="$work/generated.rules"

# --- 1. the rules file ---------------------------------------------------------------
awk 'BEGIN {
  print "# generated: 10,000 prefix rules"
  d[0] = "allow"; d[1] = "prompt"; d[2] = "forbidden"
  for (k = 0; k < 9950; ++k) {
    p = "\"prog" (k % 2000) "\""
    m = k % 4
    if (m == 0) {
      print "prefix_rule(pattern = [" p "], decision = \"prompt\")"
    } else if (m == 1) {
      print "prefix_rule(pattern = [" p ", \"sub" k "\"], decision = \"" d[k % 3] "\")"
    } else if (m == 2) {
      print "prefix_rule(pattern = [" p ", [\"a" k "\", \"b" k "\"], \"--flag\"], decision = \"" d[k % 3] "\")"
    } else {
      print "prefix_rule(pattern = [" p ", \"run\", \"t" k "\"], decision = \"allow\", justification = \"generated\")"
    }
  }
  print "prefix_rule(pattern = [\"git\", [\"commit\", \"push\"]], decision = \"prompt\")"
  print "prefix_rule(pattern = [\"git\", \"commit\"], decision = \"allow\")"
  for (k = 0; k < 48; ++k)
    print "prefix_rule(pattern = [\"git\", \"sub" k "\", [\"--a\", \"--b\"]], decision = \"prompt\")"
}' >"$rules"
small="$work/small.rules"
grep '^prefix_rule(pattern = \["git", \(\[\|"commit"\)' "$rules" >"$small"
count="$(grep -c '^prefix_rule(' "$rules")"
echo "rules file: $count rules, $(wc -c <"$rules") bytes; small file: $(wc -l <"$small") rules"
if [[ "$count" != 10000 ]]; then
  echo "rules_peer.sh: expected 10000 rules, generated $count" >&2
  exit 1
fi

run_cordon() { "$cordon" execpolicy check --rules "$rules" -- "$@"; }
run_codex() { "${codex_check[@]}" --rules "$rules" -- "$@"; }

# The decision a tool printed: the top-level "decision" of its JSON, or "none" when it
# has none (no rule matched).
decision_of() {
  python3 -c 'import json, sys
doc = json.load(sys.stdin)
print(doc.get("decision") or "none")'
}

for tool in cordon codex; do
  if ! out="$(run_$tool git commit -m "fix the build" 2>"$work/err")"; then
    echo "rules_peer.sh: $tool failed to load the rules:" >&2
    cat "$work/err" >&2
    exit 1
  fi
  echo "$tool loads the rules; git commit -m \"fix the build\" -> $(decision_of <<<"$out")"
done

# --- 2. same decisions? -------------------------------------------------------------
cases=(
  'git commit -m fix'             # two git rules match: prompt and allow
  'git push origin main'          # the alternatives rule only
  'git frobnicate --all now'      # git has rules, none matches
  'git sub7 --b x'                # alternatives at position 2
  'git sub7 --c'                  # same prefix, other flag: no match
  'prog5 sub5'                    # k=5: sub rule, forbidden, plus prog5's own prompt rule
  'prog4 sub4'                    # prog4 only has its bare prompt rule (k=4) here
  'prog1 sub1'                    # k=1: sub rule, prompt
  'prog3 run t3'                  # k=3: justification, allow (prog3 has only "run" rules)
  'prog2 b2 --flag'               # alternatives then literal, forbidden
  'prog2 b2 --other'              # same, last token differs
  'prog1999 x'                    # last program
  'unknown-tool build'            # no rules at all
  '/usr/bin/git commit -m fix'    # absolute path, without --resolve-host-executables
)
differences=0
printf '\n| command | cordon | codex |\n|---|---|---|\n'
for c in "${cases[@]}"; do
  read -r -a argv <<<"$c"
  a="$(run_cordon "${argv[@]}" 2>/dev/null | decision_of || echo error)"
  b="$(run_codex "${argv[@]}" 2>/dev/null | decision_of || echo error)"
  mark=""
  if [[ "$a" != "$b" ]]; then mark=" **differs**"; differences=$((differences + 1)); fi
  # shellcheck disable=SC2016 # the backquotes are markdown
  printf '| `%s` | %s | %s%s |\n' "$c" "$a" "$b" "$mark"
done
echo
echo "decisions that differ: $differences of ${#cases[@]}"
# The full JSON of both for the benchmark's command, for the record.
echo "cordon: $(run_cordon git commit -m "fix the build")"
echo "codex:  $(run_codex git commit -m "fix the build" | tr -d '\n')"

# --- 3. timing ----------------------------------------------------------------------
q() { printf '%q ' "$@"; }
cmd_cordon="$(q "$cordon" execpolicy check --rules "$rules" -- git commit -m "fix the build")"
cmd_codex="$(q "${codex_check[@]}" --rules "$rules" -- git commit -m "fix the build")"
cmd_cordon_small="$(q "$cordon" execpolicy check --rules "$small" -- git commit -m "fix the build")"
cmd_codex_small="$(q "${codex_check[@]}" --rules "$small" -- git commit -m "fix the build")"
echo
if [[ "$use_hyperfine" == 1 ]] && command -v hyperfine >/dev/null; then
  export_args=()
  if [[ -n "$json_dir" ]]; then
    mkdir -p "$json_dir"
    export_args=(--export-json "$json_dir/rules_peer.json")
  fi
  hyperfine -N --warmup 3 --runs "$runs" --style basic --export-markdown "$work/table.md" \
    "${export_args[@]}" -n cordon "$cmd_cordon" -n codex "$cmd_codex" \
    -n "cordon, 2 rules" "$cmd_cordon_small" -n "codex, 2 rules" "$cmd_codex_small" >"$work/hyperfine.txt"
  cat "$work/hyperfine.txt"
  echo
  cat "$work/table.md"
  if [[ -n "$json_dir" ]]; then
    python3 - "$json_dir/rules_peer.json" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f'{r["command"]}: median {r["median"] * 1e3:.2f} ms (min {r["min"] * 1e3:.2f}, '
          f'max {r["max"] * 1e3:.2f}, {len(r["times"])} runs)')
EOF
  fi
else
  python3 - "$runs" "$cmd_cordon" "$cmd_codex" "$cmd_cordon_small" "$cmd_codex_small" <<'EOF'
import shlex, statistics, subprocess, sys, time
runs = int(sys.argv[1])
names = ["cordon", "codex", "cordon, 2 rules", "codex, 2 rules"]
cmds = {n: shlex.split(a) for n, a in zip(names, sys.argv[2:])}
times = {name: [] for name in cmds}
for name, argv in cmds.items():  # warm-up
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
for _ in range(runs):  # alternate the two
    for name, argv in cmds.items():
        t = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times[name].append(time.perf_counter() - t)
for name, ts in times.items():
    print(f"{name}: median {statistics.median(ts) * 1e3:.2f} ms, min {min(ts) * 1e3:.2f} ms, "
          f"{len(ts)} runs")
EOF
fi
