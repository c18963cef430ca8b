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

# A reader that goes away (`| head`) ends the run quietly with 0; a full
# disk is still an error.
closed_pipe_status() { # ARGS...
    /usr/bin/python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[1:], stdout=w, stderr=subprocess.PIPE)
print(p.returncode, len(p.stderr))
' "$bin" "$@"
}
got=$(closed_pipe_status -r "$pcaps/cert/story.pcap")
[ "$got" = "0 0" ] || fail "closed output pipe: status and stderr bytes $got, expected 0 0"
got=$(closed_pipe_status -r "$pcaps/cert/story.pcap" --format text)
[ "$got" = "0 0" ] || fail "closed output pipe, text view: status and stderr bytes $got"
for threads in 1 2 3; do
    got=$(closed_pipe_status --threads $threads -r "$pcaps/cert/story.pcap")
    [ "$got" = "0 0" ] || fail "closed output pipe, --threads $threads: status and stderr bytes $got"
    if [ -w /dev/full ]; then
        expect 1 "writing the output failed" -- --threads $threads -r "$pcaps/tls12.pcap" -o /dev/full
    fi
done

# The output thread, and the file read ahead, give exactly what one thread
# writes, in the same order.
expect 2 "whole number" -- -r "$pcaps/tls12.pcap" --threads 4
for pcap in "$pcaps"/*.pcap "$pcaps"/*.pcapng "$pcaps"/*/*.pcap "$pcaps"/*/*.pcapng; do
    for format in json text; do
        "$bin" -q --threads 1 --format $format --ca-file "$pcaps/cert/test-ca.pem" -r "$pcap" \
            >"$tmp/one" 2>&1
        for threads in 2 3; do
            "$bin" -q --threads $threads --format $format --ca-file "$pcaps/cert/test-ca.pem" \
                -r "$pcap" >"$tmp/more" 2>&1
            cmp -s "$tmp/one" "$tmp/more" || fail "--threads 1 and $threads differ on $pcap ($format)"
        done
    done
done

# --probe sends packets: never implied, bad values refused before anything runs.
grep -q "SENDS PACKETS" <("$bin" --help) || fail "--help does not warn that --probe sends packets"
expect 2 "only apply with --probe" -- -r "$pcaps/tls13.pcap" --probe-only 192.0.2.0/24
expect 2 "only apply with --probe" -- -r "$pcaps/tls13.pcap" --probe-max 3
expect 2 "no-cert-checks" -- -r "$pcaps/tls13.pcap" --probe --no-cert-checks
expect 2 "address or network" -- -r "$pcaps/tls13.pcap" --probe --probe-only 192.0.2.0/33
expect 2 "address or network" -- -r "$pcaps/tls13.pcap" --probe --probe-only example.test
expect 2 "from 100ms to 60s" -- -r "$pcaps/tls13.pcap" --probe --probe-timeout 50ms
expect 2 "from 100ms to 60s" -- -r "$pcaps/tls13.pcap" --probe --probe-timeout 500
expect 2 "seconds or milliseconds" -- -r "$pcaps/tls13.pcap" --probe --probe-timeout 3min
expect 2 "whole number" -- -r "$pcaps/tls13.pcap" --probe --probe-parallel 17
expect 2 "whole number" -- -r "$pcaps/tls13.pcap" --probe --probe-max 0
# Which attempts --probe wants, without sending anything: every server is
# outside 203.0.113.0/24, so a wanted attempt is counted as filtered.
probe_wanted() { # PCAP
    "$bin" -q -r "$1" --probe --probe-only 203.0.113.0/24 | tail -n 1 |
        sed -n 's/.*"probes_filtered":\([0-9]*\).*/\1/p'
}
[ "$(probe_wanted "$pcaps/tls13.pcap")" = 1 ] || fail "--probe does not want the TLS 1.3 attempt"
[ "$(probe_wanted "$pcaps/tls12.pcap")" = 0 ] || fail "--probe wants an attempt whose certificate was seen"
[ "$(probe_wanted "$pcaps/http-connect.pcap")" = 0 ] || fail "--probe wants TLS inside a CONNECT tunnel"
# Not probed, the records are those of a run without --probe.
diff <("$bin" -r "$pcaps/tls13.pcap" | grep -v '"type":"stats"') \
    <("$bin" -q -r "$pcaps/tls13.pcap" --probe --probe-only 203.0.113.0/24 | grep -v '"type":"stats"') \
    >/dev/null || fail "a filtered --probe run changes the records"

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

# Key logs: a missing one is an error; malformed lines are one warning
# (none with -q); the stats say what was loaded, and only when a key log
# was given.
R=cd1ad09b6652f8cffda8062aba2f896c92d795c86f49d2a4f31404400eb78181
M=0d9af0720a89c6f75493840aa6bb9e264060c10d7ae136286dc13deb1d0822aa534fe486f94fff6579f98cd3eefce47e
key_line() { printf 'CLIENT_RANDOM %064x %s\n' "$1" "$M"; }
expect 1 "cannot read key log $tmp/no-such-keylog" -- -r "$pcaps/tls13.pcap" --keylog "$tmp/no-such-keylog"
printf '# a comment\nCLIENT_RANDOM %s %s\ngarbage\r\nCLIENT_RANDOM 00 11\n' "$R" "$M" >"$tmp/keys.log"
expect 0 "skipped 2 malformed key log lines" -- -r "$pcaps/tls13.pcap" --keylog "$tmp/keys.log"
[ "$(grep -c . "$tmp/err")" = 1 ] || fail "malformed key log lines: want one warning, got: $(cat "$tmp/err")"
grep -q '"keylog_keys":1,"keylog_malformed":2,"keylog_clients_evicted":0' "$tmp/out" ||
    fail "key log counters missing from the stats: $(tail -1 "$tmp/out")"
