#!/usr/bin/env python3
"""A small server for pcaps/make-starttls-pcaps.sh: speaks the plaintext
preamble of one protocol correctly, then wraps the connection in TLS with
Python's ssl module (or refuses the upgrade).

usage: starttls_server.py PROTO ADDR PORT CERT KEY [--refuse] [--coalesce]

PROTO is smtp, ftp, imap, pop3, xmpp or mysql. --refuse answers the upgrade
request with the protocol's refusal (SMTP 454, FTP 534, IMAP NO, POP3 -ERR,
XMPP <failure/>). --coalesce (SMTP) sends the positive reply and the
server's first TLS flight in one write, as a server that buffers its output
does; only for a client that pipelines its ClientHello (starttls_client.py).
Serves connections until killed or for at most 60 s.

Lines are read with MSG_PEEK up to their LF, so bytes after a command (a
client's pipelined ClientHello) stay in the socket for the TLS layer.
"""
import socket
import ssl
import struct
import sys
import time

TLS_NS = "urn:ietf:params:xml:ns:xmpp-tls"


def read_line(sock, limit=4096):
    """One line including its LF, leaving what follows unread."""
    data = b""
    while len(data) < limit:
        peek = sock.recv(limit - len(data), socket.MSG_PEEK)
        if not peek:
            return data
        n = peek.find(b"\n")
        take = n + 1 if n >= 0 else len(peek)
        data += sock.recv(take)
        if n >= 0:
            return data
    return data


def read_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def read_until(sock, marker, limit=8192):
    """Bytes up to and including marker, leaving what follows unread."""
    data = b""
    while marker not in data and len(data) < limit:
        peek = sock.recv(limit - len(data), socket.MSG_PEEK)
        if not peek:
            break
        joined = data + peek
        end = joined.find(marker)
        take = end + len(marker) - len(data) if end >= 0 else len(peek)
        data += sock.recv(take)
    return data


