#!/usr/bin/python3
"""Build large, realistic captures for benchmarks from the small real ones.

The captures in pcaps/ serve as templates: each connection in the output
is a re-addressed copy of a real one (new client and server addresses,
ports, initial sequence numbers, a new server name of the same length
patched into the SNI / Host line and, for TLS 1.2, into the certificate).
All checksums are correct and timestamps never go backwards; the same seed
gives the same bytes.

Shapes (--shape):
  mixed       a real network's mix (defaults for 1000 MB): 200k flows, of
              them 100k TLS connections (half TLS 1.2 with the certificate
              in clear, from pcaps/cert/cert-match.pcap and pcaps/tls12.pcap,
              6% of the certificates, from cert-mismatch.pcap, not covering
              the name; half TLS 1.3 from tls13.pcap and ipv6-tls.pcap, 10%
              of all TLS resumed without a certificate from
              tls13/tls13-resumed.pcap, 7% with the ClientHello split at the
              MSS, from tls-split-clienthello.pcap and tls-cut-in-sni.pcap,
              the latter cut inside the SNI), 10k plain HTTP (http.pcap), 90k
              DNS lookups over UDP (35% of the TCP connections right after
              their A/AAAA lookup); 40k clients in bursts of 1-6 flows, 30k
              names on 10k servers, 10% of flows over IPv6 (IPv4 templates
              carried over to IPv6), 5% of connections reset; application
              data heavy-tailed (40% of connections under 2 KB, a Pareto tail
              up to 8 MB) in TLS records or an HTTP response, scaled so the
              file comes to the size asked for; ~2.5M packets per GB
  handshakes  the same mix where every connection is a handshake with at
              most one small request (half of them) and its small answer,
              then a close; as many flows as fill the size (200 MB: ~110k)
  bulk        the previous bench's capture (the default; bytes unchanged):
              mostly bulk downloads, what a tracer must skip cheaply
  old-handshakes  the previous bench's handshake mix, for its old figures

The realised counts (packets, flows, TLS 1.2/1.3, resumed, mismatched,
split, HTTP, DNS lookups, clients, names, IPv6 share, reset share, share
of packets <= 90 bytes, share of bytes in full-size frames...) are printed
and written beside the capture as OUTPUT.json (without .pcap).

usage: make-bench-pcap.py [--shape mixed|handshakes|bulk] [--handshake-heavy]
                          [--flows N] [--duration S] [--seed N] [--templates DIR]
                          [--keylog KEYS] [--json PATH] OUTPUT [SIZE_MB]
  --handshake-heavy  the same as --shape handshakes
  --flows N          flows (TCP connections and DNS lookups) of mixed or
                     handshakes; with mixed the size stays, so twice the
                     flows means the same bytes in twice the connections
  --duration S       seconds over which the bursts start (0.3 s per MB)

Speed: templates and headers are prepared once; per packet only addresses,
ports, sequence numbers and checksums are patched, the checksums updated
from precomputed partial sums: 1 GB of mixed takes under a minute.
"""

import argparse
import heapq
import json
import math
import os
import random
import struct
import sys
import time
from array import array

M32 = 0xFFFFFFFF
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS = 1448  # payload of a full segment on a 1500-byte MTU with TCP timestamps
TEMPLATE_NAME = b"www.example.test"
START_TIME = 1768478400  # 2026-01-15T12:00:00Z: fixed, so runs compare
SMALL_FRAME = 90  # SYN, ACK, FIN and the like
FULL_FRAME = 1514  # a full 1500-byte IP packet on Ethernet

HERE = os.path.dirname(os.path.abspath(__file__))


# --- one's complement sums ----------------------------------------------------
# All partial sums are over 16-bit words read in native (little-endian)
# order; RFC 1071's byte-order independence makes the folded result, stored
# back the same way, the right checksum.

def sum16(data):
    if len(data) & 1:
        data = bytes(data) + b"\0"
    return sum(array("H", bytes(data)))


def bs16(v):
    """A 16-bit big-endian field value as the native word holding it."""
    return ((v & 0xFF) << 8) | (v >> 8)


def bs32(v):
    return bs16(v >> 16) + bs16(v & 0xFFFF)


def fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


# --- pcap I/O -----------------------------------------------------------------

