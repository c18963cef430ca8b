#!/bin/bash
#
# Regenerate the TLS 1.3 / QUIC captures in pcaps/tls13/, each with the key
# log its client wrote (NAME.pcap + NAME.keys, NSS key log format): real
# clients (curl, openssl s_client, Python's ssl, ngtcp2's gtlsclient) and
# servers (openssl s_server, ngtcp2's gtlsserver) across a veth between two
# network namespaces, captured on the client's side. Needs root.
#
# usage: pcaps/make-tls13-pcaps.sh [OUTDIR]      (default: pcaps/tls13)
#
# Every run makes a new throwaway CA (root -> intermediate -> leaves) in a
# temp dir. What leaves it: the root and intermediate certificates
# (test-ca.pem, test-intermediate.pem), and, for the TLS 1.3 origin story
# only, the leaves and their keys in story13/ so that tests can start the
# same servers again (pcaps/story13-servers.sh). Every other key stays in
# the temp dir and is removed with it. The key logs hold the traffic
# secrets of these throwaway connections only. Captures, key logs, CA and
# story13/ belong together: regenerate them together.
#
# Servers listen on fixed ports (TCP 443, UDP 443 for QUIC); client ports,
# keys, randoms and timestamps change on every run, what each capture shows
# does not: pcaps/check-tls13-pcaps.sh, run at the end, holds every run to it.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

OUT=${1:-$HERE/tls13}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
# shellcheck disable=SC2034 # read by story13-servers.sh
STORY13_DIR=$OUT/story13
# shellcheck source=pcaps/story13-servers.sh
. "$HERE/story13-servers.sh"

for tool in ip openssl curl tcpdump python3 dnsmasq unshare gtlsclient gtlsserver editcap tshark; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool (gtlsclient, gtlsserver: apt-get install ngtcp2-client ngtcp2-server; editcap, tshark: wireshark-common, tshark)"
done
snt_can_netns || snt_die "needs root and network namespaces (ip netns)"

