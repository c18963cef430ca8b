#!/usr/bin/env python3
"""10,000 connections to one server: the certificate is parsed and verified
once, every other attempt is answered from the cache (stats say so), and
every attempt still carries the verdict.

usage: cert_cache_test.py SNITRACE PCAPS_DIR
"""
import json
import os
import struct
import subprocess
import sys
import tempfile

CONNECTIONS = 10000


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit("expected a little-endian pcap")
    packets, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        packets.append((sec, frac, data[off + 16:off + 16 + incl], orig))
        off += 16 + incl
    return data[:24], packets


def with_client_port(frame, client_ip, port):
    """Ethernet + IPv4 + TCP: replace the client's port in either direction."""
    ihl = (frame[14] & 0x0F) * 4
    tcp = 14 + ihl
    b = bytearray(frame)
    if frame[26:30] == client_ip:
        b[tcp:tcp + 2] = struct.pack(">H", port)
    else:
        b[tcp + 2:tcp + 4] = struct.pack(">H", port)
    return bytes(b)


def main():
    binary, pcaps = sys.argv[1], sys.argv[2]
    header, packets = read_pcap(os.path.join(pcaps, "cert", "cert-match.pcap"))
    client_ip = packets[0][2][26:30]
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "many.pcap")
        with open(path, "wb") as out:
            out.write(header)
            for i in range(CONNECTIONS):
                port = 10000 + i
                for sec, frac, frame, orig in packets:
                    frame = with_client_port(frame, client_ip, port)
                    out.write(struct.pack("<IIII", sec + i // 100, frac, len(frame), orig) + frame)
        ca = os.path.join(pcaps, "cert", "test-ca.pem")
        p = subprocess.run([binary, "-r", path, "--ca-file", ca], stdout=subprocess.PIPE, check=True)
    records = [json.loads(line) for line in p.stdout.splitlines()]
    attempts = [r for r in records if r["type"] == "attempt"]
    stats = [r for r in records if r["type"] == "stats"][-1]
    problems = []
    if len(attempts) != CONNECTIONS:
        problems.append(f"{len(attempts)} attempts, expected {CONNECTIONS}")
    if stats["certificate_verifications"] != 1:
        problems.append(f"{stats['certificate_verifications']} verifications, expected 1")
    if stats["certificate_cache_hits"] != CONNECTIONS - 1:
        problems.append(f"{stats['certificate_cache_hits']} cache hits, expected {CONNECTIONS - 1}")
    without = [a for a in attempts if "tls" not in a or "server" not in a["tls"] or a["problems"]]
    if without:
        problems.append(f"{len(without)} attempts lack the certificate or have problems: {without[0]}")
    if problems:
        sys.exit("FAIL: " + "; ".join(problems))
    print(f"ok: {CONNECTIONS} attempts, 1 verification, {stats['certificate_cache_hits']} cache hits")


if __name__ == "__main__":
    main()
