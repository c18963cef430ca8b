#!/bin/bash
#
# Memory and time under hostile traffic: snitrace (and ndpiReader, when
# installed) on two captures made by make-flood-pcap.py into bench/out/:
#   syn-flood  3,000,000 spoofed SYNs (random IPv4 sources, ports and ISNs)
#              to 198.51.100.10:443 at 100,000 per second, nothing answers
#   ooo-bomb   100,000 connections whose 1,500-byte ClientHellos arrive out
#              of order: every handshake, then every second and third part
#              (held beyond a gap), then every first part
# For each: a markdown table of wall, user and system time, peak RSS (GNU
# time's %M), the output's size and what the stats record counted, on
# stdout; progress on stderr.  The best of --runs runs (wall) is kept:
# on a shared machine noise only ever adds time.
#
# usage: bench/flood.sh [--runs N] [--tools snitrace,ndpi] [--snitrace PATH]
#                       [--syns N] [--bomb N] [--timeout S] [-- SNITRACE ARGS...]
#   --syns, --bomb  the captures' sizes (default 3000000 and 100000)
#   arguments after -- go to every snitrace run

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out
RUNS=3
TOOLS=snitrace,ndpi
SNITRACE=$ROOT/build/snitrace
SYNS=3000000
BOMB=100000
LIMIT=900
EXTRA=()

usage() { sed -n '3,21s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
die() { echo "flood.sh: $*" >&2; exit 1; }
note() { echo "flood.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=${2:?--runs needs N}; shift 2 ;;
	--tools) TOOLS=${2:?--tools needs a list}; shift 2 ;;
	--snitrace) SNITRACE=${2:?--snitrace needs a path}; shift 2 ;;
	--syns) SYNS=${2:?--syns needs N}; shift 2 ;;
	--bomb) BOMB=${2:?--bomb needs N}; shift 2 ;;
	--timeout) LIMIT=${2:?--timeout needs seconds}; shift 2 ;;
	--) shift; EXTRA=("$@"); break ;;
	-h | --help) usage 0 ;;
	*) usage 1 >&2 ;;
	esac
done
for n in "$RUNS" "$SYNS" "$BOMB" "$LIMIT"; do
	case $n in '' | *[!0-9]* | 0) die "counts and seconds are positive whole numbers" ;; esac
done
want() { case ",$TOOLS," in *",$1,"*) return 0 ;; esac; return 1; }
[ -x /usr/bin/time ] || die "needs GNU time at /usr/bin/time (package 'time')"
[ -x "$SNITRACE" ] || die "no snitrace at $SNITRACE (meson compile -C build)"
PY=/usr/bin/python3
mkdir -p "$OUT"

# capture SHAPE COUNT : its path on stdout, made if missing.
capture() {
	local cap=$OUT/$1-$2.pcap
	if [ ! -s "$cap" ]; then
		note "making $cap"
		"$PY" "$HERE/make-flood-pcap.py" --shape "$1" --count "$2" "$cap.tmp" >&2 ||
			die "making $cap failed"
		mv "$cap.tmp" "$cap"
	fi
	echo "$cap"
}

# measure NAME OUTPUT COMMAND... : the best run's "wall user sys rss_kb",
# and the output of that run kept in OUTPUT.
measure() {
	local name=$1 output=$2 best= line wall
	shift 2
	for _ in $(seq "$RUNS"); do
		if ! /usr/bin/time -f "%e %U %S %M" -o "$OUT/time.txt" \
			timeout "$LIMIT" "$@" >"$output.run" 2>"$OUT/$name.err"; then
			note "$name failed or timed out: $(tail -c 300 "$OUT/$name.err")"
			return 1
		fi
		line=$(tail -1 "$OUT/time.txt")
		wall=${line%% *}
		if [ -z "$best" ] || awk -v a="$wall" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
			best=$line
			mv "$output.run" "$output"
		fi
		note "$name: $line"
	done
	rm -f "$output.run"
	echo "$best"
}

# stats FILE : what snitrace's final stats record counted, in words.
stats() {
	"$PY" - "$1" <<-'EOF'
		import json, sys
		recs = [json.loads(l) for l in open(sys.argv[1])]
		st = [r for r in recs if r["type"] == "stats"][-1]
		kinds = {}
		for r in recs:
		    kinds[r["type"]] = kinds.get(r["type"], 0) + 1
		named = sum(1 for r in recs if r["type"] == "attempt" and r.get("name_source") == "sni")
		keys = ["attempts_summarised", "evictions", "reassembly_memory_evictions",
		        "reassembly_memory_full", "scan_table_full"]
		words = ["%d attempt records (%d with their SNI)" % (kinds.get("attempt", 0), named)]
		words += ["%d %s" % (kinds[k], k) for k in ("session", "flood", "scan") if kinds.get(k)]
		words += ["%s %d" % (k, st[k]) for k in keys if st.get(k)]
		print(", ".join(words))
	EOF
}

row() { # SHAPE TOOL "wall user sys rss" OUTPUT_BYTES WHAT
	local t=($3)
	printf '| %s | %s | %s s | %s s | %s s | %s MB | %s | %s |\n' "$1" "$2" "${t[0]}" "${t[1]}" \
		"${t[2]}" "$(awk -v k="${t[3]}" 'BEGIN { printf "%.0f", k / 1024 }')" "$4" "$5"
}

human() { numfmt --to=iec --suffix=B "$1" 2>/dev/null || echo "$1 B"; }

echo "| capture | tool | wall | user | sys | peak RSS | output | what it wrote |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
for shape in syn-flood ooo-bomb; do
	count=$SYNS
	[ "$shape" = ooo-bomb ] && count=$BOMB
	cap=$(capture "$shape" "$count")
	label="$shape ($(human "$(stat -c %s "$cap")"), $count)"
	if want snitrace; then
		out=$OUT/$shape-$count.snitrace.jsonl
		if t=$(measure "snitrace-$shape" "$out" "$SNITRACE" -q -r "$cap" -o /dev/stdout "${EXTRA[@]}"); then
			row "$label" snitrace "$t" "$(human "$(stat -c %s "$out")")" "$(stats "$out")"
		fi
	fi
	if want ndpi && command -v ndpiReader >/dev/null 2>&1; then
		out=$OUT/$shape-$count.ndpi.txt
		if t=$(measure "ndpi-$shape" "$out" ndpiReader -i "$cap" -q); then
			row "$label" "ndpiReader -q" "$t" "$(human "$(stat -c %s "$out")")" "-"
		fi
	fi
done
