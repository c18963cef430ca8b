#!/usr/bin/python3
"""Seeds for fuzz_pipeline: the Ethernet captures under pcaps/ (classic
pcap, little-endian, microsecond timestamps) without their 24-byte global
header, which the target supplies itself.

usage: make_pipeline_corpus.py OUTDIR [MAX_BYTES]

Each seed is named after its capture (cert/story.pcap -> cert-story).
Captures larger than MAX_BYTES (default 32768) are left out: big seeds
slow every run down and add little that the smaller ones lack.  Pass the
result through `fuzz_pipeline -merge=1` to keep only the seeds that add
coverage.  Standard library only.
"""

import os
import struct
import sys

PCAP_MAGIC_LE = 0xA1B2C3D4
LINKTYPE_ETHERNET = 1
GLOBAL_HEADER = 24


def main():
    out = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 32768
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "pcaps")
    os.makedirs(out, exist_ok=True)
    for root, _, files in sorted(os.walk(top)):
        for name in sorted(files):
            if not name.endswith(".pcap"):
                continue
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                data = f.read()
            if len(data) < GLOBAL_HEADER or len(data) - GLOBAL_HEADER > limit:
                continue
            magic, = struct.unpack_from("<I", data, 0)
            linktype, = struct.unpack_from("<I", data, 20)
            if magic != PCAP_MAGIC_LE or linktype != LINKTYPE_ETHERNET:
                continue
            rel = os.path.relpath(path, top)[: -len(".pcap")].replace(os.sep, "-")
            with open(os.path.join(out, rel), "wb") as f:
                f.write(data[GLOBAL_HEADER:])


if __name__ == "__main__":
    main()