class Session:
    def __init__(self, sock, ctx, refuse, coalesce):
        self.sock, self.ctx, self.refuse, self.coalesce = sock, ctx, refuse, coalesce

    def send(self, text):
        self.sock.sendall(text.encode() if isinstance(text, str) else text)

    def upgrade(self, go_ahead=b""):
        """Start TLS; with --coalesce the go-ahead shares a write with the
        server's first flight."""
        if not self.coalesce:
            self.send(go_ahead)
            self.sock = self.ctx.wrap_socket(self.sock, server_side=True)
            return
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = self.ctx.wrap_bio(incoming, outgoing, server_side=True)
        # The client pipelined its ClientHello: answer it in the go-ahead's
        # write. (A client that waits for the go-ahead would wait forever.)
        incoming.write(self.sock.recv(16384))
        pending = go_ahead
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                pending += outgoing.read()
                if pending:
                    self.send(pending)
                    pending = b""
                data = self.sock.recv(16384)
                if not data:
                    return
                incoming.write(data)
        self.send(pending + outgoing.read())
        self.tls_bio = (tls, incoming, outgoing)

    def tls_lines(self, answer):
        """After the upgrade: answer each line until the client leaves."""
        if hasattr(self, "tls_bio"):
            tls, incoming, outgoing = self.tls_bio
            buf = b""
            while True:
                data = self.sock.recv(16384)
                if not data:
                    return
                incoming.write(data)
                try:
                    buf += tls.read(16384)
                except (ssl.SSLWantReadError, ssl.SSLZeroReturnError):
                    pass
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    reply, done = answer(line.strip().decode(errors="replace"))
                    tls.write(reply.encode())
                    self.send(outgoing.read())
                    if done:
                        return
        f = self.sock.makefile("rwb")
        for raw in f:
            reply, done = answer(raw.strip().decode(errors="replace"))
            f.write(reply.encode())
            f.flush()
            if done:
                break

    # ---- protocols -------------------------------------------------------------

    def smtp(self):
        def after_tls(line):
            verb = line.split(" ")[0].upper()
            if verb == "QUIT":
                return "221 2.0.0 Bye\r\n", True
            if verb in ("EHLO", "HELO"):
                return "250-mail.example.test\r\n250 8BITMIME\r\n", False
            return "250 2.0.0 Ok\r\n", False

        self.send("220 mail.example.test ESMTP snitrace test\r\n")
        while True:
            line = read_line(self.sock).decode(errors="replace").strip()
            verb = line.split(" ")[0].upper()
            if not line or verb == "QUIT":
                self.send("221 2.0.0 Bye\r\n")
                return
            if verb in ("EHLO", "HELO"):
                self.send("250-mail.example.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n"
                          "250 8BITMIME\r\n")
            elif verb == "STARTTLS" and self.refuse:
                self.send("454 4.7.0 TLS not available due to temporary reason\r\n")
            elif verb == "STARTTLS":
                self.upgrade(b"220 2.0.0 Ready to start TLS\r\n")
                self.tls_lines(after_tls)
                return
            else:
                self.send("502 5.5.2 Error: command not recognized\r\n")

    def ftp(self):
        self.send("220 snitrace test FTP server ready\r\n")
        while True:
            line = read_line(self.sock).decode(errors="replace").strip()
            verb = line.split(" ")[0].upper()
            if not line or verb == "QUIT":
                self.send("221 Goodbye.\r\n")
                return
            if verb == "FEAT":
                self.send("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n")
            elif verb == "AUTH" and self.refuse:
                self.send("534 Request denied for policy reasons.\r\n")
            elif verb == "AUTH":
                self.upgrade(b"234 AUTH TLS successful\r\n")
                self.tls_lines(lambda l: ("221 Goodbye.\r\n", True) if l.upper() == "QUIT"
                               else ("200 Ok\r\n", False))
                return
            else:
                self.send("530 Please login with USER and PASS.\r\n")

    def imap(self):
        self.send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] snitrace test ready\r\n")
        while True:
            line = read_line(self.sock).decode(errors="replace").strip()
            parts = line.split(" ")
            if len(parts) < 2:
                return
            tag, verb = parts[0], parts[1].upper()
            if verb == "CAPABILITY":
                self.send(f"* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n{tag} OK done\r\n")
            elif verb == "STARTTLS" and self.refuse:
                self.send(f"{tag} NO [PRIVACYREQUIRED] TLS is not available\r\n")
            elif verb == "STARTTLS":
                self.upgrade(f"{tag} OK Begin TLS negotiation now\r\n".encode())
                self.tls_lines(lambda l: (f"* BYE\r\n{l.split(' ')[0]} OK LOGOUT done\r\n", True)
                               if "LOGOUT" in l.upper() else ("* OK\r\n", False))
                return
            elif verb == "LOGOUT":
                self.send(f"* BYE\r\n{tag} OK LOGOUT done\r\n")
                return
            else:
                self.send(f"{tag} BAD unknown command\r\n")

    def pop3(self):
        self.send("+OK snitrace test POP3 ready\r\n")
        while True:
            line = read_line(self.sock).decode(errors="replace").strip()
            verb = line.split(" ")[0].upper()
            if not line or verb == "QUIT":
                self.send("+OK bye\r\n")
                return
            if verb == "CAPA":
                self.send("+OK Capability list follows\r\nTOP\r\nUIDL\r\nSTLS\r\nUSER\r\n.\r\n")
            elif verb == "STLS" and self.refuse:
                self.send("-ERR TLS not available\r\n")
            elif verb == "STLS":
                self.upgrade(b"+OK Begin TLS negotiation\r\n")
                self.tls_lines(lambda l: ("+OK bye\r\n", True) if l.upper() == "QUIT"
                               else ("-ERR not here\r\n", False))
                return
            else:
                self.send("-ERR unknown command\r\n")

    def xmpp(self):
        head = read_until(self.sock, b">", 4096)
        if head.startswith(b"<?xml"):
            head = read_until(self.sock, b">", 4096)
        self.send("<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
                  "xmlns:stream='http://etherx.jabber.org/streams' id='snt-1' "
                  "from='example.test' version='1.0' xml:lang='en'>"
                  f"<stream:features><starttls xmlns='{TLS_NS}'><required/></starttls>"
                  "</stream:features>")
        request = read_until(self.sock, b"/>", 4096)
        if b"<starttls" not in request:
            return
        if self.refuse:
            self.send(f"<failure xmlns='{TLS_NS}'/></stream:stream>")
            return
        self.upgrade(f"<proceed xmlns='{TLS_NS}'/>".encode())
        self.tls_lines(lambda l: ("</stream:stream>", True))

    def mysql(self):
        caps = 0xFFFF | (0x81BF << 16)  # CLIENT_PROTOCOL_41, CLIENT_SSL (0x800), ...
        body = (b"\x0a" + b"8.0.36-snitrace-test\x00" + struct.pack("<I", 8) + b"abcdefgh\x00"
                + struct.pack("<H", caps & 0xFFFF) + b"\xff" + struct.pack("<H", 2)
                + struct.pack("<H", caps >> 16) + b"\x15" + b"\x00" * 10 + b"ijklmnopqrst\x00"
                + b"caching_sha2_password\x00")
        self.send(struct.pack("<I", len(body))[:3] + b"\x00" + body)
        header = read_exact(self.sock, 4)
        if len(header) < 4:
            return
        n = header[0] | header[1] << 8 | header[2] << 16
        payload = read_exact(self.sock, n)
        if n != 32 or not struct.unpack("<I", payload[:4])[0] & 0x800:
            return
        self.upgrade()
        self.sock.recv(4096)


def main():
    proto, addr, port, cert, key = sys.argv[1:6]
    refuse = "--refuse" in sys.argv[6:]
    coalesce = "--coalesce" in sys.argv[6:]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((addr, int(port)))
    listener.listen(8)
    listener.settimeout(1)
    print(f"listening {proto} on {addr}:{port}", flush=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn, _ = listener.accept()
        except socket.timeout:
            continue
        conn.settimeout(10)
        try:
            getattr(Session(conn, ctx, refuse, coalesce), proto)()
        except (OSError, ssl.SSLError) as e:
            print(f"connection ended: {e}", flush=True)
        finally:
            conn.close()


if __name__ == "__main__":
    main()
