#!/bin/bash
#
# Throughput benchmark: snitrace against the libpcap read floor and, where
# installed, ndpiReader, ssldump and tshark, on captures made by
# make-bench-pcap.py. For each capture: a markdown table (wall, user and
# system time, peak RSS, packets and connections per second) and the
# ratios, on stdout; progress goes to stderr.
#
# usage: bench/run.sh [--shape mixed|handshakes|bulk | --all] [--size MB] [--flows N]
#                     [--seed N] [--runs N] [--timeout S] [--snitrace PATH]
#                     [--tools floor,snitrace,trusted,threads1,threads3,nocert,pgo,ndpi,ssldump,tshark]
#                     [--pgo-snitrace PATH]
#                     [--subset-mb MB] [--subset-tools LIST] [--handshake-heavy]
#                     [--flows-check]
#
#   --shape      mixed (1000 MB), handshakes (200 MB) or bulk (1000 MB, the
#                previous bench's capture); --handshake-heavy is --shape
#                handshakes; default bulk. --all: the three, default sizes.
#   --size       MB, with one shape; --flows N: flows of mixed/handshakes
#                (the "cost flat in flows" check: same --size, twice --flows)
#   --runs       runs per tool (default 3), taken in rounds (each tool once a
#                round, in turn); the fastest is reported, since on a shared
#                machine noise only ever adds time
#   --timeout    seconds a run may take before it is killed (default 900)
#   --subset-tools  tools run only on the first --subset-mb MB (default 100)
#                of the capture, with the floor and snitrace again on that
#                same prefix for their ratios (default: tshark; it needs
#                ~15x snitrace's time and 250+ MB)
#   --flows-check  instead of the tools: the floor and snitrace on the shape
#                (default mixed) at half its flows (or of --flows) and at
#                twice that in the same size, and how much the time per
#                packet changes; the --runs rounds take the two captures
#                in turn
#
# Tools: floor (bench/floor.c: pcap_next_ex over every packet, the file
# read through a 256 KiB stdio buffer as snitrace reads it; until issue 9's
# reading change it read through pcap_open_offline's 4 KiB stdio reads and
# took 2.7 times the CPU time, so ratios to the floor from before
# and after do not compare), snitrace as a user runs it (certificates, DNS
# naming, sessions, flags: all on by default, and on two CPUs the
# certificate checks and the output on threads of their own; -o
# /dev/null), trusted (the same with --ca-file pcaps/cert/test-ca.pem: the
# bench's chains then end in a root the run trusts, as nearly every chain
# on a real network does, so each new chain's signatures are checked, the
# intermediate's and the leaf's; the leaf's fails, the bench having
# written the server's name into it, but costs what a good one does),
# threads1 (snitrace --threads 1: everything on one thread),
# threads3 (snitrace --threads 3: the file also read ahead on a thread of
# its own, the default with three CPUs or more; not in the default list),
# nocert (snitrace --no-cert-checks), pgo (the profile-guided build
# bench/pgo.sh makes, build-pgo/snitrace or --pgo-snitrace PATH, run as
# snitrace is; skipped when it is not built), ndpi (ndpiReader -i FILE -q), ssldump
# (ssldump -n -q -r FILE > /dev/null), tshark (the ClientHellos' server
# names: -Y tls.handshake.type==1 -T fields -e
# tls.handshake.extensions_server_name). Captures are made once per shape,
# size, flows and seed into bench/out/ and reused, with their counts beside
# them (NAME.json).

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/capture.sh
. "$HERE/capture.sh"
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out

SHAPES=()
SIZE=
FLOWS=
SEED=1
RUNS=3
SNITRACE=$ROOT/build/snitrace
PGO_SNITRACE=$ROOT/build-pgo/snitrace
TOOLS=floor,snitrace,trusted,threads1,nocert,pgo,ndpi,ssldump,tshark
SUBSET_TOOLS=tshark
SUBSET_MB=100
# Bound every run; a tool that needs longer than this is broken, not slow.
LIMIT=900
FLOWS_CHECK=

