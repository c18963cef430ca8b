#!/bin/bash
#
# Check the captures in pcaps/tls13/ with tshark, each with and without its
# key log: what is in clear (ClientHello, SNI, ServerHello, cipher, clear
# alerts, DNS), what only the key log opens (certificates, client data,
# encrypted alerts), and that without it the certificate stays hidden.
# Ends with a summary per capture: ClientHellos, client randoms in the key
# log (and how many of them are in the capture), cipher suites chosen, and
# what the client sent after the handshake.
#
# usage: pcaps/check-tls13-pcaps.sh [DIR]      (default: pcaps/tls13)
# Needs tshark (Debian 12's 4.0 is what the expectations were written
# against); without it exits 77, which meson counts as a skip. Run by
# pcaps/make-tls13-pcaps.sh on what it made.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

OUT=${1:-$HERE/tls13}
OUT=$(cd "$OUT" && pwd) || exit 1
if ! command -v tshark >/dev/null 2>&1; then
	echo "SKIP: tshark not installed"
	exit 77
fi
SNT_TMP=$(mktemp -d /tmp/snt-tls13-check.XXXXXX)
trap 'rm -rf "$SNT_TMP"' EXIT
# tshark keeps its settings (and maybe a key log file) in $HOME: not here.
export HOME=$SNT_TMP WIRESHARK_CONFIG_DIR=$SNT_TMP

fails=0 # counted by fail(), from pcaps/lib.sh
CLI=192.0.2.1
SRV=192.0.2.2
NAME=www.example.test
OTHER=other.example.test

CH=tls.handshake.type==1
SH=tls.handshake.type==2
CERT=tls.handshake.type==11
SNI=tls.handshake.extensions_server_name
VER=tls.handshake.extensions.supported_version
CS=tls.handshake.ciphersuite
HRR_RANDOM=cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c
# With the key log, a TLS 1.3 record that decrypts shows its inner type in
# tls.record.content_type; one that does not shows none. Without it every
# encrypted record shows 23.
CDATA="ip.src==$CLI && tls.record.content_type==23"
SDATA="ip.src==$SRV && tls.record.content_type==23"
ALERT_FATAL=tls.alert_message.level==2
ROOT_DN="snitrace test,snitrace tls13 test root CA"
INTER_DN="snitrace test,snitrace tls13 test intermediate CA"
# Issuer then subject of the leaf and of the intermediate, as tshark lists them.
chain_of() { printf '%s,%s,%s,%s' "$INTER_DN" "$1" "$ROOT_DN" "$INTER_DN"; }

# k CHECK FILE ARGS... : run an expect/count check with FILE's key log;
# n CHECK ...: explicitly without any.
k() {
	local check=$1 file=$2
	shift 2
	SNT_TSHARK_ARGS=(-o "tls.keylog_file:$OUT/${file%.*}.keys")
	"$check" "$file +keys" "$@"
	SNT_TSHARK_ARGS=(-o tls.keylog_file:)
}
n() {
	local check=$1
	shift
	SNT_TSHARK_ARGS=(-o tls.keylog_file:)
	"$check" "$@"
}

