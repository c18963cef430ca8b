#!/bin/sh
# Rewrite tests/golden/expected/ from the current build after a deliberate
# output change; review the diff before committing.  Captures under
# pcaps/cert/, pcaps/session/ and pcaps/starttls/ are checked against the
# test CA made with them; pcaps/hostile/ needs none.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/snitrace}
update() { # capture, expected name, extra arguments...
    pcap=$1
    name=$2
    shift 2
    /usr/bin/python3 "$top/tests/golden/run_golden.py" --update "$bin" "$top/docs/snitrace.schema.json" \
        "$pcap" "$top/tests/golden/expected/$name.jsonl" "$@"
}
for pcap in "$top"/pcaps/*.pcap "$top"/pcaps/*.pcapng; do
    update "$pcap" "$(basename "$pcap")"
done
for pcap in "$top"/pcaps/cert/*.pcap; do
    update "$pcap" "cert-$(basename "$pcap")" --ca-file "$top/pcaps/cert/test-ca.pem"
done
for pcap in "$top"/pcaps/session/*.pcap; do
    update "$pcap" "session-$(basename "$pcap")" --ca-file "$top/pcaps/session/test-ca.pem"
done
for pcap in "$top"/pcaps/starttls/*.pcap; do
    update "$pcap" "starttls-$(basename "$pcap")" --ca-file "$top/pcaps/starttls/test-ca.pem"
done
for pcap in "$top"/pcaps/tls13/*.pcap "$top"/pcaps/tls13/*.pcapng; do
    ca="$top/pcaps/tls13/test-ca.pem"
    update "$pcap" "tls13-$(basename "$pcap")" --ca-file "$ca"
    keys=${pcap%.*}.keys
    [ -f "$keys" ] && update "$pcap" "tls13-$(basename "$pcap")-keylog" --ca-file "$ca" --keylog "$keys"
done
update "$top/pcaps/ech/ech-offered.pcap" "ech-ech-offered.pcap"
for pcap in "$top"/pcaps/hostile/*.pcap; do
    case $pcap in
    */tcp-syn-flood.pcap | */tcp-port-scan.pcap) # past a threshold small enough to read
        update "$pcap" "hostile-$(basename "$pcap")" --scan-threshold 10 ;;
    *) update "$pcap" "hostile-$(basename "$pcap")" ;;
    esac
done
update "$top/pcaps/session/sessions-overlap.pcap" "session-sessions-overlap.pcap-gap2" \
    --ca-file "$top/pcaps/session/test-ca.pem" --session-gap 2
