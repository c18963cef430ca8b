#!/usr/bin/env python3
"""Seal the vectors that the TLS/QUIC protection code is tested and fuzzed
with, independently of it: Python's `cryptography` package (Debian:
python3-cryptography) does the HKDF, the AEADs and the header protection.

  make_tls_crypto_corpus.py --header tests/tls_suite_vectors.h
  make_tls_crypto_corpus.py --corpus tests/fuzz/corpus/tls_crypto

--header writes C vectors for tests/test_tls_crypto.c and test_quic.c:
one TLS 1.3 record per suite (0x1301..0x1305) and QUIC packets for the
suites and versions the RFCs give no example of.  --corpus writes seeds
for tests/fuzz/fuzz_tls_crypto.c: those, plus the RFC records and packets
and the TLS 1.2 Finished records read from the test vector headers.

The keys come from fixed secrets that fuzz_tls_crypto.c derives the same
way: secret(n) = bytes 0x40, 0x41, ... of the suite's hash length.
"""
import argparse
import os
import re
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESCCM, AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

TESTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

# suite: (hash, key length, AEAD maker, tag length)
SUITES = {
    0x1301: (hashes.SHA256, 16, AESGCM, 16),
    0x1302: (hashes.SHA384, 32, AESGCM, 16),
    0x1303: (hashes.SHA256, 32, ChaCha20Poly1305, 16),
    0x1304: (hashes.SHA256, 16, lambda k: AESCCM(k, 16), 16),
    0x1305: (hashes.SHA256, 16, lambda k: AESCCM(k, 8), 8),
}
RECORD_SEQ = 1
SHORT_PN = 7
HANDSHAKE_PN = 3


def secret(suite):
    return bytes(range(0x40, 0x40 + SUITES[suite][0].digest_size))


def expand_label(suite, sec, label, length, context=b""):
    """HKDF-Expand-Label, RFC 8446 section 7.1."""
    full = b"tls13 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(context)]) + context
    return HKDFExpand(SUITES[suite][0](), length, info).derive(sec)


def keys(suite, quic=None):
    """(aead, iv, hp) from the fixed secret: TLS 1.3 labels, or QUIC's
    'quic'/'quicv2' ones (RFC 9001 section 5.1, RFC 9369 section 3.3.2)."""
    _, key_len, maker, _ = SUITES[suite]
    prefix = b"" if quic is None else quic + b" "
    sec = secret(suite)
    key = expand_label(suite, sec, prefix + b"key", key_len)
    iv = expand_label(suite, sec, prefix + b"iv", 12)
    hp = expand_label(suite, sec, prefix + b"hp", key_len) if quic else None
    return maker(key), iv, hp


def nonce(iv, seq):
    return bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))


def tls13_record(suite, content, ctype=22, padding=2):
    """RFC 8446 section 5.2: the inner plaintext is content || type || zeros."""
    aead, iv, _ = keys(suite)
    inner = content + bytes([ctype]) + bytes(padding)
    header = b"\x17\x03\x03" + (len(inner) + SUITES[suite][3]).to_bytes(2, "big")
    return header + aead.encrypt(nonce(iv, RECORD_SEQ), inner, header)


def hp_mask(suite, hp, sample):
    """RFC 9001 section 5.4.3 (AES-ECB) and 5.4.4 (ChaCha20)."""
    if suite == 0x1303:
        enc = Cipher(algorithms.ChaCha20(hp, sample), None).encryptor()
        return enc.update(bytes(5))
    enc = Cipher(algorithms.AES(hp), modes.ECB()).encryptor()
    return enc.update(sample)[:5]


def protect(suite, quic, header, pn_len, pn, payload):
    """Seal payload behind header (which ends with the packet number) and
    apply header protection: RFC 9001 sections 5.3 and 5.4."""
    aead, iv, hp = keys(suite, quic)
    sealed = aead.encrypt(nonce(iv, pn), payload, header)
    pn_offset = len(header) - pn_len
    packet = bytearray(header + sealed)
    mask = hp_mask(suite, hp, bytes(packet[pn_offset + 4:pn_offset + 20]))
    packet[0] ^= mask[0] & (0x0F if packet[0] & 0x80 else 0x1F)
    for i in range(pn_len):
        packet[pn_offset + i] ^= mask[1 + i]
    return bytes(packet)


# A 1-RTT payload: STREAM (id 0, LEN and FIN) "hello", HANDSHAKE_DONE, PING,
# then PADDING so the header protection sample is there.
SHORT_PAYLOAD = bytes.fromhex("0b0005") + b"hello" + bytes.fromhex("1e01") + bytes(14)


def short_packet(suite):
    """A short header, empty DCID, 2-byte packet number (RFC 9000 17.3.1)."""
    header = bytes([0x41]) + SHORT_PN.to_bytes(2, "big")
    return protect(suite, b"quic", header, 2, SHORT_PN, SHORT_PAYLOAD)


# A Handshake payload: a CRYPTO frame with a (fake) Certificate message, then
# CONNECTION_CLOSE carrying crypto_error 0x012a (alert 42, bad_certificate)
# for frame type CRYPTO, with the reason "bad".
CERTIFICATE = bytes.fromhex("0b000005") + b"certs"
HANDSHAKE_PAYLOAD = (bytes.fromhex("0600") + bytes([len(CERTIFICATE)]) + CERTIFICATE +
                     bytes.fromhex("1c412a0603") + b"bad")


