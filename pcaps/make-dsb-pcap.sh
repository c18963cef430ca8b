#!/bin/bash
#
# Regenerate pcaps/tls13-dsb.pcapng: one TLS 1.3 handshake (openssl s_client
# to s_server across a veth between two network namespaces), captured with
# tcpdump, with the client's key log (s_client -keylogfile) embedded in a
# pcapng Decryption Secrets Block by editcap --inject-secrets. Needs root.
#
# usage: pcaps/make-dsb-pcap.sh [OUTDIR]      (default: the pcaps/ directory)
#
# The keys only open this one throwaway connection: the certificate and its
# key are made in a temp dir and removed with it.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

OUT=${1:-$HERE}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)

for tool in ip openssl tcpdump editcap; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool (editcap: apt-get install wireshark-common)"
done
snt_can_netns || snt_die "$SNT_NETNS_WHY"

SNT_TMP=$(mktemp -d /tmp/snt-dsb-pcap.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM

NAME=www.example.test
FILE=tls13-dsb.pcapng
snt_netns_setup || snt_die "namespace setup failed"
snt_make_certs "$SNT_TMP" || snt_die "certificate generation failed"

snt_bg "$SNT_SRV" "$SNT_TMP/server.log" timeout 60 openssl s_server -www \
	-cert "$SNT_TMP/srv.crt" -key "$SNT_TMP/srv.key" -alpn http/1.1 \
	-accept "$SNT_SRV_IP4:4433" -tls1_3
snt_wait_file "$SNT_TMP/server.log" ACCEPT || snt_die "s_server did not start"

# A GET so that s_server -www answers and closes: the whole connection,
# handshake to FIN, is in the capture.
get_with_keylog() {
	client sh -c "printf 'GET / HTTP/1.0\r\n\r\n' | openssl s_client -quiet \
		-connect $SNT_SRV_IP4:4433 -servername $NAME -alpn h2,http/1.1 \
		-keylogfile $SNT_TMP/keys.log"
}
snt_log "making $FILE"
snt_cap_start "$SNT_CLI" "$SNT_TMP/plain.pcap" "tcp port 4433" -i "$SNT_CLI_IF" ||
	snt_die "capture did not start"
cap=$SNT_LAST_PID
get_with_keylog
snt_stop "$cap"
[ -s "$SNT_TMP/keys.log" ] || snt_die "s_client wrote no key log"
editcap --inject-secrets "tls,$SNT_TMP/keys.log" "$SNT_TMP/plain.pcap" "$OUT/$FILE" ||
	snt_die "editcap --inject-secrets failed"

# --- checks: tshark opens the handshake with the embedded keys alone ---------

if ! command -v tshark >/dev/null 2>&1; then
	snt_log "tshark not installed: $FILE made but not checked"
	exit 0
fi
fails=0 # counted by fail(), from pcaps/lib.sh
echo "checks:"
expect "$FILE" tls.handshake.type==1 tls.handshake.extensions_server_name "$NAME"
expect "$FILE" tls.handshake.type==2 tls.handshake.extensions.supported_version 0x0304
expect "$FILE" tls.handshake.type==11 x509ce.dNSName "$NAME,example.test"
printf '  %-28s %6d bytes, %d key log lines\n' "$FILE" "$(wc -c <"$OUT/$FILE")" \
	"$(grep -c . "$SNT_TMP/keys.log")"
[ "$fails" -eq 0 ] || snt_die "$fails check(s) failed"
exit 0
