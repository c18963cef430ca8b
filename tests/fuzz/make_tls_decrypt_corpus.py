#!/usr/bin/env python3
"""Seeds for tests/fuzz/fuzz_tls_decrypt.c (standard library only): TLS 1.3
server flights as the fuzz target's records take them (a suite byte, then
length-prefixed inner plaintexts ending in their content type): RFC 8448's
flight, split over several records; a zlib CompressedCertificate; an
alert; an empty EncryptedExtensions.

usage: make_tls_decrypt_corpus.py OUTDIR
"""
import os
import re
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
HANDSHAKE, ALERT = 22, 21


def vector(name):
    text = open(os.path.join(HERE, "..", "tls_crypto_vectors.h")).read()
    m = re.search(r"%s\[\] =\s*((?:\"[0-9a-f]*\"\s*)+);" % name, text)
    return bytes.fromhex("".join(re.findall(r'"([0-9a-f]*)"', m.group(1))))


def records(payload, content_type, chunk=200):
    out = b""
    for i in range(0, len(payload), chunk):
        piece = payload[i:i + chunk] + bytes([content_type])
        out += bytes([len(piece)]) + piece
    return out


def handshake(msg_type, body):
    return bytes([msg_type]) + len(body).to_bytes(3, "big") + body


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    flight = vector("rfc8448_server_flight_plain")
    # The Certificate message of the flight, for a compressed copy.
    ee_len = int.from_bytes(flight[1:4], "big")
    cert = flight[4 + ee_len:]
    cert_body_len = int.from_bytes(cert[1:4], "big")
    cert_body = cert[4:4 + cert_body_len]
    compressed = (1).to_bytes(2, "big") + len(cert_body).to_bytes(3, "big")
    z = zlib.compress(cert_body)
    compressed += len(z).to_bytes(3, "big") + z
    seeds = {
        "rfc8448-flight": bytes([0]) + records(flight, HANDSHAKE),
        "rfc8448-flight-garbage-between": bytes([4]) + records(flight, HANDSHAKE, 90),
        "compressed-zlib": bytes([1]) + records(handshake(8, b"\0\0") + handshake(25, compressed),
                                                HANDSHAKE),
        "alert": bytes([2]) + records(b"\x02\x2a", ALERT),
        "empty-ee": bytes([0]) + records(handshake(8, b"\0\0"), HANDSHAKE),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
