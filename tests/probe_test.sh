#!/bin/bash
#
# --probe end to end, in two network namespaces made here (nothing leaves
# them). The client namespace captures curl's TLS 1.3 connections (and a
# QUIC Initial exchange) with tcpdump; snitrace then reads that capture
# inside the client namespace and probes the servers as they are now:
#
#   port 4433  openssl s_server -tls1_3, certificate covers the name used
#   port 4434  the same, but the client asks for a name it does not cover;
#              also the UDP port of the QUIC exchange (probed over TCP)
#   port 4435  TLS 1.3 while captured, then replaced by a server that
#              accepts TCP and never speaks: the probe must time out
#   port 4436  the matching certificate over IPv6
#
# A tcpdump in the server namespace witnesses that runs without --probe,
# or with --probe-only excluding the server, send nothing. Last, snitrace
# runs live with --probe while curl connects: the probe's result is
# reported and its own connection is not.
#
# usage: tests/probe_test.sh PATH/TO/snitrace
# exit: 0 pass, 1 fail, 77 skip (meson's code) without root/namespaces.

set -u
SNITRACE=${1:?usage: probe_test.sh PATH/TO/snitrace}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/../pcaps/lib.sh"

die() { snt_fail "$@"; }

snt_can_netns || snt_skip "the probe test: $SNT_NETNS_WHY"
snt_need_tools "the probe test" openssl curl tcpdump timeout ss
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || snt_skip "the probe test needs python3"
"$PY" -c 'import jsonschema' 2>/dev/null || snt_skip "the probe test needs python3-jsonschema"
[ -x "$SNITRACE" ] || die "no executable snitrace at $SNITRACE"
SNITRACE=$(cd "$(dirname "$SNITRACE")" && pwd)/$(basename "$SNITRACE")

SNT_TMP=$(mktemp -d /tmp/snt-probe.XXXXXX)
T=$SNT_TMP
trap snt_cleanup EXIT
trap 'exit 1' INT TERM

MATCH_PORT=4433
MISMATCH_PORT=4434
SILENT_PORT=4435
V6_PORT=4436
READY_PORT=4499 # refused connections that tell when live snitrace is capturing
MATCH_NAME=www.example.test
MISMATCH_NAME=mail.other.test
SILENT_NAME=silent.example.test
SRV=$SNT_SRV_IP4
SRV6=$SNT_SRV_IP6

snt_netns_setup || die "namespace setup failed"
snt_make_certs "$T" || die "certificate generation failed"

tls_server() { # PORT [ADDRESS]
	snt_bg "$SNT_SRV" "$T/s_server-$1.log" timeout 120 openssl s_server -tls1_3 -www \
		-accept "${2:-$SRV}:$1" -cert "$T/srv.crt" -key "$T/srv.key"
	snt_wait_listen "$SNT_SRV" "$1" || die "openssl s_server on $1 did not start"
}

# Accepts TCP and holds every connection open without a byte.
silent_server() { # PORT
	snt_bg "$SNT_SRV" "$T/silent.log" timeout 120 "$PY" -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(16)
held = []
while True:
    held.append(s.accept()[0])
' "$SRV" "$1"
	snt_wait_listen "$SNT_SRV" "$1" || die "silent server on $1 did not start"
}

# RFC 9001 appendix A: the client's Initial, answered by the server's.
quic_vector() { # NAME
	"$PY" - "$HERE/quic_vectors.h" "$1" <<-'EOF'
		import re, sys
		text = open(sys.argv[1]).read()
		body = re.search(r"%s\[\] =(.*?);" % sys.argv[2], text, re.S).group(1)
		print("".join(re.findall(r'"([0-9a-f]*)"', body)))
	EOF
}
quic_exchange() {
	snt_bg "$SNT_SRV" "$T/quic-server.log" timeout 30 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
data, peer = s.recvfrom(4096)
s.sendto(bytes.fromhex(sys.argv[3]), peer)
' "$SRV" "$MISMATCH_PORT" "$(quic_vector rfc9001_server_initial)"
	sleep 0.3
	ip netns exec "$SNT_CLI" timeout 5 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.sendto(bytes.fromhex(sys.argv[3]), (sys.argv[1], int(sys.argv[2])))
s.recvfrom(4096)
' "$SRV" "$MISMATCH_PORT" "$(quic_vector rfc9001_client_initial)" ||
		die "the QUIC exchange did not happen"
}

