#!/bin/bash
#
# Make the TLS 1.2 vectors of tests/tls12_vectors.h from real software:
# openssl s_client -tls1_2 -keylogfile against openssl s_server across a
# veth between two network namespaces made here (pcaps/lib.sh), one
# handshake per AEAD suite, captured with tcpdump.  For each it prints the
# client random, the server random, the master secret (from the key log)
# and the client's encrypted Finished record, as C.  Needs root.
#
# usage: tests/tls12_vectors.sh > tests/tls12_vectors.h

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/../pcaps/lib.sh"

for tool in ip openssl tcpdump tshark python3; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool"
done
snt_can_netns || snt_die "$SNT_NETNS_WHY"

SNT_TMP=$(mktemp -d /tmp/snt-tls12.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM
snt_netns_setup || snt_die "namespace setup failed"
snt_make_certs "$SNT_TMP" || snt_die "certificate generation failed"

PORT=4412
# name (C identifier), OpenSSL cipher name, IANA number
SUITES="aes128gcm:ECDHE-ECDSA-AES128-GCM-SHA256:0xc02b
aes256gcm:ECDHE-ECDSA-AES256-GCM-SHA384:0xc02c
chacha20:ECDHE-ECDSA-CHACHA20-POLY1305:0xcca9
aes128ccm:ECDHE-ECDSA-AES128-CCM:0xc0ac
aes128ccm8:ECDHE-ECDSA-AES128-CCM8:0xc0ae"

snt_bg "$SNT_SRV" "$SNT_TMP/server.log" timeout 120 openssl s_server -www -tls1_2 \
	-accept "$SNT_SRV_IP4:$PORT" -cert "$SNT_TMP/srv.crt" -key "$SNT_TMP/srv.key" \
	-cipher 'ALL:@SECLEVEL=0' -naccept 10
snt_wait_listen "$SNT_SRV" "$PORT" || snt_die "s_server did not start"

cat <<'HDR'
/* TLS 1.2 vectors made by tests/tls12_vectors.sh: one real handshake per
 * suite (openssl s_client -tls1_2 -keylogfile against openssl s_server),
 * with the randoms from the hellos, the master secret from the key log and
 * the client's first encrypted record: its Finished (type 20, length 12). */
#ifndef SNITRACE_TEST_TLS12_VECTORS_H
#define SNITRACE_TEST_TLS12_VECTORS_H

#include <stdint.h>

struct tls12_vector {
    const char *name;
    uint16_t suite;
    const char *client_random, *server_random, *master, *finished_record;
};

static const struct tls12_vector tls12_vectors[] = {
HDR
while IFS=: read -r name cipher id; do
	pcap="$SNT_TMP/$name.pcap"
	snt_cap_start "$SNT_CLI" "$pcap" "tcp port $PORT" -i "$SNT_CLI_IF" || snt_die "no capture"
	cap=$SNT_LAST_PID
	ip netns exec "$SNT_CLI" timeout 20 openssl s_client -tls1_2 -cipher "$cipher" \
		-connect "$SNT_SRV_IP4:$PORT" -keylogfile "$SNT_TMP/$name.keys" \
		</dev/null >"$SNT_TMP/$name.log" 2>&1 || { cat "$SNT_TMP/$name.log" "$SNT_TMP/server.log" >&2; snt_die "s_client $cipher failed"; }
	snt_stop "$cap"
	tshark -r "$pcap" -n -Y "tcp.len > 0" -T fields -e tcp.dstport -e tcp.payload \
		>"$SNT_TMP/$name.txt" 2>/dev/null || snt_die "tshark failed"
	python3 - "$name" "$id" "$PORT" "$SNT_TMP/$name.txt" "$SNT_TMP/$name.keys" <<'PY' || snt_die "$name: no vector"
import sys
name, suite, port, segs, keys = sys.argv[1:]
streams = {True: b"", False: b""}  # to the server, to the client
for line in open(segs):
    dport, payload = line.split()
    streams[dport == port] += bytes.fromhex(payload.replace(":", ""))
def records(s):
    while len(s) >= 5:
        n = int.from_bytes(s[3:5], "big")
        yield s[0], s[:5 + n]
        s = s[5 + n:]
def hello_random(s):
    for t, rec in records(s):
        if t == 22 and rec[5] in (1, 2):
            return rec[5 + 6:5 + 6 + 32]
cr, sr = hello_random(streams[True]), hello_random(streams[False])
after_ccs, finished = False, None
for t, rec in records(streams[True]):
    if after_ccs:
        finished = rec
        break
    after_ccs = t == 20
master = None
for line in open(keys):
    f = line.split()
    if f[0] == "CLIENT_RANDOM" and bytes.fromhex(f[1]) == cr:
        master = f[2]
assert cr and sr and master and finished
print('    {"%s", %s,\n     "%s",\n     "%s",\n     "%s",\n     "%s"},' %
      (name, suite, cr.hex(), sr.hex(), master.lower(), finished.hex()))
PY
done <<<"$SUITES"
cat <<'TAIL'
};

#endif
TAIL
