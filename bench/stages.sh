#!/bin/bash
#
# Where snitrace's time goes: a per-stage table (read, decode, flow,
# reassembly, parse, certificate, session, output, engine) of one run on a
# capture made by make-bench-pcap.py (default: mixed, 50 MB), on stdout.
#
# usage: bench/stages.sh [--shape mixed|handshakes|bulk] [--size MB] [--flows N] [--seed N]
#                        [--snitrace PATH] [--perf] [--compare] [--timeout S]
#                        [-- SNITRACE-OPTIONS...]
#
#   --flows N  a mixed or handshakes capture with N flows (as run.sh --flows)
#   default    valgrind --tool=callgrind: exact instruction counts, the
#              same on every run whatever else the machine does; also run
#              on an empty capture, so the table shows the work without
#              start-up (loading the trust store, OpenSSL) too
#   --perf     perf record -e cpu-clock --call-graph dwarf instead: sampled
#              time, kernel included (the read(2) of the capture, page
#              faults), any build (no frame pointers needed with DWARF)
#   --compare  also count the instructions of the floor, snitrace
#              --no-cert-checks, ndpiReader and ssldump on the same capture
#              (user space only: the kernel's share of reading the file is
#              not in these counts)
#   -- ...     options for snitrace (e.g. -- --no-cert-checks)
#
# Stages are told by source file name (bench/stages.py has the list), so
# the table follows the code as it changes; libraries count for the stage
# that called them (OpenSSL under cert*.c is certificate work), except
# cJSON (output) and libpcap (read).

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/capture.sh
. "$HERE/capture.sh"
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
SHAPE=mixed
SIZE=50
SEED=1
FLOWS=
SNITRACE=$ROOT/build/snitrace
MODE=callgrind
COMPARE=
LIMIT=1800
ARGS=()

die() { echo "stages.sh: $*" >&2; exit 1; }
note() { echo "stages.sh: $*" >&2; }
while [ $# -gt 0 ]; do
	case $1 in
	--shape) SHAPE=${2:?}; shift 2 ;;
	--size) SIZE=${2:?}; shift 2 ;;
	--seed) SEED=${2:?}; shift 2 ;;
	--flows) FLOWS=${2:?}; shift 2 ;;
	--snitrace) SNITRACE=${2:?}; shift 2 ;;
	--perf) MODE=perf; shift ;;
	--compare) COMPARE=1; shift ;;
	--timeout) LIMIT=${2:?}; shift 2 ;;
	--) shift; ARGS=("$@"); break ;;
	-h | --help) sed -n '2,28s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) sed -n '7,9s/^# \{0,1\}//p' "$0" >&2; exit 1 ;;
	esac
done
case $SHAPE in mixed | handshakes | bulk) ;; *) die "unknown shape '$SHAPE'" ;; esac
case $SIZE in '' | *[!0-9]*) die "--size takes whole megabytes" ;; esac
[ -x "$SNITRACE" ] || die "no snitrace at $SNITRACE (meson compile -C build)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
mkdir -p "$OUT"

CAP=$(bench_capture "$OUT" "$SHAPE" "$SIZE" "$FLOWS" "$SEED") || die "making the capture failed"
EMPTY=$OUT/empty.pcap
head -c 24 "$CAP" >"$EMPTY"
PACKETS=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["packets"])' "${CAP%.pcap}.json")

echo "## Where the time goes: ${CAP#"$ROOT"/}"
echo
echo "- snitrace \`${SNITRACE#"$ROOT"/}\` ($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?'))" \
	"-r FILE -o /dev/null ${ARGS[*]}; $PACKETS packets"

# icount CMD... : user-space instructions of one run, from callgrind.
icount() {
	timeout "$LIMIT" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
		2>&1 >/dev/null | sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p'
}

