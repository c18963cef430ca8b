#!/usr/bin/env python3
"""Plain pcap files are walked by snitrace itself (src/pcap_records.c);
standard input still goes through libpcap's reader.  Each file here, made
from a capture in pcaps/ and then bent (cut in a header or in a packet, a
captured length past libpcap's limit or past the snapshot length,
nanosecond time stamps with odd fractions, a filter), must give the same
records, the same message and the same exit status both ways, the file
read by the walk itself (--threads 2) and read ahead on a thread of its
own (--threads 3, src/readahead.c).

usage: pcap_walk_test.py SNITRACE PCAPS_DIR
"""
import os
import struct
import subprocess
import sys
import tempfile

HEADER = 24
RECORD = 16
MAX_CAPLEN = 262144
RING_BYTES = 2 << 20  # SNT_READAHEAD_RING (src/readahead.h)


def records(data):
    """The records of a little-endian 2.4 pcap: (offset, sec, frac, caplen, wirelen)."""
    out, at = [], HEADER
    while at + RECORD <= len(data):
        sec, frac, cap, wire = struct.unpack_from("<IIII", data, at)
        out.append((at, sec, frac, cap, wire))
        at += RECORD + cap
    return out


def with_header(data, magic=None, snaplen=None):
    head = bytearray(data[:HEADER])
    if magic is not None:
        struct.pack_into("<I", head, 0, magic)
    if snaplen is not None:
        struct.pack_into("<I", head, 16, snaplen)
    return bytes(head) + data[HEADER:]


def set_record(data, index, sec=None, frac=None, cap=None):
    rec = records(data)[index]
    b = bytearray(data)
    at = rec[0]
    if sec is not None:
        struct.pack_into("<I", b, at, sec & 0xFFFFFFFF)
    if frac is not None:
        struct.pack_into("<I", b, at + 4, frac & 0xFFFFFFFF)
    if cap is not None:
        struct.pack_into("<I", b, at + 8, cap)
    return bytes(b)


def largest_record(sec):
    """A record of the largest captured length libpcap takes (262144): an
    Ethernet frame of an EtherType nothing decodes, whatever its bytes."""
    frame = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + struct.pack(">H", 0x88B5)
    frame += bytes((i * 7) & 0xFF for i in range(MAX_CAPLEN - len(frame)))
    return struct.pack("<IIII", sec, 0, MAX_CAPLEN, MAX_CAPLEN) + frame


