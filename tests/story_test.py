#!/usr/bin/env python3
"""The origin story, asserted: one client tries https to its hosted mail
server, https to autodiscover.<domain> and to <domain>, and http to
www.<domain>.  Exactly the two https hosts whose certificates name other
hosts are flagged, each with suggested names covering every name tried on
it; after the fix nothing is flagged.

usage: story_test.py SNITRACE PCAPS_DIR
"""
import json
import os
import subprocess
import sys


def run(binary, pcaps, name):
    ca = os.path.join(pcaps, "cert", "test-ca.pem")
    out = subprocess.run([binary, "-r", os.path.join(pcaps, "cert", name), "--ca-file", ca],
                         stdout=subprocess.PIPE, check=True).stdout
    return [json.loads(line) for line in out.splitlines()]


def main():
    binary, pcaps = sys.argv[1:3]
    failures = []
    records = run(binary, pcaps, "story.pcap")
    attempts = [r for r in records if r["type"] == "attempt"]
    tried = [(a["name"], a["server"]["port"], a["network"]["protocol"]) for a in attempts]
    want = [("mail.hosted.test", 443, "tls"), ("autodiscover.example.test", 443, "tls"),
            ("example.test", 443, "tls"), ("www.example.test", 80, "http")]
    if tried != want:
        failures.append(f"attempts {tried}, expected {want}")
    mismatched = {a["name"] for a in attempts if "name_mismatch" in a["problems"]}
    if mismatched != {"autodiscover.example.test", "example.test"}:
        failures.append(f"name_mismatch on {sorted(mismatched)}")
    flags = {}
    for f in (r for r in records if r["type"] == "flag"):
        flags[(f["server"]["ip"], f["server"]["port"])] = f  # the last one (update) wins
    if len(flags) != 2:
        failures.append(f"{len(flags)} flagged hosts, expected 2: {sorted(flags)}")
    for (ip, port), f in flags.items():
        asked = {a["name"] for a in attempts
                 if a["server"]["ip"] == ip and a["server"]["port"] == port}
        if not asked <= set(f["suggested_alt_names"]):
            failures.append(f"{ip}:{port} suggests {f['suggested_alt_names']}, tried {sorted(asked)}")
    sessions = [r for r in records if r["type"] == "session"]
    if len(sessions) != 1:
        failures.append(f"{len(sessions)} sessions, expected one burst")
    else:
        in_session = [(a["name"], a["server"]["port"], a["network"]["protocol"])
                      for a in sessions[0]["attempts"]]
        if in_session != want:
            failures.append(f"session lists {in_session}, expected {want}")
        if any(a["session_id"] != sessions[0]["session_id"] for a in attempts):
            failures.append("an attempt carries another session_id")
    fixed = run(binary, pcaps, "story-fixed.pcap")
    after = [r for r in fixed if r["type"] == "flag"]
    if after:
        failures.append(f"after the fix still {len(after)} flags")
    if any(a["problems"] for a in fixed if a["type"] == "attempt"):
        failures.append("after the fix an attempt still has problems")
    if failures:
        sys.exit("FAIL: " + "; ".join(failures))
    print("ok: the story gives the two flagged hosts; the fixed capture none")


if __name__ == "__main__":
    main()
