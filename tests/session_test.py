#!/usr/bin/env python3
"""Sessions and DNS naming on the captures in pcaps/session/, asserted:
overlapping bursts of two clients stay apart, a pause longer than
--session-gap splits a client's bursts, a bare-address connection is named
from the DNS answer that led there, CNAME chains are kept, malformed DNS is
counted and never trusted.

usage: session_test.py SNITRACE PCAPS_DIR
"""
import json
import os
import struct
import subprocess
import sys
import tempfile


def run(binary, pcaps, name, *args):
    d = os.path.join(pcaps, "session")
    out = subprocess.run([binary, "-r", os.path.join(d, name), "--ca-file",
                          os.path.join(d, "test-ca.pem"), *args],
                         stdout=subprocess.PIPE, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def of(records, kind):
    return [r for r in records if r["type"] == kind]


def ipv4(src, dst, proto, payload):
    head = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0,
                       bytes(src), bytes(dst))
    return b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00" + head + payload


def tcp(sport, dport, flags, seq=1000, ack=0):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)


def write_pcap(path, packets):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, frame in packets:
            f.write(struct.pack("<IIII", int(t), int(round((t % 1) * 1e6)), len(frame), len(frame)))
            f.write(frame)


def ended_before_the_end(binary):
    """Client A's session (opened first) is still within its gap when the
    last packet, which starts no attempt, moves time past client B's: B's
    session is written then, A's only at the end of input, whichever way
    the time reaches the sessions and with either number of threads."""
    a, b, server = [192, 0, 2, 1], [192, 0, 2, 2], [198, 51, 100, 7]
    packets = []
    for t, client, port in ((0.0, a, 40001), (1.0, b, 40002), (25.0, a, 40003)):
        packets.append((t, ipv4(client, server, 6, tcp(port, 443, 0x02))))
        packets.append((t + 0.001, ipv4(server, client, 6, tcp(443, port, 0x14, 0, 1001))))
    packets.append((33.0, ipv4(a, server, 1, b"\x08\x00\xf7\xff\x00\x00\x00\x00")))
    fails = []
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "gap-at-the-end.pcap")
        write_pcap(path, packets)
        for threads in ("1", "2"):
            out = subprocess.run([binary, "-r", path, "--threads", threads],
                                 stdout=subprocess.PIPE, check=True).stdout
            sessions = [r for r in map(json.loads, out.splitlines()) if r["type"] == "session"]
            order = [(s["client"]["ip"], len(s["attempts"])) for s in sessions]
            if order != [("192.0.2.2", 1), ("192.0.2.1", 2)]:
                fails.append(f"threads {threads}: sessions written in the order {order}")
    return fails


def main():
    binary, pcaps = sys.argv[1:3]
    fails = ended_before_the_end(binary)
    for gap, want in (("2", 4), ("30", 2)):
        sessions = of(run(binary, pcaps, "sessions-overlap.pcap", "--session-gap", gap), "session")
        per_client = {}
        for s in sessions:
            per_client.setdefault(s["client"]["ip"], []).append(s)
        if len(sessions) != want or len(per_client) != 2:
            fails.append(f"gap {gap}: {len(sessions)} sessions for {sorted(per_client)}, want {want}")
        for s in sessions:
            times = [a["@timestamp"] for a in s["attempts"]]
            if times != sorted(times):
                fails.append(f"session {s['session_id']} attempts out of order")
    attempt = of(run(binary, pcaps, "dns-then-ip-no-sni.pcap"), "attempt")[0]
    if (attempt.get("name"), attempt["name_source"]) != ("legacy.example.test", "dns"):
        fails.append(f"bare-address connection named {attempt.get('name')} from {attempt['name_source']}")
    if "name_mismatch" in attempt["problems"] or "no_sni" not in attempt["problems"]:
        fails.append(f"bare-address connection problems {attempt['problems']}")
    attempt = of(run(binary, pcaps, "dns-cname-chain.pcap"), "attempt")[0]
    if attempt.get("cname_chain") != ["cdn.example.test", "edge.cdn.test"]:
        fails.append(f"cname_chain {attempt.get('cname_chain')}")
    records = run(binary, pcaps, "dns-malformed.pcap")
    stats = of(records, "stats")[-1]
    if stats["dns_malformed"] != 2 or stats["dns_names_learnt"] != 0:
        fails.append(f"malformed DNS: {stats['dns_malformed']} counted, {stats['dns_names_learnt']} learnt")
    if of(records, "attempt")[0]["name_source"] != "none":
        fails.append("a malformed DNS answer named a connection")
    if fails:
        sys.exit("FAIL: " + "; ".join(fails))
    print("ok: sessions split by gap and client, and written when their gap has passed; DNS names, "
          "CNAME chains; malformed DNS not trusted")


if __name__ == "__main__":
    main()