if [ "$MODE" = callgrind ]; then
	command -v valgrind >/dev/null 2>&1 || die "needs valgrind (apt-get install valgrind)"
	note "callgrind on $CAP (about a minute per 50 MB)"
	timeout "$LIMIT" valgrind --tool=callgrind --callgrind-out-file="$OUT/stages.callgrind" \
		"$SNITRACE" -q -r "$CAP" -o /dev/null "${ARGS[@]}" 2>"$OUT/stages.callgrind.err" ||
		die "callgrind run failed (see ${OUT#"$ROOT"/}/stages.callgrind.err)"
	timeout "$LIMIT" valgrind --tool=callgrind --callgrind-out-file="$OUT/stages-empty.callgrind" \
		"$SNITRACE" -q -r "$EMPTY" -o /dev/null "${ARGS[@]}" 2>/dev/null ||
		die "callgrind run on the empty capture failed"
	echo "- valgrind --tool=callgrind: instructions (exact); \"without start-up\" subtracts a run on an empty capture"
	echo
	"$PY" "$HERE/stages.py" callgrind "$OUT/stages.callgrind" "$SNITRACE" \
		--base "$OUT/stages-empty.callgrind"
	total=$(sed -n 's/^summary: //p' "$OUT/stages.callgrind")
	empty=$(sed -n 's/^summary: //p' "$OUT/stages-empty.callgrind")
	echo
	echo "Per packet: $(awk -v t="$total" -v e="$empty" -v p="$PACKETS" 'BEGIN { printf "%.0f", (t - e) / p }')" \
		"instructions without start-up ($(awk -v e="$empty" 'BEGIN { printf "%.1f", e / 1e6 }') M at start-up)."
else
	command -v perf >/dev/null 2>&1 || die "needs perf (apt-get install linux-perf)"
	note "perf record on $CAP"
	timeout "$LIMIT" perf record -q -e cpu-clock -F 4999 --call-graph dwarf,16384 \
		-o "$OUT/stages.perf" "$SNITRACE" -q -r "$CAP" -o /dev/null "${ARGS[@]}" \
		2>"$OUT/stages.perf.err" || die "perf record failed (see ${OUT#"$ROOT"/}/stages.perf.err)"
	perf script -i "$OUT/stages.perf" -F ip,sym,dso 2>/dev/null >"$OUT/stages.perf.txt" ||
		die "perf script failed"
	echo "- perf record -e cpu-clock -F 4999 --call-graph dwarf: samples (kernel included; statistical)"
	echo
	"$PY" "$HERE/stages.py" perf "$OUT/stages.perf.txt" "$SNITRACE"
fi

if [ -n "$COMPARE" ]; then
	command -v valgrind >/dev/null 2>&1 || die "--compare needs valgrind"
	CC=${CC:-cc}
	pcap_flags=$(pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap)
	# shellcheck disable=SC2086 # pkg-config output is a list of flags
	"$CC" -O2 -std=c11 -o "$OUT/floor" "$HERE/floor.c" $pcap_flags || die "cannot build floor.c"
	echo
	echo "Instructions on the same capture (callgrind, user space only):"
	echo
	echo "| run | instructions | per packet | / snitrace |"
	echo "|---|---:|---:|---:|"
	declare -A IC
	names=(floor snitrace "snitrace --no-cert-checks")
	IC[floor]=$(icount "$OUT/floor" "$CAP")
	IC[snitrace]=$(icount "$SNITRACE" -q -r "$CAP" -o /dev/null)
	IC["snitrace --no-cert-checks"]=$(icount "$SNITRACE" -q -r "$CAP" -o /dev/null --no-cert-checks)
	if command -v ndpiReader >/dev/null 2>&1; then
		names+=(ndpiReader)
		IC[ndpiReader]=$(icount ndpiReader -i "$CAP" -q)
	fi
	if command -v ssldump >/dev/null 2>&1; then
		names+=(ssldump)
		IC[ssldump]=$(icount ssldump -n -q -r "$CAP")
	fi
	for n in "${names[@]}"; do
		awk -v n="$n" -v i="${IC[$n]:-0}" -v s="${IC[snitrace]:-0}" -v p="$PACKETS" 'BEGIN {
			if (i == 0) { printf "| %s | failed | | |\n", n; exit }
			printf "| %s | %.0f | %.0f | %.2f |\n", n, i, i / p, (s ? i / s : 0)
		}'
	done
fi