def read_pcap(path):
    """Ethernet packets of a classic pcap: [(time, bytes)]."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
              b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if endian is None:
        raise ValueError(f"{path}: not a classic pcap")
    nano = magic in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, want Ethernet")
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        out.append((sec + frac / (1e9 if nano else 1e6), data[off:off + incl]))
        off += incl
    return out


class PcapWriter:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 22)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        self.bytes = 24
        self.packets = 0
        self.frame_bytes = 0
        self.small = 0  # frames of SMALL_FRAME bytes or less
        self.full_bytes = 0  # bytes in full-size frames
        self.v6 = 0
        self._rec = struct.Struct("<IIII").pack

    def write(self, t, *parts):
        n = sum(len(p) for p in parts)
        usec = int(t * 1e6)
        self.f.write(self._rec(usec // 1000000, usec % 1000000, n, n))
        for p in parts:
            self.f.write(p)
        self.bytes += 16 + n
        self.packets += 1
        self.frame_bytes += n
        if n <= SMALL_FRAME:
            self.small += 1
        elif n >= FULL_FRAME:
            self.full_bytes += n
        if parts[0][12] == 0x86:  # EtherType 0x86DD
            self.v6 += 1

    def close(self):
        self.f.close()


# --- templates ----------------------------------------------------------------

class TPacket:
    """One template TCP packet, with what is needed to re-address it."""
    __slots__ = ("data", "dir", "t", "v6", "ip", "tcp", "flags", "rseq", "rack",
                 "base", "ipbase", "names", "plen")


class Template:
    """One TCP connection from a capture, client side first."""

    def __init__(self, name, packets):
        self.name = name
        frames = []
        for t, raw in packets:
            eth = struct.unpack("!H", raw[12:14])[0]
            if eth == 0x0800:
                v6, ip = False, 14
                if raw[ip + 9] != 6:
                    continue
                tcp = ip + (raw[ip] & 0x0F) * 4
            elif eth == 0x86DD:
                v6, ip = True, 14
                if raw[ip + 6] != 6:  # no extension headers in our captures
                    continue
                tcp = ip + 40
            else:
                continue
            frames.append((t, raw, v6, ip, tcp))
        if not frames:
            raise ValueError(f"{name}: no TCP packets")
        t0, first, _, _, tcp0 = frames[0]
        self.cport = struct.unpack("!H", first[tcp0:tcp0 + 2])[0]
        self.v6 = frames[0][2]

        # Initial sequence numbers, so sequence numbers become relative.
        isn = [None, None]
        for t, raw, v6, ip, tcp in frames:
            d = 0 if struct.unpack("!H", raw[tcp:tcp + 2])[0] == self.cport else 1
            if isn[d] is None:
                isn[d] = struct.unpack("!I", raw[tcp + 4:tcp + 8])[0]
        isn = [x if x is not None else 0 for x in isn]

        self.packets = []
        streams = [bytearray(), bytearray()]
        stream_at = []  # per packet: client stream offset of its payload
        for t, raw, v6, ip, tcp in frames:
            p = TPacket()
            p.data = bytes(raw)
            p.dir = 0 if struct.unpack("!H", raw[tcp:tcp + 2])[0] == self.cport else 1
            p.t = t - t0
            p.v6, p.ip, p.tcp = v6, ip, tcp
            seq, ack = struct.unpack("!II", raw[tcp + 4:tcp + 12])
            p.flags = raw[tcp + 13]
            p.rseq = (seq - isn[p.dir]) & M32
            p.rack = (ack - isn[1 - p.dir]) & M32 if p.flags & TCP_ACK else None
            if v6:
                iplen = 40 + struct.unpack("!H", raw[ip + 4:ip + 6])[0]
            else:
                iplen = struct.unpack("!H", raw[ip + 2:ip + 4])[0]
            seglen = ip + iplen - tcp
            pay = tcp + (raw[tcp + 12] >> 4) * 4
            p.plen = ip + iplen - pay
            # Segment sum without ports, seq, ack, checksum; plus the pseudo
            # header's protocol and length (addresses come per copy).
            seg = bytearray(raw[tcp:tcp + seglen])
            seg[0:12] = bytes(12)
            seg[16:18] = b"\0\0"
            p.base = sum16(seg) + bs16(6) + (bs32(seglen) if v6 else bs16(seglen))
            if not v6:
                hdr = bytearray(raw[ip:tcp])
                hdr[4:6] = hdr[10:12] = b"\0\0"
                hdr[12:20] = bytes(8)
                p.ipbase = sum16(hdr)
            p.names = []
            stream_at.append(p.rseq - 1 if p.plen else None)
            if p.plen:
                s = streams[p.dir]
                at = p.rseq - 1
                end = at + p.plen
                if len(s) < end:
                    s.extend(bytes(end - len(s)))
                s[at:end] = raw[pay:pay + p.plen]
            self.packets.append(p)

        # Where the server name sits in what the client sent (SNI, Host,
        # CONNECT), mapped back to the packets that carry it.
        cs = bytes(streams[0])
        spots, at = [], cs.find(TEMPLATE_NAME)
        while at >= 0:
            spots.append(at)
            at = cs.find(TEMPLATE_NAME, at + 1)
        for p, sat in zip(self.packets, stream_at):
            if p.dir != 0 or sat is None:
                continue
            pay = p.tcp + (p.data[p.tcp + 12] >> 4) * 4
            for s in spots:
                lo, hi = max(s, sat), min(s + len(TEMPLATE_NAME), sat + p.plen)
                if lo < hi:
                    p.names.append((pay + lo - sat, lo - s, hi - lo))
        self.has_name = bool(spots)

        # For a bulk continuation: the packets before the connection winds
        # down (FIN, RST or a TLS alert record), and the sequence numbers
        # and headers to carry on from there.
        self.open_part = []
        for p in self.packets:
            pay = p.tcp + (p.data[p.tcp + 12] >> 4) * 4
            if p.flags & (TCP_FIN | TCP_RST) or (p.plen and p.data[pay] == 0x15):
                break
            self.open_part.append(p)
        nxt = [1, 1]
        for p in self.open_part:
            nxt[p.dir] = max(nxt[p.dir], (p.rseq + p.plen) & M32)
        self.next_rseq = nxt
        self.macs = (first[0:6], first[6:12])  # (server side, client side)


# --- addresses and names ------------------------------------------------------

class World:
    """Clients, servers and names, with the stable name -> server mapping
    that lets DNS answers and later connections agree."""

    def __init__(self, rng):
        self.rng = rng
        self.nclients = 20000
        self.nservers = 4000
        self.names = [self._name() for _ in range(20000)]
        self.next_port = {}

    def _name(self):
        # Same length as the template's name, so it patches in place.
        letters = "abcdefghijklmnopqrstuvwxyz"
        a = self.rng.randint(3, 6)
        b = len(TEMPLATE_NAME) - 5 - 1 - a
        pick = self.rng.choices
        return ("".join(pick(letters, k=a)) + "." + "".join(pick(letters, k=b)) + ".test").encode()

    def name(self):
        # Log-uniform popularity: a few names are asked for all the time.
        i = int(len(self.names) ** self.rng.random()) - 1
        return i, self.names[i]

    def client(self, v6=False):
        """(index, address): clients in 10.0.0.0/8 or 2001:db8:c::/48."""
        i = self.rng.randrange(self.nclients)
        if v6:
            return i, b"\x20\x01\x0d\xb8\x00\x0c" + bytes(8) + struct.pack("!H", i + 1)
        return i, struct.pack("!I", 0x0A000100 + i)

    def server(self, name_index, v6=False):
        """The server a name lives on: 172.16.0.0/12 or 2001:db8:5::/48."""
        s = (name_index * 2654435761) % self.nservers
        if v6:
            return b"\x20\x01\x0d\xb8\x00\x05" + bytes(8) + struct.pack("!H", s + 1)
        return struct.pack("!I", 0xAC100100 + s)

    def port(self, client):
        p = self.next_port.get(client)
        if p is None:
            p = self.rng.randint(32768, 60999)
        p += self.rng.randint(1, 3)
        if p > 60999:
            p = 32768
        self.next_port[client] = p
        return p


RESOLVER = bytes((10, 255, 255, 53))


# --- flows --------------------------------------------------------------------

def copy_flow(packets, t0, scale, caddr, cport, saddr, sport, name, isn, ipid):
    """Yield (time, frame) for a re-addressed copy of template packets.
    isn and ipid are [client, server]; ipid is advanced in place so a bulk
    continuation carries on from it."""
    addr_sum = sum16(caddr) + sum16(saddr)
    flow_sum = addr_sum + bs16(cport) + bs16(sport)
    pack_ports = struct.Struct("!HH").pack_into
    pack_seqack = struct.Struct("!II").pack_into
    pack_le = struct.Struct("<H").pack_into
    pack_be = struct.Struct("!H").pack_into
    for p in packets:
        buf = bytearray(p.data)
        ip, tcp = p.ip, p.tcp
        src, dst = (caddr, saddr) if p.dir == 0 else (saddr, caddr)
        if p.v6:
            buf[ip + 8:ip + 24] = src
            buf[ip + 24:ip + 40] = dst
        else:
            buf[ip + 12:ip + 16] = src
            buf[ip + 16:ip + 20] = dst
            i = ipid[p.dir] = (ipid[p.dir] + 1) & 0xFFFF
            pack_be(buf, ip + 4, i)
            pack_le(buf, ip + 10, fold(p.ipbase + addr_sum + bs16(i)))
        if p.dir == 0:
            pack_ports(buf, tcp, cport, sport)
        else:
            pack_ports(buf, tcp, sport, cport)
        seq = (p.rseq + isn[p.dir]) & M32
        ack = (p.rack + isn[1 - p.dir]) & M32 if p.rack is not None else 0
        pack_seqack(buf, tcp + 4, seq, ack)
        if p.names:
            for off, noff, n in p.names:
                buf[off:off + n] = name[noff:noff + n]
            buf[tcp + 16:tcp + 18] = b"\0\0"
            seglen = len(buf) - tcp if p.v6 else p.ip + struct.unpack("!H", buf[ip + 2:ip + 4])[0] - tcp
            s = sum16(buf[tcp:tcp + seglen]) + addr_sum + bs16(6)
            s += bs32(seglen) if p.v6 else bs16(seglen)
            pack_le(buf, tcp + 16, fold(s))
        else:
            pack_le(buf, tcp + 16, fold(p.base + flow_sum + bs32(seq) + bs32(ack)))
        yield t0 + p.t * scale, buf


class Bulk:
    """Full-size data segments from server to client with an ACK every
    second segment: headers built once per flow, patched per segment."""

    def __init__(self, rng, chunks):
        self.rng = rng
        self.chunks = chunks  # [(payload, native sum)]

    def headers(self, v6, dst_mac, src_mac, src, dst, sport, dport, plen):
        """(frame header, tcp offset, ip base sum or None, tcp base sum)"""
        tcp_hdr = bytearray(struct.pack("!HHIIBBHHH", sport, dport, 0, 0, 8 << 4,
                                        TCP_ACK | (TCP_PSH if plen else 0), 1024, 0, 0))
        tcp_hdr += struct.pack("!BBBBII", 1, 1, 8, 10, self.rng.getrandbits(32),
                               self.rng.getrandbits(32))
        seglen = 32 + plen
        if v6:
            ip_hdr = struct.pack("!IHBB", 0x60000000, seglen, 6, 64) + src + dst
            eth = dst_mac + src_mac + b"\x86\xdd"
            ipbase = None
        else:
            ip_hdr = bytearray(struct.pack("!BBHHHBBH", 0x45, 0, 20 + seglen, 0, 0x4000, 64, 6, 0))
            ip_hdr += src + dst
            ipbase = sum16(ip_hdr)
            eth = dst_mac + src_mac + b"\x08\x00"
        tcpbase = sum16(tcp_hdr) + sum16(src) + sum16(dst) + bs16(6)
        tcpbase += bs32(seglen) if v6 else bs16(seglen)
        frame = bytes(eth) + bytes(ip_hdr) + bytes(tcp_hdr)
        return frame, len(eth) + len(ip_hdr), ipbase, tcpbase

    def run(self, t, rate_bps, nsegs, v6, macs, caddr, cport, saddr, sport,
            seq_s, seq_c, ipid, fin=True):
        """Yield (time, header, payload) for nsegs segments and the close.
        macs and ipid are (server side, client side)."""
        smac, cmac = macs
        data_hdr, dt, dip, dtcp = self.headers(v6, cmac, smac, saddr, caddr, sport, cport, MSS)
        ack_hdr, at, aip, atcp = self.headers(v6, smac, cmac, caddr, saddr, cport, sport, 0)
        ip0 = 14
        gap = MSS * 8 / rate_bps
        pack_le = struct.Struct("<H").pack_into
        pack_be = struct.Struct("!H").pack_into
        pack_seqack = struct.Struct("!II").pack_into
        chunks, choice = self.chunks, self.rng.choice
        sid, cid = ipid
        for i in range(nsegs):
            payload, psum = choice(chunks)
            h = bytearray(data_hdr)
            pack_seqack(h, dt + 4, seq_s, seq_c)
            if dip is not None:
                sid = (sid + 1) & 0xFFFF
                pack_be(h, ip0 + 4, sid)
                pack_le(h, ip0 + 10, fold(dip + bs16(sid)))
            pack_le(h, dt + 16, fold(dtcp + psum + bs32(seq_s) + bs32(seq_c)))
            seq_s = (seq_s + MSS) & M32
            t += gap
            yield t, h, payload
            if i & 1:
                h = bytearray(ack_hdr)
                pack_seqack(h, at + 4, seq_c, seq_s)
                if aip is not None:
                    cid = (cid + 1) & 0xFFFF
                    pack_be(h, ip0 + 4, cid)
                    pack_le(h, ip0 + 10, fold(aip + bs16(cid)))
                pack_le(h, at + 16, fold(atcp + bs32(seq_c) + bs32(seq_s)))
                yield t + 0.00002, h, b""
        if not fin:
            return
        # Server closes, the client closes too, the server acknowledges.
        closing = ((saddr, caddr, data_hdr, dt, TCP_FIN | TCP_ACK, 0.0001),
                   (caddr, saddr, ack_hdr, at, TCP_FIN | TCP_ACK, 0.0003),
                   (saddr, caddr, data_hdr, dt, TCP_ACK, 0.0001))
        for src, dst, hdr, off, flags, step in closing:
            h = bytearray(hdr)
            # The data header's shape without payload: lengths and sums anew.
            if v6:
                pack_be(h, ip0 + 4, 32)
            else:
                pack_be(h, ip0 + 2, 20 + 32)
                h[ip0 + 10:ip0 + 12] = b"\0\0"
                pack_le(h, ip0 + 10, fold(sum16(h[ip0:ip0 + 20])))
            h[off + 13] = flags
            if src == saddr:
                pack_seqack(h, off + 4, seq_s, seq_c)
            else:
                pack_seqack(h, off + 4, seq_c, seq_s)
            h[off + 16:off + 18] = b"\0\0"
            s = sum16(h[off:off + 32]) + sum16(src) + sum16(dst) + bs16(6)
            s += bs32(32) if v6 else bs16(32)
            pack_le(h, off + 16, fold(s))
            t += step
            yield t, h, b""
            if flags & TCP_FIN:
                if src == saddr:
                    seq_s = (seq_s + 1) & M32
                else:
                    seq_c = (seq_c + 1) & M32


def dns_pair(t, rng, caddr, cmac, smac, name, answer):
    """A DNS A query and its answer: (time, frame) twice."""
    qid = rng.getrandbits(16)
    port = rng.randint(32768, 60999)
    qname = b"".join(bytes((len(label),)) + label for label in name.split(b".")) + b"\0"
    question = qname + struct.pack("!HH", 1, 1)
    query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question
    reply = (struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question +
             struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + answer)
    out = []
    for when, src, dst, sp, dp, body, mac in ((t, caddr, RESOLVER, port, 53, query, (smac, cmac)),
                                              (t + rng.uniform(0.0005, 0.02), RESOLVER, caddr,
                                               53, port, reply, (cmac, smac))):
        udp_len = 8 + len(body)
        udp = struct.pack("!HHHH", sp, dp, udp_len, 0) + body
        s = sum16(udp) + sum16(src) + sum16(dst) + bs16(17) + bs16(udp_len)
        udp = udp[:6] + struct.pack("<H", fold(s) or 0xFFFF) + udp[8:]
        ip = bytearray(struct.pack("!BBHHHBBH", 0x45, 0, 20 + udp_len, rng.getrandbits(16),
                                   0x4000, 64, 17, 0) + src + dst)
        struct.pack_into("<H", ip, 10, fold(sum16(ip)))
        out.append((when, mac[0] + mac[1] + b"\x08\x00" + bytes(ip) + udp))
    return out


# --- the mix ------------------------------------------------------------------

# (kind, weight) per new connection. Bulk sizes in bytes (mean).
MIXES = {
    "bulk": dict(weights={"tls": 58, "http": 8, "dns": 20, "bulk": 4, "midstream": 1.5,
                          "refused": 3, "noanswer": 0.5},
                 bulk_mean=1_500_000, rate=3000),
    "handshake": dict(weights={"tls": 75, "http": 10, "dns": 10, "bulk": 0.3, "midstream": 0.2,
                               "refused": 3.5, "noanswer": 1},
                      bulk_mean=150_000, rate=8000),
}

# Templates per kind: (file, server port in the copy, weight).
TLS_TEMPLATES = [("tls13.pcap", 443, 40), ("tls12.pcap", 443, 25), ("ipv6-tls.pcap", 443, 10),
                 ("tls-no-sni.pcap", 443, 5), ("tls-cut-in-sni.pcap", 443, 4),
                 ("tls-split-clienthello.pcap", 443, 4), ("http-connect.pcap", 3128, 5)]
# TLS 1.3 handshakes with their key logs: every copy keeps its client
# random, so one key log line set opens them all.
KEYED_TEMPLATES = [("tls13/tls13-match.pcap", 443, 40)]
OTHER_TEMPLATES = {"http": ("http.pcap", 80), "refused": ("refused.pcap", 443),
                   "noanswer": ("no-answer.pcap", 443)}


def main_old(args):
    """The previous bench's shapes: bulk (its default) and its handshake mix."""
    if args.keylog:
        TLS_TEMPLATES.extend(KEYED_TEMPLATES)
        with open(args.keylog, "w") as out:
            for fname, _, _ in KEYED_TEMPLATES:
                with open(os.path.join(args.templates, fname[:-len(".pcap")] + ".keys")) as f:
                    out.write(f.read())

    rng = random.Random(args.seed)
    mix = MIXES["handshake" if args.shape == "old-handshakes" else "bulk"]
    target = int(args.size_mb * 1_000_000)

    def load(fname):
        path = os.path.join(args.templates, fname)
        try:
            return Template(fname, read_pcap(path))
        except (OSError, ValueError) as e:
            print(f"skipping template {fname}: {e}", file=sys.stderr)
            return None

    tls = [(t, port, w) for f, port, w in TLS_TEMPLATES if (t := load(f)) is not None]
    if not tls:
        sys.exit("no TLS templates: run pcaps/make-pcaps.sh first")
    other = {k: (load(f), port) for k, (f, port) in OTHER_TEMPLATES.items()}
    weights = {k: w for k, w in mix["weights"].items()
               if k not in other or other[k][0] is not None}
    kinds, kind_w = list(weights), list(weights.values())
    tls_tpl = [(t, p) for t, p, _ in tls]
    tls_w = [w for _, _, w in tls]
    bulk_tpl = [(t, p, w) for t, p, w in tls if t.name != "http-connect.pcap"]
    bulk_w = [w for _, _, w in bulk_tpl]
    bulk_tpl = [(t, p) for t, p, _ in bulk_tpl]
    macs = tls[0][0].macs

    # Random-looking payloads with their sums computed once.
    prng = random.Random(args.seed + 1)
    chunks = []
    for _ in range(64):
        c = prng.randbytes(MSS)
        chunks.append((c, sum16(c)))
    bulk = Bulk(rng, chunks)
    world = World(rng)

    def tcp_copy(tpl, sport, t, bulk_bytes=0):
        ni, name = world.name()
        ci, caddr = world.client(tpl.v6)
        saddr = world.server(ni, tpl.v6)
        cport = world.port(ci)
        # Half the connections by name follow a DNS lookup by the client.
        if tpl.has_name and not tpl.v6 and rng.random() < 0.5:
            for pkt in dns_pair(t, rng, caddr, macs[1], macs[0], name, saddr):
                yield pkt
            t += 0.025
        scale = rng.uniform(1, 20) if tpl.name not in ("no-answer.pcap", "refused.pcap") else 1
        pkts = tpl.open_part if bulk_bytes else tpl.packets
        isn = [rng.getrandbits(32), rng.getrandbits(32)]
        ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        last = t
        for when, frame in copy_flow(pkts, t, scale, caddr, cport, saddr, sport, name, isn, ipid):
            last = when
            yield when, frame
        if bulk_bytes:
            seq_s = (tpl.next_rseq[1] + isn[1]) & M32
            seq_c = (tpl.next_rseq[0] + isn[0]) & M32
            nsegs = max(2, bulk_bytes // MSS)
            rate = rng.uniform(20e6, 400e6)
            for when, h, payload in bulk.run(last, rate, nsegs, tpl.v6, tpl.macs, caddr, cport,
                                             saddr, sport, seq_s, seq_c, (ipid[1], ipid[0])):
                yield when, h + payload if payload else h

    def midstream(t, nbytes):
        ci, caddr = world.client()
        ni, _ = world.name()
        saddr = world.server(ni)
        rate = rng.uniform(20e6, 400e6)
        ipid = (rng.getrandbits(16), rng.getrandbits(16))
        for when, h, payload in bulk.run(t, rate, max(2, nbytes // MSS), False, macs, caddr,
                                         world.port(ci), saddr, 443, rng.getrandbits(32),
                                         rng.getrandbits(32), ipid, fin=rng.random() < 0.5):
            yield when, h + payload if payload else h

    def dns_only(t):
        ci, caddr = world.client()
        ni, name = world.name()
        yield from dns_pair(t, rng, caddr, macs[1], macs[0], name, world.server(ni))

    def bulk_size():
        return min(int(rng.expovariate(1 / mix["bulk_mean"])), 40 * mix["bulk_mean"])

    started = {}

    def new_flow(t):
        kind = rng.choices(kinds, kind_w)[0]
        started[kind] = started.get(kind, 0) + 1
        if kind == "tls":
            tpl, port = rng.choices(tls_tpl, tls_w)[0]
            return tcp_copy(tpl, port, t)
        if kind == "bulk":
            tpl, port = rng.choices(bulk_tpl, bulk_w)[0]
            return tcp_copy(tpl, port, t, bulk_bytes=bulk_size())
        if kind == "midstream":
            return midstream(t, bulk_size())
        if kind == "dns":
            return dns_only(t)
        tpl, port = other[kind]
        return tcp_copy(tpl, port, t)

    out = PcapWriter(args.output)
    heap, n = [], 0
    t_next = float(START_TIME)
    rate = mix["rate"]
    last_report = 0
    while out.bytes < target:
        # Start every flow due before the next packet in line.
        while not heap or t_next <= heap[0][0]:
            gen = new_flow(t_next)
            first = next(gen, None)
            if first is not None:
                n += 1
                heapq.heappush(heap, (first[0], n, first[1], gen))
            t_next += rng.expovariate(rate)
        when, k, frame, gen = heapq.heappop(heap)
        out.write(when, frame)
        nxt = next(gen, None)
        if nxt is not None:
            heapq.heappush(heap, (max(nxt[0], when), k, nxt[1], gen))
        if out.bytes - last_report >= 100_000_000:
            last_report = out.bytes
            print(f"  {out.bytes // 1_000_000} MB", file=sys.stderr)
    out.close()
    print(f"{args.output}: {out.packets} packets, {out.bytes} bytes, {n} flows started",
          file=sys.stderr)
    counts = {"shape": args.shape, "seed": args.seed, "size_mb": args.size_mb,
              "file_bytes": out.bytes, "packets": out.packets, "flows": n,
              "flows_by_kind": started,
              "share_packets_le_90_bytes": round(out.small / max(1, out.packets), 4),
              "share_bytes_in_full_frames": round(out.full_bytes / max(1, out.frame_bytes), 4),
              "share_packets_ipv6": round(out.v6 / max(1, out.packets), 4)}
    write_counts(args, counts)


# === Real-network shapes: mixed and handshakes ================================
#
# Every connection is planned first (kind, client, name, server, family, start
# time, response size, how it ends), so the counts come out as asked and the
# byte budget can be met by scaling the application data; then the planned
# connections are written, merged in time order.

MIXED_FLOWS_PER_MB = 200  # ~200k flows in 1 GB
SHARES = dict(tls=0.50, http=0.05, dns=0.45)  # of all flows
TLS_KINDS = dict(tls12=0.50, tls13=0.33, resumed=0.10, split=0.05, cut=0.02)  # of TLS
MISMATCH_SHARE = 0.06  # of the certificates sent in clear (TLS 1.2)
LOOKUP_SHARE = 0.35  # of TCP connections: preceded by their A/AAAA lookup
IPV6_SHARE = 0.10
RESET_SHARE = 0.05
CLIENTS_PER_FLOW = 0.2  # 40k clients for 200k flows
NAMES_PER_FLOW = 0.15  # 30k names
SERVERS_PER_NAME = 1 / 3
BURST_SIZES = ((1, 30), (2, 22), (3, 16), (4, 12), (5, 10), (6, 10))
SMALL_SHARE = 0.40  # of TCP connections: application data under 2 KB
SMALL_MAX = 2047
PARETO_ALPHA = 1.2  # tail of the transfer sizes
TRANSFER_CAP = 8_000_000  # the longest transfers, a few MB
SECONDS_PER_MB = 0.3  # capture duration: 1 GB over 5 minutes (~27 Mbit/s)
MSS6 = 1428  # a full segment over IPv6 (1500 - 40 - 32)
RECORD_SEGMENTS = 11  # a TLS application data record of 11 full segments

RESOLVER6 = b"\x20\x01\x0d\xb8\x00\x53" + bytes(6) + b"\x00\x00\x00\x53"
MISMATCH_NAME = b"other.example.test"

# Templates: (kind, file, connection index in the file, names patched per
# direction {0: [(pattern, key)], 1: [...]}).
SNI = (TEMPLATE_NAME, "name")
REAL_TEMPLATES = {
    "tls12": [("cert/cert-match.pcap", 0, {0: [SNI], 1: [SNI]}, 60),
              ("tls12.pcap", 0, {0: [SNI], 1: [SNI]}, 40)],
    "tls12mm": [("cert/cert-mismatch.pcap", 0, {0: [SNI], 1: [(MISMATCH_NAME, "mmname")]}, 1)],
    "tls13": [("tls13.pcap", 0, {0: [SNI]}, 1)],
    "tls13v6": [("ipv6-tls.pcap", 0, {0: [SNI]}, 1)],
    "keyed": [("tls13/tls13-match.pcap", 0, {0: [SNI]}, 1)],
    "resumed": [("tls13/tls13-resumed.pcap", 1, {0: [SNI]}, 1)],
    "split": [("tls-split-clienthello.pcap", 0, {0: [SNI]}, 1)],
    "cut": [("tls-cut-in-sni.pcap", 0, {0: [SNI]}, 1)],
    "http": [("http.pcap", 0, {0: [(TEMPLATE_NAME + b":8080", "hostport")]}, 1)],
}
KEYLOGS = ("tls13/tls13-match.keys", "tls13/tls13-resumed.keys")


def tcp_connections(packets):
    """Split a capture's Ethernet frames into TCP connections, in the order
    they start: [[(time, frame)]]."""
    conns, order = {}, []
    for t, raw in packets:
        eth = struct.unpack("!H", raw[12:14])[0]
        if eth == 0x0800 and raw[23] == 6:
            ip = 14
            tcp = ip + (raw[ip] & 0x0F) * 4
            a, b = raw[26:30], raw[30:34]
        elif eth == 0x86DD and raw[20] == 6:
            tcp = 54
            a, b = raw[22:38], raw[38:54]
        else:
            continue
        pa, pb = raw[tcp:tcp + 2], raw[tcp + 2:tcp + 4]
        key = min((a, pa, b, pb), (b, pb, a, pa))
        if key not in conns:
            conns[key] = []
            order.append(key)
        conns[key].append((t, raw))
    return [conns[k] for k in order]


def to_ipv6(packets):
    """The same TCP segments over IPv6 (addresses zero: they are patched per
    copy); checksums are redone per copy anyway."""
    out = []
    for t, raw in packets:
        ihl = (raw[14] & 0x0F) * 4
        total = struct.unpack("!H", raw[16:18])[0]
        seg = raw[14 + ihl:14 + total]
        ip6 = struct.pack("!IHBB", 0x60000000, len(seg), 6, 64) + bytes(32)
        out.append((t, raw[0:12] + b"\x86\xdd" + ip6 + seg))
    return out


class RealTemplate:
    """One TCP connection of a capture, to be copied with new addresses,
    ports, sequence numbers, names and client random, cut after the
    handshake (or after the client's first request) so that the
    application data and the close can be made to measure."""

    def __init__(self, name, packets, patterns, keep_random=False):
        self.name = name
        frames = []
        for t, raw in packets:
            if raw[12:14] == b"\x86\xdd":
                v6, ip, tcp = True, 14, 54
                iplen = 40 + struct.unpack("!H", raw[18:20])[0]
            else:
                v6, ip = False, 14
                tcp = ip + (raw[ip] & 0x0F) * 4
                iplen = struct.unpack("!H", raw[16:18])[0]
            frames.append((t, raw[:ip + iplen], v6, ip, tcp))
        t0, first = frames[0][0], frames[0][1]
        self.t0 = t0
        tcp0 = frames[0][4]
        if not first[tcp0 + 13] & TCP_SYN:
            raise ValueError(f"{name}: does not start with a SYN")
        self.v6 = frames[0][2]
        self.macs = (first[0:6], first[6:12])  # (server side, client side)
        cport = first[tcp0:tcp0 + 2]
        isn = [None, None]
        for t, raw, v6, ip, tcp in frames:
            d = 0 if raw[tcp:tcp + 2] == cport else 1
            if isn[d] is None:
                isn[d] = struct.unpack("!I", raw[tcp + 4:tcp + 8])[0]
        isn = [x if x is not None else 0 for x in isn]

        self.packets = []
        streams = [bytearray(), bytearray()]
        self.tsval = [None, None]
        for t, raw, v6, ip, tcp in frames:
            p = TPacket()
            p.data = bytes(raw)
            p.dir = 0 if raw[tcp:tcp + 2] == cport else 1
            p.t = t - t0
            p.v6, p.ip, p.tcp = v6, ip, tcp
            seq, ack = struct.unpack("!II", raw[tcp + 4:tcp + 8 + 4])
            p.flags = raw[tcp + 13]
            p.rseq = (seq - isn[p.dir]) & M32
            p.rack = (ack - isn[1 - p.dir]) & M32 if p.flags & TCP_ACK else None
            seglen = len(raw) - tcp
            pay = tcp + (raw[tcp + 12] >> 4) * 4
            p.plen = len(raw) - pay
            seg = bytearray(raw[tcp:])
            seg[0:12] = bytes(12)
            seg[16:18] = b"\0\0"
            p.base = sum16(seg) + bs16(6) + bs16(seglen)
            p.ipbase = None
            if not v6:
                hdr = bytearray(raw[ip:tcp])
                hdr[4:6] = hdr[10:12] = b"\0\0"
                hdr[12:20] = bytes(8)
                p.ipbase = sum16(hdr)
            p.names = []
            opt = raw[tcp + 20:pay]
            i = opt.find(b"\x08\x0a")
            if i >= 0 and i + 10 <= len(opt):
                self.tsval[p.dir] = struct.unpack("!I", opt[i + 2:i + 6])[0]
            if p.plen:
                s = streams[p.dir]
                at = (p.rseq - 1) & M32
                if at + p.plen > len(s):
                    s.extend(bytes(at + p.plen - len(s)))
                s[at:at + p.plen] = raw[pay:]
            self.packets.append(p)
        self.streams = [bytes(s) for s in streams]

        # Spots to patch: the patterns in either stream, and the client
        # random of a ClientHello at the start of the client's stream.
        spots = []  # (dir, stream offset, length, key)
        for d, pats in patterns.items():
            for pat, key in pats:
                at = self.streams[d].find(pat)
                while at >= 0:
                    spots.append((d, at, len(pat), key))
                    at = self.streams[d].find(pat, at + 1)
        cs = self.streams[0]
        self.tls = cs[:1] == b"\x16" and cs[5:6] == b"\x01"
        if self.tls and not keep_random:
            spots.append((0, 11, 32, "crand"))
        self.has_name = any(k != "crand" for _, _, _, k in spots)
        for p in self.packets:
            if not p.plen:
                continue
            pay = len(p.data) - p.plen
            sat = (p.rseq - 1) & M32
            for d, s, n, key in spots:
                if d != p.dir:
                    continue
                lo, hi = max(s, sat), min(s + n, sat + p.plen)
                if lo < hi:
                    p.names.append((pay + lo - sat, key, lo - s, hi - lo))

        # Where the handshake ends (client stream offset) and where the
        # client's first request ends, if the capture has one.
        if self.tls:
            self.kind_close = b"\x15" if self._tls12(cs) else b"\x17"
            self.hs_end, self.req_end = self._tls_marks(cs)
        else:
            self.kind_close = None
            self.hs_end = 0
            e = cs.find(b"\r\n\r\n")
            self.req_end = e + 4 if e >= 0 else None
        self.cuts = {}
        for mark in ("hs", "req"):
            end = self.hs_end if mark == "hs" else self.req_end
            if end is None:
                continue
            self.cuts[mark] = self._cut(end)

    @staticmethod
    def _tls12(cs):
        # TLS 1.2 when the client's Finished (after its ChangeCipherSpec) is
        # a handshake record; TLS 1.3 sends it as application data.
        at, ccs = 0, False
        while at + 5 <= len(cs):
            typ = cs[at]
            n = struct.unpack("!H", cs[at + 3:at + 5])[0]
            if ccs:
                return typ == 0x16
            ccs = typ == 0x14
            at += 5 + n
        return False

    @staticmethod
    def _tls_marks(cs):
        """(end of the client's Finished, end of its first request or None)."""
        at, ccs, fin = 0, False, None
        while at + 5 <= len(cs):
            typ = cs[at]
            n = struct.unpack("!H", cs[at + 3:at + 5])[0]
            end = at + 5 + n
            if fin is None and ccs and typ != 0x14:
                fin = end
            elif fin is not None and typ == 0x17 and 5 + n > 24:
                return fin, end  # bigger than an encrypted alert: a request
            elif fin is not None:
                break
            ccs = ccs or typ == 0x14
            at = end
        if fin is None:
            raise ValueError("no client Finished found")
        return fin, None

    def _cut(self, end):
        """The packets up to the one that carries client stream byte end-1
        (for end 0: the client's ACK of the SYN-ACK), with the next sequence
        numbers, the time and the bytes they take."""
        n = None
        for i, p in enumerate(self.packets):
            if p.dir != 0:
                continue
            if end == 0 and not p.flags & TCP_SYN and p.flags & TCP_ACK:
                n = i + 1
                break
            if p.plen and ((p.rseq - 1) & M32) + p.plen >= end > 0:
                n = i + 1
                break
        if n is None:
            raise ValueError(f"{self.name}: cannot cut at {end}")
        part = self.packets[:n]
        nxt = [1, 1]
        for p in part:
            if p.flags & (TCP_FIN | TCP_RST):
                raise ValueError(f"{self.name}: closes before its cut")
            nxt[p.dir] = max(nxt[p.dir], (p.rseq + p.plen) & M32)
        size = sum(16 + len(p.data) for p in part)
        return part, nxt, part[-1].t, size


def copy_real(part, t0, scale, caddr, cport, saddr, sport, patch, isn, ipid):
    """Yield (time, frame, b"") for a re-addressed copy of template packets;
    patch maps a spot's key to the bytes put there."""
    addr_sum = sum16(caddr) + sum16(saddr)
    flow_sum = addr_sum + bs16(cport) + bs16(sport)
    pack_ports = struct.Struct("!HH").pack_into
    pack_seqack = struct.Struct("!II").pack_into
    pack_le = struct.Struct("<H").pack_into
    pack_be = struct.Struct("!H").pack_into
    for p in part:
        buf = bytearray(p.data)
        ip, tcp = p.ip, p.tcp
        src, dst = (caddr, saddr) if p.dir == 0 else (saddr, caddr)
        if p.v6:
            buf[ip + 8:ip + 24] = src
            buf[ip + 24:ip + 40] = dst
        else:
            buf[ip + 12:ip + 16] = src
            buf[ip + 16:ip + 20] = dst
            i = ipid[p.dir] = (ipid[p.dir] + 1) & 0xFFFF
            pack_be(buf, ip + 4, i)
            pack_le(buf, ip + 10, fold(p.ipbase + addr_sum + bs16(i)))
        if p.dir == 0:
            pack_ports(buf, tcp, cport, sport)
        else:
            pack_ports(buf, tcp, sport, cport)
        seq = (p.rseq + isn[p.dir]) & M32
        ack = (p.rack + isn[1 - p.dir]) & M32 if p.rack is not None else 0
        pack_seqack(buf, tcp + 4, seq, ack)
        if p.names:
            for off, key, koff, n in p.names:
                buf[off:off + n] = patch[key][koff:koff + n]
            buf[tcp + 16:tcp + 18] = b"\0\0"
            s = sum16(buf[tcp:]) + addr_sum + bs16(6) + bs16(len(buf) - tcp)
            pack_le(buf, tcp + 16, fold(s))
        else:
            pack_le(buf, tcp + 16, fold(p.base + flow_sum + bs32(seq) + bs32(ack)))
        yield t0 + p.t * scale, buf, b""


class Segmenter:
    """TCP segments of one connection after the template part: headers made
    once per direction, patched per segment; checksums from partial sums."""

    def __init__(self, v6, macs, caddr, saddr, cport, sport, seq, ipid, tsval):
        self.v6 = v6
        self.seq = list(seq)
        self.ipid = list(ipid)
        self.hdr, self.ipbase, self.tcpbase = [], [], []
        smac, cmac = macs
        self.to = 54 if v6 else 34
        for d in (0, 1):
            src, dst = (caddr, saddr) if d == 0 else (saddr, caddr)
            sp, dp = (cport, sport) if d == 0 else (sport, cport)
            eth = (smac + cmac) if d == 0 else (cmac + smac)
            tcp = struct.pack("!HHIIBBHHH", sp, dp, 0, 0, 0x80, 0, 1024, 0, 0)
            tcp += struct.pack("!BBBBII", 1, 1, 8, 10, tsval[d], tsval[1 - d])
            if v6:
                ip = struct.pack("!IHBB", 0x60000000, 0, 6, 64) + src + dst
                self.ipbase.append(None)
                frame = eth + b"\x86\xdd" + ip + tcp
            else:
                ip = struct.pack("!BBHHHBBH", 0x45, 0, 0, 0, 0x4000, 64, 6, 0) + src + dst
                self.ipbase.append(sum16(ip))
                frame = eth + b"\x08\x00" + ip + tcp
            self.hdr.append(frame)
            self.tcpbase.append(sum16(tcp) + sum16(src) + sum16(dst) + bs16(6))
        self._be = struct.Struct("!H").pack_into
        self._le = struct.Struct("<H").pack_into
        self._sa = struct.Struct("!II").pack_into

    def seg(self, d, flags, payload=b"", psum=None):
        """The header of one segment from d (0 client, 1 server); the
        caller writes header + payload."""
        h = bytearray(self.hdr[d])
        n = len(payload)
        seglen = 32 + n
        to = self.to
        if self.v6:
            self._be(h, 18, seglen)
        else:
            total = 20 + seglen
            i = self.ipid[d] = (self.ipid[d] + 1) & 0xFFFF
            self._be(h, 16, total)
            self._be(h, 18, i)
            self._le(h, 24, fold(self.ipbase[d] + bs16(total) + bs16(i)))
        seq = self.seq[d]
        ack = self.seq[1 - d] if flags & TCP_ACK else 0
        self._sa(h, to + 4, seq, ack)
        h[to + 13] = flags
        if n and psum is None:
            psum = sum16(payload)
        s = self.tcpbase[d] + bs32(seq) + bs32(ack) + bs16(flags) + bs16(seglen)
        self._le(h, to + 16, fold(s + (psum or 0)))
        self.seq[d] = (seq + n + (1 if flags & (TCP_SYN | TCP_FIN) else 0)) & M32
        return h


class Payloads:
    """Random-looking application data with its sums computed once: full
    segments of the body of a record, and the first segment of a record of
    RECORD_SEGMENTS full segments (TLS header in front)."""

    def __init__(self, rng):
        self.rng = rng
        self.raw = [rng.randbytes(MSS) for _ in range(64)]
        self.body, self.head = {}, {}
        for mss in (MSS, MSS6):
            hdr = b"\x17\x03\x03" + struct.pack("!H", RECORD_SEGMENTS * mss - 5)
            self.body[mss] = [(c[:mss], sum16(c[:mss])) for c in self.raw]
            self.head[mss] = [(hdr + c[5:mss], sum16(hdr + c[5:mss])) for c in self.raw]

    def tls(self, size, mss):
        """(payload, sum) per segment of size bytes of TLS application data
        records (sum None: to be computed)."""
        rec = RECORD_SEGMENTS * mss
        full, rem = divmod(size, rec)
        if 0 < rem < 6:
            rem = 0
        pick = self.rng.randrange
        body, head = self.body[mss], self.head[mss]
        for _ in range(full):
            yield head[pick(64)]
            for _ in range(RECORD_SEGMENTS - 1):
                yield body[pick(64)]
        if rem:
            yield from self.stream(b"\x17\x03\x03" + struct.pack("!H", rem - 5), rem, mss)

    def http(self, size, mss):
        fmt = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n\r\n"
        body = max(0, size - len(fmt % 0))
        head = fmt % body
        if len(head) + body > max(size, len(fmt % 0)):  # one digit more
            body -= 1
            head = fmt % body
        return self.stream(head, len(head) + body, mss)

    def stream(self, head, size, mss):
        """head followed by random bytes, size in all, cut in segments."""
        pick = self.rng.randrange
        body = self.body[mss]
        at = 0
        while at < size:
            n = min(mss, size - at)
            c = self.raw[pick(64)]
            if at < len(head):
                k = len(head) - at
                chunk = head[at:at + n] + c[:n - k] if k < n else head[at:at + n]
                yield chunk, None
            elif n == mss:
                yield body[pick(64)]
            else:
                yield c[:n], None
            at += n


class RealWorld:
    """Clients, names and servers of the new shapes, and the addresses they
    have. A name lives on one server, by a fixed hash."""

    def __init__(self, rng, nclients, nnames):
        self.rng = rng
        self.nclients = nclients
        self.nservers = max(1, min(99999, int(nnames * SERVERS_PER_NAME)))
        names, seen = [], set()
        letters = "abcdefghijklmnopqrstuvwxyz"
        while len(names) < nnames:
            a = rng.randint(3, 6)
            b = len(TEMPLATE_NAME) - 5 - 1 - a
            n = ("".join(rng.choices(letters, k=a)) + "." +
                 "".join(rng.choices(letters, k=b)) + ".test").encode()
            if n not in seen:
                seen.add(n)
                names.append(n)
        self.names = names

    def server_of(self, name_index):
        return (name_index * 2654435761) % self.nservers

    @staticmethod
    def client_addr(c, v6):
        if v6:
            return b"\x20\x01\x0d\xb8\x00\x0c" + bytes(6) + struct.pack("!I", c + 1)
        return struct.pack("!I", 0x0A000100 + c)

    @staticmethod
    def server_addr(s, v6):
        if v6:
            return b"\x20\x01\x0d\xb8\x00\x05" + bytes(6) + struct.pack("!I", s + 1)
        return struct.pack("!I", 0xAC100100 + s)

    @staticmethod
    def mm_name(s):
        """The name on the certificate of a server that does not cover the
        names asked of it: as long as the template's other.example.test."""
        return b"h%05d.shared.test" % s


def dns_exchange(rng, t, v6, caddr, port, macs, name, queries):
    """One client socket's lookups: queries [(qtype, answer bytes or None)],
    each answered. Yields (time, frame, b"")."""
    smac, cmac = macs
    resolver = RESOLVER6 if v6 else RESOLVER
    qname = b"".join(bytes((len(label),)) + label for label in name.split(b".")) + b"\0"
    out = []
    for qtype, answer in queries:
        qid = rng.getrandbits(16)
        question = qname + struct.pack("!HH", qtype, 1)
        query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question
        reply = struct.pack("!HHHHHH", qid, 0x8180, 1, 1 if answer else 0, 0, 0) + question
        if answer:
            reply += struct.pack("!HHHIH", 0xC00C, qtype, 1, 300, len(answer)) + answer
        rtt = rng.uniform(0.0003, 0.02)
        for when, src, dst, sp, dp, body, mac in ((t, caddr, resolver, port, 53, query, smac + cmac),
                                                  (t + rtt, resolver, caddr, 53, port, reply,
                                                   cmac + smac)):
            udp_len = 8 + len(body)
            s = sum16(struct.pack("!HHHH", sp, dp, udp_len, 0) + body) + sum16(src) + sum16(dst)
            s += bs16(17) + bs16(udp_len)
            udp = struct.pack("!HHH", sp, dp, udp_len) + struct.pack("<H", fold(s) or 0xFFFF) + body
            if v6:
                ip = struct.pack("!IHBB", 0x60000000, udp_len, 17, 64) + src + dst
                frame = mac + b"\x86\xdd" + ip + udp
            else:
                ip = bytearray(struct.pack("!BBHHHBBH", 0x45, 0, 20 + udp_len, rng.getrandbits(16),
                                           0x4000, 64, 17, 0) + src + dst)
                struct.pack_into("<H", ip, 10, fold(sum16(ip)))
                frame = mac + b"\x08\x00" + bytes(ip) + udp
            out.append((when, frame, b""))
        t += rtt + rng.uniform(0.00002, 0.0003)
    return out, t


def dns_bytes(v6, queries):
    """Bytes in the file for dns_exchange's frames (16-byte record headers)."""
    base = 16 + 14 + (40 if v6 else 20) + 8 + 12 + len(TEMPLATE_NAME) + 2 + 4
    return sum(2 * base + (12 + len(a) if a else 0) for _, a in queries)


class Conn:
    __slots__ = ("kind", "tpl", "v6", "client", "name", "server", "t", "cut", "req", "resp",
                 "close", "lookup", "dns_v6", "cport", "small", "prefix_bytes")


class Lookup:
    __slots__ = ("client", "name", "t", "v6", "queries")


def real_shape(args):
    rng = random.Random(args.seed)
    handshakes = args.shape == "handshakes"
    target = int(args.size_mb * 1_000_000)

    def load(fname, index, patterns, keep_random=False, v6=False):
        path = os.path.join(args.templates, fname)
        try:
            conns = tcp_connections(read_pcap(path))
            packets = conns[index]
            if v6:
                packets = to_ipv6(packets)
            return RealTemplate(fname, packets, patterns, keep_random)
        except (OSError, ValueError, IndexError) as e:
            sys.exit(f"template {fname}: {e} (run pcaps/make-pcaps.sh and its siblings first)")

    # Templates per kind and family: [(template, weight)].
    tpls = {}
    for kind, entries in REAL_TEMPLATES.items():
        for fname, index, patterns, w in entries:
            keep = args.keylog is not None and kind in ("keyed", "resumed")
            t4 = load(fname, index, patterns, keep)
            if t4.v6:
                tpls.setdefault((kind, True), []).append((t4, w))
                continue
            tpls.setdefault((kind, False), []).append((t4, w))
            if kind not in ("tls13", "keyed"):  # those have a real IPv6 capture
                tpls.setdefault((kind, True), []).append((load(fname, index, patterns, keep, True),
                                                          w))
    tpls[("tls13", True)] = tpls.pop(("tls13v6", True))
    # Capture time: the hour after the latest template was captured, so
    # certificates made for the templates' day are valid (and the output
    # does not depend on the day it is made).
    start = 3600 * (int(max(t.t0 for ts in tpls.values() for t, _ in ts)) // 3600 + 1)
    if args.keylog:
        with open(args.keylog, "w") as out:
            for fname in KEYLOGS:
                with open(os.path.join(args.templates, fname)) as f:
                    out.write(f.read())

    # --- how many of everything ---------------------------------------------
    def plan(nflows):
        r = random.Random(args.seed)
        ntls = round(nflows * SHARES["tls"])
        nhttp = round(nflows * SHARES["http"])
        ndns = max(0, nflows - ntls - nhttp)
        nclients = max(1, round(nflows * CLIENTS_PER_FLOW))
        nnames = max(1, round(nflows * NAMES_PER_FLOW))
        world = RealWorld(r, nclients, nnames)

        kinds = []
        for k, share in TLS_KINDS.items():
            kinds += [k] * round(ntls * share)
        kinds = (kinds + ["tls12"] * ntls)[:ntls]
        kinds += ["http"] * nhttp
        r.shuffle(kinds)
        nconn = len(kinds)
        conns = []
        flags = [(i < round(nconn * IPV6_SHARE), i < round(nconn * LOOKUP_SHARE),
                  i < round(nconn * RESET_SHARE)) for i in range(nconn)]
        for f in range(3):  # shuffle each property independently
            col = [x[f] for x in flags]
            r.shuffle(col)
            flags = [tuple(col[i] if j == f else x[j] for j in range(3)) for i, x in enumerate(flags)]
        for kind, (v6, lookup, reset) in zip(kinds, flags):
            c = Conn()
            c.kind, c.v6, c.lookup, c.close = kind, v6, lookup, "rst" if reset else "fin"
            conns.append(c)
        nlookups = sum(c.lookup for c in conns)
        nstand = max(0, ndns - nlookups)
        lookups = []
        for _ in range(nstand):
            lk = Lookup()
            lk.v6 = False
            lookups.append(lk)
        # Which DNS flows travel over IPv6: their share of all DNS flows.
        dns6 = [i < round((nlookups + nstand) * IPV6_SHARE) for i in range(nlookups + nstand)]
        r.shuffle(dns6)
        for c, v in zip((c for c in conns if c.lookup), dns6):
            c.dns_v6 = v
        for lk, v in zip(lookups, dns6[nlookups:]):
            lk.v6 = v

        # Bursts of 1-6 items (a connection, with its lookup if it has one,
        # or a lookup alone) by one client; every client has at least one
        # when there are enough bursts.
        items = conns + lookups
        r.shuffle(items)
        sizes, weights = zip(*BURST_SIZES)
        bursts, at = [], 0
        while at < len(items):
            n = r.choices(sizes, weights)[0]
            bursts.append(items[at:at + n])
            at += n
        perm = list(range(nclients))
        r.shuffle(perm)
        duration = args.duration if args.duration else max(1.0, args.size_mb * SECONDS_PER_MB)
        starts = sorted(r.uniform(0, duration) for _ in bursts)
        ndraws = len(items)
        q = min(1.0, 0.85 * nnames / max(1, ndraws))
        order = list(range(nnames))
        r.shuffle(order)
        used = bytearray(nnames)
        nxt = [0]

        def draw_name():
            if r.random() < q:
                while nxt[0] < nnames and used[order[nxt[0]]]:
                    nxt[0] += 1
                if nxt[0] < nnames:
                    i = order[nxt[0]]
                    used[i] = 1
                    return i
            i = int(nnames ** r.random()) - 1  # log-uniform popularity
            used[i] = 1
            return i

        history = {}  # client -> TLS names it used, for resumption
        for b, (burst, t0) in enumerate(zip(bursts, starts)):
            client = perm[b] if b < nclients else r.randrange(nclients)
            t = start + t0
            for it in burst:
                it.client, it.t = client, t
                if isinstance(it, Conn) and it.kind == "resumed" and history.get(client):
                    it.name = r.choice(history[client])
                else:
                    it.name = draw_name()
                if isinstance(it, Conn) and it.kind != "http":
                    history.setdefault(client, []).append(it.name)
                t += r.uniform(0.002, 0.25)

        # Certificates that do not cover the name: whole names (a name is
        # always served the same way), picked until 6% of the TLS 1.2
        # connections are to them.
        per_name = {}
        for c in conns:
            if c.kind == "tls12":
                per_name[c.name] = per_name.get(c.name, 0) + 1
        want = round(MISMATCH_SHARE * sum(per_name.values()))
        names_mm = set()
        got = 0
        for i in order:
            k = per_name.get(i, 0)
            if k and got + k <= want:
                names_mm.add(i)
                got += k
            if got >= want:
                break
        for c in conns:
            if c.kind == "tls12" and c.name in names_mm:
                c.kind = "tls12mm"

        # Templates, cuts and application data sizes.
        nsmall = 0
        for c in conns:
            c.server = world.server_of(c.name)
            kind = c.kind
            if kind == "tls13" and args.keylog and not c.v6 and r.random() < 0.5:
                kind = "keyed"
            cands = tpls[(kind, c.v6)]
            c.tpl = cands[0][0] if len(cands) == 1 else r.choices([t for t, _ in cands],
                                                                  [w for _, w in cands])[0]
            if handshakes:
                c.req = kind == "http" or r.random() < 0.5
            else:
                c.req = kind == "http" or r.random() < 0.95
            c.cut = "req" if c.req and "req" in c.tpl.cuts else "hs"
            c.prefix_bytes = c.tpl.cuts[c.cut][3]
            c.small = handshakes or not c.req or r.random() < (SMALL_SHARE - 0.05) / 0.95
            if c.small:
                nsmall += 1
                c.resp = int(math.exp(r.uniform(math.log(150), math.log(SMALL_MAX)))) if c.req else 0
            else:
                c.resp = r.random()  # the tail's quantile, sized below
            c.cport = None
        return dict(conns=conns, lookups=lookups, world=world, bursts=bursts, start=start,
                    duration=duration, nclients=nclients, nnames=nnames)

    def close_bytes(c):
        hdr = 16 + 14 + (40 if c.v6 else 20) + 32
        n = 4 * hdr  # FIN, FIN, ACK, and the client's alert or an ACK
        if c.tpl.tls:
            n += 31
        if c.req and c.cut == "hs":
            n += hdr + 300  # a request made up
        return n

    def resp_bytes(size, v6):
        mss = MSS6 if v6 else MSS
        hdr = 16 + 14 + (40 if v6 else 20) + 32
        segs = -(-size // mss)
        return size + segs * hdr + (segs + 1) // 2 * hdr

    def fixed_bytes(p):
        n = 24
        for c in p["conns"]:
            n += c.prefix_bytes + close_bytes(c)
            if c.small:
                n += resp_bytes(c.resp, c.v6)
            if c.lookup:
                n += dns_bytes(c.dns_v6, [(1, b"1234")])
                n += dns_bytes(c.dns_v6, [(28, bytes(16))]) * (1 if c.v6 else 0.6)
        for lk in p["lookups"]:
            n += dns_bytes(lk.v6, [(1, b"1234")]) + 0.6 * dns_bytes(lk.v6, [(28, b"")])
        return int(n)

    if args.flows:
        nflows = args.flows
    elif handshakes:
        # As many flows as fill the size: the bytes per flow of a pilot plan.
        pilot = max(2000, int(args.size_mb * 20))
        per = fixed_bytes(plan(pilot)) / pilot
        nflows = max(10, int(target / per))
    else:
        nflows = max(10, int(args.size_mb * MIXED_FLOWS_PER_MB))
    p = plan(nflows)
    conns, lookups = p["conns"], p["lookups"]

    # Application data of the tail: a shifted Pareto, scaled so the whole
    # capture comes to the size asked for (handshakes: no tail at all).
    fixed = fixed_bytes(p)
    tail = [c for c in conns if not c.small]
    if tail:
        budget = target - fixed
        raw = [(c, (1 - c.resp) ** (-1 / PARETO_ALPHA) - 1) for c in tail]

        def total(xm):
            return sum(resp_bytes(min(TRANSFER_CAP, SMALL_MAX + 1 + int(xm * x)), c.v6)
                       for c, x in raw)
        lo, hi = 0.0, 1.0
        while total(hi) < budget and hi < 1e9:
            hi *= 2
        for _ in range(40):
            mid = (lo + hi) / 2
            if total(mid) < budget:
                lo = mid
            else:
                hi = mid
        p["tail_fits"] = budget > total(0)
        if not p["tail_fits"]:
            print(f"note: {len(conns) + len(lookups)} flows need {fixed + total(0)} bytes "
                  f"without bulk data; the capture is larger than {target} and has no "
                  f"heavy tail", file=sys.stderr)
        for c, x in raw:
            c.resp = min(TRANSFER_CAP, SMALL_MAX + 1 + int(lo * x))
    else:
        if handshakes and args.flows and fixed > 1.2 * target:
            print(f"note: --flows {args.flows} makes {fixed} bytes", file=sys.stderr)

    write_real(args, p, rng, handshakes)


def write_real(args, p, rng, handshakes):
    conns, lookups, world = p["conns"], p["lookups"], p["world"]
    payloads = Payloads(random.Random(args.seed + 1))
    next_port = {}

    def port(client):
        q = next_port.get(client)
        if q is None:
            q = rng.randint(32768, 60999)
        q += rng.randint(1, 3)
        if q > 60999:
            q = 32768 + (q - 61000)
        next_port[client] = q
        return q

    def queries_for(c_v6, server, lookup_v6_answer=True):
        qs = [(1, world.server_addr(server, False))]
        if c_v6 or rng.random() < 0.6:
            qs.append((28, world.server_addr(server, True) if lookup_v6_answer else None))
        return qs

    stats = dict(resets=0, resp_bytes=0, queries=0)

    def lookup_flow(lk):
        server = world.server_of(lk.name)
        caddr = world.client_addr(lk.client, lk.v6)
        qs = queries_for(False, server, rng.random() < 0.7)
        stats["queries"] += len(qs)
        frames, _ = dns_exchange(rng, lk.t, lk.v6, caddr, rng.randint(32768, 60999),
                                 macs, world.names[lk.name], qs)
        yield from frames

    macs = conns[0].tpl.macs if conns else (bytes(6), bytes(6))

    def conn_flow(c):
        tpl = c.tpl
        name = world.names[c.name]
        t = c.t
        if c.lookup:
            caddr_d = world.client_addr(c.client, c.dns_v6)
            qs = queries_for(c.v6, c.server)
            stats["queries"] += len(qs)
            frames, t = dns_exchange(rng, t, c.dns_v6, caddr_d, rng.randint(32768, 60999),
                                     tpl.macs, name, qs)
            yield from frames
            t += rng.uniform(0.0001, 0.002)
        caddr = world.client_addr(c.client, c.v6)
        saddr = world.server_addr(c.server, c.v6)
        cport = port(c.client)
        sport = 80 if c.kind == "http" else 443
        part, nxt, tend, _ = tpl.cuts[c.cut]
        patch = {"name": name, "hostport": name + b"     ", "crand": rng.randbytes(32),
                 "mmname": world.mm_name(c.server)}
        isn = [rng.getrandbits(32), rng.getrandbits(32)]
        ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        scale = rng.uniform(1, 4)
        last = t
        for when, frame, _ in copy_real(part, t, scale, caddr, cport, saddr, sport, patch, isn,
                                        ipid):
            last = when
            yield when, frame, b""
        t = last
        ts = [tpl.tsval[0] or rng.getrandbits(32), tpl.tsval[1] or rng.getrandbits(32)]
        sg = Segmenter(c.v6, tpl.macs, caddr, saddr, cport, sport,
                       ((isn[0] + nxt[0]) & M32, (isn[1] + nxt[1]) & M32), ipid, ts)
        rtt = rng.uniform(0.0005, 0.06)
        mss = MSS6 if c.v6 else MSS
        if c.req and c.cut == "hs":
            # The template has no request of its own: one made up.
            n = rng.randint(120, 500)
            body = b"\x17\x03\x03" + struct.pack("!H", n - 5) + rng.randbytes(n - 5)
            t += rng.uniform(0.0001, 0.002)
            yield t, sg.seg(0, TCP_ACK | TCP_PSH, body), body
        size = c.resp
        reset_mid = c.close == "rst" and rng.random() < 0.4 and size > 2 * mss
        if reset_mid:
            size = rng.randint(mss, size)
        if size:
            t += rng.expovariate(1 / 0.02) + rtt / 2
            gap = mss * 8 / rng.uniform(20e6, 400e6)
            segs = payloads.tls(size, mss) if tpl.tls else payloads.http(size, mss)
            k = 0
            for payload, psum in segs:
                k += 1
                t += gap
                yield t, sg.seg(1, TCP_ACK | (TCP_PSH if len(payload) < mss else 0), payload,
                                psum), payload
                if k & 1 == 0:
                    yield t + 0.00002, sg.seg(0, TCP_ACK), b""
            if k & 1:
                yield t + rtt / 2, sg.seg(0, TCP_ACK), b""
            stats["resp_bytes"] += size
        if c.close == "rst":
            stats["resets"] += 1
            t += rtt / 2 if reset_mid else rng.uniform(0.001, 0.5)
            yield t, sg.seg(1 if reset_mid else 0, TCP_RST | TCP_ACK), b""
            return
        # Idle a while (kept alive), then the client's close_notify and the
        # FINs; who closes first varies.
        if handshakes or rng.random() < 0.6:
            t += rng.uniform(0.0005, 0.2)
        else:
            t += min(30.0, rng.expovariate(1 / 3.0))
        if tpl.tls:
            n = 31 if tpl.kind_close == b"\x15" else 24
            alert = tpl.kind_close + b"\x03\x03" + struct.pack("!H", n - 5) + rng.randbytes(n - 5)
            yield t, sg.seg(0, TCP_ACK | TCP_PSH, alert), alert
            t += rtt / 2
        first = 0 if rng.random() < 0.7 else 1
        yield t, sg.seg(first, TCP_FIN | TCP_ACK), b""
        t += rtt / 2
        yield t, sg.seg(1 - first, TCP_FIN | TCP_ACK), b""
        t += rtt / 2
        yield t, sg.seg(first, TCP_ACK), b""

    items = sorted([(c.t, i, c) for i, c in enumerate(conns)] +
                   [(lk.t, len(conns) + i, lk) for i, lk in enumerate(lookups)],
                   key=lambda x: (x[0], x[1]))
    out = PcapWriter(args.output)
    heap, serial = [], 0
    last_report = 0
    at = 0
    while at < len(items) or heap:
        while at < len(items) and (not heap or items[at][0] <= heap[0][0]):
            _, _, it = items[at]
            at += 1
            gen = conn_flow(it) if isinstance(it, Conn) else lookup_flow(it)
            first = next(gen, None)
            if first is not None:
                serial += 1
                heapq.heappush(heap, (first[0], serial, first[1], first[2], gen))
        when, k, frame, payload, gen = heapq.heappop(heap)
        out.write(when, frame, payload)
        nxt = next(gen, None)
        if nxt is not None:
            heapq.heappush(heap, (max(nxt[0], when), k, nxt[1], nxt[2], gen))
        if out.bytes - last_report >= 100_000_000:
            last_report = out.bytes
            print(f"  {out.bytes // 1_000_000} MB", file=sys.stderr)
    out.close()

    # --- what came out -----------------------------------------------------------
    kinds = {}
    for c in conns:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    ntcp = len(conns)
    ndns = len(lookups) + sum(c.lookup for c in conns)
    flows = ntcp + ndns
    v6flows = sum(c.v6 for c in conns) + sum(lk.v6 for lk in lookups) + \
        sum(c.dns_v6 for c in conns if c.lookup)
    clients = set(c.client for c in conns) | set(lk.client for lk in lookups)
    names = set(c.name for c in conns) | set(lk.name for lk in lookups)
    servers = set(c.server for c in conns)
    tls12 = kinds.get("tls12", 0) + kinds.get("tls12mm", 0)
    tls = ntcp - kinds.get("http", 0)
    split = kinds.get("split", 0) + kinds.get("cut", 0)
    app = sorted(c.resp for c in conns)
    counts = {
        "shape": args.shape, "seed": args.seed, "size_mb": args.size_mb,
        "file_bytes": out.bytes, "packets": out.packets,
        "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(p["start"])),
        "duration_s": round(p["duration"], 1),
        "flows": flows, "tcp_connections": ntcp,
        "tls": tls, "tls12": tls12, "tls13": tls - tls12,
        "tls13_resumed": kinds.get("resumed", 0),
        "tls12_certificate_mismatch": kinds.get("tls12mm", 0),
        "tls12_distinct_leaf_certificates": len(
            set((c.tpl.name, c.name) for c in conns if c.kind == "tls12") |
            set(("mm", c.server) for c in conns if c.kind == "tls12mm")),
        "share_certificates_mismatch": round(kinds.get("tls12mm", 0) / max(1, tls12), 4),
        "clienthello_split": split, "clienthello_cut_in_sni": kinds.get("cut", 0),
        "share_clienthello_split": round(split / max(1, tls), 4),
        "http": kinds.get("http", 0),
        "dns_lookups": ndns, "dns_queries": stats["queries"],
        "connections_after_lookup": sum(c.lookup for c in conns),
        "share_connections_after_lookup": round(sum(c.lookup for c in conns) / max(1, ntcp), 4),
        "clients": len(clients), "bursts": len(p["bursts"]), "names": len(names),
        "servers": len(servers),
        "share_flows_ipv6": round(v6flows / max(1, flows), 4),
        "share_packets_ipv6": round(out.v6 / max(1, out.packets), 4),
        "resets": stats["resets"], "share_connections_reset": round(stats["resets"] / max(1, ntcp), 4),
        "share_packets_le_90_bytes": round(out.small / max(1, out.packets), 4),
        "share_bytes_in_full_frames": round(out.full_bytes / max(1, out.frame_bytes), 4),
        "app_data_bytes": stats["resp_bytes"],
        "share_connections_app_data_under_2kb": round(sum(1 for a in app if a < 2048) / max(1, ntcp), 4),
        "app_data_median_bytes": app[len(app) // 2] if app else 0,
        "app_data_max_bytes": app[-1] if app else 0,
        "connections_app_data_over_1mb": sum(1 for a in app if a > 1_000_000),
        "keylog": bool(args.keylog),
    }
    if "tail_fits" in p:
        counts["heavy_tail_fits_in_size"] = p["tail_fits"]
    write_counts(args, counts)


def write_counts(args, counts):
    """Print the realised counts and write them as NAME.json beside the capture."""
    path = args.json or os.path.splitext(args.output)[0] + ".json"
    with open(path, "w") as f:
        json.dump(counts, f, indent=1)
        f.write("\n")
    width = max(len(k) for k in counts)
    print(f"{args.output}:", file=sys.stderr)
    for k, v in counts.items():
        print(f"  {k:<{width}}  {v}", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output")
    ap.add_argument("size_mb", nargs="?", type=float, default=None,
                    help="size in MB (default: 1000 for mixed and bulk, 200 for handshakes)")
    ap.add_argument("--shape", choices=("mixed", "handshakes", "bulk", "old-handshakes"),
                    help="default: bulk")
    ap.add_argument("--handshake-heavy", action="store_true", help="the same as --shape handshakes")
    ap.add_argument("--flows", type=int, metavar="N",
                    help="mixed and handshakes: flows (TCP connections and DNS lookups); "
                         "default 200 per MB for mixed, as many as fill the size for handshakes")
    ap.add_argument("--duration", type=float, metavar="S",
                    help="mixed and handshakes: seconds the connections start over "
                         f"(default {SECONDS_PER_MB} per MB)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--templates", default=os.path.join(HERE, "..", "pcaps"))
    ap.add_argument("--json", metavar="PATH", help="where the counts go (default: OUTPUT.json)")
    ap.add_argument("--keylog", metavar="KEYS",
                    help="bulk: also copy TLS 1.3 handshakes whose key logs are in pcaps/tls13/ "
                         "(as many as of tls13.pcap); mixed and handshakes: half the full TLS 1.3 "
                         "handshakes over IPv4 and every resumed one keep a client random of "
                         "pcaps/tls13/; and write their keys to KEYS")
    args = ap.parse_args()
    if args.handshake_heavy:
        if args.shape not in (None, "handshakes"):
            ap.error("--handshake-heavy is --shape handshakes")
        args.shape = "handshakes"
    args.shape = args.shape or "bulk"
    if args.size_mb is None:
        args.size_mb = 200 if args.shape == "handshakes" else 1000
    if args.shape in ("mixed", "handshakes"):
        real_shape(args)
    else:
        main_old(args)


if __name__ == "__main__":
    main()
