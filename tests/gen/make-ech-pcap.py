#!/usr/bin/env python3
"""A TLS 1.3 connection whose ClientHello offers Encrypted Client Hello, built
by hand (no client in Debian 12 sends ECH): pcaps/ech/ech-offered.pcap.

The ClientHello carries server_name "public.example" (the client-facing
server's public name), an encrypted_client_hello extension of the outer
kind (RFC draft-ietf-tls-esni: type 0, an HPKE suite, config id, enc and a
payload of random bytes), supported_versions 1.3 and an X25519 key share.
The server answers with a TLS 1.3 ServerHello, a compatibility
ChangeCipherSpec and four records of random bytes the sizes of its
encrypted flight; the client sends its Finished-sized record and one of
application data, then both close.  Nothing can be decrypted: what matters
is what a passive observer reads from the hello.  Deterministic (fixed seed
and times); standard library only.

usage: make-ech-pcap.py OUTPUT
"""
import random
import struct
import sys

CLIENT, SERVER = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])
CPORT, SPORT = 51514, 443
START = 1767225600  # 2026-01-01T00:00:00Z
rng = random.Random(7)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp_packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    if src == SERVER:
        eth = eth[6:12] + eth[0:6] + eth[12:]
    return eth + ip + tcp


def vec(n, data):
    return len(data).to_bytes(n, "big") + data


def ext(kind, data):
    return struct.pack("!H", kind) + vec(2, data)


def client_hello():
    sni = ext(0, vec(2, b"\0" + vec(2, b"public.example")))
    ech = ext(0xFE0D, b"\0" + struct.pack("!HH", 1, 1) + bytes([0x2A]) +
              vec(2, rng.randbytes(32)) + vec(2, rng.randbytes(200)))
    versions = ext(43, vec(1, b"\x03\x04"))
    groups = ext(10, vec(2, b"\x00\x1d"))
    sigalgs = ext(13, vec(2, b"\x04\x03\x08\x04"))
    share = ext(51, vec(2, b"\x00\x1d" + vec(2, rng.randbytes(32))))
    body = (b"\x03\x03" + rng.randbytes(32) + vec(1, rng.randbytes(32)) + vec(2, b"\x13\x01") +
            b"\x01\x00" + vec(2, sni + ech + versions + groups + sigalgs + share))
    return b"\x16\x03\x01" + vec(2, b"\x01" + vec(3, body))


def server_hello():
    exts = ext(43, b"\x03\x04") + ext(51, b"\x00\x1d" + vec(2, rng.randbytes(32)))
    body = b"\x03\x03" + rng.randbytes(32) + vec(1, rng.randbytes(32)) + b"\x13\x01\x00" + vec(2, exts)
    return b"\x16\x03\x03" + vec(2, b"\x02" + vec(3, body))


def opaque(n):
    return b"\x17\x03\x03" + vec(2, rng.randbytes(n))


def main():
    ccs = b"\x14\x03\x03\x00\x01\x01"
    cseq, sseq = 1000, 5000
    flows = [
        (CLIENT, 0x02, b""),  # SYN
        (SERVER, 0x12, b""),  # SYN-ACK
        (CLIENT, 0x10, b""),
        (CLIENT, 0x18, client_hello()),
        (SERVER, 0x18, server_hello() + ccs + opaque(23) + opaque(980) + opaque(80) + opaque(53)),
        (CLIENT, 0x18, ccs + opaque(53) + opaque(120)),
        (SERVER, 0x18, opaque(400)),
        (CLIENT, 0x11, b""),  # FIN
        (SERVER, 0x11, b""),
        (CLIENT, 0x10, b""),
    ]
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
    t = 0
    for src, flags, payload in flows:
        client = src == CLIENT
        seq, ack = (cseq, sseq) if client else (sseq, cseq)
        if flags == 0x02:
            ack = 0
        frame = tcp_packet(src, SERVER if client else CLIENT, CPORT if client else SPORT,
                           SPORT if client else CPORT, seq, ack, flags, payload)
        out.append(struct.pack("<IIII", START, t, len(frame), len(frame)) + frame)
        t += 1000
        grow = len(payload) + (1 if flags & 0x03 else 0)
        if client:
            cseq += grow
        else:
            sseq += grow
    with open(sys.argv[1], "wb") as f:
        f.write(b"".join(out))


if __name__ == "__main__":
    main()
