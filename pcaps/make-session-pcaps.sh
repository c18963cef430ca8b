#!/bin/bash
#
# Regenerate the DNS and session captures in pcaps/session/: clients that
# look names up (dnsmasq, or hand-built queries) and then connect to the
# answers, across a veth between two network namespaces. Needs root.
#
# usage: pcaps/make-session-pcaps.sh [OUTDIR]      (default: pcaps/session)
#
# Every run makes a throwaway CA in a temp dir; only its certificate leaves
# it, as test-ca.pem, so tests can hand it to snitrace as a trust store.
# Servers speak TLS 1.2 only, so the certificate is visible on the wire.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

OUT=${1:-$HERE/session}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)

for tool in ip openssl curl tcpdump python3 dnsmasq unshare getent; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool"
done
snt_can_netns || snt_die "$SNT_NETNS_WHY"

SNT_TMP=$(mktemp -d /tmp/snt-session-pcaps.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
C=$SNT_TMP/pki # keys and certificates; only the CA certificate is copied out

# Client side: lib's 192.0.2.1 / 2001:db8::1, and two more clients for the
# session capture. Server side: the resolvers and one address per server,
# in other documentation ranges so a name's address is easy to tell apart.
CLI_A=192.0.2.10
CLI_B=192.0.2.11
DNS4=192.0.2.53
DNS6=2001:db8::53
BAD_DNS=192.0.2.54
LEGACY_IP=198.51.100.10
EDGE_IP=198.51.100.20
TCP_IP=198.51.100.30
MAL_IP=198.51.100.40
V6_IP=2001:db8::20
MAILHOST_IP=203.0.113.10
WEBHOST_IP=203.0.113.20

snt_netns_setup || snt_die "namespace setup failed"
ip -n "$SNT_CLI" addr add "$CLI_A/24" dev "$SNT_CLI_IF"
ip -n "$SNT_CLI" addr add "$CLI_B/24" dev "$SNT_CLI_IF"
# On-link: the server namespace owns these addresses and answers ARP for them.
ip -n "$SNT_CLI" route add 198.51.100.0/24 dev "$SNT_CLI_IF"
ip -n "$SNT_CLI" route add 203.0.113.0/24 dev "$SNT_CLI_IF"
for a in "$DNS4" "$BAD_DNS" "$LEGACY_IP" "$EDGE_IP" "$TCP_IP" "$MAL_IP" \
	"$MAILHOST_IP" "$WEBHOST_IP"; do
	ip -n "$SNT_SRV" addr add "$a/24" dev "$SNT_SRV_IF"
done
# nodad: a tentative address cannot be bound, and DAD would add ND noise.
for a in "$DNS6" "$V6_IP"; do
	ip -n "$SNT_SRV" addr add "$a/64" dev "$SNT_SRV_IF" nodad
done

# --- certificates ---------------------------------------------------------------

mkdir -p "$C"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	-keyout "$C/ca.key" -out "$C/ca.crt" -days 30 \
	-subj "/O=snitrace test/CN=snitrace session test CA" \
	-addext "basicConstraints=critical,CA:TRUE" \
	-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
	snt_die "CA generation failed"

# leaf FILE CN SAN : $C/FILE.{crt,key}, EC P-256, signed by the CA.
leaf() {
	local f=$1 cn=$2 san=$3
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$C/$f.key" -out "$C/$f.csr" -subj "/CN=$cn" 2>/dev/null || return 1
	printf '%s\n' basicConstraints=CA:FALSE keyUsage=critical,digitalSignature \
		extendedKeyUsage=serverAuth "subjectAltName=$san" >"$C/$f.ext"
	openssl x509 -req -in "$C/$f.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" \
		-CAcreateserial -days 30 -extfile "$C/$f.ext" -out "$C/$f.crt" 2>/dev/null
}
leaf legacy legacy.example.test DNS:legacy.example.test || snt_die "legacy cert failed"
# The CDN edge serves the customer's name, not its own.
leaf www www.example.test DNS:www.example.test || snt_die "www cert failed"
leaf v6 v6.example.test DNS:v6.example.test || snt_die "v6 cert failed"
leaf tcp tcp.example.test DNS:tcp.example.test || snt_die "tcp cert failed"
leaf wild example.test 'DNS:example.test,DNS:*.example.test' || snt_die "wildcard cert failed"
cp "$C/ca.crt" "$OUT/test-ca.pem"
chmod 644 "$OUT/test-ca.pem"

# --- helpers run in the namespaces ------------------------------------------------

# A client that builds its own DNS queries: it can pick its source address,
# use TCP, and (with --raw) take replies it must not try to understand.
cat >"$SNT_TMP/dnsclient.py" <<'EOF'
"""dnsclient.py [--src IP] --dns IP [--tcp] [--no-sni] [--raw] STEP...

STEP is a name, or +SECONDS to pause. A name is looked up (type A, one
question, no EDNS); then, unless --raw, its first A address is connected
to on 443 with TLS 1.2 (SNI = the name unless --no-sni) and sent GET /.
With --raw the reply is only received, never parsed.
"""
import random, socket, ssl, struct, sys, time

def query(name):
    qid = random.randrange(65536)
    msg = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        msg += bytes([len(label)]) + label.encode()
    return qid, msg + b"\0" + struct.pack("!HH", 1, 1)

def skip_name(m, i):
    for _ in range(128):
        n = m[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += 1 + n
    raise ValueError("name too long")

def first_a(m):
    qd, an = struct.unpack_from("!HH", m, 4)
    i = 12
    for _ in range(qd):
        i = skip_name(m, i) + 4
    for _ in range(an):
        i = skip_name(m, i)
        rtype, _, _, rdlen = struct.unpack_from("!HHIH", m, i)
        i += 10
        if rtype == 1 and rdlen == 4:
            return socket.inet_ntoa(m[i:i + 4])
        i += rdlen
    return None

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("DNS over TCP: connection closed")
        buf += chunk
    return buf

def lookup(name, src, dns, tcp):
    qid, msg = query(name)
    if tcp:
        with socket.create_connection((dns, 53), timeout=3, source_address=(src, 0)) as s:
            s.sendall(struct.pack("!H", len(msg)) + msg)
            (n,) = struct.unpack("!H", recv_exact(s, 2))
            reply = recv_exact(s, n)
    else:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(3)
            s.bind((src, 0))
            s.sendto(msg, (dns, 53))
            reply = s.recv(4096)
    if reply[:2] != struct.pack("!H", qid):
        raise ValueError("reply id does not match")
    return reply

def fetch(name, addr, src, sni):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_alpn_protocols(["http/1.1"])
    with socket.create_connection((addr, 443), timeout=5, source_address=(src, 0)) as raw:
        with ctx.wrap_socket(raw, server_hostname=name if sni else None) as s:
            s.sendall(b"GET / HTTP/1.0\r\nHost: " + name.encode() + b"\r\n\r\n")
            try:
                while s.recv(4096):
                    pass
            except (ssl.SSLError, OSError):
                pass

def main(argv):
    src, dns, tcp, sni, raw, steps = "0.0.0.0", None, False, True, False, []
    it = iter(argv)
    for a in it:
        if a == "--src": src = next(it)
        elif a == "--dns": dns = next(it)
        elif a == "--tcp": tcp = True
        elif a == "--no-sni": sni = False
        elif a == "--raw": raw = True
        else: steps.append(a)
    if not dns:
        sys.exit(__doc__)
    ok = True
    for step in steps:
        if step.startswith("+"):
            time.sleep(float(step[1:]))
            continue
        try:
            reply = lookup(step, src, dns, tcp)
            if raw:
                print(f"{step}: {len(reply)}-byte reply")
                continue
            addr = first_a(reply)
            if not addr:
                raise ValueError("no A record")
            print(f"{step}: {addr}")
            fetch(step, addr, src, sni)
        except (OSError, ValueError, EOFError, struct.error, IndexError) as e:
            print(f"{step}: {e}", file=sys.stderr)
            ok = False
    sys.exit(0 if ok else 1)

main(sys.argv[1:])
EOF

# A resolver that answers every query with a broken reply: for a name
# starting "loop" a compression-pointer loop, for anything else an answer
# cut short inside its address. Stops after a few queries or a minute.
cat >"$SNT_TMP/baddns.py" <<'EOF'
import socket, struct, sys

addr, target = sys.argv[1], socket.inet_aton(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
s.settimeout(60)
for _ in range(8):
    try:
        q, peer = s.recvfrom(512)
    except socket.timeout:
        break
    if len(q) < 17:
        continue
    head = q[:2] + struct.pack("!HHHHH", 0x8580, 1, 1, 0, 0)
    answer = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + target
    if q[13:17] == b"loop":
        # The question name is "loop" then a pointer back to its own start
        # (offset 12): loop.loop.loop... without end. The answer points at it.
        reply = head + b"\x04loop\xc0\x0c" + struct.pack("!HH", 1, 1) + answer
    else:
        # The question as asked, then an A record missing its last two bytes.
        reply = (head + q[12:] + answer)[:-2]
    s.sendto(reply, peer)
EOF

# with-resolv.sh RESOLV CMD... : CMD with /etc/resolv.conf replaced by
# RESOLV; run under `unshare -m` so only CMD sees the change.
cat >"$SNT_TMP/with-resolv.sh" <<'EOF'
mount --bind "$1" /etc/resolv.conf || exit 1
shift
exec "$@"
EOF
# Look the name up through the system resolver, then connect to the bare
# address: no SNI, as an old client with a literal address would.
cat >"$SNT_TMP/legacy.sh" <<'EOF'
ip=$(getent ahostsv4 legacy.example.test | awk 'NR == 1 { print $1 }')
[ -n "$ip" ] || { echo "legacy.example.test: no address" >&2; exit 1; }
# -ign_eof: wait for the answer to the GET, not just for the end of input.
printf 'GET / HTTP/1.0\r\n\r\n' |
	openssl s_client -tls1_2 -connect "$ip:443" -noservername -ign_eof
EOF
printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$DNS4" >"$SNT_TMP/resolv4.conf"
printf 'nameserver %s\noptions timeout:2 attempts:1\n' "$DNS6" >"$SNT_TMP/resolv6.conf"

# --- servers ----------------------------------------------------------------------

# Exact names only, everything else under .test is NXDOMAIN, nothing is
# forwarded. --local-ttl: dnsmasq's default TTL of 0 would tell an observer
# the answer is not to be kept at all.
snt_bg "$SNT_SRV" "$SNT_TMP/dnsmasq.log" timeout 120 dnsmasq -k -C /dev/null \
	--no-resolv --no-hosts --bind-interfaces --listen-address="$DNS4,$DNS6" \
	--pid-file="$SNT_TMP/dnsmasq.pid" --log-facility=- --log-queries \
	--local=/test/ --local-ttl=300 \
	--host-record=legacy.example.test,"$LEGACY_IP" \
	--cname=www.example.test,cdn.example.test \
	--cname=cdn.example.test,edge.cdn.test \
	--host-record=edge.cdn.test,"$EDGE_IP" \
	--host-record=v6.example.test,"$V6_IP" \
	--host-record=tcp.example.test,"$TCP_IP" \
	--host-record=mail.example.test,"$MAILHOST_IP" \
	--host-record=autodiscover.example.test,"$MAILHOST_IP" \
	--host-record=calendar.example.test,"$MAILHOST_IP" \
	--host-record=example.test,"$WEBHOST_IP" \
	--host-record=shop.example.test,"$WEBHOST_IP" \
	--host-record=api.example.test,"$WEBHOST_IP" \
	--host-record=static.example.test,"$WEBHOST_IP"
if ! snt_wait_listen_udp "$SNT_SRV" 53 || ! snt_wait_listen "$SNT_SRV" 53; then
	cat "$SNT_TMP/dnsmasq.log" >&2
	snt_die "dnsmasq did not start"
fi

snt_bg "$SNT_SRV" "$SNT_TMP/baddns.log" timeout 120 "$PY" "$SNT_TMP/baddns.py" "$BAD_DNS" "$MAL_IP"
# dnsmasq holds port 53 too, so wait for this address in particular.
bad_dns_up() {
	for _ in $(seq 50); do
		ip netns exec "$SNT_SRV" ss -Hlun "src $BAD_DNS:53" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
bad_dns_up || { cat "$SNT_TMP/baddns.log" >&2; snt_die "baddns.py did not start"; }

# tls_server ADDR LEAF [S_SERVER-ARGS...] : s_server on ADDR:443 with
# $C/LEAF.crt. -www answers a GET with a status page and closes.
tls_server() {
	local addr=$1 leaf=$2 log
	shift 2
	log="$SNT_TMP/s_server-$leaf-${addr//:/_}.log"
	snt_bg "$SNT_SRV" "$log" timeout 120 openssl s_server -www -tls1_2 \
		-accept "$addr:443" -cert "$C/$leaf.crt" -key "$C/$leaf.key" \
		-no-CAfile -no-CApath -no-CAstore -alpn http/1.1 "$@"
	snt_wait_file "$log" ACCEPT || { cat "$log" >&2; snt_die "s_server on $addr did not start"; }
}
tls_server "$LEGACY_IP" legacy
tls_server "$EDGE_IP" www
tls_server "[$V6_IP]" v6 -6
tls_server "$TCP_IP" tcp
tls_server "$MAL_IP" wild
tls_server "$MAILHOST_IP" wild
tls_server "$WEBHOST_IP" wild

# --- scenarios ----------------------------------------------------------------------


CURL12=(curl -sS -k --tlsv1.2 --tls-max 1.2 --max-time 10 -o /dev/null)
# resolved RESOLV CMD... : CMD in the client namespace, resolving names
# through the system resolver pointed at RESOLV.
# shellcheck disable=SC2317 # called through capture
resolved() {
	local conf=$1
	shift
	client unshare -m --propagation private sh "$SNT_TMP/with-resolv.sh" "$conf" "$@"
}
DNSCLIENT=("$PY" "$SNT_TMP/dnsclient.py")

# shellcheck disable=SC2317 # called through capture
malformed() {
	client "${DNSCLIENT[@]}" --dns "$BAD_DNS" --raw loop.example.test short.example.test
	client "${CURL12[@]}" "https://$MAL_IP/"
}

# Two clients, each with two bursts 4 s apart; within a burst the two
# clients' lookups and connections interleave (.10 at 0, 0.3, 0.6 s and
# 4.6, 4.9 s; .11 at 0.15, 0.45 s and 4.8, 5.1 s, plus handshake time).
# shellcheck disable=SC2317 # called through capture
sessions() {
	local pa pb
	client "${DNSCLIENT[@]}" --src "$CLI_A" --dns "$DNS4" \
		mail.example.test +0.3 autodiscover.example.test +0.3 example.test \
		+4 mail.example.test +0.3 calendar.example.test &
	pa=$!
	client "${DNSCLIENT[@]}" --src "$CLI_B" --dns "$DNS4" \
		+0.15 shop.example.test +0.3 api.example.test \
		+4.3 shop.example.test +0.3 static.example.test &
	pb=$!
	wait "$pa" "$pb"
}

WEB="port 53 or tcp port 443"
capture dns-then-ip-no-sni.pcap "$WEB" resolved "$SNT_TMP/resolv4.conf" sh "$SNT_TMP/legacy.sh"
capture dns-cname-chain.pcap "$WEB" \
	resolved "$SNT_TMP/resolv4.conf" "${CURL12[@]}" -4 https://www.example.test/
capture dns-ipv6.pcap "ip6 and ($WEB)" \
	resolved "$SNT_TMP/resolv6.conf" "${CURL12[@]}" -6 https://v6.example.test/
capture dns-tcp.pcap "$WEB" client "${DNSCLIENT[@]}" --dns "$DNS4" --tcp --no-sni tcp.example.test
capture dns-malformed.pcap "$WEB" malformed
capture sessions-overlap.pcap "(host $CLI_A or host $CLI_B) and ($WEB)" sessions
# Lookups with no connection after them: a session of DNS answers only.
tcpdump -r "$OUT/dns-cname-chain.pcap" -w "$OUT/dns-only.pcap" udp port 53 2>/dev/null ||
	snt_die "cannot derive dns-only.pcap"

# --- checks -----------------------------------------------------------------------

command -v tshark >/dev/null 2>&1 || snt_die "tshark not installed: captures made but NOT checked"

fails=0 # counted by fail(), from pcaps/lib.sh
# before FILE FILTER1 FILTER2 : the last packet matching FILTER1 comes
# before the first matching FILTER2 (the lookup precedes the connection).
before() {
	local file=$1 f1=$2 f2=$3 last first
	tsh "$file" -Y "$f1" -T fields -e frame.number || return
	last=$(tail -n 1 "$SNT_TMP/tshark.out")
	tsh "$file" -Y "$f2" -T fields -e frame.number || return
	first=$(head -n 1 "$SNT_TMP/tshark.out")
	if [ -n "$last" ] && [ -n "$first" ] && [ "$last" -lt "$first" ]; then
		printf '  ok   %-26s frame %s (%s) before frame %s (%s)\n' "$file" "$last" "$f1" "$first" "$f2"
	else
		fail "$file: last '$f1' (frame ${last:-none}) not before first '$f2' (frame ${first:-none})"
	fi
}

CH=tls.handshake.type==1
CERT=tls.handshake.type==11
SNI=tls.handshake.extensions_server_name
RESP="dns.flags.response==1"
# Application data from the server: the handshake completed.
DATA="tls.record.content_type==23 && tcp.srcport==443"

# tls_ok FILE DST SNI SAN : one TLS 1.2 handshake to DST with SNI (none
# when "-"), a certificate with dNSNames SAN, completed, no fatal alert.
tls_ok() {
	local file=$1 dst=$2 sni=$3 san=$4 ipdst=ip.dst
	[ "$sni" = - ] && sni=
	case $dst in *:*) ipdst=ipv6.dst ;; esac
	count "$file" "$CH" 1
	expect "$file" "$CH" "$ipdst $SNI" "$dst|$sni"
	# No SNI: no server_name extension at all, not an empty one.
	[ -n "$sni" ] || count "$file" "$CH && tls.handshake.extension.type==0" 0
	expect "$file" tls.handshake.type==2 tls.handshake.version 0x0303
	expect "$file" "$CERT" x509ce.dNSName "$san"
	count "$file" "$DATA" 1 100
	count "$file" "tls.alert_message.level==2" 0
}

echo "checks:"
F=dns-then-ip-no-sni.pcap
count "$F" "dns && !$RESP" 1
expect "$F" "$RESP" "ip.src dns.qry.name dns.a" "$DNS4|legacy.example.test|$LEGACY_IP"
tls_ok "$F" "$LEGACY_IP" - legacy.example.test
before "$F" "$RESP" "$CH"

F=dns-cname-chain.pcap
count "$F" "dns && !$RESP" 1
expect "$F" "$RESP" "dns.qry.name dns.cname dns.a" \
	"www.example.test|cdn.example.test,edge.cdn.test|$EDGE_IP"
# The chain in order, each record's owner then its data.
expect "$F" "$RESP" "dns.resp.name" "www.example.test,cdn.example.test,edge.cdn.test"
tls_ok "$F" "$EDGE_IP" www.example.test www.example.test
before "$F" "$RESP" "$CH"

F=dns-ipv6.pcap
count "$F" ip 0
# curl may ask for an A record too; it gets an empty answer.
count "$F" "dns && !$RESP && dns.qry.type==28" 1
count "$F" "dns.a" 0
expect "$F" "$RESP && dns.aaaa" "ipv6.src dns.qry.name dns.aaaa" "$DNS6|v6.example.test|$V6_IP"
tls_ok "$F" "$V6_IP" v6.example.test v6.example.test
before "$F" "$RESP" "$CH"

F=dns-tcp.pcap
count "$F" udp 0
count "$F" "dns && !$RESP" 1
expect "$F" "$RESP" "tcp.srcport dns.qry.name dns.a" "53|tcp.example.test|$TCP_IP"
tls_ok "$F" "$TCP_IP" - tcp.example.test
before "$F" "$RESP" "$CH"

F=dns-malformed.pcap
count "$F" "dns && !$RESP" 2
count "$F" "udp.srcport==53 && ip.src==$BAD_DNS" 2
# tshark names the loop and reads on past it (an A record with no owner
# name it can read); the other reply ends inside its only address.
count "$F" "ip.src==$BAD_DNS && dns.qry.name contains \"pointer that loops\"" 1
count "$F" "ip.src==$BAD_DNS && dns.a==$MAL_IP" 1
count "$F" "ip.src==$BAD_DNS && dns.qry.name==short.example.test && _ws.malformed" 1
tls_ok "$F" "$MAL_IP" - "example.test,*.example.test"

F=sessions-overlap.pcap
count "$F" "ip.src==$CLI_A && dns && !$RESP" 5
count "$F" "ip.src==$CLI_B && dns && !$RESP" 4
expect "$F" "$RESP" "ip.dst dns.qry.name dns.a" "$(
	printf '%s|%s|%s ' \
		"$CLI_A" autodiscover.example.test "$MAILHOST_IP" \
		"$CLI_A" calendar.example.test "$MAILHOST_IP" \
		"$CLI_A" example.test "$WEBHOST_IP" \
		"$CLI_A" mail.example.test "$MAILHOST_IP" \
		"$CLI_B" api.example.test "$WEBHOST_IP" \
		"$CLI_B" shop.example.test "$WEBHOST_IP" \
		"$CLI_B" static.example.test "$WEBHOST_IP" | sed 's/ $//')"
count "$F" "$CH && ip.src==$CLI_A" 5
count "$F" "$CH && ip.src==$CLI_B" 4
count "$F" "$DATA" 9 100
count "$F" "tls.alert_message.level==2" 0
# Per client: two bursts, each under 1.5 s, more than 3 s apart; and the
# two clients' bursts overlap in time, first with first, second with second.
tsh "$F" -T fields -e ip.src -e ip.dst -e frame.time_relative &&
	got=$(awk -v a="$CLI_A" -v b="$CLI_B" '
		{ c = ($1 == a || $2 == a) ? a : b; t = $3
		  if (!(c in n) || t - last[c] > 2) { n[c]++; start[c, n[c]] = t
			if (c in last && (!(c in gap) || t - last[c] < gap[c])) gap[c] = t - last[c] }
		  last[c] = t; end[c, n[c]] = t }
		END {
			for (k = 1; k <= 2; k++) {
				printf "%s:%s ", a, (end[a, k] - start[a, k] < 1.5) ? "short" : "LONG"
				printf "%s:%s ", b, (end[b, k] - start[b, k] < 1.5) ? "short" : "LONG"
				printf "%s ", (start[a, k] < end[b, k] && start[b, k] < end[a, k]) ? "overlap" : "APART"
			}
			printf "bursts %d,%d gaps %s,%s", n[a], n[b], (gap[a] > 3) ? ">3s" : "SHORT", (gap[b] > 3) ? ">3s" : "SHORT"
		}' "$SNT_TMP/tshark.out")
want="$CLI_A:short $CLI_B:short overlap $CLI_A:short $CLI_B:short overlap bursts 2,2 gaps >3s,>3s"
if [ "${got:-}" = "$want" ]; then
	printf '  ok   %-26s %s\n' "$F" "$got"
else
	fail "$F: timing: got '${got:-}', want '$want'"
fi

echo "sizes:"
for f in "$OUT"/*.pcap; do
	[ -f "$f" ] && printf '  %-26s %6d bytes\n' "${f##*/}" "$(wc -c <"$f")"
done
if [ "$fails" -gt 0 ]; then
	snt_log "$fails check(s) failed"
	exit 1
fi
exit 0
