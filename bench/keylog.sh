#!/bin/bash
#
# What the key-log path costs on handshake-heavy traffic (issue: TLS 1.3
# certificates with key logs). Two captures made by make-bench-pcap.py:
#   plain: the handshakes shape (TLS 1.2 and 1.3 handshakes, a little HTTP,
#          DNS); --shape old-handshakes: the previous bench's mix, with
#          which RESULTS.md's key-log figures were measured
#   keyed: the same with --keylog: half the full TLS 1.3 handshakes are
#          copies of pcaps/tls13/tls13-match.pcap (old-handshakes: added
#          copies), whose key log opens every copy (they keep their client
#          random), and the resumed ones keep theirs too
# and, best of --runs each: snitrace on plain (against --base, an older
# build, when given), snitrace on keyed without and with the key log.
#
# usage: bench/keylog.sh [--size MB] [--runs N] [--snitrace PATH] [--base PATH]
#                        [--shape handshakes|old-handshakes]

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
SIZE=200
RUNS=5
SNITRACE=$ROOT/build/snitrace
BASE=
SHAPE=handshakes
while [ $# -gt 0 ]; do
	case $1 in
	--size) SIZE=${2:?}; shift 2 ;;
	--runs) RUNS=${2:?}; shift 2 ;;
	--snitrace) SNITRACE=${2:?}; shift 2 ;;
	--base) BASE=${2:?}; shift 2 ;;
	--shape) SHAPE=${2:?}; shift 2 ;;
	*) sed -n '2,17s/^# \{0,1\}//p' "$0"; exit 1 ;;
	esac
done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
mkdir -p "$OUT"
PLAIN=$OUT/$SHAPE-$SIZE.pcap
KEYED=$OUT/$SHAPE-keyed-$SIZE.pcap
[ -s "$PLAIN" ] || "$PY" "$HERE/make-bench-pcap.py" --shape "$SHAPE" "$PLAIN" "$SIZE" >&2
[ -s "$KEYED" ] || "$PY" "$HERE/make-bench-pcap.py" --shape "$SHAPE" \
	--keylog "${KEYED%.pcap}.keys" "$KEYED" "$SIZE" >&2

# best BIN ARGS... : the fastest of $RUNS runs, in seconds.
best() {
	local b=999999999 t s e
	for _ in $(seq "$RUNS"); do
		s=$(date +%s%N)
		"$@" >/dev/null || return 1
		e=$(date +%s%N)
		t=$(( (e - s) / 1000000 ))
		[ "$t" -lt "$b" ] && b=$t
	done
	printf '%d.%03d' $((b / 1000)) $((b % 1000))
}
ratio() { "$PY" -c "print(f'{$1 / $2:.3f}')"; }

echo "| run | capture | wall (s), best of $RUNS |"
echo "|---|---|---:|"
if [ -n "$BASE" ]; then
	b=$(best "$BASE" -r "$PLAIN")
	echo "| $(basename "$BASE") (before) | plain | $b |"
fi
p=$(best "$SNITRACE" -r "$PLAIN")
echo "| snitrace, no key log | plain | $p |"
n=$(best "$SNITRACE" -r "$KEYED")
echo "| snitrace, no key log | keyed | $n |"
k=$(best "$SNITRACE" -r "$KEYED" --keylog "${KEYED%.pcap}.keys")
echo "| snitrace --keylog | keyed | $k |"
echo
[ -n "$BASE" ] && echo "- no key log, against the build before: $(ratio "$p" "$b")"
stats=$("$SNITRACE" -r "$KEYED" --keylog "${KEYED%.pcap}.keys" | tail -n 1)
dec=$("$PY" -c "import json,sys; print(json.loads(sys.argv[1])['tls_decrypted'])" "$stats")
echo "- with the key log: $(ratio "$k" "$n") the time without it; $dec connections decrypted," \
	"$("$PY" -c "print(f'{($k - $n) * 1e6 / $dec:.0f}')") us each"
