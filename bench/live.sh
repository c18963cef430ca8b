#!/bin/bash
#
# Live capture benchmark: the rate at which snitrace starts to drop packets.
# A network namespace with a veth pair; snitrace captures live on one end
# (-i, as a user runs it, output to a file on tmpfs) while tcpreplay sends
# the first packets of a capture into the other end at increasing rates.
# After each step snitrace is given time to read what is still in its ring,
# stopped with SIGINT, and its final stats record read: packets seen, kernel
# drops (the ring was full), interface drops. Beside them: frames the veth
# itself dropped before any capture saw them (its backlog overflowed: the
# CPUs were too busy for the kernel's receive path), and snitrace's CPU
# time from the first packet to its ring emptied, as a share of one core
# over the replay. A step is drop-free when snitrace saw every packet sent.
# The markdown table goes to stdout, progress to stderr.
#
# usage: bench/live.sh [--capture FILE] [--rates LIST] [--seconds S]
#                      [--snitrace PATH] [--snitrace-args "ARGS"] [--label TEXT]
#
#   --capture   an Ethernet .pcap (default: bench/out/bench-mixed-1000.pcap,
#               made by `bench/run.sh --shape mixed`); its frames go out
#               as they are (no rewriting: a frame's addresses are not the
#               veth's, so the namespace's own stack ignores it, as a mirror
#               port's traffic)
#   --rates     packets per second, comma-separated, in increasing order;
#               'max' is tcpreplay --topspeed, with as many packets as the
#               largest other step (default 10000,20000,40000,60000,80000,
#               100000,150000,200000,300000,400000,max)
#   --seconds   length of a step (default 5): a step sends rate x seconds
#               packets from the start of the capture, at most all of it;
#               the steps stop after two in a row drop, or two in a row
#               where tcpreplay fell short of the rate by more than 10%
#   --snitrace-args  more arguments for snitrace, split on spaces (e.g.
#               "-B 64", "--no-cert-checks", "--threads 1")
#   --label     a name for the run in the table's title
#
# Connections: TCP connections (SYNs) and DNS lookups (UDP flows to port
# 53) in the packets sent, counted in the capture once and kept in
# bench/out/live-NAME.counts. Needs root, iproute2, tcpreplay and
# python3; without root or namespaces it says so and exits 0.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
OUT=$HERE/out

CAPTURE=$OUT/bench-mixed-1000.pcap
RATES=10000,20000,40000,60000,80000,100000,150000,200000,300000,400000,max
STEP_S=5
SNITRACE=$ROOT/build/snitrace
EXTRA=
LABEL=
IDLE_LIMIT_S=30 # at most this long for snitrace to empty its ring after a step
STOP_LIMIT_S=60 # at most this long from SIGINT to its exit (open flows are written)

usage() { sed -n '/^# usage:/,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; exit "${1:-0}"; }
note() { echo "live.sh: $*" >&2; }
die() { note "$*"; exit 1; }
decline() { echo "live.sh: $*; nothing measured"; exit 0; }

while [ $# -gt 0 ]; do
	case $1 in
	--capture) CAPTURE=${2:?--capture needs a file}; shift 2 ;;
	--rates) RATES=${2:?--rates needs a list}; shift 2 ;;
	--seconds) STEP_S=${2:?--seconds needs a number}; shift 2 ;;
	--snitrace) SNITRACE=${2:?--snitrace needs a path}; shift 2 ;;
	--snitrace-args) EXTRA=${2?--snitrace-args needs a string}; shift 2 ;;
	--label) LABEL=${2?--label needs text}; shift 2 ;;
	-h | --help) usage 0 ;;
	*) usage 1 >&2 ;;
	esac
done
case $STEP_S in '' | *[!0-9]* | 0) die "--seconds takes whole seconds" ;; esac
for r in ${RATES//,/ }; do
	case $r in max) ;; '' | *[!0-9]* | 0) die "--rates takes packets per second or 'max'" ;; esac
done
# shellcheck disable=SC2206 # the extra arguments are split on spaces, on purpose
SNT_ARGS=($EXTRA)

[ "$(id -u)" = 0 ] || decline "needs root (a network namespace, a veth pair, a live capture)"
# shellcheck source=pcaps/lib.sh
. "$ROOT/pcaps/lib.sh"
snt_can_netns || decline "$SNT_NETNS_WHY"
command -v tcpreplay >/dev/null 2>&1 || decline "needs tcpreplay (apt-get install tcpreplay)"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || decline "needs python3"
[ -x "$SNITRACE" ] || die "no executable snitrace at $SNITRACE (meson compile -C build)"
[ -s "$CAPTURE" ] || die "no capture at $CAPTURE (bash bench/run.sh --shape mixed makes it)"

