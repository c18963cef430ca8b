# shellcheck shell=bash
#
# Helpers shared by pcaps/make-pcaps.sh and tests/live/live_test.sh: a pair
# of network namespaces joined by a veth, a throwaway CA and server
# certificate, and start/stop of background captures and servers.
#
# Everything lives in namespaces made here, so nothing touches the host's
# own interfaces, and only documentation address ranges are used.

# Client and server sides of the veth. 192.0.2.99 is on-link but nobody
# owns it: SYNs to it reach the server namespace, which does not forward
# and so drops them without an answer.
SNT_CLI_IP4=192.0.2.1
SNT_SRV_IP4=192.0.2.2
SNT_CLI_IP6=2001:db8::1
SNT_SRV_IP6=2001:db8::2
SNT_SILENT_IP4=192.0.2.99

# Pids of everything started in the background, stopped by snt_cleanup.
SNT_PIDS=()
# Extra tshark arguments for the capture checks (tsh below).
SNT_TSHARK_ARGS=()

snt_log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
snt_die() { snt_log "$*"; exit 1; }

# For test scripts run by meson: skip (its exit code 77) or fail, with the reason.
snt_skip() { echo "SKIP: $*"; exit 77; }
snt_fail() { echo "FAIL: $*"; exit 1; }

# snt_need_tools WHAT TOOL... : skip unless every TOOL is installed.
snt_need_tools() {
	local what=$1 tool
	shift
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || snt_skip "$what needs $tool"
	done
}

# True when we can make namespaces and work in them: root, iproute2, and a
# system where `ip netns exec` and veth pairs work. In a container or a
# chroot `ip netns add` may succeed while `ip netns exec` fails (on `mount
# --make-rslave /`), so each step the tests need is tried once here. When
# false, SNT_NETNS_WHY says why, for the skip message.
snt_can_netns() {
	local probe="snt-probe-$$" err ok=1
	SNT_NETNS_WHY="needs root"
	[ "$(id -u)" = 0 ] || return 1
	SNT_NETNS_WHY="needs ip (iproute2)"
	command -v ip >/dev/null 2>&1 || return 1
	if ! err=$(ip netns add "$probe" 2>&1); then
		SNT_NETNS_WHY="cannot make a network namespace here: ip netns add: $err"
		return 1
	fi
	if ! err=$(ip netns exec "$probe" true 2>&1); then
		SNT_NETNS_WHY="cannot run commands in a network namespace here (a container or chroot?): ip netns exec: $err"
		ok=0
	elif ! err=$(ip -n "$probe" link add "sntpa$$" type veth peer name "sntpb$$" 2>&1); then
		SNT_NETNS_WHY="cannot make a veth pair here: $err"
		ok=0
	fi
	ip netns del "$probe" 2>/dev/null # and the veth pair inside it
	[ "$ok" = 1 ]
}