curl_tls() { # NAME PORT [ADDRESS]
	ip netns exec "$SNT_CLI" timeout 10 curl -sk --max-time 5 --resolve "$1:$2:${3:-$SRV}" \
		-o /dev/null "https://$1:$2/" >>"$T/curl.log" 2>&1 </dev/null ||
		echo "note: curl https://$1:$2/ exit $?"
}

# snitrace in the client namespace; its wall time (ms) goes to run-times.
run_snitrace() { # OUT ARGS...
	local out=$1 start
	shift
	start=$(date +%s%N)
	ip netns exec "$SNT_CLI" timeout 60 "$SNITRACE" -q "$@" >"$out" 2>"$out.err" ||
		die "snitrace $* exited $?: $(cat "$out.err")"
	echo "$out $((($(date +%s%N) - start) / 1000000))" >>"$T/run-times"
}

# --- the capture --------------------------------------------------------------
tls_server "$MATCH_PORT"
tls_server "$MISMATCH_PORT"
tls_server "$SILENT_PORT"
SILENT_TLS_PID=$SNT_LAST_PID
tls_server "$V6_PORT" "[$SRV6]"

snt_cap_start "$SNT_SRV" "$T/witness.pcap" "tcp or udp" -i "$SNT_SRV_IF" ||
	die "the server-side capture did not start"
WITNESS_PID=$SNT_LAST_PID
snt_cap_start "$SNT_CLI" "$T/client.pcap" "tcp or udp" -i "$SNT_CLI_IF" ||
	die "the client-side capture did not start"
CLIENT_CAP_PID=$SNT_LAST_PID

curl_tls "$MATCH_NAME" "$MATCH_PORT"
curl_tls "$MATCH_NAME" "$MATCH_PORT" # the same question again: one probe answers both
curl_tls "$MISMATCH_NAME" "$MISMATCH_PORT"
curl_tls "$SILENT_NAME" "$SILENT_PORT"
curl_tls "$MATCH_NAME" "$V6_PORT" "[$SRV6]"
quic_exchange
snt_stop "$CLIENT_CAP_PID"

# The server on the silent port changes after the capture: a probe sees it as it is now.
kill "$SILENT_TLS_PID" 2>/dev/null
wait "$SILENT_TLS_PID" 2>/dev/null
silent_server "$SILENT_PORT"

# --- runs that must send nothing ----------------------------------------------
run_snitrace "$T/none.json" -r "$T/client.pcap" --ca-file "$T/ca.crt"
run_snitrace "$T/filtered.json" -r "$T/client.pcap" --ca-file "$T/ca.crt" --probe \
	--probe-only 198.51.100.0/24 --probe-only 2001:db8:ffff::/48
snt_stop "$WITNESS_PID"

# --- runs that probe ----------------------------------------------------------
run_snitrace "$T/probe.json" -r "$T/client.pcap" --ca-file "$T/ca.crt" --probe \
	--probe-timeout 1s
run_snitrace "$T/probe-text.txt" -r "$T/client.pcap" --ca-file "$T/ca.crt" --probe \
	--probe-timeout 1s -F text
run_snitrace "$T/capped.json" -r "$T/client.pcap" --ca-file "$T/ca.crt" --probe \
	--probe-timeout 1s --probe-max 1 --probe-only "$SRV/32"

# --- live ---------------------------------------------------------------------
snt_bg "$SNT_CLI" "$T/live.err" timeout 60 "$SNITRACE" -i "$SNT_CLI_IF" --probe \
	--probe-timeout 2 --ca-file "$T/ca.crt" -o "$T/live.json"
LIVE_PID=$SNT_LAST_PID
snt_wait_live "$LIVE_PID" "$T/live.json" "$T/live.err" "$SRV" "$READY_PORT"
curl_tls "$MISMATCH_NAME" "$MISMATCH_PORT"
# The probe follows the attempt within a second; give it time to answer.
for _ in $(seq 30); do
	grep -q '"certificate_source":"probe"' "$T/live.json" 2>/dev/null && break
	sleep 0.2
done
sleep 0.5
snt_stop "$LIVE_PID" || die "live snitrace exited $? after SIGINT: $(cat "$T/live.err")"

# --- what the witness saw -------------------------------------------------------
# Every SYN that reached the server side while the non-probing runs went
# on (tcp[] offsets do not work for IPv6 in a filter: read tcpdump's flags).
tcpdump -n -r "$T/witness.pcap" tcp 2>/dev/null | grep 'Flags \[S\],' >"$T/witness-syns.txt"
tcpdump -n -r "$T/witness.pcap" 'udp' 2>/dev/null >"$T/witness-udp.txt"

