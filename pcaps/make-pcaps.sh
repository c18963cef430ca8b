#!/bin/bash
#
# Regenerate the sample captures in pcaps/ from real software (openssl,
# curl, python) talking across a veth between two network namespaces.
# Needs root. Keys and certificates are made fresh in a temp dir on every
# run and never leave it.
#
# usage: pcaps/make-pcaps.sh [OUTDIR]      (default: the pcaps/ directory)
#
# The captures differ on every run (random keys, ports, timestamps); what
# stays the same is what each one shows, and the checks at the end hold
# every run to that.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

OUT=${1:-$HERE}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)

for tool in ip openssl curl tcpdump python3; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool"
done
snt_can_netns || snt_die "$SNT_NETNS_WHY"

SNT_TMP=$(mktemp -d /tmp/snt-pcaps.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM

NAME=www.example.test
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# A long list of registered ALPN ids: enough, with many groups, to push a
# ClientHello past the 536-byte MSS of a 576-byte MTU.
LONG_ALPN=h2,http/1.1,http/1.0,spdy/3,spdy/2,spdy/1,stun.turn,stun.nat-discovery
LONG_ALPN=$LONG_ALPN,webrtc,c-webrtc,ftp,imap,pop3,managesieve,coap,xmpp-client
LONG_ALPN=$LONG_ALPN,xmpp-server,acme-tls/1,mqtt,dot,ntske/1,sunrpc,h3,smb,irc,nntp
LONG_ALPN=$LONG_ALPN,nnsp,doq,sip/2,tds/8.0,dicom,postgresql,radius/1.0,radius/1.1
MANY_GROUPS=X25519:P-256:X448:P-521:P-384:ffdhe2048:ffdhe3072:ffdhe4096:ffdhe6144:ffdhe8192

snt_netns_setup || snt_die "namespace setup failed"
snt_make_certs "$SNT_TMP" || snt_die "certificate generation failed"
mkdir -p "$SNT_TMP/www"
printf '<!doctype html><title>test</title><p>hello\n' >"$SNT_TMP/www/index.html"

# --- servers, all in the server namespace ---------------------------------

# s_server -www answers a GET with a status page and closes.
start_tls_server() { # LOGNAME ARGS...
	local log="$SNT_TMP/$1.log"
	shift
	snt_bg "$SNT_SRV" "$log" timeout 300 openssl s_server -www \
		-cert "$SNT_TMP/srv.crt" -key "$SNT_TMP/srv.key" -alpn http/1.1 "$@"
	snt_wait_file "$log" ACCEPT || snt_die "s_server $* did not start"
}
start_tls_server s12 -accept "$SNT_SRV_IP4:4412" -tls1_2
start_tls_server s13 -accept "$SNT_SRV_IP4:4433"
start_tls_server s6 -6 -accept "[$SNT_SRV_IP6]:4433"
# Behind the proxy, on the server namespace's own loopback: not captured.
start_tls_server sproxied -accept 127.0.0.1:443

snt_bg "$SNT_SRV" "$SNT_TMP/http.log" timeout 300 "$PY" -m http.server 8080 \
	--bind "$SNT_SRV_IP4" --directory "$SNT_TMP/www"
snt_wait_listen "$SNT_SRV" 8080 || snt_die "http.server did not start"
snt_bg "$SNT_SRV" "$SNT_TMP/proxy.log" timeout 300 "$PY" "$HERE/connect_proxy.py" \
	"$SNT_SRV_IP4" 3128 --map "$NAME=127.0.0.1" --max-conns 5
snt_wait_listen "$SNT_SRV" 3128 || snt_die "proxy did not start"

# --- scenarios ---------------------------------------------------------------

# scenario FILE FILTER CLIENT-COMMAND... : one capture (pcaps/lib.sh) of
# one client command run in the client namespace.
scenario() {
	local file=$1 filter=$2
	shift 2
	capture "$file" "$filter" client "$@"
}

scenario tls12.pcap "tcp port 4412" \
	curl -sk --tlsv1.2 --tls-max 1.2 --resolve "$NAME:4412:$SNT_SRV_IP4" \
	-o /dev/null "https://$NAME:4412/"

# TLS 1.3 is captured four ways at once: the Ethernet pcap, a pcapng from
# dumpcap, and Linux cooked v1 and v2 from the "any" pseudo-interface. The
# same connection under different link layers should give the same result.
snt_log "making tls13.pcap, tls13.pcapng, linktype-sll.pcap, linktype-sll2.pcap"
F13="tcp port 4433 and host $SNT_SRV_IP4"
caps=()
snt_cap_start "$SNT_CLI" "$SNT_TMP/tls13.pcap" "$F13" -i "$SNT_CLI_IF" || snt_die "capture"
caps+=("$SNT_LAST_PID")
snt_cap_start "$SNT_CLI" "$SNT_TMP/linktype-sll.pcap" "$F13" -i any -y LINUX_SLL || snt_die "capture"
caps+=("$SNT_LAST_PID")
snt_cap_start "$SNT_CLI" "$SNT_TMP/linktype-sll2.pcap" "$F13" -i any -y LINUX_SLL2 || snt_die "capture"
caps+=("$SNT_LAST_PID")
have_pcapng=0
if command -v dumpcap >/dev/null 2>&1; then
	snt_bg "$SNT_CLI" "$SNT_TMP/tls13.pcapng.log" timeout 120 dumpcap -q \
		-i "$SNT_CLI_IF" -f "$F13" -w "$SNT_TMP/tls13.pcapng"
	caps+=("$SNT_LAST_PID")
	snt_wait_file "$SNT_TMP/tls13.pcapng.log" "Capturing on" && have_pcapng=1
fi
client curl -sk --tlsv1.3 --resolve "$NAME:4433:$SNT_SRV_IP4" -o /dev/null "https://$NAME:4433/"
for pid in "${caps[@]}"; do snt_stop "$pid"; done
for f in tls13.pcap linktype-sll.pcap linktype-sll2.pcap; do cp "$SNT_TMP/$f" "$OUT/$f"; done
if [ "$have_pcapng" = 1 ]; then
	cp "$SNT_TMP/tls13.pcapng" "$OUT/tls13.pcapng"
	chmod 644 "$OUT/tls13.pcapng" # dumpcap makes its files private
elif command -v editcap >/dev/null 2>&1; then
	editcap -F pcapng "$OUT/tls13.pcap" "$OUT/tls13.pcapng"
else
	snt_log "no dumpcap or editcap: tls13.pcapng not made"
fi

for mode in raw null vlan qinq; do
	snt_log "making linktype-$mode.pcap"
	"$PY" "$HERE/convert.py" "$mode" "$OUT/tls13.pcap" "$OUT/linktype-$mode.pcap" ||
		snt_die "convert.py $mode failed"
done

scenario tls-cut-in-sni.pcap "tcp port 4433 and host $SNT_SRV_IP4" \
	"$PY" "$HERE/cut_hello.py" "$SNT_SRV_IP4" 4433 "$NAME"

scenario tls-no-sni.pcap "tcp port 4433 and host $SNT_SRV_IP4" \
	openssl s_client -connect "$SNT_SRV_IP4:4433" -noservername

scenario http.pcap "tcp port 8080" \
	curl -s --resolve "$NAME:8080:$SNT_SRV_IP4" -o /dev/null "http://$NAME:8080/"

# curl does not resolve the target itself when it has a proxy: the name
# travels in "CONNECT www.example.test:443" and in the SNI inside.
scenario http-connect.pcap "tcp port 3128" \
	curl -sk -x "http://$SNT_SRV_IP4:3128" -o /dev/null "https://$NAME/"

scenario ipv6-tls.pcap "ip6 and tcp port 4433" \
	curl -6 -sk --resolve "$NAME:4433:[$SNT_SRV_IP6]" -o /dev/null "https://$NAME:4433/"

# Nothing listens on 4499: the server's kernel answers the SYN with RST.
scenario refused.pcap "tcp port 4499" \
	curl -s --connect-timeout 3 --resolve "$NAME:4499:$SNT_SRV_IP4" \
	-o /dev/null "http://$NAME:4499/"

# SYNs to the silent address are dropped: the SYN and its retransmissions
# are all there is. "or icmp" would show an unwanted
# unreachable, so the checks below can catch it.
scenario no-answer.pcap "host $SNT_SILENT_IP4 or icmp" \
	curl -s --connect-timeout 4 --resolve "$NAME:4433:$SNT_SILENT_IP4" \
	-o /dev/null "https://$NAME:4433/"

# A small MTU on both ends gives a 536-byte MSS; the long ALPN list and
# many groups make the ClientHello longer than that. Last, because an MTU
# below 1280 takes the IPv6 addresses off the interface for good.
ip -n "$SNT_CLI" link set "$SNT_CLI_IF" mtu 576
ip -n "$SNT_SRV" link set "$SNT_SRV_IF" mtu 576
scenario tls-split-clienthello.pcap "tcp port 4433 and host $SNT_SRV_IP4" \
	openssl s_client -connect "$SNT_SRV_IP4:4433" -servername "$NAME" \
	-alpn "$LONG_ALPN" -groups "$MANY_GROUPS"
ip -n "$SNT_CLI" link set "$SNT_CLI_IF" mtu 1500
ip -n "$SNT_SRV" link set "$SNT_SRV_IF" mtu 1500

# --- checks --------------------------------------------------------------------

if ! command -v tshark >/dev/null 2>&1; then
	snt_log "tshark not installed: captures made but not checked"
	exit 0
fi

fails=0 # counted by fail(), from pcaps/lib.sh

CH=tls.handshake.type==1
SNI=tls.handshake.extensions_server_name
VER=tls.handshake.extensions.supported_version
echo "checks:"
expect tls12.pcap "$CH" "$SNI" "$NAME"
expect tls12.pcap tls.handshake.type==2 tls.handshake.version 0x0303
expect tls12.pcap tls.handshake.type==11 x509ce.dNSName "$NAME,example.test"
for f in tls13.pcap tls13.pcapng linktype-sll.pcap linktype-sll2.pcap linktype-raw.pcap \
	linktype-null.pcap linktype-vlan.pcap linktype-qinq.pcap; do
	[ -f "$OUT/$f" ] || continue
	expect "$f" "$CH" "$SNI tls.handshake.extensions_alpn_str" "$NAME|h2,http/1.1"
	expect "$f" tls.handshake.type==2 "$VER" 0x0304
done
expect linktype-vlan.pcap "$CH" vlan.id 10
expect linktype-qinq.pcap "$CH" "ieee8021ad.id vlan.id" "100|10"
expect tls-split-clienthello.pcap "$CH" "$SNI" "$NAME"
# The ClientHello must not fit one segment: the frame tshark reassembles it
# in must have more than one segment.
expect tls-split-clienthello.pcap "$CH" tcp.segment.count 2
expect tls-cut-in-sni.pcap "$CH" "$SNI tcp.segment.count" "$NAME|2"
count tls-no-sni.pcap "$CH" 1
expect tls-no-sni.pcap "$CH" "$SNI" ""
expect http.pcap http.request "http.request.method http.host" "GET|$NAME:8080"
expect http-connect.pcap http.request "http.request.method http.request.uri" \
	"CONNECT|$NAME:443"
expect http-connect.pcap "$CH" "$SNI" "$NAME"
expect ipv6-tls.pcap "$CH" "ipv6.dst $SNI" "$SNT_SRV_IP6|$NAME"
count refused.pcap "tcp.flags.syn==1 && tcp.flags.ack==0" 1
count refused.pcap "tcp.flags.reset==1" 1
# Linux retransmits a SYN after 1 s, then (older kernels) 2 s more or
# (newer ones) 1 s more: 3 or 4 SYNs in 4 s.
count no-answer.pcap "tcp.flags.syn==1 && tcp.flags.ack==0" 3 4
count no-answer.pcap "!(tcp.flags.syn==1 && tcp.flags.ack==0)" 0

echo "sizes:"
for f in "$OUT"/*.pcap "$OUT"/*.pcapng; do
	[ -f "$f" ] && printf '  %-28s %6d bytes\n' "${f##*/}" "$(wc -c <"$f")"
done
if [ "$fails" -gt 0 ]; then
	snt_log "$fails check(s) failed"
	exit 1
fi
exit 0
