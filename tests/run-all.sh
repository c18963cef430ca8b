#!/usr/bin/env bash
# The whole test suite, as CI runs it: install what is missing, build, run
# every test once normally, once under AddressSanitizer and
# UndefinedBehaviorSanitizer and once under ThreadSanitizer, and end with
# "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

if [ "$(id -u)" = 0 ]; then
    sh tests/setup-debian.sh || { echo "0 passed, 1 failed"; exit 1; }
else
    sh tests/setup-debian.sh 2>/dev/null || echo "not root: assuming the build dependencies are installed"
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:exitcode=66

# The captures suite checks the committed captures with tshark and runs no
# snitrace binary, and the pgo suite builds snitrace afresh with gcc's
# profile-guided optimisation: once each, in the normal build, is enough.
run_suite() { # build-dir, meson test options ("" for none), meson setup options...
    local dir=$1 test_opts=$2
    shift 2
    rm -rf "$dir"
    if ! meson setup "$dir" "$@" >"$dir.setup.log" 2>&1; then
        cat "$dir.setup.log"
        return 1
    fi
    if ! meson compile -C "$dir" >"$dir.compile.log" 2>&1; then
        tail -n 60 "$dir.compile.log"
        return 1
    fi
    if grep -q "warning:" "$dir.compile.log"; then
        echo "build in $dir has compiler warnings:"
        grep -A3 "warning:" "$dir.compile.log" | head -n 40
    fi
    # shellcheck disable=SC2086
    meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 $test_opts
}

build_failures=0
echo "== normal build =="
run_suite build-ci "" || build_failures=$((build_failures + 1))
echo "== AddressSanitizer + UndefinedBehaviorSanitizer build =="
run_suite build-asan "--no-suite captures --no-suite pgo" -Db_sanitize=address,undefined -Db_lundef=false \
    -Doptimization=2 -Db_lto=false || build_failures=$((build_failures + 1))
# The output thread (--threads 2, the default on two CPUs) and the probe's
# workers under ThreadSanitizer: the whole suite once more.
echo "== ThreadSanitizer build =="
run_suite build-tsan "--no-suite captures --no-suite pgo" -Db_sanitize=thread -Db_lundef=false \
    -Doptimization=2 -Db_lto=false ||
    build_failures=$((build_failures + 1))

# Count from meson's own test logs.
/usr/bin/python3 - "$build_failures" build-ci build-asan build-tsan <<'PY'
import json, os, sys
passed = failed = skipped = 0
for d in sys.argv[2:]:
    log = os.path.join(d, "meson-logs", "testlog.json")
    if not os.path.exists(log):
        failed += 1  # the suite did not even run there
        continue
    for line in open(log):
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
