#!/bin/bash
#
# The origin story, live: a mail client's burst (hosted mail server, then
# autodiscover and the bare domain on a shared web host whose certificates
# name other hosts, then plain HTTP) traced by snitrace -i on the client's
# veth while tcpdump records the same wire. snitrace is then run again over
# tcpdump's capture, and the two traces must tell the same story: one
# session for the client, the same four attempts in the same order, and the
# same two hosts flagged with the same suggested names.
#
# usage: tests/live/live_story_test.sh PATH/TO/snitrace
# exit: 0 pass, 1 fail, 77 skip (meson's code) without root/namespaces.

set -u
SNITRACE=${1:?usage: live_story_test.sh PATH/TO/snitrace}
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

snt_can_netns || skip "live story test: $SNT_NETNS_WHY"
for tool in openssl curl tcpdump dnsmasq unshare mount timeout ss; do
	command -v "$tool" >/dev/null 2>&1 || skip "live story test needs $tool"
done
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "live story test needs python3"
[ -x "$SNITRACE" ] || fail "no executable snitrace at $SNITRACE"
SNITRACE=$(cd "$(dirname "$SNITRACE")" && pwd)/$(basename "$SNITRACE")

SNT_TMP=$(mktemp -d /tmp/snt-live-story.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 1' INT TERM
T=$SNT_TMP

# The story's addresses, as in pcaps/make-cert-pcaps.sh. The client has
# its own address so that the readiness probes (sent from SNT_CLI_IP4)
# land in a session of their own, which the checks ignore.
STORY_CLI=192.0.2.10
STORY_MAIL=198.51.100.21
STORY_WEB=198.51.100.22
STORY_AUTO=198.51.100.23
STORY_DNS=198.51.100.53
READY_PORT=4498 # closed: refused connections tell when snitrace is capturing

snt_netns_setup || fail "namespace setup failed"
ip -n "$SNT_CLI" addr add "$STORY_CLI/24" dev "$SNT_CLI_IF"
ip -n "$SNT_CLI" route add 198.51.100.0/24 dev "$SNT_CLI_IF" src "$STORY_CLI"
for a in "$STORY_MAIL" "$STORY_WEB" "$STORY_AUTO" "$STORY_DNS"; do
	ip -n "$SNT_SRV" addr add "$a/24" dev "$SNT_SRV_IF"
done

# --- certificates --------------------------------------------------------------

# A root CA and leaves signed directly by it. snitrace gets the root as its
# only trust anchor, so the one problem left to find is the name.
# make_leaf NAME CN : $T/NAME.{crt,key}, subjectAltName DNS:CN only.
make_leaf() {
	local name=$1 cn=$2
	openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$T/$name.key" -out "$T/$name.csr" -subj "/CN=$cn" 2>/dev/null || return 1
	printf '%s\n' 'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature' \
		'extendedKeyUsage=serverAuth' "subjectAltName=DNS:$cn" >"$T/$name.ext"
	openssl x509 -req -in "$T/$name.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
		-CAcreateserial -days 30 -extfile "$T/$name.ext" -out "$T/$name.crt" 2>/dev/null
}
make_pki() {
	openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-keyout "$T/ca.key" -out "$T/ca.pem" -days 30 \
		-subj "/O=snitrace test/CN=snitrace live story CA" \
		-addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null &&
	make_leaf mail mail.hosted.test &&
	make_leaf shared shared7.webhost.test &&
	make_leaf auto autodiscover.webhost.test
}
make_pki || fail "certificate generation failed"

# --- servers -------------------------------------------------------------------

# Exact names only; everything else under .test is NXDOMAIN, nothing is
# forwarded anywhere.
snt_bg "$SNT_SRV" "$T/dnsmasq.log" timeout 60 dnsmasq -k -C /dev/null \
	--no-resolv --no-hosts --bind-interfaces --listen-address="$STORY_DNS" \
	--pid-file="$T/dnsmasq.pid" --log-facility=- --local=/test/ \
	--host-record=mail.hosted.test,"$STORY_MAIL" \
	--host-record=autodiscover.example.test,"$STORY_AUTO" \
	--host-record=example.test,"$STORY_WEB" \
	--host-record=www.example.test,"$STORY_WEB"
snt_wait_listen_udp "$SNT_SRV" 53 || { cat "$T/dnsmasq.log"; fail "dnsmasq did not start"; }

mkdir -p "$T/www"
printf '<!doctype html><title>example</title><p>hello\n' >"$T/www/index.html"
snt_bg "$SNT_SRV" "$T/http.log" timeout 60 "$PY" -m http.server 80 \
	--bind "$STORY_WEB" --directory "$T/www"

# TLS 1.2 only: in TLS 1.3 the certificate is encrypted and neither trace
# would see it. No CA store, so the leaf goes out alone whatever the
# system store holds.
tls_server() { # ADDR LEAF
	snt_bg "$SNT_SRV" "$T/s_server-$2.log" timeout 60 openssl s_server -www -tls1_2 \
		-accept "$1:443" -cert "$T/$2.crt" -key "$T/$2.key" \
		-no-CAfile -no-CApath -no-CAstore
	snt_wait_file "$T/s_server-$2.log" ACCEPT ||
		{ cat "$T/s_server-$2.log"; fail "s_server for $2 did not start"; }
}
tls_server "$STORY_MAIL" mail
tls_server "$STORY_WEB" shared
tls_server "$STORY_AUTO" auto
snt_wait_listen "$SNT_SRV" 80 || fail "python http.server did not start"

# --- the two traces --------------------------------------------------------------

# tcpdump first: whatever live snitrace sees after its probe, the capture
# holds too. No filter, so the offline run sees the probes as well.
snt_cap_start "$SNT_CLI" "$T/story.pcap" ip -i "$SNT_CLI_IF" ||
	{ cat "$T/story.pcap.log"; fail "tcpdump did not start"; }
TCPDUMP_PID=$SNT_LAST_PID

# timeout passes SIGINT on to snitrace and bounds it if it ignores it.
snt_bg "$SNT_CLI" "$T/snitrace.err" timeout 60 "$SNITRACE" \
	-i "$SNT_CLI_IF" -o "$T/live.json" --ca-file "$T/ca.pem"
SNITRACE_PID=$SNT_LAST_PID

snt_wait_live "$SNITRACE_PID" "$T/live.json" "$T/snitrace.err" "$SNT_SRV_IP4" "$READY_PORT"

# The burst a mail client makes for user@example.test, hosted at
# mail.hosted.test. curl resolves every name itself through the system
# resolver, pointed at dnsmasq in a private mount namespace so the host's
# /etc/resolv.conf is left alone; the DNS answers are part of the story.
printf 'nameserver %s\n' "$STORY_DNS" >"$T/resolv.conf"
cat >"$T/burst.sh" <<'EOF'
mount --bind "$1" /etc/resolv.conf || exit 1
shift
"$@" https://mail.hosted.test/
"$@" https://autodiscover.example.test/autodiscover/autodiscover.xml
"$@" https://example.test/autodiscover/autodiscover.xml
"$@" http://www.example.test/
exit 0
EOF
ip netns exec "$SNT_CLI" timeout 30 unshare -m --propagation private \
	sh "$T/burst.sh" "$T/resolv.conf" \
	curl -sS -k --tlsv1.2 --tls-max 1.2 --max-time 5 -o /dev/null \
	>"$T/client.log" 2>&1 </dev/null
[ -s "$T/client.log" ] && { echo "client output:"; sed 's/^/  /' "$T/client.log"; }

# snt_stop pauses before SIGINT so the last FINs reach both captures.
snt_stop "$SNITRACE_PID"
rc=$?
snt_stop "$TCPDUMP_PID"
if [ "$rc" != 0 ]; then
	sed 's/^/  /' "$T/snitrace.err"
	fail "live snitrace exited with $rc after SIGINT (124: ignored it until timeout)"
fi

timeout 30 "$SNITRACE" -q -r "$T/story.pcap" --ca-file "$T/ca.pem" \
	-o "$T/offline.json" 2>"$T/offline.err" ||
	{ cat "$T/offline.err"; fail "offline snitrace failed on the live capture"; }

# --- the comparison --------------------------------------------------------------

"$PY" - "$T/live.json" "$T/offline.json" "$STORY_CLI" <<'EOF'
import difflib
import json
import sys

live_path, offline_path, client = sys.argv[1:4]

# What the story must show, whichever way it was traced.
WANT_ATTEMPTS = [
    ("mail.hosted.test", "198.51.100.21", 443, "tls", "established", []),
    ("autodiscover.example.test", "198.51.100.23", 443, "tls", "established", ["name_mismatch"]),
    ("example.test", "198.51.100.22", 443, "tls", "established", ["name_mismatch"]),
    ("www.example.test", "198.51.100.22", 80, "http", "established", []),
]
WANT_FLAGGED = ["198.51.100.22:443", "198.51.100.23:443"]


def get(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def summary(path):
    """The comparable story of one trace, as printable lines, and errors."""
    errors, records = [], []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except ValueError as e:
                        errors.append(f"line {n} is not JSON: {e}")
    except OSError as e:
        return [], [f"cannot read: {e}"]

    lines = []
    sessions = [r for r in records
                if r.get("type") == "session" and get(r, "client.ip") == client]
    if len(sessions) != 1:
        errors.append(f"{len(sessions)} session records for {client}, want 1")
    for s in sessions:
        lines.append(f"session {client}: {len(s.get('attempts') or [])} attempts")
        for a in s.get("attempts") or []:
            t = (a.get("name"), get(a, "server.ip"), get(a, "server.port"),
                 get(a, "network.protocol"), a.get("outcome"), a.get("problems"))
            lines.append("  attempt " + json.dumps(t))
    if len(sessions) == 1:
        got = [(a.get("name"), get(a, "server.ip"), get(a, "server.port"),
                get(a, "network.protocol"), a.get("outcome"), a.get("problems"))
               for a in sessions[0].get("attempts") or []]
        if got != [tuple(w) for w in WANT_ATTEMPTS]:
            errors.append("session attempts are not the story's four")
        for name in ("autodiscover.example.test", "example.test"):
            if not any(g[0] == name and "name_mismatch" in (g[5] or []) for g in got):
                errors.append(f"no name_mismatch for {name}")

    # A host may be flagged again as more names are seen: the last counts.
    flags = {}
    for r in records:
        if r.get("type") == "flag":
            flags[f"{get(r, 'server.ip')}:{get(r, 'server.port')}"] = r
    for key in sorted(flags):
        lines.append(f"flag {key}: suggested_alt_names "
                     + json.dumps(flags[key].get("suggested_alt_names")))
    if sorted(flags) != WANT_FLAGGED:
        errors.append(f"flagged hosts {sorted(flags)}, want {WANT_FLAGGED}")
    return lines, errors


live, live_errors = summary(live_path)
offline, offline_errors = summary(offline_path)
ok = True
for label, errors in (("live", live_errors), ("offline", offline_errors)):
    for e in errors:
        print(f"{label}: {e}")
        ok = False
if live != offline:
    ok = False
    print("live (-) and offline (+) traces differ:")
    for d in difflib.unified_diff(live, offline, "live", "offline", lineterm="", n=99):
        print("  " + d)
if not ok:
    print("live trace:")
    for line in live:
        print("  " + line)
    sys.exit(1)
print(f"ok: live and offline agree: 1 session for {client}, "
      f"{len(WANT_ATTEMPTS)} attempts, flagged {', '.join(WANT_FLAGGED)}")
EOF
rc=$?
if [ "$rc" != 0 ]; then
	for f in live offline; do
		echo "$f output:"
		grep -v '"type":"stats"' "$T/$f.json" 2>/dev/null | cut -c1-400 | sed 's/^/  /' | head -40
	done
	fail "live and offline traces of the story disagree"
fi
exit 0
