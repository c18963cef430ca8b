#!/usr/bin/python3
"""A minimal HTTP CONNECT proxy, enough for curl -x to tunnel through.

Serves one connection at a time and exits after --max-conns of them, so a
capture run cannot leave it behind. --map NAME=IP answers for names that
have no DNS in a test namespace.

usage: connect_proxy.py LISTEN_IP PORT [--map NAME=IP]... [--max-conns N]
"""

import argparse
import select
import socket

TIMEOUT = 10.0


def read_head(conn):
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 16384:
        data = conn.recv(4096)
        if not data:
            break
        head += data
    return head


def relay(a, b):
    socks = [a, b]
    # Bounded: stops on EOF from either side or after TIMEOUT idle.
    while True:
        ready, _, _ = select.select(socks, [], [], TIMEOUT)
        if not ready:
            return
        for s in ready:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)


def serve(conn, names):
    head = read_head(conn)
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split()
    if len(parts) != 3 or parts[0] != "CONNECT":
        conn.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        return
    host, _, port = parts[1].rpartition(":")
    host = host.strip("[]")
    try:
        up = socket.create_connection((names.get(host, host), int(port)), timeout=TIMEOUT)
    except (OSError, ValueError):
        conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        return
    with up:
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        relay(conn, up)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ip")
    ap.add_argument("port", type=int)
    ap.add_argument("--map", action="append", default=[])
    ap.add_argument("--max-conns", type=int, default=10)
    args = ap.parse_args()
    names = dict(m.split("=", 1) for m in args.map)

    srv = socket.socket(socket.AF_INET6 if ":" in args.ip else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.ip, args.port))
    srv.listen(8)
    for _ in range(args.max_conns):
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(TIMEOUT)
            try:
                serve(conn, names)
            except OSError:
                pass


if __name__ == "__main__":
    main()
