#!/bin/bash
#
# Regenerate the STARTTLS captures in pcaps/starttls/: openssl s_client
# (-starttls smtp|imap|pop3|ftp|xmpp|ldap|postgres|mysql) and curl against
# real servers where Debian has one that starts quickly (dovecot for IMAP
# and POP3, slapd for LDAP, PostgreSQL) and against starttls_server.py
# (Python's ssl module behind a correct plaintext preamble) for SMTP, FTP,
# XMPP and MySQL, across a veth between two network namespaces. Needs root.
#
# usage: pcaps/make-starttls-pcaps.sh [OUTDIR]      (default: pcaps/starttls)
#
# The throwaway CA's certificate is kept as test-ca.pem next to the
# captures (tests check the server certificates against it); every other
# key and certificate stays in the temp dir.

set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pcaps/lib.sh
. "$HERE/lib.sh"

OUT=${1:-$HERE/starttls}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
for tool in ip openssl curl tcpdump python3 dovecot slapd runuser "$PGBIN/initdb"; do
	command -v "$tool" >/dev/null 2>&1 || snt_die "needs $tool (apt-get install dovecot-imapd dovecot-pop3d slapd postgresql)"
done
snt_can_netns || snt_die "$SNT_NETNS_WHY"

SNT_TMP=$(mktemp -d /tmp/snt-starttls-pcaps.XXXXXX)
trap snt_cleanup EXIT
trap 'exit 130' INT TERM
# The servers' own users (dovecot's, postgres) reach their dirs below.
chmod 711 "$SNT_TMP"

PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
NAME=www.example.test
SRV=$SNT_SRV_IP4
SRV_REFUSE=192.0.2.3 # a second server address, for the server that refuses

snt_netns_setup || snt_die "namespace setup failed"
snt_make_certs "$SNT_TMP" || snt_die "certificate generation failed"
chmod 600 "$SNT_TMP/srv.key"
ip -n "$SNT_SRV" addr add "$SRV_REFUSE/24" dev "$SNT_SRV_IF"

# --- servers, all in the server namespace -------------------------------------------

# py_server LOGNAME PROTO ADDR PORT [--refuse|--coalesce]
py_server() {
	local log="$SNT_TMP/$1.log" proto=$2 addr=$3 port=$4
	shift 4
	snt_bg "$SNT_SRV" "$log" timeout 300 "$PY" "$HERE/starttls_server.py" "$proto" "$addr" \
		"$port" "$SNT_TMP/srv.crt" "$SNT_TMP/srv.key" "$@"
	snt_wait_listen "$SNT_SRV" "$port" || snt_die "starttls_server.py $proto did not start"
}
py_server smtp smtp "$SRV" 25
py_server submission smtp "$SRV" 587
py_server smtp2525 smtp "$SRV" 2525
py_server smtp-refuse smtp "$SRV_REFUSE" 25 --refuse
py_server smtp-coalesce smtp "$SRV" 10025 --coalesce
py_server ftp ftp "$SRV" 21
py_server xmpp xmpp "$SRV" 5222
py_server mysql mysql "$SRV" 3306

# dovecot: IMAP on 143 and POP3 on 110, STARTTLS offered, no plaintext login.
start_dovecot() {
	local d=$SNT_TMP/dovecot
	mkdir -p "$d/run" "$d/mail" && chmod 755 "$d" "$d/run"
	cat >"$d/dovecot.conf" <<-EOF
		protocols = imap pop3
		listen = $SRV
		base_dir = $d/run
		state_dir = $d/run
		log_path = $d/dovecot.log
		ssl = yes
		ssl_cert = <$SNT_TMP/srv.crt
		ssl_key = <$SNT_TMP/srv.key
		ssl_min_protocol = TLSv1.2
		disable_plaintext_auth = yes
		default_login_user = dovenull
		default_internal_user = dovecot
		mail_location = maildir:$d/mail
		passdb {
		  driver = static
		  args = password=unused
		}
		userdb {
		  driver = static
		  args = uid=nobody gid=nogroup home=$d/mail
		}
	EOF
	snt_bg "$SNT_SRV" "$d/stdout.log" timeout 300 dovecot -F -c "$d/dovecot.conf"
	snt_wait_listen "$SNT_SRV" 143 && snt_wait_listen "$SNT_SRV" 110
}
start_dovecot || snt_die "dovecot did not start: $(cat "$SNT_TMP/dovecot/dovecot.log" 2>/dev/null)"