def larger_than_pieces(base):
    """Several times the walker's read piece and buffer (128 and 512 KiB):
    two records of the largest length after every third of the capture's
    own, so that records of every size are cut across the reads.  Returns
    the file and where its largest records begin."""
    recs = records(base)
    ends = [r[0] + RECORD + r[3] for r in recs]
    out, starts, at = bytearray(base[:HEADER]), [], HEADER
    for k in (0, len(recs) // 3, 2 * len(recs) // 3, len(recs) - 1):
        out += base[at : ends[k]]
        at = ends[k]
        for _ in range(2):
            starts.append(len(out))
            out += largest_record(recs[k][1])
    return bytes(out), starts


def filler_record(sec, caplen):
    """A record of caplen bytes (14 or more) that nothing decodes."""
    frame = bytes(6) + bytes([2, 0, 0, 0, 0, 1]) + struct.pack(">H", 0x88B5)
    frame += bytes((i * 7) & 0xFF for i in range(caplen - len(frame)))
    return struct.pack("<IIII", sec, 0, caplen, caplen) + frame


def across_the_ring(base, ring=RING_BYTES, laps=5):
    """Several times the read-ahead ring: the capture's own records, its
    largest ones (the handshake's, read through) each lying across a place
    where the ring wraps, records that nothing decodes in between.  The
    ring is filled from the first record on (offset 24)."""
    recs = records(base)
    chosen = sorted(sorted(range(len(recs)), key=lambda i: -recs[i][3])[:laps])
    out, wrap = bytearray(base[:HEADER]), HEADER + ring
    for i, r in enumerate(recs):
        rec = base[r[0] : r[0] + RECORD + r[3]]
        if i in chosen:
            while wrap - (len(out) + len(rec) // 2) > 0:
                gap = wrap - (len(out) + len(rec) // 2)
                out += filler_record(r[1], min(max(gap - RECORD, 14), MAX_CAPLEN))
            wrap += ring
        out += rec
    return bytes(out)


def cases(base):
    recs = records(base)
    last = recs[-1]
    mid = recs[len(recs) // 2]
    ns = with_header(base, magic=0xA1B23C4D)
    big = max(recs, key=lambda r: r[3])
    yield "as made", base, []
    yield "filtered", base, ["tcp[tcpflags] & tcp-syn != 0"]
    yield "cut in the last header", base[: last[0] + 7], []
    yield "cut right after the last header", base[: last[0] + RECORD], []
    yield "cut in the last packet", base[: last[0] + RECORD + last[3] // 2], []
    yield "cut in the middle", base[: mid[0] + RECORD + 3], []
    yield "only the file header", base[:HEADER], []
    yield "captured length past 262144", set_record(base, len(recs) // 2, cap=262145), []
    yield "captured length 0xffffffff", set_record(base, 1, cap=0xFFFFFFFF), []
    # A snapshot length under the largest packet: libpcap cuts each
    # packet to it and steps over the rest of the record.
    short = with_header(base, snaplen=max(20, big[3] // 2))
    yield "packets past the snapshot length", short, []
    yield "past the snapshot, cut inside the snapshot", short[: big[0] + RECORD + 5], []
    yield "past the snapshot, cut after it", short[: big[0] + RECORD + big[3] - 1], []
    yield "snapshot length 0", with_header(base, snaplen=0), []
    yield "nanoseconds", ns, []
    odd = set_record(ns, 0, frac=-5000)
    odd = set_record(odd, 1, frac=1999999999)
    odd = set_record(odd, 2, sec=-3)
    yield "nanoseconds, odd fractions and a negative second", odd, []
    yield "microseconds, negative fraction", set_record(base, 0, frac=-7), []
    large, starts = larger_than_pieces(base)
    yield "larger than the read pieces", large, []
    yield "larger than the read pieces, filtered", large, ["tcp or udp"]
    yield "larger than the read pieces, cut in a largest header", large[: starts[3] + 9], []
    yield "larger than the read pieces, cut in a largest packet", large[: starts[5] + 200000], []
    ring = across_the_ring(base)
    yield "handshake records across the read-ahead ring's wrap", ring, []
    yield "across the ring's wrap, filtered", ring, ["tcp"]
    yield "across the ring's wrap, cut in the last record", ring[:-5], []


def run(binary, args, path=None, stdin_bytes=None):
    if path is not None:
        p = subprocess.run([binary, "-r", path] + args, capture_output=True, timeout=60)
    else:
        p = subprocess.run([binary, "-r", "-"] + args, input=stdin_bytes, capture_output=True,
                           timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    binary, pcaps = sys.argv[1], sys.argv[2]
    with open(os.path.join(pcaps, "tls12.pcap"), "rb") as f:
        base = f.read()
    if struct.unpack_from("<I", base, 0)[0] != 0xA1B2C3D4:
        print("FAIL: pcaps/tls12.pcap is not a little-endian microsecond pcap")
        return 1
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, args in cases(base):
            path = os.path.join(tmp, "case.pcap")
            with open(path, "wb") as f:
                f.write(data)
            rc_s, out_s, err_s = run(binary, args, stdin_bytes=data)
            err_s = err_s.replace(b"reading - ", b"reading " + path.encode() + b" ")
            for threads in ("2", "3"):
                rc_f, out_f, err_f = run(binary, ["--threads", threads] + args, path=path)
                problems = []
                if rc_f != rc_s:
                    problems.append(f"exit {rc_f} from the file, {rc_s} from standard input")
                if out_f != out_s:
                    problems.append("records differ")
                if err_f != err_s:
                    problems.append(f"messages differ: {err_f!r} against {err_s!r}")
                if rc_f not in (0, 1) or b'"type":"stats"' not in out_f:
                    problems.append(f"exit {rc_f}, or no final stats")
                if problems:
                    failures += 1
                    print(f"FAIL {name}, --threads {threads}: " + "; ".join(problems))
                else:
                    lines = out_f.count(b"\n")
                    print(f"ok   {name}, --threads {threads}: exit {rc_f}, {lines} records")
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