# tls13 FILE CHS SNI CIPHER : in clear, CHS ClientHellos with SNI, every
# ServerHello TLS 1.3 with CIPHER; no certificate without the key log.
tls13() {
	local file=$1 chs=$2 sni=$3 cipher=$4
	n count "$file" "$CH" "$chs"
	n expect "$file" "$CH" "$SNI" "$sni"
	n expect "$file" "$SH" "$VER $CS" "0x0304|$cipher"
	n count "$file" "$CERT" 0
	n count "$file" "tls.handshake.type==15 || tls.handshake.type==20" 0
}
# cert13 FILE LEAF-NAME [N [DN...]] : with the key log, N (1) server
# Certificate messages, each leaf + intermediate, the leaf for LEAF-NAME
# (DN: distinguished names tshark shows before them in the same packets).
cert13() {
	local file=$1 leaf=$2 nc=${3:-1} dn=${4:-}
	k count "$file" "$CERT && ip.src==$SRV && count(tls.handshake.certificate_length) == 2" "$nc"
	k expect "$file" "$CERT && ip.src==$SRV" "x509sat.uTF8String x509ce.dNSName" \
		"${dn:+$dn,}$(chain_of "$leaf")|$leaf"
	k expect "$file" "$CERT" x509af.utcTime \
		"2020-01-01 00:00:00 (UTC),2040-01-01 00:00:00 (UTC),2020-01-01 00:00:00 (UTC),2040-01-01 00:00:00 (UTC)"
}
# ok200 FILE N : with the key log, N HTTP responses "200" from the server
# (s_server -www answers HTTP/1.0 without a length: no reassembly).
ok200() {
	local file=$1
	shift
	SNT_TSHARK_ARGS=(-o "tls.keylog_file:$OUT/${file%.*}.keys" -o http.desegment_body:FALSE)
	count "$file +keys" "ip.src==$SRV && http.response.code==200" "$@"
	SNT_TSHARK_ARGS=(-o tls.keylog_file:)
}
# only13 FILE SUITE : the ClientHellos offer SUITE and no other TLS 1.3 suite.
only13() {
	local file=$1 cs=$2 o
	n count "$file" "$CH && $CS==$cs" 1
	for o in 0x1301 0x1302 0x1303 0x1304 0x1305; do
		[ "$o" = "$cs" ] || n count "$file" "$CH && $CS==$o" 0
	done
}
# ends FILE CLIENT-DATA-RECORDS : with the key log, the client's Finished,
# then CLIENT-DATA-RECORDS application data records ("1 100": a range),
# its close_notify, and no fatal alert from anyone.
ends() {
	local file=$1
	shift
	k count "$file" "ip.src==$CLI && tls.handshake.type==20" 1
	k count "$file" "$CDATA" "$@"
	k expect "$file" "ip.src==$CLI && tls.alert_message" "tls.alert_message.level tls.alert_message.desc" "1|0"
	k count "$file" "$ALERT_FATAL" 0
}

echo "checks:"

# --- 1-3: name mismatch, visible only with the key log
for f in tls13-curl-mismatch tls13-s_client-mismatch tls13-python-mismatch; do
	tls13 "$f.pcap" 1 "$NAME" 0x1302
	cert13 "$f.pcap" "$OTHER"
	k count "$f.pcap" "$SDATA" 1 100
done
ends tls13-curl-mismatch.pcap 1
ok200 tls13-curl-mismatch.pcap 1
k expect tls13-curl-mismatch.pcap "$CDATA" "http.request.method http.host" "GET|$NAME"
ends tls13-s_client-mismatch.pcap 1
# Python closes its socket without close_notify: Finished, request, FIN.
k count tls13-python-mismatch.pcap "ip.src==$CLI && tls.handshake.type==20" 1
k expect tls13-python-mismatch.pcap "$CDATA" "http.request.method http.host" "GET|$NAME"
k count tls13-python-mismatch.pcap "ip.src==$CLI && tls.alert_message" 0
k count tls13-python-mismatch.pcap "$ALERT_FATAL" 0
ok200 tls13-python-mismatch.pcap 1

# The same capture with its key log inside (pcapng Decryption Secrets Block).
n count tls13-curl-mismatch-dsb.pcapng "$CH" 1
n expect tls13-curl-mismatch-dsb.pcapng "$CERT" x509ce.dNSName "$OTHER"
n expect tls13-curl-mismatch-dsb.pcapng "$CDATA" http.request.method GET

# --- 4: the certificate fits
tls13 tls13-match.pcap 1 "$NAME" 0x1302
cert13 tls13-match.pcap "$NAME"
ends tls13-match.pcap 1
ok200 tls13-match.pcap 1

