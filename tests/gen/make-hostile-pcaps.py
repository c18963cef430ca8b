#!/usr/bin/python3
"""Write pcaps/hostile/*.pcap: damaged and unusual traffic, one capture per
case, the same bytes on every run (fixed addresses, ports, sequence
numbers, randoms and timestamps).

usage: tests/gen/make-hostile-pcaps.py [OUTDIR]     (default: pcaps/hostile)

Real clients and servers do not send most of this (a ClientHello broken in
a later extension, a 300-byte SNI, DNS records cut off mid-way, an IPv6
payload length of 0 with a TCP header after it), so those packets are
built here field by field, with correct IP, TCP and UDP checksums.  The
VLAN capture is pcaps/tls13.pcap (curl and openssl s_server) with eight
802.1ad/802.1Q tags put into every frame, as pcaps/convert.py does for one
or two.  pcaps/hostile/README.md says what each capture shows.

Standard library only: struct for the headers, classic pcap (microsecond
timestamps, little-endian, Ethernet).
"""

import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PCAPS = os.path.join(HERE, "..", "..", "pcaps")

T0 = 1795622400  # 2026-11-25T16:00:00Z, the day of the other captures
CLIENT_MAC = bytes.fromhex("020000000001")
SERVER_MAC = bytes.fromhex("020000000002")
CLIENT4, DNS4 = "192.0.2.1", "192.0.2.53"
CLIENT6, SERVER6 = "2001:db8::1", "2001:db8::2"

ETH_IPV4, ETH_IPV6, ETH_8021Q, ETH_8021AD = 0x0800, 0x86DD, 0x8100, 0x88A8
PROTO_TCP, PROTO_UDP = 6, 17
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

# ---- pcap ------------------------------------------------------------------


class Pcap:
    """Records in time order; every packet is 1 ms after the one before
    unless told otherwise."""

    def __init__(self, start=T0):
        self.usec = start * 1000000
        self.records = []

    def add(self, frame, gap_usec=1000, orig=None):
        self.usec += gap_usec
        self.records.append((self.usec, frame, len(frame) if orig is None else orig))

    def write(self, path):
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
            for usec, frame, orig in self.records:
                f.write(struct.pack("<IIII", usec // 1000000, usec % 1000000, len(frame), orig))
                f.write(frame)


# ---- IP, TCP, UDP ----------------------------------------------------------


def ip4(text):
    return bytes(int(x) for x in text.split("."))


def ip6(text):
    head, _, tail = text.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    return struct.pack("!8H", *(h + [0] * (8 - len(h) - len(t)) + t))


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def with_checksum(segment, offset, pseudo):
    c = checksum(pseudo + segment)
    return segment[:offset] + struct.pack("!H", c) + segment[offset + 2:]


def ipv4_packet(src, dst, proto, payload, ident=1):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0,
                      ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return hdr + payload


def ipv6_packet(src, dst, nh, payload, plen=None):
    n = len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 0x60000000, n, nh, 64, ip6(src), ip6(dst)) + payload


def pseudo4(src, dst, proto, n):
    return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, n)


def pseudo6(src, dst, nh, n):
    return ip6(src) + ip6(dst) + struct.pack("!IxxxB", n, nh)


def tcp_segment(sport, dport, seq, ack, flags, data, pseudo):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0) + data
    return with_checksum(seg, 16, pseudo(len(seg)))


def udp_datagram(sport, dport, data, pseudo):
    d = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    return with_checksum(d, 6, pseudo(len(d)))


def ethernet(src_mac, dst_mac, ethertype, payload):
    return dst_mac + src_mac + struct.pack("!H", ethertype) + payload


