#!/bin/bash
#
# Regenerate the certificate captures in pcaps/cert/: real openssl s_server
# instances presenting good and bad certificates to real clients (curl,
# openssl s_client) across a veth between two network namespaces, and the
# "origin story" burst of a mail client that tries several hosts at once.
# Needs root.
#
# usage: pcaps/make-cert-pcaps.sh [OUTDIR]      (default: pcaps/cert)
#
# Every run makes a new throwaway CA (root -> intermediate -> leaves) in a
# temp dir; only its two CA certificates leave it, as test-ca.pem and
# test-intermediate.pem, so tests can hand the root to snitrace as a trust
# store. The captures and those two files belong together: regenerate
# them together. Validity windows are fixed dates, not "days from now", so
# what is valid, expired or not yet valid does not drift between runs.
#
# All servers speak TLS 1.2 only: in TLS 1.3 the certificate is encrypted
# and a passive observer never sees it.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

OUT=${1:-$HERE/cert}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)

for tool in ip openssl curl tcpdump python3 dnsmasq unshare; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool"
done
snt_can_netns || snt_die "$SNT_NETNS_WHY"

SNT_TMP=$(mktemp -d /tmp/snt-cert-pcaps.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NAME=www.example.test
PORT=443
C=$SNT_TMP/pki # keys, requests and certificates; never copied out

# The fixed windows. Capture time is "now", which lies inside VALID.
VALID=(-startdate 20200101000000Z -enddate 20400101000000Z)
EXPIRED=(-startdate 20200101000000Z -enddate 20210101000000Z)
NOT_YET=(-startdate 20390101000000Z -enddate 20400101000000Z)

# The origin story: one client, a hosted mail server, and the customer's
# own domain on a shared web host whose certificate names only itself.
STORY_CLI=192.0.2.10
STORY_MAIL=198.51.100.21
STORY_WEB=198.51.100.22
STORY_AUTO=198.51.100.23
STORY_DNS=198.51.100.53

snt_netns_setup || snt_die "namespace setup failed"

# --- certificates ---------------------------------------------------------------

mkdir -p "$C/issued"
: >"$C/index.txt"
# `openssl ca` rather than `openssl x509 -req`: only it takes explicit
# start and end dates in OpenSSL 3.0. One bookkeeping database serves all
# issuers (each call names its issuer); serials are random.
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

# leaf_ext SAN : extensions of a server certificate; no subjectAltName at
# all when SAN is empty. (ECDHE only ever needs digitalSignature.)
leaf_ext() {
	printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=serverAuth' 'subjectKeyIdentifier=hash'
	[ -n "$1" ] && printf 'subjectAltName=%s\n' "$1"
	return 0
}

# issue NAME ISSUER SUBJECT EXTENSIONS CA-ARGS... : $C/NAME.crt for
# $C/NAME.key (an EC P-256 key is made unless one exists), signed by
# $C/ISSUER.{crt,key}, or by its own key when ISSUER is "self". CA-ARGS
# (for `openssl ca`) hold the validity window and maybe a digest.
issue() {
	local name=$1 issuer=$2 subj=$3 ext=$4 by=()
	shift 4
	[ -f "$C/$name.key" ] || openssl genpkey -algorithm EC \
		-pkeyopt ec_paramgen_curve:P-256 -out "$C/$name.key" 2>/dev/null || return 1
	openssl req -new -key "$C/$name.key" -subj "$subj" -out "$C/$name.csr" || return 1
	printf '%s\n' "$ext" >"$C/$name.ext"
	if [ "$issuer" = self ]; then
		by=(-selfsign -keyfile "$C/$name.key")
	else
		by=(-cert "$C/$issuer.crt" -keyfile "$C/$issuer.key")
	fi
	openssl ca -batch -config "$C/ca.cnf" -notext -rand_serial "${by[@]}" \
		-in "$C/$name.csr" -out "$C/$name.crt" -extfile "$C/$name.ext" "$@" \
		>>"$C/ca.log" 2>&1 || { snt_log "issuing $name failed, see:"; cat "$C/ca.log" >&2; return 1; }
}

make_pki() {
	local i
	issue root self "/O=snitrace test/CN=snitrace test root CA" "$CA_EXT" "${VALID[@]}" &&
	issue inter root "/O=snitrace test/CN=snitrace test intermediate CA" \
		"$INTER_EXT" "${VALID[@]}" &&
	# Unrelated to the first: its leaves are "unknown issuer".
	issue other self "/O=unrelated test/CN=unrelated test CA" "$CA_EXT" "${VALID[@]}" &&
	issue match inter "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" "${VALID[@]}" &&
	issue mismatch inter "/CN=other.example.test" \
		"$(leaf_ext DNS:other.example.test)" "${VALID[@]}" &&
	issue wildcard inter "/CN=*.example.test" "$(leaf_ext 'DNS:*.example.test')" "${VALID[@]}" &&
	issue cn-only inter "/CN=$NAME" "$(leaf_ext '')" "${VALID[@]}" &&
	issue ip-san inter "/CN=$SNT_SRV_IP4" "$(leaf_ext "IP:$SNT_SRV_IP4")" "${VALID[@]}" &&
	issue expired inter "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" "${EXPIRED[@]}" &&
	issue not-yet-valid inter "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" "${NOT_YET[@]}" &&
	issue self-signed self "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" "${VALID[@]}" &&
	issue unknown-issuer other "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" "${VALID[@]}" &&
	issue sha1 inter "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" "${VALID[@]}" -md sha1 || return 1

	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
		-out "$C/rsa1024.key" 2>/dev/null || return 1
	issue rsa1024 inter "/CN=$NAME" "$(leaf_ext "DNS:$NAME")" "${VALID[@]}" || return 1

	# About 35 KB of names: the Certificate message spans three TLS
	# records and many TCP segments. The name asked for comes last, past
	# any cap a reader might put on the number of names it keeps.
	{
		leaf_ext '@alt'
		echo '[ alt ]'
		for i in $(seq 1 1499); do printf 'DNS.%d=host%04d.example.test\n' "$i" "$i"; done
		echo "DNS.1500=$NAME"
	} >"$C/many-sans.in"
	issue many-sans inter "/CN=$NAME" "$(cat "$C/many-sans.in")" "${VALID[@]}" || return 1

	issue story-mail inter "/CN=mail.hosted.test" "$(leaf_ext DNS:mail.hosted.test)" \
		"${VALID[@]}" &&
	issue story-shared inter "/CN=shared7.webhost.test" \
		"$(leaf_ext DNS:shared7.webhost.test)" "${VALID[@]}" &&
	issue story-auto inter "/CN=autodiscover.webhost.test" \
		"$(leaf_ext DNS:autodiscover.webhost.test)" "${VALID[@]}" &&
	issue story-fixed inter "/CN=example.test" \
		"$(leaf_ext DNS:example.test,DNS:www.example.test)" "${VALID[@]}" &&
	issue story-auto-fixed inter "/CN=autodiscover.example.test" \
		"$(leaf_ext DNS:autodiscover.example.test)" "${VALID[@]}" || return 1
	rm -f "$C"/*.csr
}
make_pki || snt_die "certificate generation failed"

# What each leaf is, judged by OpenSSL itself with the new root as the
# only trust anchor: the captures below are only as right as these.
pki_fails=0
# verify_as LEAF NAME WANT [VERIFY-ARGS...] : `openssl verify` of LEAF,
# for host or IP address NAME, must print WANT.
verify_as() {
	local leaf=$1 name=$2 want=$3 got host=(-verify_hostname "$2")
	shift 3
	case $name in [0-9]*) host=(-verify_ip "$name") ;; esac
	got=$(openssl verify -no-CApath -no-CAstore -CAfile "$C/root.crt" \
		-untrusted "$C/inter.crt" "${host[@]}" "$@" "$C/$leaf.crt" 2>&1)
	if printf '%s\n' "$got" | grep -qF -- "$want"; then
		printf '  ok   %-16s %-20s %s\n' "$leaf" "$name" "$want"
	else
		printf '  FAIL %-16s %-20s want "%s", got: %s\n' "$leaf" "$name" "$want" "$got"
		pki_fails=$((pki_fails + 1))
	fi
}
echo "certificates:"
verify_as inter "" "inter.crt: OK"
verify_as match "$NAME" "match.crt: OK"
verify_as mismatch "$NAME" "hostname mismatch"
verify_as wildcard a.example.test "wildcard.crt: OK"
verify_as wildcard a.b.example.test "hostname mismatch"
verify_as wildcard example.test "hostname mismatch"
verify_as cn-only "$NAME" "cn-only.crt: OK"
verify_as ip-san "$SNT_SRV_IP4" "ip-san.crt: OK"
verify_as expired "$NAME" "certificate has expired"
verify_as not-yet-valid "$NAME" "certificate is not yet valid"
verify_as self-signed "$NAME" "self-signed certificate"
verify_as unknown-issuer "$NAME" "unable to get local issuer certificate"
verify_as rsa1024 "$NAME" "rsa1024.crt: OK"
verify_as rsa1024 "$NAME" "EE certificate key too weak" -auth_level 2
verify_as sha1 "$NAME" "sha1.crt: OK"
verify_as sha1 "$NAME" "CA signature digest algorithm too weak" -auth_level 1
verify_as many-sans "$NAME" "many-sans.crt: OK"
verify_as many-sans host0001.example.test "many-sans.crt: OK"
verify_as story-mail mail.hosted.test "story-mail.crt: OK"
verify_as story-auto autodiscover.example.test "hostname mismatch"
verify_as story-shared example.test "hostname mismatch"
verify_as story-auto-fixed autodiscover.example.test "story-auto-fixed.crt: OK"
for n in example.test www.example.test; do
	verify_as story-fixed "$n" "story-fixed.crt: OK"
done
[ "$pki_fails" = 0 ] || snt_die "$pki_fails certificate check(s) failed"

cp "$C/root.crt" "$OUT/test-ca.pem"
cp "$C/inter.crt" "$OUT/test-intermediate.pem"
chmod 644 "$OUT/test-ca.pem" "$OUT/test-intermediate.pem"

# --- servers and clients -----------------------------------------------------

# tls_server ADDR LEAF CHAIN [S_SERVER-ARGS...] : s_server on ADDR:443
# presenting $C/LEAF.crt, followed by the certificates in CHAIN (a file, or
# "" for the leaf alone); SRV_PID is its pid. No CA store: given no chain,
# libssl completes one from the store, and "leaf alone" must stay alone
# whatever the system store holds. -www answers any GET with a status
# page and closes.
tls_server() {
	local addr=$1 leaf=$2 chain=$3 log="$SNT_TMP/s_server-$2.log" args=()
	shift 3
	[ -n "$chain" ] && args=(-cert_chain "$chain")
	snt_bg "$SNT_SRV" "$log" timeout 120 openssl s_server -www -tls1_2 \
		-accept "$addr:$PORT" -cert "$C/$leaf.crt" -key "$C/$leaf.key" "${args[@]}" \
		-no-CAfile -no-CApath -no-CAstore -alpn http/1.1 "$@"
	SRV_PID=$SNT_LAST_PID
	snt_wait_file "$log" ACCEPT || { cat "$log" >&2; snt_die "s_server for $leaf did not start"; }
}


# curl_tls NAME [CURL-ARGS...] : GET https://NAME/ from the server address
# without verifying (the point is to see what the server presents).
CURL12=(curl -sS -k --tlsv1.2 --tls-max 1.2 --max-time 10 -o /dev/null)
# shellcheck disable=SC2317 # called through capture
curl_tls() {
	local name=$1
	shift
	client "${CURL12[@]}" --resolve "$name:$PORT:$SNT_SRV_IP4" "$@" "https://$name/"
}

# scenario FILE LEAF CHAIN SERVER-ARGS -- COMMAND... : a fresh server
# for each capture, all on port 443 where every dissector looks for TLS.
scenario() {
	local file=$1 leaf=$2 chain=$3 sargs=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sargs+=("$1"); shift; done
	shift
	tls_server "$SNT_SRV_IP4" "$leaf" "$chain" "${sargs[@]}"
	capture "$file" "tcp port $PORT" "$@"
	snt_stop "$SRV_PID"
}

# s_server will not even load the weak certificates at Debian's default
# security level 2 ("ee key too small", "ca md too weak"); curl -k does
# not judge the chain, so only the server is lowered.
SECLEVEL0='DEFAULT:@SECLEVEL=0'
I=$C/inter.crt

scenario cert-match.pcap match "$I" -- curl_tls "$NAME"
scenario cert-mismatch.pcap mismatch "$I" -- curl_tls "$NAME"
scenario cert-wildcard-one-label.pcap wildcard "$I" -- curl_tls a.example.test
scenario cert-wildcard-two-labels.pcap wildcard "$I" -- curl_tls a.b.example.test
scenario cert-wildcard-bare.pcap wildcard "$I" -- curl_tls example.test
scenario cert-cn-only.pcap cn-only "$I" -- curl_tls "$NAME"
# curl sends no SNI for an IP literal (RFC 6066 forbids it).
scenario cert-ip-san.pcap ip-san "$I" -- \
	client "${CURL12[@]}" "https://$SNT_SRV_IP4/"
scenario cert-expired.pcap expired "$I" -- curl_tls "$NAME"
scenario cert-not-yet-valid.pcap not-yet-valid "$I" -- curl_tls "$NAME"
scenario cert-self-signed.pcap self-signed "" -- curl_tls "$NAME"
scenario cert-unknown-issuer.pcap unknown-issuer "" -- curl_tls "$NAME"
scenario cert-missing-intermediate.pcap match "" -- curl_tls "$NAME"
scenario cert-rsa1024.pcap rsa1024 "$I" -cipher "$SECLEVEL0" -- curl_tls "$NAME"
scenario cert-sha1.pcap sha1 "$I" -cipher "$SECLEVEL0" -- curl_tls "$NAME"
scenario cert-many-sans.pcap many-sans "$I" -- curl_tls "$NAME"
# The server is fine; the client trusts only the unrelated CA, so it
# rejects the chain with a fatal alert (unknown_ca) right after it.
scenario cert-client-alert.pcap match "$I" -- \
	client openssl s_client -tls1_2 -connect "$SNT_SRV_IP4:$PORT" -servername "$NAME" \
	-verify_return_error -no-CApath -no-CAstore -CAfile "$C/other.crt"

# --- the origin story ----------------------------------------------------------

# More addresses on the same veth: the client's own, and on the server side
# the mail host, the web host and a DNS server, each in its own range.
ip -n "$SNT_CLI" addr add "$STORY_CLI/24" dev "$SNT_CLI_IF"
ip -n "$SNT_CLI" route add 198.51.100.0/24 dev "$SNT_CLI_IF" src "$STORY_CLI"
for a in "$STORY_MAIL" "$STORY_WEB" "$STORY_AUTO" "$STORY_DNS"; do
	ip -n "$SNT_SRV" addr add "$a/24" dev "$SNT_SRV_IF"
done

# Exact names only (host-record), and everything else under .test is
# answered NXDOMAIN locally: nothing is forwarded anywhere.
snt_bg "$SNT_SRV" "$SNT_TMP/dnsmasq.log" timeout 120 dnsmasq -k -C /dev/null \
	--no-resolv --no-hosts --bind-interfaces --listen-address="$STORY_DNS" \
	--pid-file="$SNT_TMP/dnsmasq.pid" --log-facility=- --log-queries \
	--local=/test/ \
	--host-record=mail.hosted.test,"$STORY_MAIL" \
	--host-record=autodiscover.example.test,"$STORY_AUTO" \
	--host-record=example.test,"$STORY_WEB" \
	--host-record=www.example.test,"$STORY_WEB"
snt_wait_listen_udp "$SNT_SRV" 53 || { cat "$SNT_TMP/dnsmasq.log" >&2; snt_die "dnsmasq did not start"; }

mkdir -p "$SNT_TMP/www"
printf '<!doctype html><title>example</title><p>hello\n' >"$SNT_TMP/www/index.html"
snt_bg "$SNT_SRV" "$SNT_TMP/http.log" timeout 120 "$PY" -m http.server 80 \
	--bind "$STORY_WEB" --directory "$SNT_TMP/www"
snt_wait_listen "$SNT_SRV" 80 || snt_die "http.server did not start"
tls_server "$STORY_MAIL" story-mail "$I"
printf 'nameserver %s\n' "$STORY_DNS" >"$SNT_TMP/resolv.conf"

# The burst a mail client makes for user@example.test, hosted at
# mail.hosted.test: every name resolved by curl itself through the
# system resolver, pointed (in a private mount namespace) at dnsmasq.
cat >"$SNT_TMP/burst.sh" <<'EOF'
mount --bind "$1" /etc/resolv.conf || exit 1
shift
"$@" https://mail.hosted.test/
"$@" https://autodiscover.example.test/autodiscover/autodiscover.xml
"$@" https://example.test/autodiscover/autodiscover.xml
"$@" http://www.example.test/
EOF
story() { # FILE
	capture "$1" "ip host $STORY_CLI" client unshare -m --propagation private \
		sh "$SNT_TMP/burst.sh" "$SNT_TMP/resolv.conf" "${CURL12[@]}"
}

# Before: the bare domain lives on a shared web host whose certificate names
# only itself, and autodiscover points at the provider's own service.
tls_server "$STORY_WEB" story-shared "$I"
WEB_PID=$SRV_PID
tls_server "$STORY_AUTO" story-auto "$I"
story story.pcap
snt_stop "$SRV_PID"
snt_stop "$WEB_PID"
# After: each host presents a certificate for the names clients use on it.
tls_server "$STORY_WEB" story-fixed "$I"
WEB_PID=$SRV_PID
tls_server "$STORY_AUTO" story-auto-fixed "$I"
story story-fixed.pcap
snt_stop "$SRV_PID"
snt_stop "$WEB_PID"

# --- checks --------------------------------------------------------------------

if ! command -v tshark >/dev/null 2>&1; then
	snt_log "tshark not installed: captures made but NOT checked"
	exit 0
fi

fails=0 # counted by fail(), from pcaps/lib.sh

CH=tls.handshake.type==1
CERT=tls.handshake.type==11
SNI=tls.handshake.extensions_server_name
# Application data from the server: the handshake completed.
DATA="tls.record.content_type==23 && ip.src==$SNT_SRV_IP4"
ALERT_FATAL="tls.alert_message.level==2"
SAN_OID=2.5.29.17
EC=1.2.840.10045.2.1
RSA=1.2.840.113549.1.1.1
ECDSA_SHA1=1.2.840.10045.4.1
ECDSA_SHA256=1.2.840.10045.4.3.2
ROOT_DN="snitrace test,snitrace test root CA"
INTER_DN="snitrace test,snitrace test intermediate CA"
OTHER_DN="unrelated test,unrelated test CA"
# Issuer then subject of every certificate sent, in order.
chain_of() { printf '%s,%s,%s,%s' "$INTER_DN" "$1" "$ROOT_DN" "$INTER_DN"; }
# notBefore,notAfter of every certificate sent, in order.
T2020='2020-01-01 00:00:00 (UTC)'
T2021='2021-01-01 00:00:00 (UTC)'
T2039='2039-01-01 00:00:00 (UTC)'
T2040='2040-01-01 00:00:00 (UTC)'
VALID_T="$T2020,$T2040"

# tls_ok FILE SNI CERTS : a TLS 1.2 handshake with SNI (none when "-"),
# CERTS certificates sent, completed, no fatal alert.
tls_ok() {
	local file=$1 sni=$2 n=$3
	[ "$sni" = - ] && sni=
	count "$file" "$CH" 1
	expect "$file" "$CH" "$SNI" "$sni"
	expect "$file" tls.handshake.type==2 tls.handshake.version 0x0303
	count "$file" "$CERT && count(tls.handshake.certificate_length) == $n" 1
	count "$file" "$DATA" 1 100
	count "$file" "$ALERT_FATAL" 0
}

echo "checks:"
tls_ok cert-match.pcap "$NAME" 2
expect cert-match.pcap "$CERT" "x509sat.uTF8String x509ce.dNSName" "$(chain_of "$NAME")|$NAME"
expect cert-match.pcap "$CERT" x509af.utcTime "$VALID_T,$VALID_T"

tls_ok cert-mismatch.pcap "$NAME" 2
expect cert-mismatch.pcap "$CERT" "x509sat.uTF8String x509ce.dNSName" \
	"$(chain_of other.example.test)|other.example.test"

for f in one-label:a.example.test two-labels:a.b.example.test bare:example.test; do
	tls_ok "cert-wildcard-${f%%:*}.pcap" "${f#*:}" 2
	expect "cert-wildcard-${f%%:*}.pcap" "$CERT" "x509sat.uTF8String x509ce.dNSName" \
		"$(chain_of '*.example.test')|*.example.test"
done

tls_ok cert-cn-only.pcap "$NAME" 2
expect cert-cn-only.pcap "$CERT" x509sat.uTF8String "$(chain_of "$NAME")"
count cert-cn-only.pcap "$CERT && x509af.extension.id == $SAN_OID" 0

tls_ok cert-ip-san.pcap - 2
count cert-ip-san.pcap "$CH && tls.handshake.extension.type==0" 0
expect cert-ip-san.pcap "$CERT" "x509sat.uTF8String x509ce.IPAddress.ipv4" \
	"$(chain_of "$SNT_SRV_IP4")|$SNT_SRV_IP4"
count cert-ip-san.pcap "$CERT && x509ce.dNSName" 0

tls_ok cert-expired.pcap "$NAME" 2
expect cert-expired.pcap "$CERT" x509af.utcTime "$T2020,$T2021,$VALID_T"
tls_ok cert-not-yet-valid.pcap "$NAME" 2
expect cert-not-yet-valid.pcap "$CERT" x509af.utcTime "$T2039,$T2040,$VALID_T"

tls_ok cert-self-signed.pcap "$NAME" 1
expect cert-self-signed.pcap "$CERT" "x509sat.uTF8String x509ce.dNSName" "$NAME,$NAME|$NAME"
tls_ok cert-unknown-issuer.pcap "$NAME" 1
expect cert-unknown-issuer.pcap "$CERT" "x509sat.uTF8String x509ce.dNSName" "$OTHER_DN,$NAME|$NAME"
tls_ok cert-missing-intermediate.pcap "$NAME" 1
expect cert-missing-intermediate.pcap "$CERT" "x509sat.uTF8String x509ce.dNSName" \
	"$INTER_DN,$NAME|$NAME"

tls_ok cert-rsa1024.pcap "$NAME" 2
# Signature, key and signature algorithms of leaf then intermediate: an
# rsaEncryption key in the leaf, its modulus 1024 bits (129 bytes with the
# leading zero); everything else ECDSA with SHA-256.
expect cert-rsa1024.pcap "$CERT" x509af.algorithm.id \
	"$ECDSA_SHA256,$RSA,$ECDSA_SHA256,$ECDSA_SHA256,$EC,$ECDSA_SHA256"
count cert-rsa1024.pcap "$CERT && len(pkcs1.modulus) == 129" 1
tls_ok cert-sha1.pcap "$NAME" 2
# ecdsa-with-SHA1 signs the leaf; ecdsa-with-SHA256 the intermediate.
expect cert-sha1.pcap "$CERT" x509af.algorithm.id \
	"$ECDSA_SHA1,$EC,$ECDSA_SHA1,$ECDSA_SHA256,$EC,$ECDSA_SHA256"

tls_ok cert-many-sans.pcap "$NAME" 2
# Three TLS records, two of them full (16 KB), over 20+ TCP segments.
count cert-many-sans.pcap "tls.record.length == 16384" 2
count cert-many-sans.pcap "ip.src==$SNT_SRV_IP4 && tcp.len > 0" 20 200
expect cert-many-sans.pcap "$CERT" x509ce.dNSName "$(
	seq 1 1499 | awk '{ printf "host%04d.example.test,", $1 }')$NAME"

# The client's fatal alert follows the certificate; no data flows.
count cert-client-alert.pcap "$CH" 1
expect cert-client-alert.pcap "$CH" "$SNI" "$NAME"
expect cert-client-alert.pcap "$CERT" "x509sat.uTF8String x509ce.dNSName" "$(chain_of "$NAME")|$NAME"
expect cert-client-alert.pcap "$ALERT_FATAL" "ip.src tls.alert_message.desc" "$SNT_CLI_IP4|48"
count cert-client-alert.pcap "tls.record.content_type==23" 0

for f in story.pcap story-fixed.pcap; do
	expect "$f" "dns.flags.response==1 && dns.a" "dns.qry.name dns.a" \
		"autodiscover.example.test|$STORY_AUTO example.test|$STORY_WEB mail.hosted.test|$STORY_MAIL www.example.test|$STORY_WEB"
	expect "$f" "$CH" "ip.src ip.dst $SNI" \
		"$STORY_CLI|$STORY_MAIL|mail.hosted.test $STORY_CLI|$STORY_WEB|example.test $STORY_CLI|$STORY_AUTO|autodiscover.example.test"
	expect "$f" http.request "ip.dst http.host http.request.uri" "$STORY_WEB|www.example.test|/"
	count "$f" "$CERT && count(tls.handshake.certificate_length) == 2" 3
	count "$f" "tls.record.content_type==23 && tcp.srcport==443" 3 100
	count "$f" "$ALERT_FATAL" 0
	# One burst: everything within two seconds.
	count "$f" "frame.time_relative > 2" 0
done
expect story.pcap "$CERT" "ip.src x509ce.dNSName" \
	"$STORY_MAIL|mail.hosted.test $STORY_WEB|shared7.webhost.test $STORY_AUTO|autodiscover.webhost.test"
expect story-fixed.pcap "$CERT" "ip.src x509ce.dNSName" \
	"$STORY_MAIL|mail.hosted.test $STORY_WEB|example.test,www.example.test $STORY_AUTO|autodiscover.example.test"

echo "sizes:"
for f in "$OUT"/*.pcap; do
	[ -f "$f" ] && printf '  %-34s %6d bytes\n' "${f##*/}" "$(wc -c <"$f")"
done
if [ "$fails" -gt 0 ]; then
	snt_log "$fails check(s) failed"
	exit 1
fi
exit 0