# --- 5-7: cipher suites
for cs in chacha20:0x1303 aes256:0x1302 aes128-ccm:0x1304; do
	f=tls13-${cs%%:*}.pcap
	tls13 "$f" 1 "$NAME" "${cs#*:}"
	only13 "$f" "${cs#*:}"
	cert13 "$f" "$OTHER"
	ends "$f" 1
	ok200 "$f" 1
done

# --- 8: HelloRetryRequest
f=tls13-hrr.pcap
tls13 "$f" 2 "$NAME" 0x1302
# Both ClientHellos carry the same random (RFC 8446 4.1.2).
n expect "$f" "$CH" "tcp.stream" 0
if tsh "$f" -Y "$CH" -T fields -e tls.handshake.random && [ "$(sort -u "$SNT_TMP/tshark.out" | wc -l)" = 1 ]; then
	printf '  ok   %-34s %-28s %s\n' "$f" tls.handshake.random "one random in both ClientHellos"
else
	fail "$f: the two ClientHellos differ in their random"
fi
n expect "$f" "$CH" "tcp.stream tls.handshake.extensions_key_share_group" "0|23 0|29"
n count "$f" "$SH && tls.handshake.random==$HRR_RANDOM" 1
n expect "$f" "$SH && tls.handshake.random==$HRR_RANDOM" tls.handshake.extensions_key_share_selected_group 23
cert13 "$f" "$OTHER"
ends "$f" 1
ok200 "$f" 1

