#!/usr/bin/python3
"""Hostile captures for the memory and time benchmarks of bench/flood.sh.

Shapes (--shape):
  syn-flood  COUNT spoofed TCP SYNs (default 3,000,000): random IPv4
             sources, ports and initial sequence numbers, to --targets
             servers (198.51.100.10, .11, ...) on port 443, at --rate
             packets per second, each a 74-byte Linux-like SYN (MSS, SACK,
             timestamps, window scale); nothing answers
  ooo-bomb   COUNT connections (default 100,000) whose data all arrives out
             of order: every handshake first (SYN, SYN-ACK, ACK), then the
             second and third parts of each client's 1,500-byte ClientHello
             (SNI bomb-N.example.test, padded) -- held beyond a gap -- and
             only then the first parts that fill the gaps

The same seed gives the same bytes; checksums are correct.  Classic pcap,
Ethernet, microsecond timestamps.

usage: make-flood-pcap.py [--shape syn-flood|ooo-bomb] [--count N] [--targets N]
                          [--rate PPS] [--seed N] OUTPUT
"""

import argparse
import random
import struct

START = 1768478400  # 2026-01-15T12:00:00Z, as bench/make-bench-pcap.py
SERVER_MAC = bytes.fromhex("020000000002")
CLIENT_MAC = bytes.fromhex("020000000001")
SYN, ACK, PSH = 0x02, 0x10, 0x08


def fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def sum16(data):
    if len(data) % 2:
        data += b"\0"
    return sum(struct.unpack("!%dH" % (len(data) // 2), data))


def words(v):
    return (v >> 16) + (v & 0xFFFF)


class Writer:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.buf = bytearray()

    def add(self, usec, frame):
        self.buf += struct.pack("<IIII", usec // 1000000, usec % 1000000, len(frame), len(frame))
        self.buf += frame
        if len(self.buf) > 1 << 20:
            self.f.write(self.buf)
            self.buf.clear()

    def close(self):
        self.f.write(self.buf)
        self.f.close()


def ip4(a):
    return struct.pack("!I", a)


def packet(src, dst, sport, dport, seq, ack, flags, options=b"", data=b"", ident=0):
    """Ethernet, IPv4 and TCP with correct checksums."""
    thl = 20 + len(options)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, (thl // 4) << 4, flags, 64240, 0,
                      0) + options + data
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    c = ~fold(sum16(pseudo + tcp)) & 0xFFFF
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), ident, 0x4000, 64, 6, 0, ip4(src),
                      ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", ~fold(sum16(hdr)) & 0xFFFF) + hdr[12:]
    return CLIENT_MAC + SERVER_MAC + b"\x08\x00" + hdr + tcp


SYN_OPTIONS = bytes.fromhex("020405b4 0402 080a 00000000 00000000 01 030307")


def syn_flood(args, w):
    """Per packet only source, port, ISN and IP id change: the checksums are
    the template's, adjusted by the difference in those words."""
    rng = random.Random(args.seed)
    servers = [0xC6336400 + 10 + i for i in range(args.targets)]  # 198.51.100.10...
    base = {}
    for s in servers:
        t = bytearray(packet(0, s, 0, 443, 0, 0, SYN, SYN_OPTIONS))
        z = bytearray(t)
        z[24:26] = z[50:52] = b"\0\0"  # the sums leave the checksum fields out
        base[s] = (t, sum16(bytes(z[14:34])),
                   sum16(bytes(z[26:34]) + b"\x00\x06\x00\x28" + bytes(z[34:74])))
    gap = 1e6 / args.rate
    for i in range(args.count):
        src = rng.getrandbits(32) | 0x01000000
        sport = rng.randrange(1024, 65536)
        isn = rng.getrandbits(32)
        ident = rng.getrandbits(16)
        dst = servers[i % len(servers)]
        t, ipsum, tcpsum = base[dst]
        f = bytearray(t)
        struct.pack_into("!H", f, 18, ident)
        struct.pack_into("!I", f, 26, src)
        struct.pack_into("!H", f, 34, sport)
        struct.pack_into("!I", f, 38, isn)
        struct.pack_into("!H", f, 24, ~fold(ipsum + ident + words(src)) & 0xFFFF)
        struct.pack_into("!H", f, 50, ~fold(tcpsum + words(src) + sport + words(isn)) & 0xFFFF)
        w.add(START * 1000000 + int(i * gap), bytes(f))


def client_hello(name, size):
    """A TLS 1.2/1.3 ClientHello of exactly size bytes (record included):
    SNI, groups, signature algorithms, supported versions, padding."""
    def ext(kind, body):
        return struct.pack("!HH", kind, len(body)) + body

    sni = struct.pack("!BH", 0, len(name)) + name
    exts = (ext(0, struct.pack("!H", len(sni)) + sni) + ext(10, bytes.fromhex("0004001d0017")) +
            ext(13, bytes.fromhex("000404030804")) + ext(43, bytes.fromhex("0403040303")))
    suites = bytes.fromhex("130113021303c02bc02f")

    def build(pad):
        e = exts + ext(21, bytes(pad))
        body = (b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", len(suites)) + suites +
                b"\x01\x00" + struct.pack("!H", len(e)) + e)
        hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
        return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs

    return build(size - len(build(0)))


def ooo_bomb(args, w):
    rng = random.Random(args.seed)
    server = 0xC6336414  # 198.51.100.20
    conns = []
    for i in range(args.count):
        client = 0x0A000000 + 1 + rng.getrandbits(20)  # 10.0.0.0/12
        conns.append((client, 1024 + i % 64000, rng.getrandbits(32), rng.getrandbits(32),
                      client_hello(b"bomb-%d.example.test" % i, 1500)))
    gap = int(1e6 / args.rate)
    usec = START * 1000000

    def emit(frame):
        nonlocal usec
        usec += gap
        w.add(usec, frame)

    for c, port, cisn, sisn, _ in conns:
        emit(packet(c, server, port, 443, cisn, 0, SYN, SYN_OPTIONS))
        emit(packet(server, c, 443, port, sisn, cisn + 1, SYN | ACK))
        emit(packet(c, server, port, 443, cisn + 1, sisn + 1, ACK))
    for c, port, cisn, sisn, hello in conns:
        for lo in (1000, 500):
            emit(packet(c, server, port, 443, (cisn + 1 + lo) & 0xFFFFFFFF, sisn + 1, PSH | ACK,
                        data=hello[lo:lo + 500]))
    for c, port, cisn, sisn, hello in conns:
        emit(packet(c, server, port, 443, cisn + 1, sisn + 1, PSH | ACK, data=hello[:500]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shape", choices=["syn-flood", "ooo-bomb"], default="syn-flood")
    ap.add_argument("--count", type=int)
    ap.add_argument("--targets", type=int, default=1)
    ap.add_argument("--rate", type=float, default=100000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("output")
    args = ap.parse_args()
    if args.count is None:
        args.count = 3000000 if args.shape == "syn-flood" else 100000
    w = Writer(args.output)
    (syn_flood if args.shape == "syn-flood" else ooo_bomb)(args, w)
    w.close()


if __name__ == "__main__":
    main()