# slapd: no database at all, StartTLS with the test certificate.
start_slapd() {
	local d=$SNT_TMP/slapd
	mkdir -p "$d"
	cat >"$d/slapd.conf" <<-EOF
		include /etc/ldap/schema/core.schema
		pidfile $d/slapd.pid
		TLSCertificateFile $SNT_TMP/srv.crt
		TLSCertificateKeyFile $SNT_TMP/srv.key
	EOF
	snt_bg "$SNT_SRV" "$d/slapd.log" timeout 300 slapd -d 256 -f "$d/slapd.conf" \
		-h "ldap://$SRV:389/"
	snt_wait_listen "$SNT_SRV" 389
}
start_slapd || snt_die "slapd did not start: $(cat "$SNT_TMP/slapd/slapd.log")"

# PostgreSQL with ssl = on, trusting everyone (nobody logs in anyway).
start_postgresql() {
	local d=$SNT_TMP/pg
	mkdir -p "$d" && chown postgres "$d"
	runuser -u postgres -- "$PGBIN/initdb" -D "$d/data" -A trust >"$SNT_TMP/initdb.log" 2>&1 ||
		return 1
	install -o postgres -m 600 "$SNT_TMP/srv.crt" "$d/data/server.crt"
	install -o postgres -m 600 "$SNT_TMP/srv.key" "$d/data/server.key"
	snt_bg "$SNT_SRV" "$d/postgres.log" timeout 300 runuser -u postgres -- "$PGBIN/postgres" \
		-D "$d/data" -c listen_addresses="$SRV" -c port=5432 -c ssl=on \
		-c unix_socket_directories="$d"
	snt_wait_listen "$SNT_SRV" 5432
}
start_postgresql || snt_die "PostgreSQL did not start: $(tail -5 "$SNT_TMP/initdb.log" "$SNT_TMP/pg/postgres.log" 2>/dev/null)"

# --- scenarios -------------------------------------------------------------------------

# s_client PROTO ADDR:PORT INPUT ARGS... : the STARTTLS handshake, then INPUT
# (a protocol goodbye, sent inside TLS), and wait for the server to close.
s_client() {
	local proto=$1 target=$2 input=$3
	shift 3
	# shellcheck disable=SC2016 # expanded by the inner shell
	client sh -c 'input=$1; shift; printf "$input" | openssl s_client "$@"' sh "$input" \
		-starttls "$proto" -connect "$target" -servername "$NAME" -ign_eof "$@"
}

scenario() { # FILE PORT COMMAND...
	local file=$1 filter="tcp port $2"
	shift 2
	capture "$file" "$filter" "$@"
}

scenario smtp.pcap 25 s_client smtp "$SRV:25" 'QUIT\r\n' -tls1_2
scenario smtp-submission-tls13.pcap 587 s_client smtp "$SRV:587" 'QUIT\r\n' -tls1_3
scenario smtp-port-2525.pcap 2525 s_client smtp "$SRV:2525" 'QUIT\r\n' -tls1_2
# curl asks for STARTTLS and, refused, says QUIT.
scenario smtp-refused.pcap 25 client curl -s --ssl-reqd --mail-from a@example.test \
	--mail-rcpt b@example.test -T /dev/null "smtp://$SRV_REFUSE:25/"
# A client that sends STARTTLS and its ClientHello in one segment, and a
# server that sends its go-ahead and ServerHello in one.
scenario smtp-pipelined.pcap 10025 client "$PY" "$HERE/starttls_client.py" "$SRV" 10025 \
	"$NAME" "$SNT_TMP/ca.crt"
