#!/usr/bin/env python3
"""Many QUIC connection attempts, for measuring what a QUIC connection
costs: the client's first Initial datagram of pcaps/tls13/quic-ngtcp2-
match.pcap (a real ngtcp2 client's), repeated COUNT times, each from a
client address and port of its own (10.x.y.z, ports 1024 and up), one
millisecond apart.  Every copy decrypts (the Initial keys come from the
packet's own Destination Connection ID) and carries the ClientHello, so
each is one QUIC attempt with its SNI.  Deterministic: the same COUNT
makes the same bytes.

usage: bench/make-quic-pcap.py OUT.pcap [COUNT]   (COUNT: 20000)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "pcaps", "tls13", "quic-ngtcp2-match.pcap")
ETHERNET = 1
ETH_HEADER = 14
UDP = 17
QUIC_PORT = 443


def records(data):
    """(seconds, microseconds, bytes) of each record of a little-endian pcap."""
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        yield sec, usec, data[off + 16:off + 16 + incl]
        off += 16 + incl


def first_client_initial(data):
    for sec, usec, frame in records(data):
        ip = frame[ETH_HEADER:]
        ihl = (ip[0] & 0x0F) * 4
        if ip[9] == UDP and struct.unpack(">H", ip[ihl + 2:ihl + 4])[0] == QUIC_PORT:
            return sec, frame
    sys.exit("no client datagram to port 443 in " + SOURCE)


def ipv4_checksum(header):
    total = sum((header[i] << 8) | header[i + 1] for i in range(0, len(header), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def copy_from(frame, i):
    """frame from client 10.(i>>16).(i>>8).i, port 1024 + i % 60000."""
    q = bytearray(frame)
    ip = ETH_HEADER
    ihl = (q[ip] & 0x0F) * 4
    q[ip + 12:ip + 16] = bytes([10, (i >> 16) & 255, (i >> 8) & 255, i & 255])
    q[ip + 10:ip + 12] = b"\0\0"
    q[ip + 10:ip + 12] = struct.pack(">H", ipv4_checksum(q[ip:ip + ihl]))
    q[ip + ihl:ip + ihl + 2] = struct.pack(">H", 1024 + i % 60000)
    q[ip + ihl + 6:ip + ihl + 8] = b"\0\0"  # no UDP checksum (allowed over IPv4)
    return bytes(q)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    count = int(sys.argv[2]) if len(sys.argv) == 3 else 20000
    with open(SOURCE, "rb") as f:
        data = f.read()
    if struct.unpack("<I", data[:4])[0] != 0xA1B2C3D4 or struct.unpack("<I", data[20:24])[0] != ETHERNET:
        sys.exit(SOURCE + ": not a little-endian Ethernet pcap")
    sec, frame = first_client_initial(data)
    with open(sys.argv[1], "wb") as out:
        out.write(data[:24])
        for i in range(count):
            q = copy_from(frame, i)
            out.write(struct.pack("<IIII", sec + i // 1000, (i % 1000) * 1000, len(q), len(q)))
            out.write(q)
    print(f"{sys.argv[1]}: {count} QUIC Initials of {len(frame)} bytes")


if __name__ == "__main__":
    main()
