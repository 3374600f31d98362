#!/bin/sh
# Runs an e2e test executable as an unprivileged user (ctest's CROSSCOMPILING_EMULATOR for
# cordon_e2e_user_tests, used both to list the tests and to run each one).
#
#   run_as_user.sh --cordon CORDON --probe E2E_PROBE TEST_BINARY [ARGS...]
#
# Not root: already unprivileged; run TEST_BINARY as it is (with CORDON_BIN and E2E_PROBE).
# Root: make sure the system user cordon-e2e exists, copy the test binary, cordon and the
# probe into a fresh 0755 directory the user can read (the build tree may sit under a
# directory it cannot traverse), run the copies as that user with a clean environment and
# HOME in that directory, and remove the directory afterwards.
set -eu

user=cordon-e2e
usage() {
  echo "usage: run_as_user.sh --cordon CORDON --probe E2E_PROBE TEST_BINARY [ARGS...]" >&2
  exit 64
}

cordon_bin=
probe_bin=
while [ $# -gt 0 ]; do
  case $1 in
    --cordon) [ $# -ge 2 ] || usage; cordon_bin=$2; shift 2 ;;
    --probe) [ $# -ge 2 ] || usage; probe_bin=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
if [ $# -lt 1 ] || [ -z "$cordon_bin" ] || [ -z "$probe_bin" ]; then usage; fi
test_bin=$1
shift

if [ "$(id -u)" -ne 0 ]; then
  CORDON_BIN=$cordon_bin E2E_PROBE=$probe_bin exec "$test_bin" "$@"
fi

# Create the user once; ctest -j runs many copies of this script at the same time.
lock=/run/lock/cordon-e2e-useradd.lock
[ -d /run/lock ] || lock=/var/lock/cordon-e2e-useradd.lock
if ! getent passwd "$user" >/dev/null; then
  (
    flock -w 60 9 || { echo "run_as_user.sh: cannot lock $lock" >&2; exit 71; }
    if ! getent passwd "$user" >/dev/null; then
      useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin --comment "cordon e2e tests" "$user"
    fi
  ) 9>"$lock"
fi

dir=$(mktemp -d /var/tmp/cordon-e2e-run.XXXXXX)
status=0
# shellcheck disable=SC2317  # called by the trap
cleanup() { rm -rf -- "$dir"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
chmod 0755 "$dir"
mkdir -m 0755 "$dir/bin" "$dir/home"
chown "$user:$user" "$dir/home"
cp -- "$test_bin" "$dir/bin/tests"
cp -- "$cordon_bin" "$dir/bin/cordon"
cp -- "$probe_bin" "$dir/bin/e2e_probe"
chmod 0755 "$dir/bin/tests" "$dir/bin/cordon" "$dir/bin/e2e_probe"

# Run from a directory the user can enter.
cd "$dir/home"
# The backend under test and the sanitizer settings (the ASan+UBSan CI build) pass
# through; nothing else does.
set -- HOME="$dir/home" CORDON_BIN="$dir/bin/cordon" E2E_PROBE="$dir/bin/e2e_probe" \
  ${CORDON_E2E_BACKEND+"CORDON_E2E_BACKEND=$CORDON_E2E_BACKEND"} \
  ${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS"} ${UBSAN_OPTIONS+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} \
  ${LSAN_OPTIONS+"LSAN_OPTIONS=$LSAN_OPTIONS"} "$dir/bin/tests" "$@"
setpriv --reuid="$user" --regid="$user" --init-groups --reset-env env "$@" || status=$?
exit "$status"