SNT_TMP=$(mktemp -d /tmp/snt-tls13-pcaps.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM
# Only the clients below write key logs, each to the file it is given.
unset SSLKEYLOGFILE

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NAME=www.example.test
PORT=443
SRV=$SNT_SRV_IP4
C=$SNT_TMP/pki # keys, requests and certificates; only CA certificates and story13/ copied out

snt_netns_setup || snt_die "namespace setup failed"

# --- certificates ---------------------------------------------------------------

VALID=(-startdate 20200101000000Z -enddate 20400101000000Z)
mkdir -p "$C/issued"
: >"$C/index.txt"
# `openssl ca`, as in make-cert-pcaps.sh: only it takes explicit dates.
cat >"$C/ca.cnf" <<EOF
[ ca ]
default_ca = snt
[ snt ]
database = $C/index.txt
serial = $C/serial
new_certs_dir = $C/issued
default_md = sha256
policy = policy_any
unique_subject = no
preserve = yes
email_in_dn = no
[ policy_any ]
organizationName = optional
commonName = optional
EOF
CA_EXT='basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash'
INTER_EXT='basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid'
# leaf_ext SAN [EKU] : extensions of an end-entity certificate.
leaf_ext() {
	printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
		"extendedKeyUsage=${2:-serverAuth}" 'subjectKeyIdentifier=hash' "subjectAltName=$1"
}
# issue NAME ISSUER SUBJECT EXTENSIONS : $C/NAME.crt for a new EC P-256
# key $C/NAME.key, signed by $C/ISSUER.{crt,key} (or itself: "self"),
# valid 2020-01-01 to 2040-01-01.
issue() {
	local name=$1 issuer=$2 subj=$3 ext=$4 by=()
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$C/$name.key" 2>/dev/null || return 1
	openssl req -new -key "$C/$name.key" -subj "$subj" -out "$C/$name.csr" || return 1
	printf '%s\n' "$ext" >"$C/$name.ext"
	if [ "$issuer" = self ]; then
		by=(-selfsign -keyfile "$C/$name.key")
	else
		by=(-cert "$C/$issuer.crt" -keyfile "$C/$issuer.key")
	fi
	openssl ca -batch -config "$C/ca.cnf" -notext -rand_serial "${by[@]}" \
		-in "$C/$name.csr" -out "$C/$name.crt" -extfile "$C/$name.ext" "${VALID[@]}" \
		>>"$C/ca.log" 2>&1 || { snt_log "issuing $name failed, see:"; cat "$C/ca.log" >&2; return 1; }
}
make_pki() {
	issue root self "/O=snitrace test/CN=snitrace tls13 test root CA" "$CA_EXT" &&
		issue inter root "/O=snitrace test/CN=snitrace tls13 test intermediate CA" "$INTER_EXT" &&
		issue match inter "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" &&
		issue mismatch inter "/CN=other.example.test" "$(leaf_ext DNS:other.example.test)" &&
		issue client inter "/O=snitrace test/CN=snitrace test client" \
			"$(leaf_ext email:client@example.test clientAuth)" &&
		issue story-mail inter "/CN=mail.hosted.test" "$(leaf_ext DNS:mail.hosted.test)" &&
		issue story-shared inter "/CN=shared7.webhost.test" "$(leaf_ext DNS:shared7.webhost.test)" &&
		issue story-auto inter "/CN=autodiscover.webhost.test" \
			"$(leaf_ext DNS:autodiscover.webhost.test)" &&
		issue story-fixed inter "/CN=example.test" "$(leaf_ext DNS:example.test,DNS:www.example.test)" &&
		issue story-auto-fixed inter "/CN=autodiscover.example.test" \
			"$(leaf_ext DNS:autodiscover.example.test)" || return 1
	rm -f "$C"/*.csr
	# What gtlsserver presents: the leaf, then the intermediate.
	cat "$C/match.crt" "$C/inter.crt" >"$C/match-chain.pem"
	cat "$C/mismatch.crt" "$C/inter.crt" >"$C/mismatch-chain.pem"
}
make_pki || snt_die "certificate generation failed"

pki_fails=0
# verify_as LEAF NAME WANT [ARGS...] : `openssl verify` of LEAF against the
# new root alone must print WANT.
verify_as() {
	local leaf=$1 name=$2 want=$3 got host=()
	shift 3
	[ -n "$name" ] && host=(-verify_hostname "$name")
	got=$(openssl verify -no-CApath -no-CAstore -CAfile "$C/root.crt" \
		-untrusted "$C/inter.crt" ${host[@]+"${host[@]}"} "$@" "$C/$leaf.crt" 2>&1)
	if printf '%s\n' "$got" | grep -qF -- "$want"; then
		printf '  ok   %-18s %-26s %s\n' "$leaf" "$name" "$want"
	else
		printf '  FAIL %-18s %-26s want "%s", got: %s\n' "$leaf" "$name" "$want" "$got"
		pki_fails=$((pki_fails + 1))
	fi
}
echo "certificates:"
verify_as inter "" "inter.crt: OK"
verify_as match "$NAME" "match.crt: OK"
verify_as mismatch "$NAME" "hostname mismatch"
verify_as mismatch other.example.test "mismatch.crt: OK"
verify_as client "" "client.crt: OK" -purpose sslclient
verify_as story-mail mail.hosted.test "story-mail.crt: OK"
verify_as story-shared example.test "hostname mismatch"
verify_as story-auto autodiscover.example.test "hostname mismatch"
verify_as story-fixed example.test "story-fixed.crt: OK"
verify_as story-fixed www.example.test "story-fixed.crt: OK"
verify_as story-auto-fixed autodiscover.example.test "story-auto-fixed.crt: OK"
[ "$pki_fails" = 0 ] || snt_die "$pki_fails certificate check(s) failed"

cp "$C/root.crt" "$OUT/test-ca.pem"
cp "$C/inter.crt" "$OUT/test-intermediate.pem"
# The story's servers, to be started again by tests: throwaway test keys.
mkdir -p "$STORY13_DIR"
for f in mail shared auto fixed auto-fixed; do
	cp "$C/story-$f.crt" "$STORY13_DIR/$f.crt"
	cp "$C/story-$f.key" "$STORY13_DIR/$f.key"
done
cp "$C/inter.crt" "$STORY13_DIR/intermediate.pem"
cat >"$STORY13_DIR/README.md" <<'EOF'
# Throwaway test keys: the origin story's TLS 1.3 servers

THE PRIVATE KEYS HERE ARE THROWAWAY TEST KEYS. They were made by
`pcaps/make-tls13-pcaps.sh` for one purpose: to serve, inside network
namespaces made by the tests, the certificates of `../story13.pcap` and
`../story13-fixed.pcap`. They protect nothing, are published on purpose,
and must never be used anywhere else.

All leaves are EC P-256, valid 2020-01-01 to 2040-01-01, issued by the
intermediate (`intermediate.pem`, sent after each leaf), which is issued by
`../test-ca.pem`. `pcaps/story13-servers.sh` starts the servers with them.

| files | leaf (CN, SAN) | served on |
|---|---|---|
| `mail.crt`, `mail.key` | `mail.hosted.test` | 198.51.100.21:443 (both variants) |
| `shared.crt`, `shared.key` | `shared7.webhost.test` | 198.51.100.22:443 (before) |
| `auto.crt`, `auto.key` | `autodiscover.webhost.test` | 198.51.100.23:443 (before) |
| `fixed.crt`, `fixed.key` | `example.test` (SANs `example.test`, `www.example.test`) | 198.51.100.22:443 (fixed) |
| `auto-fixed.crt`, `auto-fixed.key` | `autodiscover.example.test` | 198.51.100.23:443 (fixed) |

A new run of `make-tls13-pcaps.sh` replaces all of them together with the
captures, the key logs and the CA certificates.
EOF
chmod 644 "$OUT/test-ca.pem" "$OUT/test-intermediate.pem" "$STORY13_DIR"/*

# --- servers and clients -----------------------------------------------------

# tls_server LEAF S_SERVER-ARGS... : s_server on $SRV:443 presenting
# $C/LEAF.crt and the intermediate; SRV_PID is its pid. ARGS pick the mode
# (-www answers a GET with a status page and closes; -rev echoes each
# read reversed) and the version. No CA file unless ARGS give one, so the
# chain sent is exactly leaf + intermediate.
tls_server() {
	local leaf=$1 log="$SNT_TMP/s_server-$1.log" ca=(-no-CAfile)
	shift
	case " $* " in *" -CAfile "*) ca=() ;; esac
	snt_bg "$SNT_SRV" "$log" timeout 120 openssl s_server -accept "$SRV:$PORT" \
		-cert "$C/$leaf.crt" -key "$C/$leaf.key" -cert_chain "$C/inter.crt" \
		${ca[@]+"${ca[@]}"} -no-CApath -no-CAstore -alpn http/1.1 "$@"
	SRV_PID=$SNT_LAST_PID
	snt_wait_file "$log" ACCEPT || { cat "$log" >&2; snt_die "s_server for $leaf did not start"; }
}

# quic_server CHAIN : gtlsserver on UDP $SRV:443 presenting $C/CHAIN.pem
# (leaf, intermediate) with the leaf's key; serves $SNT_TMP/www.
mkdir -p "$SNT_TMP/www"
printf '<!doctype html><title>test</title><p>hello\n' >"$SNT_TMP/www/index.html"
quic_server() {
	local chain=$1 leaf=${1%-chain}
	snt_bg "$SNT_SRV" "$SNT_TMP/gtlsserver-$1.log" timeout 120 gtlsserver -q \
		-d "$SNT_TMP/www" "$SRV" "$PORT" "$C/$leaf.key" "$C/$chain.pem"
	SRV_PID=$SNT_LAST_PID
	snt_wait_listen_udp "$SNT_SRV" "$PORT" || snt_die "gtlsserver did not start"
}

# keyed FILE FILTER COMMAND... : capture (pcaps/lib.sh) FILE.pcap of one
# scenario whose clients log their secrets to $KEYS, then FILE.keys.
KEYS=
keyed() {
	local name=$1 filter=$2
	shift 2
	KEYS=$SNT_TMP/$name.keys
	: >"$KEYS"
	capture "$name.pcap" "$filter" "$@"
	[ -s "$KEYS" ] || snt_log "$name: the client wrote no key log"
	cp "$KEYS" "$OUT/$name.keys"
}

# scenario FILE LEAF S_SERVER-ARGS... -- COMMAND... : a fresh s_server for
# each capture, on 443 where every dissector looks for TLS.
scenario() {
	local file=$1 leaf=$2 sargs=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	tls_server "$leaf" "${sargs[@]}"
	keyed "$file" "tcp port $PORT" "$@"
	snt_stop "$SRV_PID"
}

# The clients. Each one writes its secrets to $KEYS (SSLKEYLOGFILE for curl
# and GnuTLS, -keylogfile for s_client, keylog_filename for Python).

# feed.py PAUSE LINE... -- COMMAND... : COMMAND with the LINEs written to
# its input PAUSE seconds apart; its input ends a second after the last
# (s_client then sends close_notify and exits, unless the server closed).
cat >"$SNT_TMP/feed.py" <<'EOF'
import subprocess, sys, time

pause, args = float(sys.argv[1]), sys.argv[2:]
lines, cmd = args[:args.index("--")], args[args.index("--") + 1:]
proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
try:
    for i, line in enumerate(lines):
        if i:
            time.sleep(pause)
        proc.stdin.write(line.encode())
        proc.stdin.flush()
    time.sleep(1)
    proc.stdin.close()
except BrokenPipeError:
    pass
sys.exit(proc.wait(timeout=15))
EOF

# py_client.py HOST PORT SNI KEYLOG [CAFILE] : Python's ssl, one HTTP/1.1
# GET; no verification unless CAFILE is given (then the default context:
# chain and name, checked inside the handshake).
cat >"$SNT_TMP/py_client.py" <<'EOF'
import socket, ssl, sys

host, port, sni, keylog = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
if len(sys.argv) > 5:
    ctx = ssl.create_default_context(cafile=sys.argv[5])
else:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
ctx.keylog_filename = keylog
ctx.set_alpn_protocols(["http/1.1"])
with socket.create_connection((host, port), timeout=10) as raw:
    try:
        tls = ctx.wrap_socket(raw, server_hostname=sni)
    except ssl.SSLError as e:
        sys.exit(f"py_client: {e}")
    with tls:
        tls.sendall(f"GET / HTTP/1.1\r\nHost: {sni}\r\nConnection: close\r\n\r\n".encode())
        while tls.recv(4096):
            pass
EOF

printf '%s %s\n' "$SRV" "$NAME" >"$SNT_TMP/hosts"
GET=$'GET / HTTP/1.0\r\nHost: www.example.test\r\n\r\n'

# shellcheck disable=SC2317 # all called through scenario/keyed
{
# curl13 [CURL-ARGS...] : GET https://www.example.test/ (resolved to $SRV).
curl13() {
	client env SSLKEYLOGFILE="$KEYS" curl -sS --max-time 10 -o /dev/null \
		--resolve "$NAME:$PORT:$SRV" "$@" "https://$NAME/"
}
# s_client13 PAUSE LINE... -- S_CLIENT-ARGS... : s_client to $SRV:443 with
# SNI www.example.test and key log $KEYS, fed LINEs by feed.py.
s_client13() {
	local feed=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do feed+=("$1"); shift; done
	shift
	client "$PY" "$SNT_TMP/feed.py" "${feed[@]}" -- openssl s_client \
		-connect "$SRV:$PORT" -servername "$NAME" -keylogfile "$KEYS" "$@"
}
# py_client [CAFILE]
py_client() {
	client "$PY" "$SNT_TMP/py_client.py" "$SRV" "$PORT" "$NAME" "$KEYS" "$@"
}
# quic_client [GTLSCLIENT-ARGS...] : gtlsclient GET https://www.example.test/
# over QUIC. It sends the host it is given as SNI ("localhost" for an
# address, whatever --sni says), so www.example.test is resolved through
# /etc/hosts, replaced in a private mount namespace.
quic_client() {
	# shellcheck disable=SC2016 # expanded by the inner sh
	client unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/hosts || exit 1; shift; exec "$@"' sh "$SNT_TMP/hosts" \
		env SSLKEYLOGFILE="$KEYS" gtlsclient -q --exit-on-all-streams-close \
		--handshake-timeout=5s --timeout=5s "$@" "$NAME" "$PORT" "https://$NAME/"
}
}

# --- TLS 1.3 scenarios ----------------------------------------------------------

W13=(-www -tls1_3)
CA=(--cacert "$C/root.crt")

# 1-3: the certificate names other.example.test only; the clients do not
# verify it, so the handshake completes and the request is answered.
scenario tls13-curl-mismatch mismatch "${W13[@]}" -- curl13 -k
# s_server -rev echoes each line reversed; s_client sends one and closes.
scenario tls13-s_client-mismatch mismatch -rev -tls1_3 -- \
	s_client13 0 $'hello from s_client\n' --
scenario tls13-python-mismatch mismatch "${W13[@]}" -- py_client

# 4: a certificate that covers the name, verified by curl against the root.
scenario tls13-match match "${W13[@]}" -- curl13 "${CA[@]}"

# 5-7: one cipher suite forced on both ends. CCM is off by default in
# OpenSSL: naming it in -ciphersuites / --tls13-ciphers enables it.
for cs in chacha20:TLS_CHACHA20_POLY1305_SHA256 aes256:TLS_AES_256_GCM_SHA384 \
	aes128-ccm:TLS_AES_128_CCM_SHA256; do
	scenario "tls13-${cs%%:*}" mismatch "${W13[@]}" -ciphersuites "${cs#*:}" -- \
		curl13 -k --tls13-ciphers "${cs#*:}"
done

# 8: the client's only key share is X25519 (OpenSSL sends one, for the
# first group); the server takes P-256 only: HelloRetryRequest, then a
# second ClientHello with a P-256 share.
scenario tls13-hrr mismatch "${W13[@]}" -groups P-256 -- \
	s_client13 0 "$GET" -- -groups X25519:P-256

# 9: clients that verify and reject. curl checks the name only after the
# handshake: it sends its Finished, then close_notify, never a request.
# Without the CA it fails the chain inside the handshake: a fatal
# unknown_ca alert, sent before its handshake keys are in use (in clear).
# Python's default context checks the name inside the handshake: a fatal
# bad_certificate alert, also in clear.
scenario tls13-client-rejects mismatch "${W13[@]}" -- curl13 "${CA[@]}"
scenario tls13-client-rejects-unknown-ca mismatch "${W13[@]}" -- curl13
scenario tls13-client-rejects-python mismatch "${W13[@]}" -- py_client "$C/root.crt"

# 10: the client verifies and accepts, then four lines of different
# lengths, 0.2 s apart; s_server -rev answers each reversed. Then it closes.
scenario tls13-client-accepts-then-data match -rev -tls1_3 -- \
	s_client13 0.2 $'GET /one\n' $'a somewhat longer second line of text\n' $'3\n' \
	$'and the fourth and last line, longer than all the others that came before it\n' -- \
	-verify_return_error -verify_hostname "$NAME" -no-CApath -no-CAstore -CAfile "$C/root.crt"

# 11: mutual TLS: the server asks for a certificate (-Verify 1) and checks
# it against the root; the client sends its own and the intermediate, inside
# the encrypted flight.
scenario tls13-mtls match "${W13[@]}" -Verify 1 -CAfile "$C/root.crt" -- \
	s_client13 0 "$GET" -- -cert "$C/client.crt" -key "$C/client.key" -cert_chain "$C/inter.crt"

# 12: a full handshake that leaves a session ticket, then a second
# connection resumed with it (PSK with (EC)DHE): no Certificate in the
# second handshake. One capture, one key log for both.
# shellcheck disable=SC2317 # called through scenario
resumed() {
	s_client13 0 "$GET" -- -sess_out "$SNT_TMP/session.pem"
	[ -s "$SNT_TMP/session.pem" ] || snt_log "tls13-resumed: no session saved"
	s_client13 0 "$GET" -- -sess_in "$SNT_TMP/session.pem"
}
scenario tls13-resumed mismatch "${W13[@]}" -- resumed

# 13: two connections, only the first of which logs its secrets.
# shellcheck disable=SC2317 # called through scenario
keys_missing() {
	curl13 -k
	client curl -sS -k --max-time 10 -o /dev/null --resolve "$NAME:$PORT:$SRV" "https://$NAME/"
}
scenario tls13-keys-missing mismatch "${W13[@]}" -- keys_missing

# --- TLS 1.2 with a key log (CLIENT_RANDOM lines) --------------------------------

for cs in tls12-keylog:ECDHE-ECDSA-AES128-GCM-SHA256 \
	tls12-keylog-chacha20:ECDHE-ECDSA-CHACHA20-POLY1305; do
	scenario "${cs%%:*}" mismatch -www -tls1_2 -cipher "${cs#*:}" -- \
		curl13 -k --tlsv1.2 --tls-max 1.2 --ciphers "${cs#*:}"
done

# --- QUIC (ngtcp2's GnuTLS examples) ----------------------------------------------

# quic FILE CHAIN : one gtlsserver per capture.
quic() {
	quic_server "$2"
	keyed "$1" "udp port $PORT" quic_client
	snt_stop "$SRV_PID"
}
quic quic-ngtcp2-mismatch mismatch-chain
quic quic-ngtcp2-match match-chain

# --- the origin story in TLS 1.3 ------------------------------------------------------

story13_net || snt_die "story13 addresses"
# shellcheck disable=SC2317 # called through keyed
story_burst() {
	story13_burst env SSLKEYLOGFILE="$KEYS" curl -sS -k --max-time 10 -o /dev/null
}
for v in story13:before story13-fixed:fixed; do
	story13_start_servers "${v#*:}" || snt_die "story13 servers (${v#*:}) did not start"
	keyed "${v%%:*}" "ip host $STORY13_CLI" story_burst
	# After the capture: every TLS server refuses TLS 1.2.
	for a in "$STORY13_MAIL" "$STORY13_WEB" "$STORY13_AUTO"; do
		if ip netns exec "$SNT_CLI" timeout 5 openssl s_client -tls1_2 \
			-connect "$a:$STORY13_PORT" </dev/null >/dev/null 2>&1; then
			snt_die "story13: $a:$STORY13_PORT accepts TLS 1.2"
		fi
	done
	story13_stop_servers
done

# --- the key log inside the capture: a pcapng Decryption Secrets Block ------------

snt_log "making tls13-curl-mismatch-dsb.pcapng"
editcap --inject-secrets "tls,$OUT/tls13-curl-mismatch.keys" -F pcapng \
	"$OUT/tls13-curl-mismatch.pcap" "$OUT/tls13-curl-mismatch-dsb.pcapng" ||
	snt_die "editcap --inject-secrets failed"

chmod 644 "$OUT"/*.pcap "$OUT"/*.pcapng "$OUT"/*.keys

# --- checks ----------------------------------------------------------------------

bash "$HERE/check-tls13-pcaps.sh" "$OUT"
