#!/bin/bash
#
# Live capture stopped right after the traffic: the kernel hands the ring
# over in blocks, so packets that arrived just before SIGINT may still be in
# a block it holds. snitrace must read them before it stops: the frames of
# a TLS 1.2 connection (pcaps/tls12.pcap) are sent into the veth and
# snitrace is stopped at once; its output must hold the connection's
# attempt, and the final stats record every frame and no drops.
#
# usage: tests/live/live_drain_test.sh PATH/TO/snitrace
# exit: 0 pass, 1 fail, 77 skip (meson's code) without root/namespaces.

set -u
SNITRACE=${1:?usage: live_drain_test.sh PATH/TO/snitrace}
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/../../pcaps/lib.sh"

snt_can_netns || snt_skip "live drain test: $SNT_NETNS_WHY"
snt_need_tools "live drain test" timeout ss
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || snt_skip "live drain test needs python3"
[ -x "$SNITRACE" ] || snt_fail "no executable snitrace at $SNITRACE"
SNITRACE=$(cd "$(dirname "$SNITRACE")" && pwd)/$(basename "$SNITRACE")
CAPTURE=$HERE/../../pcaps/tls12.pcap
NAME=www.example.test

SNT_TMP=$(mktemp -d /tmp/snt-drain.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 1' INT TERM
OUTFILE=$SNT_TMP/out.json

snt_netns_setup || snt_fail "namespace setup failed"

snt_bg "$SNT_CLI" "$SNT_TMP/snitrace.err" timeout 60 "$SNITRACE" -i "$SNT_CLI_IF" \
	-o "$OUTFILE" --stats-interval 0
SNITRACE_PID=$SNT_LAST_PID
capturing=
for _ in $(seq 50); do
	kill -0 "$SNITRACE_PID" 2>/dev/null || snt_fail "snitrace exited early: $(cat "$SNT_TMP/snitrace.err")"
	if ip netns exec "$SNT_CLI" ss -H -0 -p | grep -q "\"snitrace\""; then
		capturing=1
		break
	fi
	sleep 0.1
done
[ -n "$capturing" ] || snt_fail "snitrace has no packet socket after 5 s"
sleep 0.5 # the socket is bound and its ring set up a moment after it exists

# Every frame of the capture, as it is, from the other end of the veth.
sent=$(ip netns exec "$SNT_SRV" "$PY" - "$SNT_SRV_IF" "$CAPTURE" <<'EOF'
import socket, struct, sys
iface, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((iface, 0))
n = 0
with open(path, "rb") as f:
    f.read(24)
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        s.send(f.read(struct.unpack("<IIII", h)[2]))
        n += 1
print(n)
EOF
) || snt_fail "could not send the frames"
# At once: no pause for the ring's block timeout.
kill -INT "$SNITRACE_PID"
wait "$SNITRACE_PID"
rc=$?
[ "$rc" = 0 ] || snt_fail "snitrace exited with $rc after SIGINT: $(cat "$SNT_TMP/snitrace.err")"

"$PY" - "$OUTFILE" "$NAME" "$sent" <<'EOF'
import json, sys
path, name, sent = sys.argv[1], sys.argv[2], int(sys.argv[3])
records = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
problems = []
if not any(r.get("type") == "attempt" and r.get("name") == name for r in records):
    problems.append(f"no attempt named {name}")
stats = records[-1] if records else {}
if stats.get("type") != "stats" or not stats.get("final"):
    problems.append(f"the last record is not the final stats: {stats}")
else:
    # Frames from the namespaces' own stacks may come on top of those sent.
    if stats.get("packets", 0) < sent:
        problems.append(f"{stats.get('packets')} packets seen of {sent} sent")
    drops = stats.get("drops", {})
    if drops.get("kernel") or drops.get("interface"):
        problems.append(f"drops: {drops}")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"ok: {sent} frames sent, {stats['packets']} seen, the attempt written")
EOF
rc=$?
if [ "$rc" != 0 ]; then
	sed 's/^/  /' "$OUTFILE" | head -20
	snt_fail "output checks failed"
fi
echo "PASS"
exit 0