NS=snt-live-$$
CAP_IF=sntl$$ # snitrace's end
TX_IF=sntr$$  # tcpreplay's end
TMP=$(mktemp -d /dev/shm/snt-live.XXXXXX 2>/dev/null || mktemp -d /tmp/snt-live.XXXXXX)
SNT_PID=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$SNT_PID" ]; then
		kill -KILL "$SNT_PID" 2>/dev/null
		wait "$SNT_PID" 2>/dev/null
	fi
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# One namespace, both ends of the veth in it. No IPv6 (router and neighbour
# solicitations would add packets nobody sent), no addresses: the frames
# are for other hosts, so the stack drops them after the capture saw them.
setup_namespace() {
	ip netns add "$NS" || return 1
	ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 || return 1
	ip -n "$NS" link add "$CAP_IF" type veth peer name "$TX_IF" || return 1
	ip -n "$NS" link set lo up &&
		ip -n "$NS" link set "$CAP_IF" up &&
		ip -n "$NS" link set "$TX_IF" up
}

# packets_in FILE : number of packets in a pcap file.
packets_in() {
	"$PY" - "$1" <<-'EOF'
		import struct, sys
		n = 0
		with open(sys.argv[1], "rb") as f:
		    end = "<" if f.read(24)[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
		    while True:
		        h = f.read(16)
		        if len(h) < 16:
		            break
		        f.seek(struct.unpack(end + "IIII", h)[2], 1)
		        n += 1
		print(n)
	EOF
}

# count_connections CAP N... : for each N, a line "N tcp dns bytes small" for
# the first N packets: TCP connections (SYN without ACK, by address and port
# pair), DNS lookups (UDP flows to port 53), frame bytes, frames <= 90 bytes.
count_connections() {
	"$PY" - "$@" <<-'EOF'
		import struct, sys
		path, marks = sys.argv[1], sorted(int(x) for x in sys.argv[2:])
		tcp, dns, done = set(), set(), {}
		n = nbytes = small = 0
		with open(path, "rb") as f:
		    head = f.read(24)
		    end = "<" if head[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
		    mi = 0
		    while n < marks[-1]:
		        h = f.read(16)
		        if len(h) < 16:
		            break
		        _, _, incl, orig = struct.unpack(end + "IIII", h)
		        p = f.read(incl)
		        n += 1
		        nbytes += orig
		        small += orig <= 90
		        et, off = (struct.unpack(">H", p[12:14])[0], 14) if len(p) >= 14 else (0, 0)
		        while et in (0x8100, 0x88A8) and len(p) >= off + 4:
		            et, off = struct.unpack(">H", p[off + 2:off + 4])[0], off + 4
		        proto = None
		        if et == 0x0800 and len(p) >= off + 20:
		            proto, src, dst = p[off + 9], p[off + 12:off + 16], p[off + 16:off + 20]
		            l4 = off + (p[off] & 15) * 4
		        elif et == 0x86DD and len(p) >= off + 40:
		            proto, src, dst, l4 = p[off + 6], p[off + 8:off + 24], p[off + 24:off + 40], off + 40
		        if proto in (6, 17) and len(p) >= l4 + 14:
		            sp, dp = struct.unpack(">HH", p[l4:l4 + 4])
		            if proto == 6 and p[l4 + 13] & 0x12 == 0x02:
		                tcp.add((src, sp, dst, dp))
		            elif proto == 17 and dp == 53:
		                dns.add((src, sp, dst))
		            elif proto == 17 and sp == 53:
		                dns.add((dst, dp, src))
		        while mi < len(marks) and n == marks[mi]:
		            done[marks[mi]] = (len(tcp), len(dns), nbytes, small)
		            mi += 1
		for m in marks:
		    print(min(m, n), *done.get(m, (len(tcp), len(dns), nbytes, small)))
	EOF
}

# cpu_ticks PID : user + system time of a process so far, in clock ticks.
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# veth_drops : frames the veth dropped between tcpreplay and the capture
# (its backlog overflowed, before any packet socket saw them), both ends.
veth_drops() {
	local sum=0 f
	for f in "$TX_IF/statistics/tx_dropped" "$CAP_IF/statistics/rx_dropped"; do
		sum=$((sum + $(ip netns exec "$NS" cat "/sys/class/net/$f" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}

# wait_capturing PID : until the process has a packet socket in the namespace.
wait_capturing() {
	local pid=$1
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || return 1
		ip netns exec "$NS" ss -H -0 -p 2>/dev/null | grep -q "pid=$pid," && return 0
		sleep 0.1
	done
	return 1
}

# wait_idle PID : until the process uses under 5% of a CPU (it has read
# its ring), at most IDLE_LIMIT_S seconds.
wait_idle() {
	local pid=$1 before after hz
	hz=$(getconf CLK_TCK)
	before=$(cpu_ticks "$pid")
	for _ in $(seq $((IDLE_LIMIT_S * 4))); do
		sleep 0.25
		after=$(cpu_ticks "$pid")
		[ $(((after - before) * 20)) -le "$hz" ] && return 0
		before=$after
	done
	note "snitrace still busy $IDLE_LIMIT_S s after the replay; stopped anyway"
}

# stop_snitrace : SIGINT, then wait for its exit, at most STOP_LIMIT_S.
stop_snitrace() {
	kill -INT "$SNT_PID" 2>/dev/null
	for _ in $(seq $((STOP_LIMIT_S * 10))); do
		kill -0 "$SNT_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$SNT_PID" 2>/dev/null && note "snitrace did not exit after SIGINT; killed"
	wait "$SNT_PID" 2>/dev/null
	SNT_PID=
}

# stats_fields FILE : "packets kernel interface" from the last (final stats) record.
stats_fields() {
	tail -n 1 "$1" | "$PY" -c '
import json, sys
try:
    s = json.loads(sys.stdin.read())
except ValueError:
    s = {}
d = s.get("drops", {}) if s.get("type") == "stats" else {}
print(s.get("packets", "?") if s.get("type") == "stats" else "?",
      d.get("kernel", "?"), d.get("interface", "?"))'
}

# replay_fields FILE : "sent seconds pps failed" from tcpreplay's report.
replay_fields() {
	awk '/^Actual:/ { sent = $2; secs = $(NF - 1) }
		/^Rated:/ { pps = $(NF - 1) }
		/Failed packets:/ { failed = $NF }
		END { print (sent == "" ? "?" : sent), (secs == "" ? "?" : secs),
			(pps == "" ? "?" : pps), (failed == "" ? "?" : failed) }' "$1"
}

# run_step RATE N : one step; prints its table row and sets STEP_CLEAN
# (1: drop-free) and STEP_SHORT (1: tcpreplay fell short of the rate).
run_step() {
	local rate=$1 n=$2 how sent secs pps failed seen kdrop idrop conns cps
	local vdrop0 vdrop c0 c1 busy
	local -a replay
	if [ "$rate" = max ]; then replay=(--topspeed); else replay=(--pps="$rate"); fi
	rm -f "$TMP/out.json"
	ip netns exec "$NS" "$SNITRACE" -q -i "$CAP_IF" -o "$TMP/out.json" --stats-interval 0 \
		${SNT_ARGS[@]+"${SNT_ARGS[@]}"} 2>"$TMP/snitrace.err" &
	SNT_PID=$!
	wait_capturing "$SNT_PID" || die "snitrace did not start capturing: $(head -c 500 "$TMP/snitrace.err")"
	note "rate $rate: $n packets"
	vdrop0=$(veth_drops)
	c0=$(cpu_ticks "$SNT_PID")
	ip netns exec "$NS" timeout $((STEP_S * 10 + 60)) tcpreplay --intf1="$TX_IF" "${replay[@]}" \
		--limit="$n" --no-flow-stats "$CAPTURE" >"$TMP/replay.out" 2>&1 ||
		note "tcpreplay: $(tail -n 3 "$TMP/replay.out")"
	wait_idle "$SNT_PID"
	c1=$(cpu_ticks "$SNT_PID")
	vdrop=$(($(veth_drops) - vdrop0))
	stop_snitrace
	read -r sent secs pps failed < <(replay_fields "$TMP/replay.out")
	read -r seen kdrop idrop < <(stats_fields "$TMP/out.json")
	# snitrace's CPU time from the first packet sent to its ring emptied, as
	# a share of one core over the time tcpreplay took to send.
	busy=$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" -v s="$secs" \
		'BEGIN { if (s > 0) printf "%.0f%%", 100 * (b - a) / hz / s; else print "?" }')
	conns=$(awk -v n="$sent" '$1 == n { print $2 + $3; exit }' "$COUNTS")
	[ -n "$conns" ] || conns=$(awk -v n="$n" '$1 == n { print $2 + $3; exit }' "$COUNTS")
	cps=$(awk -v c="$conns" -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", c / s; else print "?" }')
	STEP_CLEAN=0
	if [ "$kdrop" = 0 ] && [ "$idrop" = 0 ] && [ "$seen" != "?" ] && [ "$sent" != "?" ] &&
		[ "$seen" -ge "$sent" ]; then
		STEP_CLEAN=1
	fi
	STEP_SHORT=0
	if [ "$rate" = max ] ||
		awk -v p="$pps" -v r="$rate" 'BEGIN { exit !(p + 0 < 0.9 * r) }'; then
		STEP_SHORT=1
	fi
	how=$([ "$STEP_CLEAN" = 1 ] && echo yes || echo "**no**")
	echo "| $rate | $sent | $secs | $(printf '%.0f' "$pps" 2>/dev/null || echo "$pps") | $conns | $cps |" \
		"$seen | $kdrop | $idrop | $vdrop | $failed | $busy | $how |"
	STEP_PPS=$pps STEP_CPS=$cps
}

setup_namespace || die "cannot make the namespace and veth pair"

# The packets each step sends, from the start of the capture.
TOTAL=$(packets_in "$CAPTURE")
NEED=0
for r in ${RATES//,/ }; do
	[ "$r" = max ] || [ $((r * STEP_S)) -le "$NEED" ] || NEED=$((r * STEP_S))
done
[ "$NEED" -gt 0 ] || NEED=1000000 # 'max' alone
[ "$NEED" -gt "$TOTAL" ] && NEED=$TOTAL
MARKS=()
for r in ${RATES//,/ }; do
	if [ "$r" = max ]; then n=$NEED; else n=$((r * STEP_S)); fi
	[ "$n" -gt "$NEED" ] && n=$NEED
	MARKS+=("$n")
done
base=$(basename "${CAPTURE%.pcap}")
COUNTS=$OUT/live-$base.counts
mkdir -p "$OUT"
[ -f "$COUNTS" ] && [ "$COUNTS" -ot "$CAPTURE" ] && rm -f "$COUNTS"
missing=()
for m in "${MARKS[@]}"; do
	grep -q "^$m " "$COUNTS" 2>/dev/null || missing+=("$m")
done
if [ ${#missing[@]} -gt 0 ]; then
	note "counting connections in the first ${missing[*]} packets"
	count_connections "$CAPTURE" "${missing[@]}" >>"$COUNTS" || die "cannot count connections"
fi

echo "# snitrace live capture benchmark${LABEL:+: $LABEL}"
echo
echo "- machine: $(nproc) cores, $(uname -sr); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- snitrace: \`${SNITRACE#"$ROOT"/} -q -i VETH -o FILE --stats-interval 0${EXTRA:+ $EXTRA}\`" \
	"($(cd "$ROOT" && git describe --always --dirty 2>/dev/null || echo '?'))"
echo "- replayed: the first packets of \`${CAPTURE#"$ROOT"/}\` ($TOTAL packets in all), $STEP_S s a step," \
	"with tcpreplay $(tcpreplay --version 2>&1 | head -n 1 | cut -d' ' -f3) into the other end of the veth"
awk -v n="$NEED" '$1 == n { printf "- the longest step: %d packets, %d TCP connections and %d DNS lookups, %.0f bytes a frame on average, %.0f%% of frames <= 90 bytes\n", $1, $2, $3, $4 / $1, 100 * $5 / $1 }' "$COUNTS" | head -n 1
echo
echo "| rate asked (packets/s) | sent | seconds | sent/s | connections | connections/s | seen by snitrace | kernel drops | interface drops | veth drops | tcpreplay failed | snitrace CPU | drop-free |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
BEST_PPS='' BEST_CPS='' dropped_in_a_row=0 short_in_a_row=0 i=0
for r in ${RATES//,/ }; do
	run_step "$r" "${MARKS[$i]}"
	i=$((i + 1))
	if [ "$STEP_CLEAN" = 1 ]; then
		dropped_in_a_row=0
		if [ -z "$BEST_PPS" ] || awk -v a="$STEP_PPS" -v b="$BEST_PPS" 'BEGIN { exit !(a > b) }'; then
			BEST_PPS=$STEP_PPS BEST_CPS=$STEP_CPS
		fi
	else
		dropped_in_a_row=$((dropped_in_a_row + 1))
	fi
	if [ "$STEP_SHORT" = 1 ]; then
		short_in_a_row=$((short_in_a_row + 1))
	else
		short_in_a_row=0
	fi
	[ "$dropped_in_a_row" -ge 2 ] || [ "$short_in_a_row" -ge 2 ] || [ "$r" = max ] && break
done
echo
if [ -n "$BEST_PPS" ]; then
	echo "Highest drop-free rate: $(printf '%.0f' "$BEST_PPS") packets/s, $BEST_CPS connections/s" \
		"(sent/s as tcpreplay measured it)."
else
	echo "No step was drop-free."
fi
[ "$short_in_a_row" -ge 2 ] &&
	echo "The last two steps are as fast as tcpreplay could send here: higher rates were not tried."
exit 0