# Make namespaces snt-cli-$$ / snt-srv-$$ and the veth between them.
# Sets SNT_CLI, SNT_SRV (namespace names) and SNT_CLI_IF, SNT_SRV_IF.
snt_netns_setup() {
	SNT_CLI="snt-cli-$$"
	SNT_SRV="snt-srv-$$"
	SNT_CLI_IF="sntc$$"
	SNT_SRV_IF="snts$$"
	ip netns add "$SNT_CLI" || return 1
	ip netns add "$SNT_SRV" || return 1
	# Created directly inside the namespaces: the host never sees them.
	ip link add "$SNT_CLI_IF" netns "$SNT_CLI" type veth \
		peer name "$SNT_SRV_IF" netns "$SNT_SRV" || return 1

	local ns ifc ip4 ip6
	for ns in "$SNT_CLI" "$SNT_SRV"; do
		if [ "$ns" = "$SNT_CLI" ]; then
			ifc=$SNT_CLI_IF ip4=$SNT_CLI_IP4 ip6=$SNT_CLI_IP6
		else
			ifc=$SNT_SRV_IF ip4=$SNT_SRV_IP4 ip6=$SNT_SRV_IP6
		fi
		ip -n "$ns" link set lo up
		ip -n "$ns" addr add "$ip4/24" dev "$ifc"
		ip -n "$ns" addr add "$ip6/64" dev "$ifc" nodad
		# veth hands whole TSO/GSO super-packets to the capture; a
		# capture must show wire-sized segments with real checksums.
		ip -n "$ns" link set "$ifc" gso_max_segs 1 gso_max_size 1500 2>/dev/null
		if command -v ethtool >/dev/null 2>&1; then
			ip netns exec "$ns" ethtool -K "$ifc" tx off rx off \
				tso off gso off gro off >/dev/null 2>&1
		fi
		ip -n "$ns" link set "$ifc" up
	done
	local srv_mac
	srv_mac=$(ip -n "$SNT_SRV" -o link show "$SNT_SRV_IF" |
		sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
	# A fixed neighbour entry, so SYNs to the silent address go out
	# without ARP and are then dropped by the server namespace.
	ip -n "$SNT_CLI" neigh replace "$SNT_SILENT_IP4" lladdr "$srv_mac" \
		dev "$SNT_CLI_IF" nud permanent
}

# Stop background processes, delete the namespaces and the temp dir.
# Safe to call more than once and with nothing set up.
snt_cleanup() {
	local pid
	for pid in "${SNT_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${SNT_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	SNT_PIDS=()
	[ -n "${SNT_CLI:-}" ] && ip netns del "$SNT_CLI" 2>/dev/null
	[ -n "${SNT_SRV:-}" ] && ip netns del "$SNT_SRV" 2>/dev/null
	[ -n "${SNT_TMP:-}" ] && [ -d "$SNT_TMP" ] && rm -rf "$SNT_TMP"
	return 0
}

# A throwaway CA and a server certificate signed by it, into DIR:
# ca.crt, srv.crt, srv.key (SANs: www.example.test, example.test).
# EC P-256 keeps the certificates, and so the captures, small.
snt_make_certs() {
	local dir=$1
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$dir/ca.key" -out "$dir/ca.crt" -days 30 \
		-subj "/O=snitrace test/CN=snitrace test CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || return 1
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$dir/srv.key" -out "$dir/srv.csr" \
		-subj "/CN=www.example.test" 2>/dev/null || return 1
	cat >"$dir/srv.ext" <<-'EOF'
		basicConstraints=CA:FALSE
		keyUsage=critical,digitalSignature
		extendedKeyUsage=serverAuth
		subjectAltName=DNS:www.example.test,DNS:example.test
	EOF
	openssl x509 -req -in "$dir/srv.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" \
		-CAcreateserial -days 30 -extfile "$dir/srv.ext" \
		-out "$dir/srv.crt" 2>/dev/null || return 1
	rm -f "$dir/ca.key" "$dir/srv.csr" "$dir/ca.srl"
}

# snt_bg NS LOG CMD... : run CMD in namespace NS in the background, output
# to LOG; its pid is recorded for cleanup and left in SNT_LAST_PID.
# `ip netns exec` execs CMD, so the pid is CMD's own.
snt_bg() {
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" "$@" >"$log" 2>&1 &
	SNT_LAST_PID=$!
	SNT_PIDS+=("$SNT_LAST_PID")
}

# Wait (up to ~5 s) until something listens on TCP PORT in namespace NS.
snt_wait_listen() {
	local ns=$1 port=$2
	for _ in $(seq 50); do
		if ip netns exec "$ns" ss -Hltn "sport = :$port" | grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	snt_log "nothing listens on port $port in $ns after 5 s"
	return 1
}

# Wait (up to ~5 s) until a UDP socket is bound to PORT in namespace NS.
snt_wait_listen_udp() {
	local ns=$1 port=$2
	for _ in $(seq 50); do
		if ip netns exec "$ns" ss -Hlun "sport = :$port" | grep -q .; then
			return 0
		fi
		sleep 0.1
	done
	snt_log "nothing bound to UDP port $port in $ns after 5 s"
	return 1
}

# Wait (up to ~5 s) until FILE contains PATTERN (e.g. a capture tool's
# "listening on" banner, printed once its socket is attached).
snt_wait_file() {
	local file=$1 pattern=$2
	for _ in $(seq 50); do
		grep -q -- "$pattern" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	snt_log "no '$pattern' in $file after 5 s"
	return 1
}

# snt_cap_start NS OUT FILTER TCPDUMP-ARGS... : start tcpdump in NS writing
# OUT, wait until it is listening. Leaves the pid in SNT_LAST_PID.
# -Z root: Debian's tcpdump otherwise drops to its own user and may not
# be able to write OUT. --immediate-mode: with TPACKET_V3, packets still
# in a ring block that has not timed out are lost when tcpdump stops.
snt_cap_start() {
	local ns=$1 out=$2 filter=$3
	shift 3
	snt_bg "$ns" "$out.log" timeout 120 tcpdump -Z root -U --immediate-mode -n -s 0 "$@" -w "$out" "$filter"
	snt_wait_file "$out.log" "listening on"
}

# snt_stop PID [SIGNAL] : stop a capture (or any background process) by
# pid with SIGNAL (default INT), wait, and return its exit status. The
# short pause lets the last packets of a scenario reach the capture.
# (dnsmasq takes SIGINT for something else: stop it with TERM.)
snt_stop() {
	local pid=$1 sig=${2:-INT} p rc keep=()
	sleep 0.3
	kill -"$sig" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rc=$?
	for p in "${SNT_PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	SNT_PIDS=("${keep[@]}")
	return "$rc"
}

# snt_wait_live PID OUT ERR IP PORT : wait until live snitrace (PID, output
# OUT, stderr ERR) is capturing: refused connections to IP:PORT from the
# client namespace until one shows in OUT (attempts are written as they
# finish). After ~5 s the capture has been open that long anyway: go on
# and let the checks speak.
snt_wait_live() {
	local pid=$1 out=$2 err=$3 ip=$4 port=$5
	for _ in $(seq 10); do
		kill -0 "$pid" 2>/dev/null || snt_fail "snitrace exited early: $(cat "$err")"
		ip netns exec "$SNT_CLI" timeout 2 curl -s --connect-timeout 1 \
			-o /dev/null "http://$ip:$port/" 2>/dev/null
		grep -q "$port" "$out" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "note: no refused connection to port $port in the live output before the test traffic"
}

# shellcheck disable=SC2317 # called through the scripts' capture functions
# Run a client in the client namespace, bounded in time. Failure is often
# the point (refused, no answer, a rejected certificate), so it is reported,
# not fatal.
client() {
	local rc
	ip netns exec "$SNT_CLI" timeout 20 "$@" >>"$SNT_TMP/client.log" 2>&1 </dev/null
	rc=$?
	[ "$rc" = 0 ] || snt_log "client exit $rc: $*"
	return 0
}

# --- checks on made captures, with tshark ------------------------------------
# The capture scripts check what they made: fail counts into $fails, the
# others read $OUT/FILE.
# shellcheck disable=SC2034 # fails is the caller's
fail() {
	printf '  FAIL %s\n' "$*"
	fails=$((fails + 1))
}
# tsh FILE TSHARK-ARGS... : tshark over a capture into $SNT_TMP/tshark.out,
# with ${SNT_TSHARK_ARGS[@]} (decode-as rules, -o tls.keylog_file:...) first.
# A filter or field tshark does not know is an error, not "nothing found".
# FILE may carry a label after a space ("x.pcap +keys"), for the messages.
tsh() {
	local file=${1%% *}
	shift
	tshark -r "$OUT/$file" -n ${SNT_TSHARK_ARGS[@]+"${SNT_TSHARK_ARGS[@]}"} "$@" \
		>"$SNT_TMP/tshark.out" 2>"$SNT_TMP/tshark.err" && return 0
	fail "$file: tshark $*: $(grep -v '^Running as user' "$SNT_TMP/tshark.err" | head -3)"
	return 1
}
# expect FILE FILTER FIELDS WANT : the distinct non-empty values of FIELDS
# in packets matching FILTER, joined by spaces, must be WANT.
expect() {
	local file=$1 filter=$2 fields=$3 want=$4 got args=() f
	for f in $fields; do args+=(-e "$f"); done
	tsh "$file" -Y "$filter" -T fields -E separator='|' "${args[@]}" || return
	got=$(grep -v '^|*$' "$SNT_TMP/tshark.out" | sort -u | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then
		printf '  ok   %-34s %-28s %.90s\n' "$file" "$fields" "$got"
	else
		fail "$(printf '%-34s %-28s got "%.300s", want "%.300s"' "$file" "$fields" "$got" "$want")"
	fi
}
# count FILE FILTER WANT [MAX] : number of packets matching FILTER, WANT
# exactly or, with MAX, between WANT and MAX.
count() {
	local file=$1 filter=$2 want=$3 max=${4:-$3} got
	tsh "$file" -Y "$filter" || return
	got=$(wc -l <"$SNT_TMP/tshark.out")
	if [ "$got" -ge "$want" ] && [ "$got" -le "$max" ]; then
		printf '  ok   %-34s %-28s %s packets\n' "$file" "$filter" "$got"
	else
		fail "$(printf '%-34s %-28s %s packets, want %s..%s' "$file" "$filter" "$got" "$want" "$max")"
	fi
}

# shellcheck disable=SC2317 # called by the capture scripts
# capture FILE FILTER COMMAND... : one scenario, one capture on the
# client's veth holding only the traffic that matches FILTER. COMMAND runs
# here (it may be a function) and starts its clients with `client`.
capture() {
	local file=$1 filter=$2 cap
	shift 2
	snt_log "making $file"
	snt_cap_start "$SNT_CLI" "$SNT_TMP/$file" "$filter" -i "$SNT_CLI_IF" ||
		snt_die "capture for $file did not start"
	cap=$SNT_LAST_PID
	"$@"
	snt_stop "$cap"
	cp "$SNT_TMP/$file" "$OUT/$file"
}