expect 0 "skipped 4 malformed" -- -r "$pcaps/tls13.pcap" --keylog "$tmp/keys.log" --keylog "$tmp/keys.log"
[ "$(grep -c . "$tmp/err")" = 1 ] || fail "two key logs: want one warning, got: $(cat "$tmp/err")"
expect 0 "" -- -q -r "$pcaps/tls13.pcap" --keylog "$tmp/keys.log"
[ -s "$tmp/err" ] && fail "-q did not silence the key log warning: $(cat "$tmp/err")"
expect 0 "" -- -r "$pcaps/tls13.pcap"
grep -q keylog "$tmp/out" && fail "stats without a key log mention one: $(tail -1 "$tmp/out")"
many=()
for _ in $(seq 17); do many+=(--keylog "$tmp/keys.log"); done
expect 2 "at most 16" -- -r "$pcaps/tls13.pcap" "${many[@]}"

# A pcapng Decryption Secrets Block (editcap --inject-secrets) feeds the
# same store, from a file or from standard input, without --keylog.
for how in file stdin; do
    if [ "$how" = file ]; then
        expect 0 "" -- -r "$pcaps/tls13-dsb.pcapng"
    else
        expect 0 "" -- -r - <"$pcaps/tls13-dsb.pcapng"
    fi
    grep -Eq '"keylog_keys":[1-9][0-9]*,"keylog_malformed":0' "$tmp/out" ||
        fail "secrets block ($how): no keys in the stats: $(tail -1 "$tmp/out")"
done

if [ "$(id -u)" = 0 ]; then
    # Live: a key log that grows while snitrace runs is followed, half a
    # line at a time included.
    key_line 1 >"$tmp/live-keys.log"
    "$bin" -i lo -Z root --stats-interval 0 --keylog "$tmp/live-keys.log" 'tcp port 9' \
        >"$tmp/live-keys.json" 2>"$tmp/live-keys.err" &
    pid=$!
    sleep 1 # started, and read the first line
    key_line 2 | head -c 100 >>"$tmp/live-keys.log"
    sleep 0.5
    { key_line 2 | tail -c +101; key_line 3; } >>"$tmp/live-keys.log"
    sleep 1 # refreshed every 200 ms
    kill -TERM "$pid"
    wait "$pid" || fail "live capture with a key log exited $?"
    grep -q '"keylog_keys":3' "$tmp/live-keys.json" ||
        fail "live: the growing key log was not followed: $(tail -1 "$tmp/live-keys.json") $(cat "$tmp/live-keys.err")"
fi

# Nothing is lost at exit: what the run keeps to the end (the certificates
# kept parsed, the engine's connections and DNS names, the sessions and the
# flags) stays reachable.  valgrind, where installed, on a build
# without a sanitizer (those check leaks themselves and cannot run under it).
if command -v valgrind >/dev/null 2>&1 && ! ldd "$bin" | grep -Eq 'lib(a|t|ub)san'; then
    valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
        "$bin" -q --ca-file "$pcaps/cert/test-ca.pem" -r "$pcaps/cert/story.pcap" \
        >/dev/null 2>"$tmp/valgrind"
    [ $? = 99 ] && fail "valgrind finds memory lost at exit: $(grep -m2 'lost' "$tmp/valgrind")"
fi

# SIGINT and SIGTERM go to the main thread: the program's other threads
# block every signal (src/thread.h), so the stop flag is set and read on
# one thread.  snitrace reads a pipe that has given it a file header and
# nothing more, with all its threads started; then it is stopped.
mkfifo "$tmp/fifo"
"$bin" --threads 2 -r - <"$tmp/fifo" >"$tmp/sig.out" 2>"$tmp/sig.err" &
sig_pid=$!
exec 3>"$tmp/fifo"
head -c 24 "$pcaps/tls12.pcap" >&3
helpers=0
for _ in $(seq 100); do # at most 10 s for the threads to start
    helpers=$(cat /proc/"$sig_pid"/task/*/comm 2>/dev/null | grep -c '^snitrace-')
    [ "$helpers" -ge 2 ] && break
    sleep 0.1
done
[ "$helpers" -ge 2 ] || fail "snitrace reading a pipe has $helpers threads of its own, expected 2 or more"
for task in /proc/"$sig_pid"/task/*; do
    name=$(cat "$task/comm" 2>/dev/null) || continue
    mask=$(awk '/^SigBlk:/ { print $2 }' "$task/status" 2>/dev/null) || continue
    [ -n "$mask" ] || continue
    # SIGINT is bit 1, SIGTERM bit 14 of the mask (signal numbers 2 and 15).
    blocked=$(((0x$mask >> 1 & 1) + (0x$mask >> 14 & 1)))
    if [ "${task##*/}" = "$sig_pid" ]; then
        [ "$blocked" = 0 ] || fail "the main thread blocks SIGINT or SIGTERM (SigBlk $mask)"
    elif [ "${name#snitrace-}" != "$name" ]; then
        [ "$blocked" = 2 ] || fail "thread $name does not block SIGINT and SIGTERM (SigBlk $mask)"
    fi
done
kill -INT "$sig_pid"
tail -c +25 "$pcaps/tls12.pcap" >&3
exec 3>&-
wait "$sig_pid"
sig_status=$?
[ "$sig_status" = 0 ] || fail "snitrace stopped by SIGINT exited $sig_status ($(head -c 300 "$tmp/sig.err"))"
grep -q '"type":"stats"' "$tmp/sig.out" || fail "snitrace stopped by SIGINT wrote no final stats"

if [ "$failures" -gt 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "all CLI checks passed"
