#!/usr/bin/python3
"""Rewrite the link layer of an Ethernet pcap, packet by packet.

The captures for the other link types are made from a real Ethernet
capture, so the IP packets inside stay byte-for-byte identical and only
the framing under them differs.

usage: convert.py MODE IN.pcap OUT.pcap
  raw   LINKTYPE_RAW (101): the IP packet alone
  null  LINKTYPE_NULL (0): BSD loopback, 4-byte address family in the
        byte order of the file (little-endian here, as on x86 BSDs)
  vlan  Ethernet with one 802.1Q tag (TPID 0x8100, VLAN 10)
  qinq  Ethernet with an 802.1ad S-tag (0x88a8, VLAN 100) over an
        802.1Q C-tag (0x8100, VLAN 10)

Only the standard library: struct for the pcap headers.
"""

import struct
import sys

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_8021Q = 0x8100
ETH_8021AD = 0x88A8

# BSD address families; AF_INET6 differs between BSDs (24, 28, 30), 24 is
# the NetBSD/OpenBSD value and the one most readers accept.
AF_INET = 2
AF_INET6 = 24


def read_pcap(path):
    """Read a classic pcap file of either byte order and either time
    resolution: (endian, magic, header fields, records)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        sys.exit(f"{path}: not a classic pcap file")
    _, vmaj, vmin, _, _, snaplen, linktype = struct.unpack(endian + "IHHiIII", data[:24])
    records = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        records.append((sec, frac, orig, data[off:off + incl]))
        off += incl
    return endian, magic, (vmaj, vmin, snaplen, linktype), records


def write_pcap(path, endian, magic, header, linktype, records):
    vmaj, vmin, snaplen, _ = header
    with open(path, "wb") as f:
        f.write(magic)
        f.write(struct.pack(endian + "HHiIII", vmaj, vmin, 0, 0, snaplen, linktype))
        for sec, frac, orig, pkt in records:
            f.write(struct.pack(endian + "IIII", sec, frac, len(pkt), orig))
            f.write(pkt)


def convert(mode, endian, pkt, orig):
    """Return (new packet, new original length) for one Ethernet frame."""
    if len(pkt) < 14:
        sys.exit("frame shorter than an Ethernet header")
    macs, ethertype, payload = pkt[:12], struct.unpack("!H", pkt[12:14])[0], pkt[14:]
    if mode == "raw":
        if ethertype not in (ETH_IPV4, ETH_IPV6):
            sys.exit(f"ethertype {ethertype:#06x} cannot become raw IP")
        return payload, orig - 14
    if mode == "null":
        family = {ETH_IPV4: AF_INET, ETH_IPV6: AF_INET6}.get(ethertype)
        if family is None:
            sys.exit(f"ethertype {ethertype:#06x} has no BSD address family")
        return struct.pack(endian + "I", family) + payload, orig - 14 + 4
    if mode == "vlan":
        tag = struct.pack("!HH", ETH_8021Q, 10)
        return macs + tag + pkt[12:], orig + 4
    if mode == "qinq":
        tags = struct.pack("!HHHH", ETH_8021AD, 100, ETH_8021Q, 10)
        return macs + tags + pkt[12:], orig + 8
    sys.exit(f"unknown mode {mode}")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    mode, src, dst = sys.argv[1:]
    endian, magic, header, records = read_pcap(src)
    if header[3] != LINKTYPE_ETHERNET:
        sys.exit(f"{src}: link type {header[3]}, want Ethernet ({LINKTYPE_ETHERNET})")
    linktype = {"raw": LINKTYPE_RAW, "null": LINKTYPE_NULL}.get(mode, LINKTYPE_ETHERNET)
    out = []
    for sec, frac, orig, pkt in records:
        new, new_orig = convert(mode, endian, pkt, orig)
        out.append((sec, frac, new_orig, new))
    write_pcap(dst, endian, magic, header, linktype, out)


if __name__ == "__main__":
    main()