class Tcp:
    """One TCP connection over IPv4 or IPv6, sequence numbers tracked per
    side: c() for the client's segments, s() for the server's."""

    def __init__(self, cap, client, cport, server, sport, v6=False):
        self.cap, self.v6 = cap, v6
        self.ends = {"c": (client, cport, CLIENT_MAC), "s": (server, sport, SERVER_MAC)}
        self.seq = {"c": 1000000, "s": 2000000}

    def send(self, side, flags, data=b"", gap=1000):
        other = "s" if side == "c" else "c"
        (src, sp, smac), (dst, dp, dmac) = self.ends[side], self.ends[other]
        ack = self.seq[other] if flags & ACK else 0
        if self.v6:
            seg = tcp_segment(sp, dp, self.seq[side], ack, flags, data,
                              lambda n: pseudo6(src, dst, PROTO_TCP, n))
            frame = ethernet(smac, dmac, ETH_IPV6, ipv6_packet(src, dst, PROTO_TCP, seg))
        else:
            seg = tcp_segment(sp, dp, self.seq[side], ack, flags, data,
                              lambda n: pseudo4(src, dst, PROTO_TCP, n))
            frame = ethernet(smac, dmac, ETH_IPV4, ipv4_packet(src, dst, PROTO_TCP, seg))
        self.seq[side] += len(data) + (1 if flags & (SYN | FIN) else 0)
        self.cap.add(frame, gap)

    def handshake(self):
        self.send("c", SYN)
        self.send("s", SYN | ACK)
        self.send("c", ACK)

    def c(self, data, flags=PSH | ACK):
        self.send("c", flags, data)

    def s(self, data, flags=PSH | ACK):
        self.send("s", flags, data)

    def close(self, first="c"):
        second = "s" if first == "c" else "c"
        self.send(first, FIN | ACK)
        self.send(second, FIN | ACK)
        self.send(first, ACK)


def udp4(cap, src, sport, dst, dport, data, gap=1000):
    smac, dmac = (CLIENT_MAC, SERVER_MAC) if src == CLIENT4 else (SERVER_MAC, CLIENT_MAC)
    d = udp_datagram(sport, dport, data, lambda n: pseudo4(src, dst, PROTO_UDP, n))
    cap.add(ethernet(smac, dmac, ETH_IPV4, ipv4_packet(src, dst, PROTO_UDP, d)), gap)


# ---- TLS -------------------------------------------------------------------


def u8(v):
    return struct.pack("!B", v)


def u16(v):
    return struct.pack("!H", v)


def u24(v):
    return struct.pack("!I", v)[1:]


def ext(kind, data):
    return u16(kind) + u16(len(data)) + data


def sni_ext(name):
    entry = u8(0) + u16(len(name)) + name
    return ext(0, u16(len(entry)) + entry)


def alpn_ext(names):
    body = b"".join(u8(len(n)) + n for n in names)
    return ext(16, u16(len(body)) + body)


KEY = bytes(range(32))  # a fixed X25519 share: the bytes are never used
COMMON_EXTS = [
    ext(11, bytes.fromhex("0100")),  # ec_point_formats: uncompressed
    ext(10, bytes.fromhex("0006 001d 0017 0018")),  # supported_groups
    ext(13, bytes.fromhex("0008 0403 0804 0401 0503")),  # signature_algorithms
]
SUPPORTED_VERSIONS = ext(43, bytes.fromhex("04 0304 0303"))
KEY_SHARE = ext(51, u16(36) + u16(0x001D) + u16(32) + KEY)
# client_shares says 256 bytes follow; the extension holds 36
KEY_SHARE_OVERRUN = ext(51, u16(256) + u16(0x001D) + u16(32) + KEY)
SUITES = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC030]


def client_hello(exts):
    body = (u16(0x0303) + bytes(range(0x40, 0x60)) + u8(32) + bytes(range(0x60, 0x80)) +
            u16(2 * len(SUITES)) + b"".join(u16(s) for s in SUITES) + bytes.fromhex("0100") +
            u16(len(exts)) + exts)
    hs = u8(1) + u24(len(body)) + body
    return bytes.fromhex("160301") + u16(len(hs)) + hs


def hello_with(name, alpn=(b"h2", b"http/1.1")):
    return client_hello(sni_ext(name) + b"".join(COMMON_EXTS) + alpn_ext(alpn) +
                        SUPPORTED_VERSIONS + KEY_SHARE)


def alert(description):
    return bytes.fromhex("150303 0002 02") + u8(description)


DECODE_ERROR, UNRECOGNIZED_NAME = 50, 112


def tls_refused_by_alert(cap, server, cport, hello, description):
    """The client's hello, the server's fatal alert, both close."""
    c = Tcp(cap, CLIENT4, cport, server, 443)
    c.handshake()
    c.c(hello)
    c.s(alert(description))
    c.close(first="s")


# ---- DNS -------------------------------------------------------------------


def dns_name(name):
    return b"".join(u8(len(label)) + label.encode() for label in name.split(".")) + b"\0"


def dns_question(name, qtype=1):
    return dns_name(name) + u16(qtype) + u16(1)


def a_record(addr, ttl=300):
    return u16(0xC00C) + u16(1) + u16(1) + struct.pack("!I", ttl) + u16(4) + ip4(addr)


