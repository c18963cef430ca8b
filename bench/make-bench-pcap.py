#!/usr/bin/python3
"""Build a large, realistic capture for benchmarks from the small real ones.

The TLS and HTTP captures in pcaps/ serve as templates: each connection in
the output is a re-addressed copy of a real handshake (new client and
server addresses, ports, initial sequence numbers, and a new server name
of the same length patched into the SNI / Host / CONNECT line). Between
them run bulk downloads (full 1448-byte segments after a real TLS
handshake, or picked up mid-stream without one), DNS lookups whose answers
point at the server the client then connects to, refused and unanswered
connections. All checksums are correct and timestamps never go backwards.

Two shapes:
  default            most bytes are bulk data: what a busy link looks like,
                     and what a tracer must skip cheaply
  --handshake-heavy  almost only handshakes: the parsing cost per connection

usage: make-bench-pcap.py [--handshake-heavy] [--seed N] [--templates DIR] [--keylog KEYS]
                          OUTPUT [SIZE_MB]      (SIZE_MB defaults to 1000)

Speed: templates and headers are prepared once; per packet only addresses,
ports, sequence numbers and checksums are patched, the checksums updated
from precomputed partial sums, so 1 GB takes well under two minutes.
"""

import argparse
import heapq
import os
import random
import struct
import sys
from array import array

M32 = 0xFFFFFFFF
TCP_FIN, TCP_SYN, TCP_RST, TCP_PSH, TCP_ACK = 0x01, 0x02, 0x04, 0x08, 0x10
MSS = 1448  # payload of a full segment on a 1500-byte MTU with TCP timestamps
TEMPLATE_NAME = b"www.example.test"
START_TIME = 1768478400  # 2026-01-15T12:00:00Z: fixed, so runs compare

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
        self._rec = struct.Struct("<IIII").pack

    def write(self, t, *parts):
        n = sum(len(p) for p in parts)
        usec = int(t * 1e6)
        self.f.write(self._rec(usec // 1000000, usec % 1000000, n, n))
        for p in parts:
            self.f.write(p)
        self.bytes += 16 + n
        self.packets += 1

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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("output")
    ap.add_argument("size_mb", nargs="?", type=float, default=1000)
    ap.add_argument("--handshake-heavy", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--templates", default=os.path.join(HERE, "..", "pcaps"))
    ap.add_argument("--keylog", metavar="KEYS",
                    help="also copy TLS 1.3 handshakes whose key logs are in pcaps/tls13/ "
                         "(as many as of tls13.pcap) and write their keys to KEYS")
    args = ap.parse_args()
    if args.keylog:
        TLS_TEMPLATES.extend(KEYED_TEMPLATES)
        with open(args.keylog, "w") as out:
            for fname, _, _ in KEYED_TEMPLATES:
                with open(os.path.join(args.templates, fname[:-len(".pcap")] + ".keys")) as f:
                    out.write(f.read())

    rng = random.Random(args.seed)
    mix = MIXES["handshake" if args.handshake_heavy else "bulk"]
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

    def new_flow(t):
        kind = rng.choices(kinds, kind_w)[0]
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


if __name__ == "__main__":
    main()