"$PY" - "$T" "$HERE/../docs/snitrace.schema.json" <<EOF
import json, os, sys

tmp, schema_path = sys.argv[1], sys.argv[2]
MATCH, MISMATCH, SILENT, V6 = $MATCH_PORT, $MISMATCH_PORT, $SILENT_PORT, $V6_PORT
MATCH_NAME, MISMATCH_NAME = "$MATCH_NAME", "$MISMATCH_NAME"
TIMEOUT = 1.0
import jsonschema
validator = jsonschema.Draft7Validator(json.load(open(schema_path)))
problems, checks = [], 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        problems.append(what)


def load(name):
    records = []
    for n, line in enumerate(open(os.path.join(tmp, name), encoding="utf-8"), 1):
        r = json.loads(line)
        for e in validator.iter_errors(r):
            problems.append(f"{name}:{n}: schema: {e.message}")
        records.append(r)
    return records


def attempts(records, port=None, proto=None):
    return [r for r in records if r["type"] == "attempt"
            and (port is None or r["server"]["port"] == port)
            and (proto is None or r["network"]["protocol"] == proto)]


def stats(records):
    return [r for r in records if r["type"] == "stats"][-1]


def sessions_after_attempts(records, name):
    seen_session = set()
    for r in records:
        if r["type"] == "session":
            seen_session.add(r["session_id"])
        elif r["type"] == "attempt" and r.get("session_id") in seen_session:
            problems.append(f"{name}: attempt written after its session {r['session_id']}")


times = dict(line.split() for line in open(os.path.join(tmp, "run-times")))

# Without --probe: no probe, no probe counters, nothing sent.
none = load("none.json")
check(len(attempts(none, proto="tls")) == 5, f"none: 5 TLS attempts, got {len(attempts(none, proto='tls'))}")
check(not any("probe" in a for a in attempts(none)), "none: no probe object without --probe")
check("probes_sent" not in stats(none), "none: no probe counters without --probe")
check(all(a.get("certificate_visible") is False for a in attempts(none, proto="tls")),
      "none: TLS 1.3 certificates are not visible")

# --probe-only outside the server: filtered, nothing sent.
filt = load("filtered.json")
st = stats(filt)
check(not any("probe" in a for a in attempts(filt)), "filtered: no probe object")
check(st.get("probes_sent") == 0, f"filtered: probes_sent 0, got {st.get('probes_sent')}")
check(st.get("probes_filtered") == 6, f"filtered: 6 attempts filtered, got {st.get('probes_filtered')}")

syns = open(os.path.join(tmp, "witness-syns.txt")).read().splitlines()
check(len(syns) == 5, f"witness: only the 5 curl SYNs reached the server, saw {len(syns)}: {syns}")
udp = open(os.path.join(tmp, "witness-udp.txt")).read().splitlines()
check(len(udp) == 2, f"witness: only the QUIC exchange's 2 datagrams, saw {len(udp)}")

# --probe.
rec = load("probe.json")
sessions_after_attempts(rec, "probe")
st = stats(rec)
mm = attempts(rec, MISMATCH, "tls")
check(len(mm) == 1, f"probe: one attempt to {MISMATCH}")
for a in mm:
    check(a.get("certificate_source") == "probe", f"probe: mismatch certificate_source: {a.get('certificate_source')}")
    check(a.get("certificate_visible") is True, "probe: mismatch certificate_visible true")
    check("name_mismatch" in a["problems"], f"probe: mismatch problems {a['problems']}")
    p = a.get("probe", {})
    check(p.get("as_of") == "probe_time" and p.get("live") is False and p.get("port") == MISMATCH
          and p.get("transport") == "tcp" and p.get("for_quic") is False and "error" not in p,
          f"probe: mismatch probe object {p}")
    check(a["@timestamp"] < p.get("@timestamp", ""), "probe: probe time after capture time")
flags = [r for r in rec if r["type"] == "flag" and r["server"]["port"] == MISMATCH]
check(any(f.get("certificate_source") == "probe" and MISMATCH_NAME in f["names"] for f in flags),
      f"probe: a flag with certificate_source probe for {MISMATCH_NAME}: {flags}")