def dns_message(ident, flags, qname, ancount, answers=b""):
    return struct.pack("!6H", ident, flags, 1, ancount, 0, 0) + dns_question(qname) + answers


QUERY_FLAGS = 0x0100  # RD
ANSWER_FLAGS = 0x8580  # QR, AA, RD, RA
TC = 0x0200


def dns_lookup(cap, cport, ident, qname, response):
    udp4(cap, CLIENT4, cport, DNS4, 53, dns_message(ident, QUERY_FLAGS, qname, 0))
    udp4(cap, DNS4, 53, CLIENT4, cport, response)


def http_get(cap, server, cport, head, port=80):
    """An HTTP request and a short answer; the client closes."""
    c = Tcp(cap, CLIENT4, cport, server, port)
    c.handshake()
    c.c(head)
    c.s(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    c.close(first="s")


# ---- the captures ------------------------------------------------------------


def tls_hello_bad_extension():
    """SNI, point formats, groups, signature algorithms, ALPN and
    supported_versions intact; key_share claims 256 bytes of shares and
    holds 36.  OpenSSL answers such a hello with decode_error."""
    cap = Pcap()
    exts = (sni_ext(b"bad-ext.example.test") + b"".join(COMMON_EXTS) +
            alpn_ext([b"h2", b"http/1.1"]) + SUPPORTED_VERSIONS + KEY_SHARE_OVERRUN)
    tls_refused_by_alert(cap, "198.51.100.50", 40050, client_hello(exts), DECODE_ERROR)
    return cap


def dns_tc_then_tcp():
    """A UDP answer with TC set and the original counts (3 answers), cut
    after two whole records inside the third; the client asks again over
    TCP and gets all three; then HTTP/1.0 without Host to the first."""
    cap = Pcap()
    name = "tc.example.test"
    cut = (a_record("198.51.100.71") + a_record("198.51.100.72") + a_record("198.51.100.73"))[:-7]
    dns_lookup(cap, 40071, 0x7101, name, dns_message(0x7101, ANSWER_FLAGS | TC, name, 3, cut))
    whole = dns_message(0x7102, ANSWER_FLAGS, name, 3,
                        a_record("198.51.100.71") + a_record("198.51.100.72") +
                        a_record("198.51.100.73"))
    t = Tcp(cap, CLIENT4, 40072, DNS4, 53)
    t.handshake()
    query = dns_message(0x7102, QUERY_FLAGS, name, 0)
    t.c(u16(len(query)) + query)
    t.s(u16(len(whole)) + whole)
    t.close()
    http_get(cap, "198.51.100.71", 40073, b"GET / HTTP/1.0\r\n\r\n")
    return cap


def dns_absurd_counts():
    """An answer claiming 65535 records that holds two; then a connection
    to the second address, refused."""
    cap = Pcap()
    name = "counts.example.test"
    answers = a_record("198.51.100.81") + a_record("198.51.100.82")
    dns_lookup(cap, 40081, 0x8101, name, dns_message(0x8101, ANSWER_FLAGS, name, 65535, answers))
    c = Tcp(cap, CLIENT4, 40082, "198.51.100.82", 443)
    c.send("c", SYN)
    c.send("s", RST | ACK)
    return cap


def dns_cut_rdata():
    """Two A records; the message ends two bytes into the second one's
    address.  Then HTTP/1.0 without Host to the first address."""
    cap = Pcap()
    name = "cut.example.test"
    answers = (a_record("198.51.100.91") + a_record("198.51.100.92"))[:-2]
    dns_lookup(cap, 40091, 0x9101, name, dns_message(0x9101, ANSWER_FLAGS, name, 2, answers))
    http_get(cap, "198.51.100.91", 40092, b"GET / HTTP/1.0\r\n\r\n")
    return cap


LONG_NAME = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 63, "example", "test"])  # 269 bytes


def names_long_sni():
    """A well-formed ClientHello whose SNI is 269 bytes long; OpenSSL
    refuses names over 255 bytes with unrecognized_name."""
    cap = Pcap()
    tls_refused_by_alert(cap, "198.51.100.101", 40101, hello_with(LONG_NAME.encode()),
                         UNRECOGNIZED_NAME)
    return cap


def names_long_host():
    """HTTP/1.1 with a Host of 269 bytes (curl -H 'Host: ...' sends such)."""
    cap = Pcap()
    http_get(cap, "198.51.100.102", 40102,
             b"GET / HTTP/1.1\r\nHost: " + LONG_NAME.encode() + b"\r\nAccept: */*\r\n\r\n")
    return cap


