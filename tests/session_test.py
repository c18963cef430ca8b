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
import subprocess
import sys


def run(binary, pcaps, name, *args):
    d = os.path.join(pcaps, "session")
    out = subprocess.run([binary, "-r", os.path.join(d, name), "--ca-file",
                          os.path.join(d, "test-ca.pem"), *args],
                         stdout=subprocess.PIPE, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def of(records, kind):
    return [r for r in records if r["type"] == kind]


def main():
    binary, pcaps = sys.argv[1:3]
    fails = []
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
    print("ok: sessions split by gap and client; DNS names, CNAME chains; malformed DNS not trusted")


if __name__ == "__main__":
    main()
