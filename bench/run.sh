#!/bin/bash
#
# Throughput benchmark: snitrace against the libpcap read floor and, where
# installed, tshark and ndpiReader, on one large synthetic capture. Prints
# a markdown table (wall time, peak RSS, rates, ratios) on stdout; progress
# goes to stderr.
#
# usage: bench/run.sh [--size MB] [--handshake-heavy] [--runs N]
#                     [--snitrace PATH] [--tools floor,snitrace,tshark,ndpi]
#
# The capture is made once per shape and size into bench/out/ and reused.
# Each tool runs --runs times (default 3) and its fastest run is reported:
# the noise on a shared machine only ever adds time.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out

SIZE=1000
MODE=bulk
RUNS=3
SNITRACE=$ROOT/build/snitrace
TOOLS=floor,snitrace,tshark,ndpi
# Bound every run; a tool that needs longer than this is broken, not slow.
LIMIT=3600

usage() { sed -n '9,11s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "run.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--size) SIZE=${2:?--size needs MB}; shift 2 ;;
	--handshake-heavy) MODE=handshake; shift ;;
	--runs) RUNS=${2:?--runs needs N}; shift 2 ;;
	--snitrace) SNITRACE=${2:?--snitrace needs a path}; shift 2 ;;
	--tools) TOOLS=${2:?--tools needs a list}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) usage 1 >&2 ;;
	esac
done
case $SIZE in '' | *[!0-9]*) die "--size takes whole megabytes" ;; esac
case $RUNS in '' | *[!0-9]* | 0) die "--runs takes a positive number" ;; esac
want() { case ",$TOOLS," in *",$1,"*) return 0 ;; esac; return 1; }

if ! command -v /usr/bin/time >/dev/null 2>&1; then
	# GNU time, for peak RSS; bash's builtin time cannot report it.
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		note "installing GNU time"
		apt-get install -y time >/dev/null 2>&1
	fi
	command -v /usr/bin/time >/dev/null 2>&1 || die "needs GNU time at /usr/bin/time (package 'time')"
fi
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

mkdir -p "$OUT"
CC=${CC:-cc}
pcap_flags=$(pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap)
# shellcheck disable=SC2086 # pkg-config output is a list of flags
"$CC" -O2 -std=c11 -Wall -Wextra -o "$OUT/floor" "$HERE/floor.c" $pcap_flags ||
	die "cannot build floor.c (needs libpcap headers)"

CAP=$OUT/bench-$MODE-$SIZE.pcap
if [ ! -s "$CAP" ]; then
	note "making $CAP"
	args=()
	[ "$MODE" = handshake ] && args+=(--handshake-heavy)
	if ! "$PY" "$HERE/make-bench-pcap.py" "${args[@]}" "$CAP.tmp" "$SIZE" >&2; then
		rm -f "$CAP.tmp"
		die "making the capture failed"
	fi
	mv "$CAP.tmp" "$CAP"
fi

# Read the file once so every tool starts with it in the page cache.
floor_out=$("$OUT/floor" "$CAP") || die "floor cannot read $CAP"
PACKETS=${floor_out%% packets*}
FILE_BYTES=$(wc -c <"$CAP")

# measure NAME CMD... : run CMD $RUNS times, keep the fastest wall time and
# the peak RSS of that run in WALL[NAME], RSS[NAME]. stdout of the last
# run is kept in out/NAME.out for a look at what the tool found.
declare -A WALL RSS STATUS
ORDER=()
measure() {
	local name=$1 i best="" rss="" w m
	shift
	ORDER+=("$name")
	for i in $(seq "$RUNS"); do
		note "$name run $i/$RUNS"
		if ! /usr/bin/time -f '%e %M' -o "$OUT/$name.time" timeout "$LIMIT" "$@" \
			>"$OUT/$name.out" 2>"$OUT/$name.err"; then
			STATUS[$name]="failed (see out/$name.err)"
			return
		fi
		read -r w m <"$OUT/$name.time"
		if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$w rss=$m
		fi
	done
	WALL[$name]=$best
	RSS[$name]=$rss
	STATUS[$name]=ok
}
skip() { ORDER+=("$1"); STATUS[$1]=$2; }

want floor && measure floor "$OUT/floor" "$CAP"
if want snitrace; then
	if [ -x "$SNITRACE" ]; then
		measure snitrace "$SNITRACE" -r "$CAP" -o /dev/null
	else
		skip snitrace "not built ($SNITRACE)"
	fi
fi
if want tshark; then
	if command -v tshark >/dev/null 2>&1; then
		measure tshark tshark -r "$CAP" -n -Y 'tls.handshake.type==1' \
			-T fields -e tls.handshake.extensions_server_name
	else
		skip tshark "not installed"
	fi
fi
if want ndpi; then
	# -q: full analysis, no per-flow report.
	if command -v ndpiReader >/dev/null 2>&1; then
		measure ndpiReader ndpiReader -i "$CAP" -q
	else
		skip ndpiReader "not installed"
	fi
fi

# --- report ---------------------------------------------------------------------

ratio() { # A B : WALL[A] / WALL[B], or n/a
	if [ "${STATUS[$1]:-}" = ok ] && [ "${STATUS[$2]:-}" = ok ]; then
		awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" \
			'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
	else
		echo "n/a"
	fi
}

echo "## Benchmark: $MODE capture, $SIZE MB"
echo
echo "- file: \`${CAP#"$ROOT"/}\`, $FILE_BYTES bytes, $PACKETS packets"
echo "- machine: $(nproc) cores, $(uname -sr); best of $RUNS runs, file in page cache"
echo
echo "| tool | wall (s) | peak RSS (MB) | packets/s | MB/s | status |"
echo "|---|---:|---:|---:|---:|---|"
for name in "${ORDER[@]}"; do
	if [ "${STATUS[$name]}" = ok ]; then
		awk -v n="$name" -v w="${WALL[$name]}" -v m="${RSS[$name]}" -v p="$PACKETS" \
			-v b="$FILE_BYTES" 'BEGIN {
				if (w <= 0) w = 0.01
				printf "| %s | %.2f | %.1f | %.0f | %.1f | ok |\n", n, w, m / 1024, p / w, b / 1e6 / w
			}'
	else
		echo "| $name | | | | | ${STATUS[$name]} |"
	fi
done
echo
echo "| ratio (wall time) | value |"
echo "|---|---:|"
echo "| snitrace / floor | $(ratio snitrace floor) |"
echo "| ndpiReader / snitrace | $(ratio ndpiReader snitrace) |"
echo "| tshark / snitrace | $(ratio tshark snitrace) |"
if [ "${STATUS[tshark]:-}" = ok ]; then
	echo
	echo "tshark saw $(grep -c . "$OUT/tshark.out") ClientHellos with a server name."
fi
