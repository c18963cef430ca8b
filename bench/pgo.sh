#!/bin/bash
#
# A profile-guided build of snitrace, for those who build it for speed:
# gcc first builds it instrumented (meson's b_pgo=generate), that build
# runs on captures make-bench-pcap.py makes from the project's own
# handshakes, and gcc builds it again with what those runs counted
# (b_pgo=use), into its own build directory (default build-pgo).  The
# default build (build/) is left as it is.
#
# The training captures are the bench's shapes at a seed no bench case
# uses (default 1000): mixed (default 100 MB) and handshakes (a fifth of
# that), each read as a user reads it (JSON, the threads the machine
# gives), with --threads 1, and in the text view, and the handshakes once
# from a pipe (libpcap's dispatch, as live capture uses); then every
# capture under pcaps/, with its key log where it has one.  Records do not depend on the build: compare them with
# build/snitrace's if in doubt.  Measure with bench/run.sh --snitrace
# build-pgo/snitrace (RESULTS.md has the figures).
#
# usage: bench/pgo.sh [--size MB] [--seed N] [--builddir DIR]

set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/capture.sh
. "$HERE/capture.sh"
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
SIZE=100
SEED=1000
DIR=$ROOT/build-pgo

usage() { sed -n '/^# usage:/,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit "${1:-0}"; }
die() { echo "pgo.sh: $*" >&2; exit 1; }
note() { echo "pgo.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--size) SIZE=${2:?--size needs MB}; shift 2 ;;
	--seed) SEED=${2:?--seed needs N}; shift 2 ;;
	--builddir) DIR=${2:?--builddir needs a directory}; shift 2 ;;
	-h|--help) usage 0 ;;
	*) echo "pgo.sh: unknown option $1" >&2; usage 2 >&2 ;;
	esac
done
case $SIZE in '' | *[!0-9]*) die "--size must be a number of MB" ;; esac
[ "$SIZE" -ge 5 ] || die "--size must be at least 5 MB"
command -v gcc >/dev/null || die "gcc is needed (meson's b_pgo with gcc)"

mixed=$(bench_capture "$OUT" mixed "$SIZE" "" "$SEED") || die "making the mixed capture failed"
hands=$(bench_capture "$OUT" handshakes $((SIZE / 5)) "" "$SEED") ||
	die "making the handshakes capture failed"

cd "$ROOT"
if [ -d "$DIR" ]; then
	meson configure "$DIR" -Db_pgo=generate >/dev/null || die "meson configure failed"
else
	CC=gcc meson setup "$DIR" -Db_pgo=generate >/dev/null || die "meson setup failed"
fi
note "building instrumented"
meson compile -C "$DIR" snitrace >/dev/null || die "the instrumented build failed"
find "$DIR" -name '*.gcda' -delete # counts of an earlier training go

note "training on $(basename "$mixed"), $(basename "$hands") and pcaps/"
for cap in "$mixed" "$hands"; do
	for args in "" "--threads 1" "--format text"; do
		# shellcheck disable=SC2086 # args is a list of options
		"$DIR/snitrace" $args -r "$cap" -o /dev/null || die "snitrace failed on $cap"
	done
done
# Read from a pipe, libpcap hands the packets on as it does on a live
# interface (pcap_dispatch), not through the file walk.
cat "$hands" | "$DIR/snitrace" -r - -o /dev/null || die "snitrace failed on $hands from a pipe"
# The project's own captures, each with its key log where it has one;
# the damaged ones (pcaps/hostile) are training too, so their exits pass.
while IFS= read -r cap; do
	keys=()
	[ -f "${cap%.*}.keys" ] && keys=(--keylog "${cap%.*}.keys")
	"$DIR/snitrace" "${keys[@]}" -r "$cap" -o /dev/null 2>/dev/null || true
done < <(find "$ROOT/pcaps" -name '*.pcap' -o -name '*.pcapng' | sort)

note "building with the profile"
meson configure "$DIR" -Db_pgo=use >/dev/null || die "meson configure failed"
meson compile -C "$DIR" snitrace >/dev/null || die "the profile-guided build failed"
echo "$DIR/snitrace"
