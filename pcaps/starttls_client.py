#!/usr/bin/env python3
"""A pipelining SMTP client for pcaps/make-starttls-pcaps.sh: EHLO, then
STARTTLS and its ClientHello in one write (as a client that does not wait
for the go-ahead), the handshake with Python's ssl module, and QUIT inside
TLS.

usage: starttls_client.py ADDR PORT SERVERNAME CAFILE
"""
import socket
import ssl
import sys


def read_reply(sock):
    """One SMTP reply (all its lines), as text."""
    data = b""
    while True:
        chunk = sock.recv(4096, socket.MSG_PEEK)
        if not chunk:
            return data.decode(errors="replace")
        end = chunk.find(b"\n")
        if end < 0:
            data += sock.recv(len(chunk))
            continue
        data += sock.recv(end + 1)
        last = data.rstrip(b"\r\n").split(b"\n")[-1]
        if len(last) < 4 or last[3:4] != b"-":
            return data.decode(errors="replace")


def main():
    addr, port, name, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    sock = socket.create_connection((addr, port), timeout=10)
    print(read_reply(sock), end="")
    sock.sendall(b"EHLO client.example.test\r\n")
    print(read_reply(sock), end="")
    ctx = ssl.create_default_context(cafile=cafile)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(incoming, outgoing, server_hostname=name)
    try:
        tls.do_handshake()
    except ssl.SSLWantReadError:
        pass
    sock.sendall(b"STARTTLS\r\n" + outgoing.read())
    go_ahead = read_reply(sock)
    print(go_ahead, end="")
    if not go_ahead.startswith("220"):
        return 1
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            if outgoing.pending:
                sock.sendall(outgoing.read())
            data = sock.recv(16384)
            if not data:
                return 1
            incoming.write(data)
    sock.sendall(outgoing.read())
    tls.write(b"QUIT\r\n")
    sock.sendall(outgoing.read())
    reply = b""
    while b"\n" not in reply:
        data = sock.recv(16384)
        if not data:
            break
        incoming.write(data)
        try:
            reply += tls.read(4096)
        except ssl.SSLWantReadError:
            pass
    print(reply.decode(errors="replace"), end="")
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