scenario imap.pcap 143 s_client imap "$SRV:143" 'a LOGOUT\r\n' -tls1_2
scenario pop3.pcap 110 s_client pop3 "$SRV:110" 'QUIT\r\n' -tls1_2
scenario ftp.pcap 21 s_client ftp "$SRV:21" 'QUIT\r\n' -tls1_2
scenario xmpp.pcap 5222 s_client xmpp "$SRV:5222" '</stream:stream>\n' -tls1_2 \
	-xmpphost example.test
# Inside TLS: an LDAP UnbindRequest; a PostgreSQL startup packet for
# protocol 0.0, which the server turns down and hangs up on.
scenario ldap.pcap 389 s_client ldap "$SRV:389" '\060\005\002\001\002\102\000' -tls1_2
scenario postgresql.pcap 5432 s_client postgres "$SRV:5432" \
	'\000\000\000\010\000\000\000\000' -tls1_2
scenario mysql.pcap 3306 s_client mysql "$SRV:3306" 'x' -tls1_2
cp "$SNT_TMP/ca.crt" "$OUT/test-ca.pem"

# --- checks ----------------------------------------------------------------------------

if ! command -v tshark >/dev/null 2>&1; then
	snt_log "tshark not installed: captures made but not checked"
	exit 0
fi
fails=0 # counted by fail(), from pcaps/lib.sh
CH=tls.handshake.type==1
SNI=tls.handshake.extensions_server_name
SH=tls.handshake.type==2
# tshark follows STARTTLS only on the ports it knows for each protocol.
SNT_TSHARK_ARGS=(-d tcp.port==2525,smtp -d tcp.port==10025,smtp)
for f in smtp.pcap smtp-port-2525.pcap imap.pcap pop3.pcap ftp.pcap xmpp.pcap ldap.pcap \
	postgresql.pcap mysql.pcap; do
	expect "$f" "$CH" "$SNI" "$NAME"
	expect "$f" "$SH" tls.handshake.version 0x0303
	expect "$f" tls.handshake.type==11 x509ce.dNSName "$NAME,example.test"
done
expect smtp-submission-tls13.pcap "$CH" "$SNI" "$NAME"
expect smtp-submission-tls13.pcap "$SH" tls.handshake.extensions.supported_version 0x0304
# (tshark shows the STARTTLS command as "STAR" and its argument "TTLS".)
expect smtp.pcap smtp.req.command smtp.req.command "EHLO STAR"
expect smtp.pcap "smtp.response.code==220" smtp.response.code 220
expect smtp-port-2525.pcap smtp.req tcp.dstport 2525
# curl gives up on the refusal without a QUIT; no TLS follows.
expect smtp-refused.pcap smtp.req.command smtp.req.command "EHLO STAR"
expect smtp-refused.pcap "smtp.response.code==454" smtp.response.code 454
count smtp-refused.pcap "tls" 0
# STARTTLS CR LF and the ClientHello's record header in one segment; the
# go-ahead's CR LF and the ServerHello's in one (tshark dissects neither as TLS).
count smtp-pipelined.pcap "tcp.payload contains 53:54:41:52:54:54:4c:53:0d:0a:16:03" 1
count smtp-pipelined.pcap "tcp.payload contains \"$NAME\" && tcp.dstport==10025" 1
count smtp-pipelined.pcap "tcp.payload contains 54:4c:53:0d:0a:16:03:03:00" 1
expect imap.pcap "imap.request" imap.request.command "CAPABILITY STARTTLS"
expect pop3.pcap "pop.request" pop.request.command "STLS"
expect ftp.pcap "ftp.request" ftp.request.command "AUTH"
expect xmpp.pcap "tcp.payload contains \"<proceed\"" tcp.srcport 5222
expect ldap.pcap "ldap.protocolOp==23" ldap.requestName 1.3.6.1.4.1.1466.20037
expect ldap.pcap "ldap.protocolOp==24" ldap.resultCode 0
expect postgresql.pcap "pgsql" pgsql.type "SSL request"
expect mysql.pcap "mysql" mysql.packet_number "0 1"

echo "sizes:"
for f in "$OUT"/*.pcap; do
	printf '  %-34s %6d bytes\n' "${f##*/}" "$(wc -c <"$f")"
done
if [ "$fails" -gt 0 ]; then
	snt_log "$fails check(s) failed"
	exit 1
fi
exit 0
