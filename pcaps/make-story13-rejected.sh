#!/bin/bash
#
# The origin story in TLS 1.3 once more, with a client that checks the
# certificates the way a mail client does: curl without -k, trusting the
# test CA, against the servers of story13.pcap (pcaps/story13-servers.sh).
# It completes each TLS 1.3 handshake, finds the name does not match, and
# leaves with a close_notify and no request: nothing on the wire says so
# in clear. Writes pcaps/tls13/story13-rejected.pcap and its key log.
# Needs root; made with the certificates already in pcaps/tls13/story13/.
#
# usage: pcaps/make-story13-rejected.sh [OUTDIR]      (default: pcaps/tls13)

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"
OUT=${1:-$HERE/tls13}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
# shellcheck source=pcaps/story13-servers.sh
. "$HERE/story13-servers.sh"

for tool in ip openssl curl tcpdump python3 dnsmasq unshare; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool"
done
snt_can_netns || snt_die "needs root and network namespaces (ip netns)"
SNT_TMP=$(mktemp -d /tmp/snt-story13-rejected.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM
unset SSLKEYLOGFILE

snt_netns_setup || snt_die "namespace setup failed"
story13_net || snt_die "story13 addresses"
story13_start_servers before || snt_die "story13 servers did not start"
KEYS=$SNT_TMP/story13-rejected.keys
: >"$KEYS"
cp "$HERE/tls13/test-ca.pem" "$SNT_TMP/ca.pem"
# shellcheck disable=SC2317 # called through capture
burst() {
	story13_burst env SSLKEYLOGFILE="$KEYS" curl -sS --cacert "$SNT_TMP/ca.pem" \
		--max-time 10 -o /dev/null
}
capture story13-rejected.pcap "ip host $STORY13_CLI" burst
story13_stop_servers
cp "$KEYS" "$OUT/story13-rejected.keys"
grep -c "SSL: no alternative certificate subject name matches" "$SNT_TMP/client.log" |
	grep -qx 2 || snt_die "curl did not reject exactly the two mismatched hosts"
chmod 644 "$OUT/story13-rejected.pcap" "$OUT/story13-rejected.keys"
