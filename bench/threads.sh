#!/bin/bash
#
# Which thread sets the wall time: the CPU time of each of snitrace's
# threads (capture and parsing, certificate checks, output), averaged over
# --runs runs on a capture made by make-bench-pcap.py (default: mixed,
# 1000 MB, as run.sh makes it), as a markdown table on stdout.  With two
# CPUs and three threads, the wall time is at least the longest thread's
# time and at least half of all of them together; this says which of the
# two it is.
#
# usage: bench/threads.sh [--shape mixed|handshakes|bulk] [--size MB] [--flows N]
#                         [--seed N] [--runs N] [--snitrace PATH] [-- SNITRACE-OPTIONS...]
#
# How: bench/thread_cpu.c, loaded with LD_PRELOAD, writes each thread's
# user and system time (getrusage RUSAGE_THREAD) as the thread ends.
# snitrace does not restart itself for huge pages when LD_PRELOAD is set
# (src/hugepages.c), so GLIBC_TUNABLES is given what that restart adds,
# where the kernel gives huge pages only to those who ask: the run is the
# one a user gets.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/capture.sh
. "$HERE/capture.sh"
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
SHAPE=mixed
SIZE=
FLOWS=
SEED=1
RUNS=5
SNITRACE=$ROOT/build/snitrace
EXTRA=()

usage() { sed -n '/^# usage:/,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit "${1:-0}"; }
die() { echo "threads.sh: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--shape) SHAPE=${2:?--shape needs mixed, handshakes or bulk}; shift 2 ;;
	--size) SIZE=${2:?--size needs MB}; shift 2 ;;
	--flows) FLOWS=${2:?--flows needs N}; shift 2 ;;
	--seed) SEED=${2:?--seed needs N}; shift 2 ;;
	--runs) RUNS=${2:?--runs needs N}; shift 2 ;;
	--snitrace) SNITRACE=${2:?--snitrace needs a path}; shift 2 ;;
	--) shift; EXTRA=("$@"); break ;;
	-h|--help) usage 0 ;;
	*) echo "threads.sh: unknown option $1" >&2; usage 2 >&2 ;;
	esac
done
case $SHAPE in mixed|handshakes|bulk) ;; *) die "unknown shape $SHAPE" ;; esac
[ -n "$SIZE" ] || SIZE=$([ "$SHAPE" = handshakes ] && echo 200 || echo 1000)
[ -x "$SNITRACE" ] || die "no snitrace at $SNITRACE (meson compile -C build)"
mkdir -p "$OUT"

CAP=$(bench_capture "$OUT" "$SHAPE" "$SIZE" "$FLOWS" "$SEED") || die "making the capture failed"

SHIM=$OUT/thread_cpu.so
"${CC:-cc}" -O2 -Wall -Wextra -shared -fPIC -o "$SHIM" "$HERE/thread_cpu.c" -ldl ||
	die "cannot build thread_cpu.c"

tunables=${GLIBC_TUNABLES:-}
if grep -q '\[madvise\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null &&
	[[ $tunables != *glibc.malloc.hugetlb* ]]; then
	tunables+=${tunables:+:}glibc.malloc.hugetlb=1
	[[ $tunables == *glibc.malloc.tcache_count* ]] || tunables+=:glibc.malloc.tcache_count=1000
fi

TIMES=$(mktemp)
trap 'rm -f "$TIMES" "$TIMES.run"' EXIT
for r in $(seq "$RUNS"); do
	echo "threads.sh: run $r/$RUNS" >&2
	rm -f "$TIMES.run"
	start=$(date +%s.%N)
	timeout 900 env SNT_THREAD_CPU_OUT="$TIMES.run" GLIBC_TUNABLES="$tunables" LD_PRELOAD="$SHIM" \
		"$SNITRACE" "${EXTRA[@]}" -r "$CAP" -o /dev/null ||
		die "snitrace failed on $CAP"
	end=$(date +%s.%N)
	awk -v w="$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')" \
		'{ print } END { print "(wall) user " w " sys 0" }' "$TIMES.run" >>"$TIMES"
done

echo "## Threads: $SHAPE, $SIZE MB${FLOWS:+, $FLOWS flows}${EXTRA[*]:+, snitrace ${EXTRA[*]}}"
echo
echo "- snitrace: \`${SNITRACE#"$ROOT"/}\` ($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?')); mean of $RUNS runs; $(nproc) CPUs"
echo
echo "| thread | user (s) | sys (s) | user+sys (s) |"
echo "|---|---:|---:|---:|"
awk -v runs="$RUNS" '
	{ name = $1; u[name] += $3; s[name] += $5; if (!(name in seen)) { seen[name] = 1; order[++n] = name } }
	END {
		for (i = 1; i <= n; i++) {
			k = order[i]
			if (k == "(wall)") continue
			printf "| %s | %.3f | %.3f | %.3f |\n", k, u[k] / runs, s[k] / runs, (u[k] + s[k]) / runs
			all += u[k] + s[k]
		}
		printf "| all threads | | | %.3f |\n", all / runs
		printf "| wall time | | | %.3f |\n", u["(wall)"] / runs
	}' "$TIMES"
