#!/bin/bash
#
# Live capture test: snitrace -i on the client end of a veth between two
# network namespaces, while curl makes a TLS connection, a plain HTTP
# request and a connection to a closed port. snitrace is stopped with
# SIGINT and its NDJSON output must hold all three attempts and a final
# stats line.
#
# usage: tests/live/live_test.sh PATH/TO/snitrace
# exit: 0 pass, 1 fail, 77 skip (meson's code) without root/namespaces.

set -u
SNITRACE=${1:?usage: live_test.sh PATH/TO/snitrace}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/../../pcaps/lib.sh"

skip() {
	echo "SKIP: $*"
	exit 77
}
fail() {
	echo "FAIL: $*"
	exit 1
}

snt_can_netns || skip "live test: $SNT_NETNS_WHY"
for tool in openssl curl timeout; do
	command -v "$tool" >/dev/null 2>&1 || skip "live test needs $tool"
done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "live test needs python3"
[ -x "$SNITRACE" ] || fail "no executable snitrace at $SNITRACE"
SNITRACE=$(cd "$(dirname "$SNITRACE")" && pwd)/$(basename "$SNITRACE")

SNT_TMP=$(mktemp -d /tmp/snt-live.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 1' INT TERM

TLS_NAME=www.example.test
HTTP_NAME=web.example.test
TLS_PORT=4433
HTTP_PORT=8080
CLOSED_PORT=4499 # the refused connection the checks look for
READY_PORT=4498  # refused connections that tell when snitrace is capturing
OUTFILE=$SNT_TMP/out.json

snt_netns_setup || fail "namespace setup failed"
snt_make_certs "$SNT_TMP" || fail "certificate generation failed"
mkdir -p "$SNT_TMP/www"
printf 'hello\n' >"$SNT_TMP/www/index.html"

snt_bg "$SNT_SRV" "$SNT_TMP/s_server.log" timeout 60 openssl s_server -www \
	-accept "$SNT_SRV_IP4:$TLS_PORT" -cert "$SNT_TMP/srv.crt" -key "$SNT_TMP/srv.key"
snt_wait_file "$SNT_TMP/s_server.log" ACCEPT || fail "openssl s_server did not start"
snt_bg "$SNT_SRV" "$SNT_TMP/http.log" timeout 60 "$PY" -m http.server "$HTTP_PORT" \
	--bind "$SNT_SRV_IP4" --directory "$SNT_TMP/www"
snt_wait_listen "$SNT_SRV" "$HTTP_PORT" || fail "python http.server did not start"

# timeout passes SIGINT on to snitrace and bounds it if it ignores it.
snt_bg "$SNT_CLI" "$SNT_TMP/snitrace.err" timeout 60 "$SNITRACE" \
	-i "$SNT_CLI_IF" -o "$OUTFILE"
SNITRACE_PID=$SNT_LAST_PID

snt_wait_live "$SNITRACE_PID" "$OUTFILE" "$SNT_TMP/snitrace.err" "$SNT_SRV_IP4" "$READY_PORT"

client() {
	ip netns exec "$SNT_CLI" timeout 10 "$@" >>"$SNT_TMP/client.log" 2>&1 </dev/null
}
client curl -sk --resolve "$TLS_NAME:$TLS_PORT:$SNT_SRV_IP4" -o /dev/null \
	"https://$TLS_NAME:$TLS_PORT/" || echo "note: TLS curl failed (exit $?)"
client curl -s --resolve "$HTTP_NAME:$HTTP_PORT:$SNT_SRV_IP4" -o /dev/null \
	"http://$HTTP_NAME:$HTTP_PORT/" || echo "note: HTTP curl failed (exit $?)"
# Expected to fail: nothing listens there.
client curl -s --connect-timeout 2 --resolve "$TLS_NAME:$CLOSED_PORT:$SNT_SRV_IP4" \
	-o /dev/null "http://$TLS_NAME:$CLOSED_PORT/"

sleep 0.5
snt_stop "$SNITRACE_PID"
rc=$?
if [ "$rc" != 0 ]; then
	echo "snitrace stderr:"
	sed 's/^/  /' "$SNT_TMP/snitrace.err"
	fail "snitrace exited with $rc after SIGINT (124: ignored it until timeout)"
fi

"$PY" - "$OUTFILE" "$TLS_NAME" "$HTTP_NAME" "$CLOSED_PORT" <<'EOF'
import json
import sys

path, tls_name, http_name, closed_port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def get(obj, dotted):
    """Nested ECS field, or the same name as one dotted key."""
    if dotted in obj:
        return obj[dotted]
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


problems, records = [], []
try:
    with open(path, encoding="utf-8") as f:
        lines = f.readlines()
except (OSError, UnicodeDecodeError) as e:
    print(f"cannot read the output: {e}")
    sys.exit(1)
for n, line in enumerate(lines, 1):
    if not line.strip():
        continue
    try:
        records.append(json.loads(line))
    except ValueError as e:
        problems.append(f"line {n} is not JSON ({e}): {line[:120]!r}")

attempts = [r for r in records if r.get("type") == "attempt"]


def want(desc, pred):
    if not any(pred(a) for a in attempts):
        problems.append("missing: " + desc)


want(f"attempt name={tls_name} name_source=sni network.protocol=tls",
     lambda a: a.get("name") == tls_name and a.get("name_source") == "sni"
     and get(a, "network.protocol") == "tls")
want(f"attempt name={http_name} name_source=http_host",
     lambda a: a.get("name") == http_name and a.get("name_source") == "http_host")
want(f"attempt outcome=refused server.port={closed_port}",
     lambda a: a.get("outcome") == "refused" and get(a, "server.port") == closed_port)
if not records or records[-1].get("type") != "stats":
    problems.append("missing: final stats line (last line has type %r)"
                    % (records[-1].get("type") if records else None))

if problems:
    print(f"{len(records)} records, {len(attempts)} attempts:")
    for a in attempts:
        print("  ", get(a, "server.ip"), get(a, "server.port"), get(a, "network.protocol"),
              a.get("name"), a.get("name_source"), a.get("outcome"))
    for p in problems:
        print(p)
    sys.exit(1)
print(f"ok: {len(attempts)} attempts, stats last")
EOF
rc=$?
if [ "$rc" != 0 ]; then
	echo "snitrace output ($OUTFILE):"
	[ -f "$OUTFILE" ] && sed 's/^/  /' "$OUTFILE" | head -50
	fail "output checks failed"
fi
echo "PASS"
exit 0