usage() { sed -n '/^# usage:/,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit "${1:-0}"; }
die() { echo "run.sh: $*" >&2; exit 1; }
note() { echo "run.sh: $*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--shape) SHAPES=("${2:?--shape needs mixed, handshakes or bulk}"); shift 2 ;;
	--all) SHAPES=(mixed handshakes bulk); shift ;;
	--handshake-heavy) SHAPES=(handshakes); shift ;;
	--size) SIZE=${2:?--size needs MB}; shift 2 ;;
	--flows) FLOWS=${2:?--flows needs N}; shift 2 ;;
	--seed) SEED=${2:?--seed needs N}; shift 2 ;;
	--runs) RUNS=${2:?--runs needs N}; shift 2 ;;
	--timeout) LIMIT=${2:?--timeout needs seconds}; shift 2 ;;
	--snitrace) SNITRACE=${2:?--snitrace needs a path}; shift 2 ;;
	--tools) TOOLS=${2:?--tools needs a list}; shift 2 ;;
	--pgo-snitrace) PGO_SNITRACE=${2:?--pgo-snitrace needs a path}; shift 2 ;;
	--subset-tools) SUBSET_TOOLS=${2?--subset-tools needs a list}; shift 2 ;;
	--subset-mb) SUBSET_MB=${2:?--subset-mb needs MB}; shift 2 ;;
	--flows-check) FLOWS_CHECK=1; shift ;;
	-h | --help) usage 0 ;;
	*) usage 1 >&2 ;;
	esac
done
[ ${#SHAPES[@]} -gt 0 ] || SHAPES=(bulk)
for s in "${SHAPES[@]}"; do
	case $s in mixed | handshakes | bulk) ;; *) die "unknown shape '$s'" ;; esac
done
[ -z "$SIZE" ] || [ ${#SHAPES[@]} -eq 1 ] || die "--size goes with one --shape"
case ${SIZE:-1} in *[!0-9]*) die "--size takes whole megabytes" ;; esac
case ${FLOWS:-1} in *[!0-9]*) die "--flows takes a number" ;; esac
case $RUNS in '' | *[!0-9]* | 0) die "--runs takes a positive number" ;; esac
case $LIMIT in '' | *[!0-9]* | 0) die "--timeout takes whole seconds" ;; esac
case $SUBSET_MB in '' | *[!0-9]* | 0) die "--subset-mb takes whole megabytes" ;; esac
want() { case ",$TOOLS," in *",$1,"*) return 0 ;; esac; return 1; }
subset() { case ",$SUBSET_TOOLS," in *",$1,"*) return 0 ;; esac; return 1; }

if ! command -v /usr/bin/time >/dev/null 2>&1; then
	# GNU time, for peak RSS and user time; bash's builtin time cannot.
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

# make_capture SHAPE SIZE : the capture's path on stdout, made if missing.
make_capture() {
	bench_capture "$OUT" "$1" "$2" "$FLOWS" "$SEED" || die "making the capture failed"
}

# json_get FILE KEY : one value of a capture's counts.
json_get() {
	"$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2"
}

# cut_prefix CAP MB OUT : the first MB megabytes of CAP, whole packets only.
cut_prefix() {
	"$PY" - "$1" "$2" "$3" <<-'EOF'
		import struct, sys
		src, mb, dst = sys.argv[1], int(sys.argv[2]), sys.argv[3]
		limit, n = mb * 1_000_000, 0
		with open(src, "rb") as f, open(dst, "wb") as out:
		    out.write(f.read(24))
		    done = 24
		    while done < limit:
		        h = f.read(16)
		        if len(h) < 16:
		            break
		        incl = struct.unpack("<IIII", h)[2]
		        out.write(h + f.read(incl))
		        done += 16 + incl
		        n += 1
		print(n)
	EOF
}