def names_sni_not_utf8():
    """An SNI in Latin-1 ("caf\\xe9.example.test"), not UTF-8 and not an
    A-label: what a client that skips IDNA sends."""
    cap = Pcap()
    tls_refused_by_alert(cap, "198.51.100.103", 40103, hello_with(b"caf\xe9.example.test"),
                         UNRECOGNIZED_NAME)
    return cap


def names_host_nul():
    """HTTP/1.1 whose Host holds a NUL: www.example.test\\0.evil.test."""
    cap = Pcap()
    http_get(cap, "198.51.100.104", 40104,
             b"GET / HTTP/1.1\r\nHost: www.example.test\x00.evil.test\r\nAccept: */*\r\n\r\n")
    return cap


def tags(n, inner_type):
    """n tags: an 802.1ad S-tag first, then 802.1Q C-tags, VLANs 100, 11,
    12, ...; inner_type after the last."""
    out = b""
    for i in range(n):
        tpid = ETH_8021AD if i == 0 else ETH_8021Q
        out += u16(tpid) + u16(100 if i == 0 else 10 + i)
    return out + u16(inner_type)


def vlan_8_tags():
    """pcaps/tls13.pcap with eight tags in every frame; at the end one
    frame under 40 tags, past what snitrace follows."""
    cap = Pcap()
    with open(os.path.join(PCAPS, "tls13.pcap"), "rb") as f:
        data = f.read()
    off = 24
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ethertype = struct.unpack("!H", frame[12:14])[0]
        cap.records.append((sec * 1000000 + usec, frame[:12] + tags(8, ethertype)[:-2] +
                            frame[12:], orig + 32))
    cap.usec = cap.records[-1][0]
    seg = udp_datagram(40110, 9, b"deep", lambda n: pseudo4(CLIENT4, "198.51.100.110", PROTO_UDP, n))
    deep = ipv4_packet(CLIENT4, "198.51.100.110", PROTO_UDP, seg)
    cap.add(SERVER_MAC + CLIENT_MAC + tags(40, ETH_IPV4) + deep)
    return cap


def ipv6_payload_length_0():
    """An IPv6 packet whose payload length is 0 with a TCP SYN after its
    header (to port 443), which must not be read; then a real SYN to port
    80, refused."""
    cap = Pcap()
    seg = tcp_segment(40120, 443, 3000000, 0, SYN, b"",
                      lambda n: pseudo6(CLIENT6, SERVER6, PROTO_TCP, n))
    cap.add(ethernet(CLIENT_MAC, SERVER_MAC, ETH_IPV6,
                     ipv6_packet(CLIENT6, SERVER6, PROTO_TCP, seg, plen=0)))
    c = Tcp(cap, CLIENT6, 40121, SERVER6, 80, v6=True)
    c.send("c", SYN)
    c.send("s", RST | ACK)
    return cap


