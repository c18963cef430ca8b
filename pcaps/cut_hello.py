#!/usr/bin/python3
"""TLS client that sends its ClientHello in two TCP segments, cut inside
the SNI host name, then finishes the handshake and fetches "/".

A parser that looks for the SNI in the first segment only must fail on
this; one that reassembles must not. The ClientHello comes from Python's
ssl module (OpenSSL) through memory BIOs, so it is a real one; only the
way its bytes are written to the socket is ours.

usage: cut_hello.py HOST PORT SERVER_NAME
"""

import socket
import ssl
import sys
import time

TIMEOUT = 5.0


def flush(sock, out_bio):
    data = out_bio.read()
    if data:
        sock.sendall(data)


def main():
    host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["http/1.1"])
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_hostname=name)

    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    hello = out.read()
    at = hello.find(name.encode())
    if at < 0:
        sys.exit("server name not found in ClientHello")
    cut = at + len(name) // 2

    sock = socket.create_connection((host, port), timeout=TIMEOUT)
    # Without NODELAY the kernel may hold the second write back until the
    # first is acknowledged, which is fine, but keep the cut deterministic.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(hello[:cut])
    time.sleep(0.05)
    sock.sendall(hello[cut:])

    # Pump the rest of the handshake; bounded by the socket timeout and a
    # maximum number of rounds.
    for _ in range(50):
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            flush(sock, out)
            data = sock.recv(65536)
            if not data:
                sys.exit("server closed during handshake")
            inc.write(data)
    flush(sock, out)

    tls.write(b"GET / HTTP/1.0\r\nHost: " + name.encode() + b"\r\n\r\n")
    flush(sock, out)
    received = 0
    for _ in range(200):
        try:
            chunk = tls.read(65536)
            if not chunk:
                break
            received += len(chunk)
            continue
        except ssl.SSLWantReadError:
            pass
        except (ssl.SSLZeroReturnError, ssl.SSLEOFError):
            break
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        if not data:
            break
        inc.write(data)
    try:
        tls.unwrap()
    except ssl.SSLError:
        pass
    flush(sock, out)
    sock.close()
    print(f"hello {len(hello)} bytes cut at {cut}, received {received} bytes")


if __name__ == "__main__":
    main()
