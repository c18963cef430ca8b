#!/bin/bash
#
# The origin story in TLS 1.3, judged by --probe: pcaps/tls13/story13.pcap
# read without its key log, inside a client namespace made here, while the
# very servers it was captured from run again (pcaps/story13-servers.sh,
# same addresses and certificates). Every TLS 1.3 certificate is fetched by
# a probe and the two that do not cover their names are flagged, as with
# the key log. The output is compared with its golden file, the probe's
# own time masked (it is the time of the run, not of the capture).
#
# usage: tests/probe_story_test.sh SNITRACE GOLDEN [--update]
# exit: 0 pass, 1 fail, 77 skip (meson's code) without root/namespaces.

set -u
SNITRACE=${1:?usage: probe_story_test.sh SNITRACE GOLDEN [--update]}
GOLDEN=${2:?usage: probe_story_test.sh SNITRACE GOLDEN [--update]}
UPDATE=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PCAPS=$HERE/../pcaps
# shellcheck source=pcaps/lib.sh
. "$PCAPS/lib.sh"
# shellcheck source=pcaps/story13-servers.sh
. "$PCAPS/story13-servers.sh"

snt_can_netns || snt_skip "the probe story test needs root and network namespaces"
snt_need_tools "the probe story test" openssl dnsmasq python3 timeout
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
SNITRACE=$(cd "$(dirname "$SNITRACE")" && pwd)/$(basename "$SNITRACE")

SNT_TMP=$(mktemp -d /tmp/snt-probe-story.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 1' INT TERM

snt_netns_setup || snt_fail "namespace setup failed"
story13_net || snt_fail "story13 addresses"
story13_start_servers before || snt_fail "the story's servers did not start"

ip netns exec "$SNT_CLI" "$SNITRACE" -r "$PCAPS/tls13/story13.pcap" --probe \
	--probe-only 198.51.100.0/24 --ca-file "$PCAPS/tls13/test-ca.pem" \
	>"$SNT_TMP/out.jsonl" 2>"$SNT_TMP/err" || {
	cat "$SNT_TMP/err"
	snt_fail "snitrace failed"
}
# The probe's time is the run's; everything else is the capture's.
"$PY" - "$SNT_TMP/out.jsonl" >"$SNT_TMP/masked.jsonl" <<'PY' || snt_fail "output is not JSON"
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if "probe" in o:
        o["probe"]["@timestamp"] = "PROBE-TIME"
    print(json.dumps(o, separators=(",", ":")))
PY
if [ "$UPDATE" = --update ]; then
	cp "$SNT_TMP/masked.jsonl" "$GOLDEN"
	exit 0
fi
diff -u "$GOLDEN" "$SNT_TMP/masked.jsonl" || snt_fail "the probed story differs from $GOLDEN"
grep -c '"certificate_source":"probe"' "$SNT_TMP/out.jsonl" | grep -qx 5 ||
	snt_fail "expected 3 probed attempts and 2 probed flags"
echo "the probed story: 3 certificates probed, 2 hosts flagged, as $GOLDEN"
