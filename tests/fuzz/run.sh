#!/bin/bash
#
# Fuzz every target (or those named) for SECONDS each with libFuzzer, in a
# clang build with the whole library instrumented (-Dfuzzing=true) under
# AddressSanitizer and UndefinedBehaviorSanitizer, then merge what grew
# into tests/fuzz/corpus/TARGET (-merge=1: only inputs that reach new edges
# are kept, so the committed corpora stay small).  Crash inputs are kept
# under WORK/crashes; commit them to the corpus with a name that says what
# they were once fixed.
#
# usage: tests/fuzz/run.sh [-j JOBS] [-n] SECONDS [TARGET...]
#   -j JOBS  targets fuzzed at once (default 1; each uses one core)
#   -n       do not merge into tests/fuzz/corpus (just fuzz and report)
# env: BUILD (default build-fuzz), WORK (default /tmp/snt-fuzz)
#
# Prints one line per target: seconds of wall and CPU time, runs, execs/s,
# coverage (edges), features, corpus size before and after merging; exit 1
# if any crashed.  Give each target a core of its own (-j no more than the
# cores free), or CPU time falls short of the wall time asked for.

set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
jobs=1
merge=1
while getopts "j:n" opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	n) merge=0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
secs=${1:?usage: run.sh [-j JOBS] [-n] SECONDS [TARGET...]}
shift
build=${BUILD:-$top/build-fuzz}
work=${WORK:-/tmp/snt-fuzz}

all_targets() {
	sed -n "/^fuzz_targets = \[/,/\]/p" "$top/tests/meson.build" | tr -d "[],'" |
		sed 's/fuzz_targets =//' | tr -s ' \n' '\n' | grep .
}
if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(all_targets); fi

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$top" -Dfuzzing=true -Dlive_tests=false \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null ||
		exit 1
fi
meson compile -C "$build" $(printf 'tests/fuzz_%s ' "${targets[@]}") >/dev/null || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
mkdir -p "$work/crashes"

# fuzz_one TARGET: fuzz into WORK/TARGET (seeded by the committed corpus),
# then merge into the committed corpus; writes WORK/TARGET.summary.
fuzz_one() {
	local t=$1 exe=$build/tests/fuzz_$1 corpus=$top/tests/fuzz/corpus/$1
	local log=$work/$t.log before after rc
	mkdir -p "$work/$t" "$corpus"
	before=$(find "$corpus" -type f | wc -l)
	# CPU seconds, not just wall time: a busy machine gives a target less.
	local TIMEFORMAT='%U %S'
	{ time "$exe" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/crashes/$t-" "$work/$t" "$corpus" >"$log" 2>&1; } 2>"$work/$t.cpu"
	rc=$?
	# Only inputs that reach an edge the corpus does not are kept
	# (-use_counters=0: hit counts alone do not count), so it stays small.
	if [ "$merge" = 1 ]; then
		"$exe" -merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=2048 "$corpus" "$work/$t" \
			>"$work/$t.merge.log" 2>&1
	fi
	after=$(find "$corpus" -type f | wc -l)
	# The last status line has the coverage; the final stats the rest.
	local last runs speed cpu
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cpu=$(awk '{printf "%.0f", $1 + $2}' "$work/$t.cpu" 2>/dev/null)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	printf '%-12s %5ss wall %5ss cpu %10s runs %7s exec/s  cov %-6s ft %-6s corpus %s -> %s%s\n' \
		"$t" "$secs" "${cpu:-?}" "${runs:-?}" "${speed:-?}" \
		"$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")" \
		"$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")" "$before" "$after" \
		"$([ "$rc" = 0 ] || echo "  CRASH (exit $rc), see $log")" >"$work/$t.summary"
	return "$rc"
}

failed=0
running=0
for t in "${targets[@]}"; do
	[ -x "$build/tests/fuzz_$t" ] || { echo "no fuzz target $t"; exit 2; }
	fuzz_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || failed=1
		running=$((running - 1))
	fi
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=1
	running=$((running - 1))
done
for t in "${targets[@]}"; do cat "$work/$t.summary"; done
ls "$work/crashes" 2>/dev/null | sed 's/^/crash input: /'
exit "$failed"