declare -A WALL USER SYS RSS STATUS
ORDER=()
# measure NAME CMD... : run CMD $RUNS times under GNU time and timeout; keep
# the fastest wall time, and that run's user and system time and peak RSS.
# stdout goes to /dev/null (to out/run-NAME.out when KEEP is set), stderr
# to out/run-NAME.err.
KEEP=
# With ACC set, the fastest of this call's runs and the earlier calls' is kept
# (runs of several captures taken in turn).
ACC=
measure() {
	local name=$1 i best="${ACC:+${WALL[$1]:-}}" w u s m rc f t0 t1 out=/dev/null
	shift
	f=$OUT/run-${name//[^A-Za-z0-9]/_}
	[ -n "$KEEP" ] && out=$f.out
	if [ -n "${STATUS[$name]+set}" ]; then
		[ "${STATUS[$name]}" = ok ] || return # failed or killed in an earlier round
	else
		ORDER+=("$name")
	fi
	for i in $(seq "$RUNS"); do
		note "$name run $i/$RUNS"
		t0=$EPOCHREALTIME
		/usr/bin/time -f '%e %U %S %M' -o "$f.time" timeout "$LIMIT" "$@" >"$out" 2>"$f.err"
		rc=$?
		t1=$EPOCHREALTIME
		if [ "$rc" = 124 ]; then
			STATUS[$name]="killed after ${LIMIT} s"
			return
		elif [ "$rc" != 0 ]; then
			STATUS[$name]="failed, status $rc (see ${f#"$ROOT"/}.err)"
			return
		fi
		read -r w u s m < <(tail -n 1 "$f.time")
		# Wall time to the microsecond (GNU time's has 10 ms steps).
		w=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')
		if [ -z "$best" ] || awk -v a="$w" -v b="$best" 'BEGIN { exit !(a < b) }'; then
			best=$w WALL[$name]=$w USER[$name]=$u SYS[$name]=$s RSS[$name]=$m
		fi
	done
	STATUS[$name]=ok
}
skip() {
	[ -n "${STATUS[$1]+set}" ] || ORDER+=("$1")
	STATUS[$1]=$2
}

# run_in_turn CAP SUFFIX TOOL... : run_tools $RUNS times, each tool once a
# round, the fastest run of each kept: a slow minute of the machine then
# falls on every tool, not on whichever was running, and the ratios of one
# run compare like with like.
run_in_turn() {
	local rounds=$RUNS r
	RUNS=1 ACC=1
	for r in $(seq "$rounds"); do
		note "round $r/$rounds"
		run_tools "$@"
	done
	RUNS=$rounds ACC=
}

# run_tools CAP SUFFIX TOOL... : measure the tools on CAP, each under the
# name TOOL$SUFFIX.
run_tools() {
	local cap=$1 sfx=$2 t
	shift 2
	# Read the file once so every tool starts with it in the page cache.
	"$OUT/floor" "$cap" >/dev/null || die "floor cannot read $cap"
	for t in "$@"; do
		case $t in
		floor) measure "floor$sfx" "$OUT/floor" "$cap" ;;
		snitrace | trusted | threads1 | threads3 | nocert)
			local extra=() label=snitrace
			[ "$t" = trusted ] && extra=(--ca-file "$ROOT/pcaps/cert/test-ca.pem") label="snitrace, trusted root"
			[ "$t" = threads1 ] && extra=(--threads 1) label="snitrace --threads 1"
			[ "$t" = threads3 ] && extra=(--threads 3) label="snitrace --threads 3"
			[ "$t" = nocert ] && extra=(--no-cert-checks) label="snitrace --no-cert-checks"
			if [ -x "$SNITRACE" ]; then
				measure "$label$sfx" "$SNITRACE" -q -r "$cap" -o /dev/null "${extra[@]}"
			else
				skip "$label$sfx" "not built ($SNITRACE)"
			fi
			;;
		pgo)
			if [ -x "$PGO_SNITRACE" ]; then
				measure "snitrace profile-guided$sfx" "$PGO_SNITRACE" -q -r "$cap" -o /dev/null
			else
				skip "snitrace profile-guided$sfx" "not built ($PGO_SNITRACE: bash bench/pgo.sh)"
			fi
			;;
		ndpi)
			if command -v ndpiReader >/dev/null 2>&1; then
				measure "ndpiReader$sfx" ndpiReader -i "$cap" -q
			else
				skip "ndpiReader$sfx" "not installed (apt-get install libndpi-bin)"
			fi
			;;
		ssldump)
			if command -v ssldump >/dev/null 2>&1; then
				measure "ssldump$sfx" ssldump -n -q -r "$cap"
			else
				skip "ssldump$sfx" "not installed (apt-get install ssldump)"
			fi
			;;
		tshark)
			if command -v tshark >/dev/null 2>&1; then
				KEEP=1 measure "tshark$sfx" tshark -r "$cap" -n -Y 'tls.handshake.type==1' \
					-T fields -e tls.handshake.extensions_server_name
			else
				skip "tshark$sfx" "not installed (apt-get install tshark)"
			fi
			;;
		esac
	done
}

