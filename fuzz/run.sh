#!/usr/bin/env bash
# cordon fuzzing: build the libFuzzer targets (if needed) and run each for a while.
#
#   fuzz/run.sh [BUILD_DIR [SECONDS [TARGET...]]]
#
#   BUILD_DIR  build directory (default: <repo>/build-fuzz); configured with clang,
#              -DCORDON_FUZZ=ON -DCORDON_TESTS=OFF when it holds no such build yet.
#   SECONDS    fuzzing time per target (default: 20, what CI uses).
#   TARGET     fuzz_config_load, fuzz_denials, fuzz_glob, fuzz_override, fuzz_plan,
#              fuzz_profile, fuzz_rules, fuzz_shell_split (default: all).
#
# Each target first replays the reproducers of earlier bugs (fuzz/crashes/<target>-*).
# Exit status: 0 when no target found anything; 1 when a reproducer fails again or a
# target crashed, leaked, hit undefined behaviour or broke an invariant (the new
# reproducer is in BUILD_DIR/fuzz-artifacts/, the log in BUILD_DIR/fuzz-logs/);
# 2 on a usage or build error.
#
# The corpus a run grows is kept in BUILD_DIR/fuzz-corpus/<target>/ and reused by the
# next run; the seeds in fuzz/corpus/<target>/ are only read.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
all_targets=(fuzz_config_load fuzz_denials fuzz_glob fuzz_override fuzz_plan fuzz_profile
  fuzz_rules fuzz_shell_split)

usage() {
  sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit 2
}
case "${1:-}" in -h | --help) usage ;; esac

build="$(realpath -m "${1:-$repo/build-fuzz}")"
seconds="${2:-20}"
shift 2 2>/dev/null || shift $#
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -gt 0 ]] || {
  echo "run.sh: SECONDS must be a positive integer, got '$seconds'" >&2
  exit 2
}
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || {
    echo "run.sh: unknown target '$t' (known: ${all_targets[*]})" >&2
    exit 2
  }
done

# Configure (only when needed) and build.
if ! grep -qs '^CORDON_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  CXX="${CXX:-clang++}" cmake -S "$repo" -B "$build" -G Ninja -DCORDON_FUZZ=ON \
    -DCORDON_TESTS=OFF >/dev/null || {
    echo "run.sh: cmake failed" >&2
    exit 2
  }
fi
ninja -C "$build" "${targets[@]}" >/dev/null || {
  echo "run.sh: build failed; rerun: ninja -C $build ${targets[*]}" >&2
  exit 2
}

mkdir -p "$build/fuzz-artifacts" "$build/fuzz-logs"
failed=()
for t in "${targets[@]}"; do
  corpus="$build/fuzz-corpus/$t"
  log="$build/fuzz-logs/$t.log"
  mkdir -p "$corpus"
  # First the reproducers of bugs found before (crashes/<target>-*): they must pass.
  repros=("$here"/crashes/"$t"-*)
  if [[ -e ${repros[0]} ]]; then
    if ! "$build/fuzz/$t" "${repros[@]}" >"$build/fuzz-logs/$t.regressions.log" 2>&1; then
      failed+=("$t")
      echo "== $t: a reproducer in fuzz/crashes/ fails: see $build/fuzz-logs/$t.regressions.log"
      grep -E 'Running: |invariant violated|SUMMARY' "$build/fuzz-logs/$t.regressions.log" |
        tail -n 3 | sed 's/^/   /'
      continue
    fi
  fi
  echo "== $t: ${seconds}s (log: $log)"
  # A target's own dictionary (<target>.dict) when it has one, else the shared one.
  dict="$here/cordon.dict"
  [[ -f "$here/$t.dict" ]] && dict="$here/$t.dict"
  "$build/fuzz/$t" \
    -max_total_time="$seconds" \
    -timeout=10 \
    -dict="$dict" \
    -artifact_prefix="$build/fuzz-artifacts/$t-" \
    -print_final_stats=1 \
    "$corpus" "$here/corpus/$t" >"$log" 2>&1
  rc=$?
  # The last status line ("#N ... cov: C ft: F corp: K/S ... exec/s: E") and the totals.
  status="$(grep -E '^#[0-9]+' "$log" | tail -n 1)"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' <<<"$status")"
  if [[ $rc -eq 0 ]]; then
    echo "   ok: ${execs:-?} executions, ${rate:-?} exec/s, $cov"
  else
    failed+=("$t")
    echo "   FAILED (exit $rc): ${execs:-?} executions before the failure"
    grep -E 'invariant violated|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error|SUMMARY' \
      "$log" | head -n 5 | sed 's/^/   /'
    grep -E "Test unit written to" "$log" | sed 's/^/   /'
    echo "   reproduce: $build/fuzz/$t <file above>"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzing found problems in: ${failed[*]}"
  exit 1
fi
echo "fuzzing: no problem found (${targets[*]}, ${seconds}s each)"