def read_pcap(path):
    """(usec, frame) of every record of a classic little-endian pcap."""
    with open(os.path.join(PCAPS, path), "rb") as f:
        data = f.read()
    off, out = 24, []
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        out.append((sec * 1000000 + usec, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def tcp_payloads(path, server_port):
    """The payloads of an Ethernet/IPv4 capture's one TCP connection, in
    order: ("c" or "s", bytes)."""
    out = []
    for _, frame in read_pcap(path):
        ip = frame[14:]
        if struct.unpack("!H", frame[12:14])[0] != ETH_IPV4 or ip[9] != PROTO_TCP:
            continue
        ihl, total = (ip[0] & 0x0F) * 4, struct.unpack("!H", ip[2:4])[0]
        tcp = ip[ihl:total]
        data = tcp[(tcp[12] >> 4) * 4:]
        if data:
            side = "s" if struct.unpack("!H", tcp[0:2])[0] == server_port else "c"
            out.append((side, data))
    return out


def replay_tls12(c):
    """pcaps/tls12.pcap's TLS 1.2 exchange (ClientHello for www.example.test,
    the server's certificate, Finished, application data) over c, then a
    close."""
    for side, data in tcp_payloads("tls12.pcap", 4412):
        c.send(side, PSH | ACK, data)
    c.close()


def tcp_synack_two_isns():
    """Two SYN-ACKs with different ISNs for one SYN (a SYN proxy and the
    server, or two balanced backends, both answering); the client
    acknowledges the second, and the server's data follows from it."""
    cap = Pcap()
    c = Tcp(cap, CLIENT4, 40130, "198.51.100.130", 443)
    c.send("c", SYN)
    c.send("s", SYN | ACK)  # ISN 2000000: never acknowledged
    c.seq["s"] = 3500000
    c.send("s", SYN | ACK)
    c.send("c", ACK)
    replay_tls12(c)
    return cap


def tcp_rst_out_of_window():
    """Two forged RSTs, then the connection goes on: a RST "from the server"
    right after the handshake whose sequence number is 2^30 past the
    server's, and, on a second connection, a RST|ACK before the SYN-ACK that
    does not acknowledge the SYN.  Both connections carry tls12.pcap's
    exchange."""
    cap = Pcap()
    c = Tcp(cap, CLIENT4, 40140, "198.51.100.140", 443)
    c.handshake()
    real = c.seq["s"]
    c.seq["s"] = (real + (1 << 30)) & 0xFFFFFFFF
    c.send("s", RST | ACK)
    c.seq["s"] = real
    replay_tls12(c)
    d = Tcp(cap, CLIENT4, 40141, "198.51.100.141", 443)
    d.send("c", SYN)
    real = d.seq["c"]
    d.seq["c"] = (real + 12345) & 0xFFFFFFFF  # acknowledges what the client never sent
    d.seq["s"] = 0
    d.send("s", RST | ACK)
    d.seq["c"], d.seq["s"] = real, 2000000
    d.send("s", SYN | ACK)
    d.send("c", ACK)
    replay_tls12(d)
    return cap


def tcp_syn_flood():
    """60 SYNs from random (spoofed) sources to 198.51.100.150:443 in 60 ms,
    none answered; 11 s later a real client connects to the same server and
    carries tls12.pcap's exchange."""
    cap = Pcap()
    rng = random.Random(150)
    server = "198.51.100.150"
    for _ in range(60):
        src = "203.0.%d.%d" % (rng.randrange(0, 256), rng.randrange(1, 255))
        c = Tcp(cap, src, rng.randrange(1024, 65536), server, 443)
        c.seq["c"] = rng.getrandbits(32)
        c.send("c", SYN)
    c = Tcp(cap, CLIENT4, 40150, server, 443)
    c.send("c", SYN, gap=11000000)
    c.send("s", SYN | ACK)
    c.send("c", ACK)
    replay_tls12(c)
    return cap


def tcp_port_scan():
    """One client SYN-scans 40 ports of 198.51.100.160, one every 100 ms:
    closed ports answer RST (refused), filtered ones nothing (no answer), a
    few open ones SYN-ACK and the scanner resets them (nmap -sS).  11 s
    later the same client makes an HTTP request to port 80."""
    cap = Pcap()
    server = "198.51.100.160"
    for i, port in enumerate(range(20, 60)):
        c = Tcp(cap, CLIENT4, 40200 + i, server, port)
        c.send("c", SYN, gap=100000)
        if port in (22, 25, 53):
            c.send("s", SYN | ACK)
            c.send("c", RST)
        elif port % 3:
            c.send("s", RST | ACK)
    cap.usec += 11000000
    http_get(cap, server, 40160, b"GET / HTTP/1.1\r\nHost: scanned.example.test\r\n\r\n")
    return cap


CAPTURES = {
    "tls-hello-bad-extension.pcap": tls_hello_bad_extension,
    "dns-tc-then-tcp.pcap": dns_tc_then_tcp,
    "dns-absurd-counts.pcap": dns_absurd_counts,
    "dns-cut-rdata.pcap": dns_cut_rdata,
    "names-long-sni.pcap": names_long_sni,
    "names-long-host.pcap": names_long_host,
    "names-sni-not-utf8.pcap": names_sni_not_utf8,
    "names-host-nul.pcap": names_host_nul,
    "vlan-8-tags.pcap": vlan_8_tags,
    "ipv6-payload-length-0.pcap": ipv6_payload_length_0,
    "tcp-synack-two-isns.pcap": tcp_synack_two_isns,
    "tcp-rst-out-of-window.pcap": tcp_rst_out_of_window,
    "tcp-syn-flood.pcap": tcp_syn_flood,
    "tcp-port-scan.pcap": tcp_port_scan,
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(PCAPS, "hostile")
    os.makedirs(out, exist_ok=True)
    for name, make in CAPTURES.items():
        make().write(os.path.join(out, name))


if __name__ == "__main__":
    main()