ratio() { # A B : WALL[A] / WALL[B], or n/a
	if [ "${STATUS[$1]:-}" = ok ] && [ "${STATUS[$2]:-}" = ok ]; then
		awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" \
			'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
	else
		echo "n/a"
	fi
}
uratio() { # A B : (user+sys of A) / (user+sys of B), or n/a
	if [ "${STATUS[$1]:-}" = ok ] && [ "${STATUS[$2]:-}" = ok ]; then
		awk -v a="${USER[$1]}" -v b="${SYS[$1]}" -v c="${USER[$2]}" -v d="${SYS[$2]}" \
			'BEGIN { if (c + d > 0) printf "%.2f", (a + b) / (c + d); else print "n/a" }'
	else
		echo "n/a"
	fi
}

# ratio_row A B [SUFFIX] : the row "A / B" of a ratio table, of the tools
# measured as A$SUFFIX and B$SUFFIX.
ratio_row() {
	local a=$1${3:-} b=$2${3:-}
	echo "| $1 / $2 | $(ratio "$a" "$b") | $(uratio "$a" "$b") |"
}

# other_rows B [SUFFIX] : a row for each other tool measured, against B.
other_rows() {
	local other
	for other in ndpiReader ssldump tshark; do
		if [ -n "${STATUS[$other${2:-}]:-}" ]; then ratio_row "$other" "$1" "${2:-}"; fi
	done
}

# table SUFFIX PACKETS CONNS BYTES : the measured tools with this suffix.
table() {
	local sfx=$1 packets=$2 conns=$3 bytes=$4 name shown
	echo "| tool | wall (s) | user (s) | sys (s) | peak RSS (MB) | packets/s | connections/s | MB/s | wall / floor | status |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
	for name in "${ORDER[@]}"; do
		[ "${name%"$sfx"}$sfx" = "$name" ] || continue
		if [ -n "$sfx" ]; then shown=${name%"$sfx"}; else
			case $name in *" (subset)") continue ;; esac
			shown=$name
		fi
		if [ "${STATUS[$name]}" = ok ]; then
			awk -v n="$shown" -v w="${WALL[$name]}" -v u="${USER[$name]}" -v s="${SYS[$name]}" \
				-v m="${RSS[$name]}" -v p="$packets" -v c="$conns" -v b="$bytes" \
				-v r="$(ratio "$name" "floor$sfx")" 'BEGIN {
					if (w <= 0) w = 0.0001
					printf "| %s | %.3f | %.2f | %.2f | %.1f | %.0f | %.0f | %.1f | %s | ok |\n",
						n, w, u, s, m / 1024, p / w, c / w, b / 1e6 / w, r
				}'
		else
			echo "| $shown | | | | | | | | | ${STATUS[$name]} |"
		fi
	done
}

echo "# snitrace benchmark"
echo
echo "- machine: $(nproc) cores, $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- snitrace: \`${SNITRACE#"$ROOT"/}\` ($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?'))"
echo "- best of $RUNS runs (wall time), the tools taken in turn round by round, file in the page cache, each run bounded to $LIMIT s"
echo "- connections/s: the capture's TCP connections and DNS lookups (\`flows\` in its counts) per second of wall time"

