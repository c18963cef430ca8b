#!/usr/bin/env bash
# The program's edges: bad input gets a clear message and the documented exit
# status, and whatever was read before damage is still written.
# usage: cli_test.sh SNITRACE PCAPS_DIR
set -u
bin=$1
pcaps=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect STATUS PATTERN-IN-STDERR -- ARGS...
expect() {
    local want=$1 pattern=$2
    shift 3
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [ "$got" = "$want" ] || fail "snitrace $* exited $got, expected $want ($(head -c 300 "$tmp/err"))"
    if [ -n "$pattern" ] && ! grep -qi -- "$pattern" "$tmp/err"; then
        fail "snitrace $*: stderr lacks '$pattern': $(head -c 300 "$tmp/err")"
    fi
}

expect 0 "" -- --help
grep -q -- "--read" "$tmp/out" || fail "--help does not describe -r"
expect 0 "" -- --version
grep -q "^snitrace [0-9]" "$tmp/out" || fail "--version prints '$(cat "$tmp/out")'"
expect 2 "say what to read" -- 
expect 2 "unknown" -- --no-such-option
expect 2 "exclude" -- -r "$pcaps/tls12.pcap" -i lo
expect 2 "format" -- -r "$pcaps/tls12.pcap" --format xml
expect 2 "whole number" -- -r "$pcaps/tls12.pcap" --max-flows lots
expect 1 "cannot read" -- -r "$tmp/does-not-exist.pcap"
echo "this is not a capture file, just text" >"$tmp/text.pcap"
expect 1 "cannot read" -- -r "$tmp/text.pcap"
expect 2 "bad filter" -- -r "$pcaps/tls12.pcap" -f "port port port"
expect 2 "bad filter" -- -r "$pcaps/tls12.pcap" tcp and nonsense-word
expect 1 "no such interface" -- -i snt-no-such-if0

expect 2 "no such user" -- -r "$pcaps/tls12.pcap" -Z snt-no-such-user
if [ "$(id -u)" = 0 ]; then
    # Files opened first, then the rights dropped: reading still works.
    expect 0 "" -- -r "$pcaps/tls12.pcap" -Z nobody -o "$tmp/as-nobody.json"
    grep -q '"name":"www.example.test"' "$tmp/as-nobody.json" || fail "-Z nobody lost the output"
fi

if [ "$(id -u)" = 0 ]; then
    # Live, with no matching traffic: periodic stats still come, and SIGTERM
    # ends the capture at once with the final stats.
    "$bin" -i lo -Z root --stats-interval 1 'tcp port 9' >"$tmp/idle.json" 2>"$tmp/idle.err" &
    pid=$!
    sleep 2.5
    kill -TERM "$pid"
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then
        fail "live capture without traffic ignored SIGTERM"
        kill -KILL "$pid"
    fi
    wait "$pid" || fail "live capture exited $? after SIGTERM"
    grep -q '"final":false' "$tmp/idle.json" || fail "no periodic stats without traffic"
    grep -q '"final":true' "$tmp/idle.json" || fail "no final stats after SIGTERM"
fi

# A link type snitrace does not decode (USER0, 147).
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00' >"$tmp/user0.pcap"
expect 1 "unsupported link type 147" -- -r "$tmp/user0.pcap"

# A file cut in the middle of a packet: the attempt before the cut is kept.
size=$(stat -c %s "$pcaps/tls12.pcap")
head -c $((size - 40)) "$pcaps/tls12.pcap" >"$tmp/cut.pcap"
expect 1 "stopped early" -- -r "$tmp/cut.pcap"
grep -q '"name":"www.example.test"' "$tmp/out" || fail "truncated file: the attempt read before the damage is missing"
grep -q '"type":"stats"' "$tmp/out" || fail "truncated file: no final stats"

# Standard input, a BPF filter that matches nothing, -o, and the text view.
expect 0 "" -- -r - <"$pcaps/tls12.pcap"
grep -q '"name":"www.example.test"' "$tmp/out" || fail "-r - did not read standard input"
expect 0 "" -- -r "$pcaps/tls12.pcap" udp
grep -q '"type":"attempt"' "$tmp/out" && fail "filter 'udp' still let a TCP attempt through"
expect 0 "" -- -r "$pcaps/tls12.pcap" -o "$tmp/o.json"
grep -q '"type":"attempt"' "$tmp/o.json" || fail "-o FILE did not get the attempts"
expect 0 "" -- -r "$pcaps/tls12.pcap" --format text
grep -q "www.example.test:4412" "$tmp/out" || fail "text view lacks the name: $(cat "$tmp/out")"
grep -q "^session 1  client 192.0.2.1 " "$tmp/out" || fail "text view lacks the session header: $(cat "$tmp/out")"
# STARTTLS in the text view: the carrier in the protocol column, a refusal said.
expect 0 "" -- -r "$pcaps/starttls/smtp.pcap" --format text
grep -q "^  smtp+tls  www.example.test:25 " "$tmp/out" || fail "text view lacks smtp+tls: $(cat "$tmp/out")"
expect 0 "" -- -r "$pcaps/starttls/smtp-refused.pcap" --format text
grep -q "STARTTLS REFUSED  handshake_failed" "$tmp/out" || fail "text view lacks the refusal: $(cat "$tmp/out")"

if [ "$failures" -gt 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "all CLI checks passed"
