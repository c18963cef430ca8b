#!/usr/bin/env python3
"""How often the client's verdict inferred without keys agrees with what the
key log shows, on every capture in pcaps/tls13/ that has one.

Each capture is traced twice: without its key log (the verdict is then read
from the sizes of the encrypted records, or from an alert in clear) and with
it (the truth: the client's decrypted Finished, alerts and data).  An
attempt whose certificate the keys did not reveal (a resumed session, keys
missing) has no truth and is left out.

usage: infer_agreement.py SNITRACE PCAPS_DIR
Prints one line per attempt and a summary; fails when any verdict differs.
"""
import glob
import json
import os
import subprocess
import sys


def attempts(binary, pcap, args):
    p = subprocess.run([binary, "-r", pcap] + args, stdout=subprocess.PIPE, check=True, timeout=60)
    out = {}
    for line in p.stdout.decode().splitlines():
        o = json.loads(line)
        if o["type"] == "attempt" and o["network"]["protocol"] in ("tls", "quic"):
            out[(o["client"]["port"], o["server"]["ip"])] = o
    return out


def rejected(o):
    return "client_rejected" in o["problems"] or "client_rejected_inferred" in o["problems"]


def truth(o):
    if o.get("certificate_source") != "keylog":
        return None
    return "rejected" if rejected(o) else "accepted"


def inferred(o):
    if rejected(o):
        return "rejected"
    return o.get("inferred", {}).get("client_verdict", "none")


def main():
    binary, pcaps = sys.argv[1], sys.argv[2]
    agree = total = 0
    for pcap in sorted(glob.glob(os.path.join(pcaps, "tls13", "*.pcap"))):
        keys = pcap[:-5] + ".keys"
        if not os.path.exists(keys):
            continue
        ca = ["--ca-file", os.path.join(pcaps, "tls13", "test-ca.pem")]
        blind = attempts(binary, pcap, ca)
        keyed = attempts(binary, pcap, ca + ["--keylog", keys])
        for key, k in sorted(keyed.items()):
            t = truth(k)
            if t is None or key not in blind:
                continue
            guess = inferred(blind[key])
            total += 1
            agree += guess == t
            mark = "agree" if guess == t else "DIFFER"
            print(f"{mark:6} {os.path.basename(pcap)} :{key[0]} keys say {t}, inferred {guess}")
    print(f"inferred verdicts agree with the key log on {agree} of {total} attempts")
    sys.exit(0 if total and agree == total else 1)


if __name__ == "__main__":
    main()