if [ -n "$FLOWS_CHECK" ]; then
	# Cost flat in flows: the same bytes in twice the flows.
	[ ${#SHAPES[@]} -eq 1 ] && [ "${SHAPES[0]}" != bulk ] || SHAPES=(mixed)
	shape=${SHAPES[0]}
	size=${SIZE:-$([ "$shape" = handshakes ] && echo 200 || echo 1000)}
	# From half the flows to the shape's own (or --flows): twice the flows in
	# one capture that still has its heavy tail (1 GB holds about 200k
	# flows' handshakes with room for bulk data; 400k would leave none).
	base=$FLOWS
	if [ -z "$base" ]; then
		cap=$(make_capture "$shape" "$size") || exit 1
		base=$(json_get "${cap%.pcap}.json" flows)
	fi
	base=$((base / 2))
	echo
	echo "## Cost flat in flows: $shape, $size MB"
	echo
	echo "| flows | packets | floor wall (s) | snitrace wall (s) | snitrace user+sys (s) | wall ns/packet | user+sys ns/packet | peak RSS (MB) |"
	echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
	first='' ufirst=''
	caps=()
	for n in "$base" $((base * 2)); do
		FLOWS=$n
		cap=$(make_capture "$shape" "$size") || exit 1
		caps+=("$cap")
	done
	# The two captures' runs are taken in turn, so that a slow minute of this
	# machine falls on both: round by round, the floor and snitrace on each,
	# the fastest of each kept.
	ORDER=()
	WALL=() USER=() SYS=() RSS=() STATUS=()
	rounds=$RUNS RUNS=1 ACC=1
	for r in $(seq "$rounds"); do
		note "round $r/$rounds"
		for i in 0 1; do run_tools "${caps[$i]}" "@$i" floor snitrace; done
	done
	RUNS=$rounds ACC=
	for i in 0 1; do
		CAP=${caps[$i]}
		packets=$(json_get "${CAP%.pcap}.json" packets)
		flows=$(json_get "${CAP%.pcap}.json" flows)
		sn=snitrace@$i
		ns=$(awk -v w="${WALL[$sn]:-0}" -v p="$packets" 'BEGIN { printf "%.0f", w * 1e9 / p }')
		uns=$(awk -v u="${USER[$sn]:-0}" -v s="${SYS[$sn]:-0}" -v p="$packets" \
			'BEGIN { printf "%.0f", (u + s) * 1e9 / p }')
		echo "| $flows | $packets | ${WALL[floor@$i]:-} | ${WALL[$sn]:-${STATUS[$sn]}} |" \
			"$(awk -v u="${USER[$sn]:-0}" -v s="${SYS[$sn]:-0}" 'BEGIN { printf "%.2f", u + s }') |" \
			"$ns | $uns | $(awk -v m="${RSS[$sn]:-0}" 'BEGIN { printf "%.1f", m / 1024 }') |"
		[ -z "$first" ] && first=$ns ufirst=$uns
	done
	echo
	echo "Time per packet with twice the flows: wall $(awk -v a="$first" -v b="$ns" 'BEGIN { printf "%+.1f%%", 100 * (b - a) / a }')," \
		"user+sys $(awk -v a="$ufirst" -v b="$uns" 'BEGIN { printf "%+.1f%%", 100 * (b - a) / a }')" \
		"(target: less than 10%)."
	exit 0
fi

for shape in "${SHAPES[@]}"; do
	size=$SIZE
	if [ -z "$size" ]; then
		case $shape in handshakes) size=200 ;; *) size=1000 ;; esac
	fi
	CAP=$(make_capture "$shape" "$size") || exit 1
	COUNTS=${CAP%.pcap}.json
	ORDER=()
	WALL=() USER=() SYS=() RSS=() STATUS=()
	main_tools=() sub_tools=()
	for t in floor snitrace trusted threads1 threads3 nocert pgo ndpi ssldump tshark; do
		want "$t" || continue
		if subset "$t"; then sub_tools+=("$t"); else main_tools+=("$t"); fi
	done
	run_in_turn "$CAP" "" "${main_tools[@]}"
	PACKETS=$(json_get "$COUNTS" packets)
	CONNS=$(json_get "$COUNTS" flows)
	FILE_BYTES=$(wc -c <"$CAP")
	SUB=
	if [ ${#sub_tools[@]} -gt 0 ]; then
		SUB=$OUT/$(basename "${CAP%.pcap}")-first$SUBSET_MB.pcap
		SUB_PACKETS=$(cut_prefix "$CAP" "$SUBSET_MB" "$SUB")
		SUB_BYTES=$(wc -c <"$SUB")
		# Connections in the prefix: in proportion to its packets (a guide).
		SUB_CONNS=$(awk -v c="$CONNS" -v p="$PACKETS" -v q="$SUB_PACKETS" 'BEGIN { printf "%d", c * q / p }')
		run_in_turn "$SUB" " (subset)" floor snitrace "${sub_tools[@]}"
	fi

	echo
	echo "## $shape capture, $size MB"
	echo
	echo "- file: \`${CAP#"$ROOT"/}\`, $FILE_BYTES bytes, $PACKETS packets, $CONNS flows; counts in \`${COUNTS#"$ROOT"/}\`"
	"$PY" - "$COUNTS" <<-'EOF'
		import json, sys
		c = json.load(open(sys.argv[1]))
		if c.get("shape") in ("mixed", "handshakes"):
		    print(f"- {c['tls']} TLS ({c['tls12']} TLS 1.2, {c['tls13']} TLS 1.3 of which "
		          f"{c['tls13_resumed']} resumed), {c['http']} HTTP, {c['dns_lookups']} DNS lookups; "
		          f"{c['clients']} clients, {c['names']} names; "
		          f"{100 * c['share_packets_le_90_bytes']:.0f}% of packets <= 90 bytes, "
		          f"{100 * c['share_bytes_in_full_frames']:.0f}% of bytes in full-size frames")
		else:
		    print(f"- flows by kind: {c.get('flows_by_kind')}; "
		          f"{100 * c['share_packets_le_90_bytes']:.0f}% of packets <= 90 bytes, "
		          f"{100 * c['share_bytes_in_full_frames']:.0f}% of bytes in full-size frames")
	EOF
	echo
	table "" "$PACKETS" "$CONNS" "$FILE_BYTES"
	echo
	echo "| ratio | wall | user+sys |"
	echo "|---|---:|---:|"
	ratio_row snitrace floor
	ratio_row "snitrace --no-cert-checks" floor
	ratio_row snitrace "snitrace --no-cert-checks"
	if [ -n "${STATUS[snitrace --threads 1]:-}" ]; then ratio_row "snitrace --threads 1" snitrace; fi
	if [ -n "${STATUS[snitrace --threads 3]:-}" ]; then ratio_row "snitrace --threads 3" snitrace; fi
	other_rows snitrace
	tr="snitrace, trusted root"
	if [ "${STATUS[$tr]:-}" = ok ]; then
		ratio_row "$tr" floor
		ratio_row "$tr" snitrace
		other_rows "$tr"
	fi
	pg="snitrace profile-guided"
	if [ "${STATUS[$pg]:-}" = ok ]; then
		ratio_row "$pg" floor
		ratio_row snitrace "$pg"
		other_rows "$pg"
	fi
	if [ -n "$SUB" ]; then
		echo
		echo "On the first $SUBSET_MB MB of the same capture (\`${SUB#"$ROOT"/}\`, $SUB_PACKETS packets," \
			"about $SUB_CONNS flows), for ${sub_tools[*]}:"
		echo
		table " (subset)" "$SUB_PACKETS" "$SUB_CONNS" "$SUB_BYTES"
		echo
		echo "| ratio (subset) | wall | user+sys |"
		echo "|---|---:|---:|"
		ratio_row snitrace floor " (subset)"
		other_rows snitrace " (subset)"
	fi
	case $shape in
	mixed)
		echo
		echo "Targets (issue 9): snitrace wall <= 2.0x the floor (now $(ratio snitrace floor)x);" \
			">= 15x faster than ndpiReader (now $(ratio ndpiReader snitrace)x);" \
			"peak RSS <= 200 MB (now $(awk -v m="${RSS[snitrace]:-0}" 'BEGIN { printf "%.0f", m / 1024 }') MB)."
		;;
	handshakes)
		echo
		echo "Target (issue 9): >= 10x faster than ndpiReader with every certificate checked" \
			"(now $(ratio ndpiReader snitrace)x; TLS 1.3 certificates are encrypted and without keys not checked)."
		;;
	esac
done
