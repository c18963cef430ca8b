#!/bin/bash
#
# Live capture with a key log that is still being written: snitrace -i on
# the client end of a veth between two network namespaces, following an
# empty key log, while curl (SSLKEYLOGFILE) makes a TLS 1.3 connection to a
# server whose certificate does not cover the name asked, and, when ngtcp2's
# examples are installed, gtlsclient makes a QUIC one. The keys reach the
# file while (or just after) the handshakes cross the wire; the attempts
# must still carry the decrypted certificate and its name_mismatch.
#
# usage: tests/live/live_keylog_test.sh PATH/TO/snitrace
# exit: 0 pass, 1 fail, 77 skip (meson's code) without root/namespaces.

set -u
SNITRACE=${1:?usage: live_keylog_test.sh PATH/TO/snitrace}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/../../pcaps/lib.sh"

snt_can_netns || snt_skip "the live key log test needs root and network namespaces"
snt_need_tools "the live key log test" openssl curl timeout
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || snt_skip "the live key log test needs python3"
[ -x "$SNITRACE" ] || snt_fail "no executable snitrace at $SNITRACE"
SNITRACE=$(cd "$(dirname "$SNITRACE")" && pwd)/$(basename "$SNITRACE")
QUIC=yes
command -v gtlsserver >/dev/null 2>&1 && command -v gtlsclient >/dev/null 2>&1 || QUIC=

SNT_TMP=$(mktemp -d /tmp/snt-live-keylog.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 1' INT TERM

NAME=other.example.test # the test certificate covers www.example.test and example.test
TLS_PORT=4433
QUIC_PORT=4443
READY_PORT=4498
OUT=$SNT_TMP/out.json
KEYS=$SNT_TMP/keys.log

snt_netns_setup || snt_fail "namespace setup failed"
snt_make_certs "$SNT_TMP" || snt_fail "certificate generation failed"
mkdir -p "$SNT_TMP/www"
printf 'hello\n' >"$SNT_TMP/www/index.html"
snt_bg "$SNT_SRV" "$SNT_TMP/s_server.log" timeout 60 openssl s_server -www -tls1_3 \
	-accept "$SNT_SRV_IP4:$TLS_PORT" -cert "$SNT_TMP/srv.crt" -key "$SNT_TMP/srv.key"
snt_wait_file "$SNT_TMP/s_server.log" ACCEPT || snt_fail "openssl s_server did not start"
if [ -n "$QUIC" ]; then
	snt_bg "$SNT_SRV" "$SNT_TMP/gtlsserver.log" timeout 60 gtlsserver -q -d "$SNT_TMP/www" \
		"$SNT_SRV_IP4" "$QUIC_PORT" "$SNT_TMP/srv.key" "$SNT_TMP/srv.crt"
	snt_wait_listen_udp "$SNT_SRV" "$QUIC_PORT" || snt_fail "gtlsserver did not start"
fi

: >"$KEYS"
chmod 644 "$KEYS"
snt_bg "$SNT_CLI" "$SNT_TMP/snitrace.err" timeout 60 "$SNITRACE" -i "$SNT_CLI_IF" \
	--keylog "$KEYS" -o "$OUT"
SNITRACE_PID=$SNT_LAST_PID
snt_wait_live "$SNITRACE_PID" "$OUT" "$SNT_TMP/snitrace.err" "$SNT_SRV_IP4" "$READY_PORT"

ip netns exec "$SNT_CLI" timeout 10 env SSLKEYLOGFILE="$KEYS" curl -sk -o /dev/null \
	--resolve "$NAME:$TLS_PORT:$SNT_SRV_IP4" "https://$NAME:$TLS_PORT/" \
	>>"$SNT_TMP/client.log" 2>&1 || echo "note: curl failed (exit $?)"
if [ -n "$QUIC" ]; then
	echo "$SNT_SRV_IP4 $NAME" >"$SNT_TMP/hosts"
	# shellcheck disable=SC2016 # expanded by the inner sh
	ip netns exec "$SNT_CLI" timeout 10 unshare -m --propagation private sh -c \
		'mount --bind "$1" /etc/hosts || exit 1; shift; exec "$@"' sh "$SNT_TMP/hosts" \
		env SSLKEYLOGFILE="$KEYS" gtlsclient -q --exit-on-all-streams-close \
		--handshake-timeout=5s --timeout=5s "$NAME" "$QUIC_PORT" "https://$NAME/" \
		>>"$SNT_TMP/client.log" 2>&1 </dev/null || echo "note: gtlsclient failed (exit $?)"
fi
sleep 3 # past the 2 s a handshake may wait for its keys
snt_stop "$SNITRACE_PID" || snt_fail "snitrace did not stop cleanly: $(cat "$SNT_TMP/snitrace.err")"

"$PY" - "$OUT" "$NAME" "$QUIC" <<'EOF' || exit 1
import json, sys
path, name, quic = sys.argv[1], sys.argv[2], sys.argv[3]
records = [json.loads(l) for l in open(path) if l.strip()]
want = ["tls"] + (["quic"] if quic else [])
fails = 0
for proto in want:
    got = [r for r in records if r["type"] == "attempt" and r.get("name") == name
           and r["network"]["protocol"] == proto]
    ok = [r for r in got if r.get("certificate_source") == "keylog"
          and "name_mismatch" in r["problems"]]
    if not ok:
        print(f"FAIL: no {proto} attempt to {name} decrypted with the live key log: {got}")
        fails += 1
    else:
        print(f"{proto}: certificate from the key log, name_mismatch")
stats = [r for r in records if r["type"] == "stats" and r.get("final")]
if not stats or stats[-1].get("tls_decrypted", 0) < len(want):
    print(f"FAIL: the final stats do not count {len(want)} decrypted connections: {stats[-1:]}")
    fails += 1
else:
    s = stats[-1]
    print(f"keys {s['keylog_keys']}, decrypted {s['tls_decrypted']}, late {s['tls_keys_late']}, "
          f"missing {s['tls_keys_missing']}")
sys.exit(1 if fails else 0)
EOF
[ -n "$QUIC" ] || echo "note: ngtcp2's gtlsclient/gtlsserver are not installed: QUIC not tried"
