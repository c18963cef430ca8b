#!/bin/bash
#
# Fuzz every target (or those named) for SECONDS of CPU time each with
# libFuzzer, in a clang build with the whole library instrumented
# (-Dfuzzing=true) under AddressSanitizer and UndefinedBehaviorSanitizer,
# then merge what grew
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
# Prints one line per target: CPU seconds (and in how many libFuzzer runs
# they were reached), executions, execs/s, coverage (edges), features,
# corpus size before and after merging; exit 1 if any crashed.  Give each
# target a core of its own (-j no more than the cores free).

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
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized -Db_lto=false >/dev/null ||
		exit 1
fi
# Regenerate first: meson compile looks targets up before it would notice
# a target added to tests/meson.build since the build was set up.
ninja -C "$build" build.ninja >/dev/null || exit 1
meson compile -C "$build" $(printf 'tests/fuzz_%s ' "${targets[@]}") >/dev/null || exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
mkdir -p "$work/crashes"

# fuzz_for TARGET SECONDS: one libFuzzer run, its log appended to
# WORK/TARGET.log; prints the CPU milliseconds it used.  Returns its status.
fuzz_for() {
	local t=$1 TIMEFORMAT='%U %S' rc
	{ time "$build/tests/fuzz_$t" -max_total_time="$2" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/crashes/$t-" "$work/$t" \
		"$top/tests/fuzz/corpus/$t" >>"$work/$t.log" 2>&1; } 2>"$work/$t.time"
	rc=$?
	awk '{printf "%d\n", ($1 + $2) * 1000}' "$work/$t.time"
	return "$rc"
}

# fuzz_one TARGET: fuzz into WORK/TARGET (seeded by the committed corpus)
# until the fuzzer has had SECONDS of CPU time (on a busy machine wall time
# gives less: the run is resumed for what is missing), then merge into the
# committed corpus; writes WORK/TARGET.summary.
fuzz_one() {
	local t=$1 corpus=$top/tests/fuzz/corpus/$1 log=$work/$1.log
	local before after rc=0 cpu=0 used rounds=0 runs=0 n
	mkdir -p "$work/$t" "$corpus"
	: >"$log"
	before=$(find "$corpus" -type f | wc -l)
	while [ "$cpu" -lt $((secs * 1000)) ] && [ "$rounds" -lt 10 ] && [ "$rc" = 0 ]; do
		used=$(fuzz_for "$t" $(((secs * 1000 - cpu + 999) / 1000)))
		rc=$?
		cpu=$((cpu + ${used:-0}))
		rounds=$((rounds + 1))
		n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
		runs=$((runs + ${n:-0}))
	done
	# Only inputs that reach an edge the corpus does not are kept
	# (-use_counters=0: hit counts alone do not count), so it stays small.
	if [ "$merge" = 1 ]; then
		"$build/tests/fuzz_$t" -merge=1 -use_counters=0 -timeout=10 -rss_limit_mb=2048 \
			"$corpus" "$work/$t" >"$work/$t.merge.log" 2>&1
	fi
	after=$(find "$corpus" -type f | wc -l)
	# The last status line has the coverage; the last final stats the speed.
	local last speed
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	printf '%-12s %5ss cpu in %s runs %10s execs %7s exec/s  cov %-6s ft %-6s corpus %s -> %s%s\n' \
		"$t" "$((cpu / 1000))" "$rounds" "$runs" "${speed:-?}" \
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