# --- 9: clients that reject
f=tls13-client-rejects.pcap
tls13 "$f" 1 "$NAME" 0x1302
cert13 "$f" "$OTHER"
ends "$f" 0
n count "$f" tls.alert_message 0
for f in tls13-client-rejects-unknown-ca.pcap:48 tls13-client-rejects-python.pcap:42; do
	a=${f#*:} f=${f%:*}
	tls13 "$f" 1 "$NAME" 0x1302
	# The fatal alert goes out in clear, before the client's handshake keys.
	n expect "$f" "$ALERT_FATAL" "ip.src tls.alert_message.desc tls.record.opaque_type" "$CLI|$a|"
	cert13 "$f" "$OTHER"
	k count "$f" "ip.src==$CLI && tls.record.opaque_type" 0
	k count "$f" "$CDATA" 0
done

# --- 10: accepted, then four records each way
f=tls13-client-accepts-then-data.pcap
tls13 "$f" 1 "$NAME" 0x1302
cert13 "$f" "$NAME"
ends "$f" 4
k count "$f" "$SDATA" 4
k expect "$f" "$CDATA" tls.record.length "19 26 55 94"

# --- 11: mutual TLS
f=tls13-mtls.pcap
tls13 "$f" 1 "$NAME" 0x1302
n count "$f" "tls.handshake.type==13" 0
k count "$f" "ip.src==$SRV && tls.handshake.type==13" 1
# The CertificateRequest names the root as the CA to chain to.
cert13 "$f" "$NAME" 1 "$ROOT_DN"
k expect "$f" "$CERT && ip.src==$CLI" "x509sat.uTF8String x509ce.rfc822Name" \
	"$INTER_DN,snitrace test,snitrace test client,$ROOT_DN,$INTER_DN|client@example.test"
k count "$f" "ip.src==$CLI && tls.handshake.type==15" 1
ends "$f" 1
ok200 "$f" 1

# --- 12: resumption
f=tls13-resumed.pcap
tls13 "$f" 2 "$NAME" 0x1302
n count "$f" "$CH && tls.handshake.extension.type==41" 1
n count "$f" "$SH && tls.handshake.extension.type==41" 1
k count "$f" "$CERT" 1
k count "$f" "tls.handshake.type==20 && ip.src==$SRV" 2
k count "$f" "$CDATA" 2
ok200 "$f" 2
cert13 "$f" "$OTHER"
k count "$f" "$ALERT_FATAL" 0

# --- 13: a key log for one of two connections
f=tls13-keys-missing.pcap
tls13 "$f" 2 "$NAME" 0x1302
cert13 "$f" "$OTHER"
k expect "$f" "$CERT" tcp.stream 0
k expect "$f" "$CDATA" tcp.stream 0
k count "$f" "tcp.stream==1 && (tls.handshake.type > 2 || tls.record.content_type==23 || tls.alert_message)" 0
k count "$f" "tcp.stream==1 && tls.record.opaque_type && !tls.record.content_type" 5 30

# --- 14: TLS 1.2 with CLIENT_RANDOM lines
for cs in tls12-keylog:0xc02b tls12-keylog-chacha20:0xcca9; do
	f=${cs%%:*}.pcap
	n count "$f" "$CH" 1
	n expect "$f" "$CH" "$SNI" "$NAME"
	n expect "$f" "$SH" "tls.handshake.version $CS" "0x0303|${cs#*:}"
	n expect "$f" "$CERT" "x509sat.uTF8String x509ce.dNSName" "$(chain_of "$OTHER")|$OTHER"
	n count "$f" http.request 0
	k expect "$f" http.request "http.request.method http.host" "GET|$NAME"
	ok200 "$f" 1
	k count "$f" "$ALERT_FATAL" 0
done

# --- 15: QUIC
for f in quic-ngtcp2-mismatch.pcap:$OTHER quic-ngtcp2-match.pcap:$NAME; do
	leaf=${f#*:} f=${f%:*}
	# The Initial packets' keys come from the connection ID: ClientHello and
	# ServerHello are readable without the key log; the rest is not.
	n expect "$f" "$CH" "quic.version $SNI tls.handshake.extensions_alpn_str" "0x00000001|$NAME|h3"
	n expect "$f" "$SH" "$VER $CS" "0x0304|0x1301"
	n count "$f" "$CERT" 0
	n count "$f" "quic.frame_type >= 8 && quic.frame_type <= 15" 0
	cert13 "$f" "$leaf"
	k count "$f" "ip.src==$CLI && tls.handshake.type==20" 1
	# Client STREAM frames (the HTTP/3 request) and its CONNECTION_CLOSE.
	k count "$f" "ip.src==$CLI && quic.frame_type >= 8 && quic.frame_type <= 15" 1 20
	k count "$f" "ip.src==$CLI && (quic.frame_type == 0x1c || quic.frame_type == 0x1d)" 1
done

# --- 16: the origin story in TLS 1.3
S_CLI=192.0.2.10 S_MAIL=198.51.100.21 S_WEB=198.51.100.22 S_AUTO=198.51.100.23
for f in story13.pcap story13-fixed.pcap; do
	n expect "$f" "dns.flags.response==1 && dns.a" "dns.qry.name dns.a" \
		"autodiscover.example.test|$S_AUTO example.test|$S_WEB mail.hosted.test|$S_MAIL www.example.test|$S_WEB"
	n expect "$f" "$CH" "ip.src ip.dst $SNI" \
		"$S_CLI|$S_MAIL|mail.hosted.test $S_CLI|$S_WEB|example.test $S_CLI|$S_AUTO|autodiscover.example.test"
	n expect "$f" "$SH" "$VER" 0x0304
	n count "$f" "$CERT" 0
	n expect "$f" http.request "ip.dst http.host http.request.uri" "$S_WEB|www.example.test|/"
	n count "$f" "frame.time_relative > 2" 0
	k count "$f" "$CERT && count(tls.handshake.certificate_length) == 2" 3
	k expect "$f" "ip.src==$S_CLI && http.request" "ip.dst http.host http.request.uri" \
		"$S_MAIL|mail.hosted.test|/ $S_WEB|example.test|/autodiscover/autodiscover.xml $S_WEB|www.example.test|/ $S_AUTO|autodiscover.example.test|/autodiscover/autodiscover.xml"
	k count "$f" "$ALERT_FATAL" 0
done
k expect story13.pcap "$CERT" "ip.src x509ce.dNSName" \
	"$S_MAIL|mail.hosted.test $S_WEB|shared7.webhost.test $S_AUTO|autodiscover.webhost.test"
k expect story13-fixed.pcap "$CERT" "ip.src x509ce.dNSName" \
	"$S_MAIL|mail.hosted.test $S_WEB|example.test,www.example.test $S_AUTO|autodiscover.example.test"

# --- every capture: each key log line's client random belongs to a
# ClientHello in its capture.
for keys in "$OUT"/*.keys; do
	f=${keys##*/}
	f=${f%.keys}.pcap
	tsh "$f" -Y "$CH" -T fields -e tls.handshake.random || continue
	stray=$(grep -v '^#' "$keys" | awk '{ print $2 }' | sort -u |
		grep -cvxFf "$SNT_TMP/tshark.out")
	if [ "$stray" = 0 ]; then
		printf '  ok   %-34s %-28s %s\n' "${keys##*/}" "client randoms" "all in $f"
	else
		fail "${keys##*/}: $stray client random(s) not in any ClientHello of $f"
	fi
done

# --- summary -------------------------------------------------------------------

echo "summary (with each key log; CH: ClientHellos, randoms: client randoms in the key log):"
printf '  %-36s %6s %3s %7s %-15s %s\n' file bytes CH randoms ciphers "the client, after the handshake"
for f in "$OUT"/*.pcap "$OUT"/*.pcapng; do
	[ -f "$f" ] || continue
	f=${f##*/}
	base=${f%.pcap}
	base=${base%-dsb.pcapng}
	keys=$OUT/$base.keys
	SNT_TSHARK_ARGS=(-o "tls.keylog_file:$keys")
	tsh "$f" -Y "$CH" -T fields -e tls.handshake.random || continue
	chs=$(wc -l <"$SNT_TMP/tshark.out")
	randoms=$(grep -v '^#' "$keys" | awk '{ print $2 }' | sort -u | wc -l)
	tsh "$f" -Y "$SH && !(tls.handshake.random==$HRR_RANDOM)" -T fields -e "$CS" || continue
	ciphers=$(sort -u "$SNT_TMP/tshark.out" | tr '\n' ',' | sed 's/,$//')
	tsh "$f" -Y "(ip.src==$CLI || ip.src==192.0.2.10) && tls.record.content_type==23" \
		-T fields -e frame.number || continue
	data=$(wc -l <"$SNT_TMP/tshark.out")
	tsh "$f" -Y "ip.src==$CLI || ip.src==192.0.2.10" -T fields -e tls.alert_message.level \
		-e tls.alert_message.desc -e tls.record.opaque_type || continue
	alerts=$(awk -F'\t' '$1 != "" { print ($1 == 2 ? "fatal " : "") "alert " $2 ($3 == "" ? " (clear)" : " (encrypted)") }' \
		"$SNT_TMP/tshark.out" | sort | uniq -c | sed 's/^ *//' | tr '\n' ';' | sed 's/;$//; s/;/; /g')
	case $f in quic-*)
		tsh "$f" -Y "ip.src==$CLI && quic.frame_type >= 8 && quic.frame_type <= 15" -T fields -e frame.number
		data="$(wc -l <"$SNT_TMP/tshark.out") packets with STREAM frames"
		tsh "$f" -Y "ip.src==$CLI && quic.frame_type == 0x1d" -T fields -e frame.number
		alerts="CONNECTION_CLOSE x$(wc -l <"$SNT_TMP/tshark.out")" ;;
	*) data="$data data records" ;;
	esac
	printf '  %-36s %6d %3d %7d %-15s %s%s\n' "$f" "$(wc -c <"$OUT/$f")" "$chs" \
		"$randoms" "$ciphers" "$data" "${alerts:+; $alerts}"
done
SNT_TSHARK_ARGS=()

if [ "$fails" -gt 0 ]; then
	snt_log "$fails check(s) failed"
	exit 1
fi
echo "all checks passed"
exit 0