def handshake_packet(suite, v2):
    """A long-header Handshake packet, DCID "dcid", SCID "scid", 2-byte
    packet number: type bits 0b10 in v1, 0b11 in v2 (RFC 9369 3.2)."""
    version, type_bits, quic = (0x6B3343CF, 3, b"quicv2") if v2 else (1, 2, b"quic")
    length = 2 + len(HANDSHAKE_PAYLOAD) + SUITES[suite][3]
    header = (bytes([0xC0 | type_bits << 4 | 1]) + version.to_bytes(4, "big") + b"\x04dcid" +
              b"\x04scid" + (0x4000 | length).to_bytes(2, "big") + HANDSHAKE_PN.to_bytes(2, "big"))
    return protect(suite, quic, header, 2, HANDSHAKE_PN, HANDSHAKE_PAYLOAD)


def record_content(suite):
    return b"snitrace TLS 1.3 record for suite %04x" % suite


def c_string(name, data, comment):
    text = data.hex()
    lines = "\n".join('    "%s"' % text[i:i + 72] for i in range(0, len(text), 72))
    return "/* %s */\nstatic const char %s[] =\n%s;\n" % (comment, name, lines)


def write_header(path):
    out = ["/* Made by tests/fuzz/make_tls_crypto_corpus.py --header: sealed with Python's",
           " * cryptography package from the fixed secrets 0x40, 0x41, ... (one hash",
           " * length).  No RFC has examples for these suites. */",
           "#ifndef SNITRACE_TEST_TLS_SUITE_VECTORS_H", "#define SNITRACE_TEST_TLS_SUITE_VECTORS_H",
           "", "#define SUITE_RECORD_SEQ %d /* every record below */" % RECORD_SEQ,
           "#define SUITE_SHORT_PN %d" % SHORT_PN, "#define SUITE_HANDSHAKE_PN %d" % HANDSHAKE_PN, ""]
    for suite in SUITES:
        out.append(c_string("tls13_record_%04x" % suite, tls13_record(suite, record_content(suite)),
                            "TLS 1.3 record, suite 0x%04x: record_content(), type 22, padding 2" %
                            suite))
    out.append(c_string("tls13_record_no_type", tls13_record(0x1301, b"", ctype=0),
                        "TLS 1.3 record, suite 0x1301: nothing but zeros inside"))
    for suite in (0x1301, 0x1302, 0x1303, 0x1304):
        out.append(c_string("quic_short_%04x" % suite, short_packet(suite),
                            "QUIC v1 short header, suite 0x%04x: SHORT_PAYLOAD" % suite))
    out.append(c_string("quic_handshake_1302", handshake_packet(0x1302, False),
                        "QUIC v1 Handshake, suite 0x1302: HANDSHAKE_PAYLOAD"))
    out.append(c_string("quic_v2_handshake_1301", handshake_packet(0x1301, True),
                        "QUIC v2 Handshake, suite 0x1301: HANDSHAKE_PAYLOAD"))
    out += ["#endif", ""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def c_vectors(path):
    """Every 'static const char name[] = "hex" ...;' of a test header."""
    text = open(os.path.join(TESTS, path)).read()
    found = {}
    for m in re.finditer(r'static const char (\w+)\[\] =((?:\s*"[0-9a-f ]*")+);', text):
        found[m.group(1)] = bytes.fromhex("".join(re.findall(r'"([0-9a-f ]*)"', m.group(2))))
    return found


def tls12_vectors():
    """(name, [client random, server random, master, record]) of each entry
    of tests/tls12_vectors.h; clang-format may have split the strings."""
    text = open(os.path.join(TESTS, "tls12_vectors.h")).read()
    for name, body in re.findall(r'\{"(\w+)", 0x\w+,(.*?)\}', text, re.S):
        yield name, ["".join(re.findall(r'"(\w*)"', f)) for f in body.split(",")]


def write_corpus(folder):
    os.makedirs(folder, exist_ok=True)
    seeds = {}
    for suite in SUITES:
        seeds["tls13_%04x" % suite] = tls13_record(suite, record_content(suite))
    seeds["tls13_alert_padded"] = tls13_record(0x1301, b"\x02\x28", ctype=21, padding=40)
    for suite in (0x1301, 0x1302, 0x1303, 0x1304):
        seeds["quic_short_%04x" % suite] = short_packet(suite)
    seeds["quic_handshake_1302"] = handshake_packet(0x1302, False)
    seeds["quic_v2_handshake_1301"] = handshake_packet(0x1301, True)
    rfc = c_vectors("tls_crypto_vectors.h")
    for name in ("server_flight_record", "client_finished_record", "client_app_record",
                 "server_app_record"):
        seeds["rfc8448_" + name] = rfc["rfc8448_" + name]
    quic = c_vectors("quic_vectors.h")
    for name in ("rfc9001_client_initial", "rfc9001_server_initial", "rfc9369_server_initial",
                 "rfc9001_chacha_packet", "rfc9369_chacha_packet"):
        seeds[name] = quic[name]
    seeds["coalesced_initial_handshake"] = (quic["rfc9001_server_initial"] +
                                            handshake_packet(0x1302, False) + bytes(8))
    for name, fields in tls12_vectors():
        seeds["tls12_" + name] = bytes.fromhex(fields[-1])  # the Finished record
    for name, data in seeds.items():
        with open(os.path.join(folder, name + ".bin"), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), folder), file=sys.stderr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--header")
    ap.add_argument("--corpus")
    args = ap.parse_args()
    if not args.header and not args.corpus:
        ap.error("nothing to do: give --header and/or --corpus")
    if args.header:
        write_header(args.header)
    if args.corpus:
        write_corpus(args.corpus)


if __name__ == "__main__":
    main()
