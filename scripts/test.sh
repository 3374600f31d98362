#!/usr/bin/env bash
# Sets up, builds and runs every test of cordon:
#   1. g++ release build: unit tests and the e2e matrix (as root and as an unprivileged user)
#   2. clang ASan+UBSan build: unit tests and the e2e matrix again
#   3. clang libFuzzer build: each fuzz target for a short run
#   4. formatting check (clang-format)
# Environment: CORDON_FUZZ_SECONDS (default 15) per fuzz target.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/setup.sh"

step() { printf '\n==== %s\n' "$*"; }

step "format check"
mapfile -t sources < <(cd "$root" && git ls-files '*.cc' '*.h' 2>/dev/null || find src tests bench fuzz -name '*.cc' -o -name '*.h')
(cd "$root" && clang-format --dry-run -Werror "${sources[@]}")

step "g++ build"
cmake -S "$root" -B "$root/build-ci-gcc" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_CXX_COMPILER=g++ -DCORDON_BENCH=ON >/dev/null
ninja -C "$root/build-ci-gcc" -j "$jobs"
step "g++ tests"
(cd "$root/build-ci-gcc" && ctest -j "$jobs" --output-on-failure)

step "clang ASan+UBSan build"
cmake -S "$root" -B "$root/build-ci-asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_COMPILER=clang++ -DCORDON_SANITIZE=ON >/dev/null
ninja -C "$root/build-ci-asan" -j "$jobs"
step "clang ASan+UBSan tests"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd "$root/build-ci-asan" && ctest -j "$jobs" --output-on-failure)
unset ASAN_OPTIONS UBSAN_OPTIONS

if [ -x "$root/fuzz/run.sh" ]; then
  step "fuzzers (${CORDON_FUZZ_SECONDS:-15} s each)"
  "$root/fuzz/run.sh" "$root/build-ci-fuzz" "${CORDON_FUZZ_SECONDS:-15}"
fi

step "all tests passed"
