# shellcheck shell=bash
#
# The servers of the origin story in TLS 1.3 (pcaps/tls13/story13.pcap and
# story13-fixed.pcap), to source after pcaps/lib.sh: a DNS server, the
# hosted mail server, the customer's domain on a shared web host, and its
# autodiscover host, all in lib.sh's server namespace, every TLS server
# speaking TLS 1.3 only. pcaps/make-tls13-pcaps.sh captures a mail client's
# burst against them; tests that probe servers can start the very same
# servers (same addresses, same certificates) at test time:
#
#   . pcaps/lib.sh; . pcaps/story13-servers.sh
#   SNT_TMP=$(mktemp -d); trap snt_cleanup EXIT
#   snt_netns_setup && story13_net && story13_start_servers before   # or: fixed
#   ... probe 198.51.100.21-23:443 from "$SNT_CLI" ...
#   story13_stop_servers
#
# The certificates and keys are in $STORY13_DIR (default pcaps/tls13/story13/):
# throwaway test keys, made by make-tls13-pcaps.sh only to serve in test
# namespaces, issued under pcaps/tls13/test-ca.pem. Their logs go to $SNT_TMP.

STORY13_DIR=${STORY13_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/tls13/story13}
# Seconds every server is allowed to live, whatever happens to its caller.
STORY13_TIMEOUT=${STORY13_TIMEOUT:-300}

# The addresses of pcaps/cert/story.pcap: the client has its own address,
# and each server its own in another documentation range.
STORY13_CLI=192.0.2.10
STORY13_MAIL=198.51.100.21
STORY13_WEB=198.51.100.22
STORY13_AUTO=198.51.100.23
STORY13_DNS=198.51.100.53
STORY13_PORT=443
STORY13_PIDS=()

# story13_net : the story's addresses on lib.sh's veth (snt_netns_setup first).
story13_net() {
	local a
	ip -n "$SNT_CLI" addr add "$STORY13_CLI/24" dev "$SNT_CLI_IF" || return 1
	ip -n "$SNT_CLI" route add 198.51.100.0/24 dev "$SNT_CLI_IF" src "$STORY13_CLI" || return 1
	for a in "$STORY13_MAIL" "$STORY13_WEB" "$STORY13_AUTO" "$STORY13_DNS"; do
		ip -n "$SNT_SRV" addr add "$a/24" dev "$SNT_SRV_IF" || return 1
	done
}

# story13_tls ADDR CERT : s_server -www, TLS 1.3 only, on ADDR:443 with
# $STORY13_DIR/CERT.{crt,key}, followed by the intermediate. No CA store:
# the chain sent is exactly the leaf and the intermediate.
story13_tls() {
	local addr=$1 cert=$2 log="$SNT_TMP/story13-s_server-$2.log"
	snt_bg "$SNT_SRV" "$log" timeout "$STORY13_TIMEOUT" openssl s_server -www -tls1_3 \
		-accept "$addr:$STORY13_PORT" -cert "$STORY13_DIR/$cert.crt" \
		-key "$STORY13_DIR/$cert.key" -cert_chain "$STORY13_DIR/intermediate.pem" \
		-no-CAfile -no-CApath -no-CAstore -alpn http/1.1
	STORY13_PIDS+=("$SNT_LAST_PID")
	snt_wait_file "$log" ACCEPT || { cat "$log" >&2; return 1; }
}

# story13_start_servers [before|fixed] : dnsmasq on 198.51.100.53 (the four
# names, everything else under .test NXDOMAIN, nothing forwarded), Python's
# http.server on 198.51.100.22:80, and three TLS 1.3 servers on :443:
#   mail.hosted.test           198.51.100.21  leaf mail.hosted.test
#   example.test               198.51.100.22  before: leaf shared7.webhost.test
#                                             fixed:  leaf example.test, www.example.test
#   autodiscover.example.test  198.51.100.23  before: leaf autodiscover.webhost.test
#                                             fixed:  leaf autodiscover.example.test
story13_start_servers() {
	local variant=${1:-before} web auto py=/usr/bin/python3
	case $variant in
	before) web=shared auto=auto ;;
	fixed) web=fixed auto=auto-fixed ;;
	*) snt_log "story13_start_servers: before or fixed, not '$variant'"; return 1 ;;
	esac
	[ -x "$py" ] || py=python3
	snt_bg "$SNT_SRV" "$SNT_TMP/story13-dnsmasq.log" timeout "$STORY13_TIMEOUT" dnsmasq -k \
		-C /dev/null --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$STORY13_DNS" --pid-file="$SNT_TMP/story13-dnsmasq.pid" \
		--log-facility=- --log-queries --local=/test/ \
		--host-record=mail.hosted.test,"$STORY13_MAIL" \
		--host-record=autodiscover.example.test,"$STORY13_AUTO" \
		--host-record=example.test,"$STORY13_WEB" \
		--host-record=www.example.test,"$STORY13_WEB"
	STORY13_PIDS+=("$SNT_LAST_PID")
	snt_wait_listen_udp "$SNT_SRV" 53 || { cat "$SNT_TMP/story13-dnsmasq.log" >&2; return 1; }

	mkdir -p "$SNT_TMP/story13-www"
	printf '<!doctype html><title>example</title><p>hello\n' >"$SNT_TMP/story13-www/index.html"
	snt_bg "$SNT_SRV" "$SNT_TMP/story13-http.log" timeout "$STORY13_TIMEOUT" "$py" -m http.server 80 \
		--bind "$STORY13_WEB" --directory "$SNT_TMP/story13-www"
	STORY13_PIDS+=("$SNT_LAST_PID")
	snt_wait_listen "$SNT_SRV" 80 || return 1

	story13_tls "$STORY13_MAIL" mail &&
		story13_tls "$STORY13_WEB" "$web" &&
		story13_tls "$STORY13_AUTO" "$auto"
}

# story13_stop_servers : stop what story13_start_servers started.
story13_stop_servers() {
	local pid
	for pid in ${STORY13_PIDS[@]+"${STORY13_PIDS[@]}"}; do
		snt_stop "$pid" TERM
	done
	STORY13_PIDS=()
	return 0
}

# story13_burst COMMAND... : in the client namespace, the burst a mail
# client makes for user@example.test hosted at mail.hosted.test, each name
# resolved by COMMAND (curl) itself through the system resolver pointed, in
# a private mount namespace, at the story's DNS server:
#   COMMAND https://mail.hosted.test/
#   COMMAND https://autodiscover.example.test/autodiscover/autodiscover.xml
#   COMMAND https://example.test/autodiscover/autodiscover.xml
#   COMMAND http://www.example.test/
# Set SSLKEYLOGFILE in COMMAND (env SSLKEYLOGFILE=... curl ...) for one key
# log of the whole burst.
story13_burst() {
	printf 'nameserver %s\n' "$STORY13_DNS" >"$SNT_TMP/story13-resolv.conf"
	cat >"$SNT_TMP/story13-burst.sh" <<-'EOF'
		mount --bind "$1" /etc/resolv.conf || exit 1
		shift
		"$@" https://mail.hosted.test/
		"$@" https://autodiscover.example.test/autodiscover/autodiscover.xml
		"$@" https://example.test/autodiscover/autodiscover.xml
		"$@" http://www.example.test/
	EOF
	client unshare -m --propagation private \
		sh "$SNT_TMP/story13-burst.sh" "$SNT_TMP/story13-resolv.conf" "$@"
}