ma = attempts(rec, MATCH, "tls")
check(len(ma) == 2, f"probe: two attempts to {MATCH}")
for a in ma:
    check(a.get("certificate_source") == "probe" and a["problems"] == [],
          f"probe: match attempt: source {a.get('certificate_source')} problems {a['problems']}")
check(not any(r["type"] == "flag" and r["server"]["port"] == MATCH for r in rec), "probe: no flag for the match")

si = attempts(rec, SILENT, "tls")
check(len(si) == 1, f"probe: one attempt to {SILENT}")
for a in si:
    err = a.get("probe", {}).get("error", "")
    check("no answer within 1000 ms" in err, f"probe: silent server: probe error {err!r}")
    check(a.get("certificate_visible") is False and "certificate_source" not in a,
          "probe: silent server: still no certificate")

v6 = attempts(rec, V6, "tls")
check(len(v6) == 1 and v6[0]["server"]["ip"] == "$SRV6", f"probe: one IPv6 attempt, got {len(v6)}")
for a in v6:
    check(a.get("certificate_source") == "probe" and a["problems"] == [] and a["probe"].get("port") == V6,
          f"probe: IPv6 probed: {a.get('certificate_source')} {a['problems']} {a.get('probe')}")

q = attempts(rec, MISMATCH, "quic")
check(len(q) == 1, f"probe: one QUIC attempt, got {len(q)}")
for a in q:
    p = a.get("probe", {})
    check(p.get("for_quic") is True and p.get("transport") == "tcp" and p.get("port") == MISMATCH,
          f"probe: QUIC probed over TCP: {p}")
    check(a.get("certificate_source") == "probe" and "name_mismatch" in a["problems"],
          f"probe: QUIC attempt (example.com) judged: {a.get('certificate_source')} {a['problems']}")

check(st.get("probes_sent") == 5, f"probe: 5 probes sent (match, mismatch, silent, IPv6, quic), got {st.get('probes_sent')}")
check(st.get("probes_ok") == 4 and st.get("probes_failed") == 1,
      f"probe: 4 ok, 1 failed, got {st.get('probes_ok')} / {st.get('probes_failed')}")
check(st.get("probes_reused") == 1, f"probe: the second match attempt reused the probe, got {st.get('probes_reused')}")
check(st.get("attempts") == len(attempts(rec)), "probe: stats attempts equal the records")
ms = int(times[os.path.join(tmp, "probe.json")])
check(ms < (TIMEOUT + 2.0) * 1000, f"probe: the run took {ms} ms with a {TIMEOUT} s timeout")

text = open(os.path.join(tmp, "probe-text.txt")).read()
check("(probe)" in text, "text view: (probe) next to the certificate")
check("(probe: TLS handshake: no answer within 1000 ms)" in text, "text view: why the probe failed")

capped = load("capped.json")
st = stats(capped)
check(st.get("probes_sent") == 1 and st.get("probes_capped") == 3 and st.get("probes_filtered") == 1,
      f"capped: 1 sent, 3 capped, 1 (IPv6) filtered, got {st.get('probes_sent')} / "
      f"{st.get('probes_capped')} / {st.get('probes_filtered')}")

# Live.
live = load("live.json")
sessions_after_attempts(live, "live")
st = stats(live)
lm = attempts(live, MISMATCH, "tls")
check(len(lm) == 1, f"live: exactly one attempt to {MISMATCH} (the probe's own is not one), got {len(lm)}")
for a in lm:
    p = a.get("probe", {})
    check(a.get("certificate_source") == "probe" and "name_mismatch" in a["problems"] and p.get("live") is True,
          f"live: probed: {a.get('certificate_source')} {a['problems']} {p}")
check(st.get("probe_connections_ignored") == 1, f"live: the probe's own connection ignored, got {st.get('probe_connections_ignored')}")
check(st.get("probes_sent") == 1, f"live: one probe, got {st.get('probes_sent')}")
check(all(len(s["attempts"]) == sum(1 for a in attempts(live) if a.get("session_id") == s["session_id"])
          for s in live if s["type"] == "session"), "live: sessions list exactly their attempts")

for p in problems:
    print("FAIL:", p)
print(f"{checks} checks, {len(problems)} failed")
sys.exit(1 if problems else 0)
EOF
rc=$?
if [ "$rc" != 0 ]; then
	for f in none.json filtered.json probe.json capped.json live.json live.err; do
		echo "--- $f"
		sed 's/^/  /' "$T/$f" | cut -c1-600 | head -30
	done
	die "checks failed"
fi
echo "PASS"
exit 0
