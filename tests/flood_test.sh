#!/usr/bin/env bash
# Hostile traffic at small scale, made by bench/make-flood-pcap.py: the
# reassembly memory bound (out-of-order data held by many connections at
# once) and the summaries of unanswered SYNs, read from the records.
# usage: flood_test.sh SNITRACE SOURCE_ROOT
set -u
bin=$1
root=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
gen=$root/bench/make-flood-pcap.py

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# count FILE PATTERN: lines matching
count() { grep -c -- "$2" "$1"; }

# stat FILE NAME: the final stats record's counter (0 when absent)
stat() {
    /usr/bin/python3 -c '
import json, sys
last = [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"stats\"" in l][-1]
print(last.get(sys.argv[2], 0))' "$1" "$2"
}

# 1000 connections whose ClientHellos arrive out of order, all held at once.
/usr/bin/python3 "$gen" --shape ooo-bomb --count 1000 "$tmp/bomb.pcap" || fail "generator"
"$bin" -q -r "$tmp/bomb.pcap" -o "$tmp/bomb.json" || fail "bomb: exit $?"
[ "$(count "$tmp/bomb.json" '"type":"attempt"')" = 1000 ] || fail "bomb: not 1000 attempts"
[ "$(count "$tmp/bomb.json" '"type":"attempt".*"name_source":"sni"')" = 1000 ] || fail "bomb: SNIs lost with room to spare"
[ "$(stat "$tmp/bomb.json" reassembly_memory_evictions)" = 0 ] || fail "bomb: evictions with room to spare"
# 1 MiB holds about 300 of them: the oldest are finished early to make
# room, every attempt is still written, and the latest keep their names.
"$bin" -q -r "$tmp/bomb.pcap" --reassembly-memory 1 -o "$tmp/bomb1.json" || fail "bomb 1 MiB: exit $?"
[ "$(count "$tmp/bomb1.json" '"type":"attempt"')" = 1000 ] || fail "bomb 1 MiB: not 1000 attempts"
evicted=$(stat "$tmp/bomb1.json" reassembly_memory_evictions)
named=$(count "$tmp/bomb1.json" '"type":"attempt".*"name_source":"sni"')
[ "$evicted" -gt 500 ] || fail "bomb 1 MiB: only $evicted evictions"
[ "$named" -gt 100 ] && [ "$named" -lt 1000 ] || fail "bomb 1 MiB: $named names"
# Which of the latest keep theirs depends on the byte-exact budget; most of them do.
latest=$(grep -o '"name":"bomb-[89][0-9][0-9]\.' "$tmp/bomb1.json" | sort -u | wc -l)
[ "$latest" -gt $((named / 2)) ] || fail "bomb 1 MiB: only $latest of $named names among the latest 200"
grep -q '"name":"bomb-0.example.test"' "$tmp/bomb1.json" && fail "bomb 1 MiB: the oldest kept its buffers"

# 3000 spoofed SYNs to one server over 5 s: 100 attempts, the rest in one
# flood record (or, unanswered after 1 s and --scan-window 1, one a second),
# all with --scan-threshold 0.
/usr/bin/python3 "$gen" --count 3000 --rate 600 "$tmp/flood.pcap" || fail "generator"
"$bin" -q -r "$tmp/flood.pcap" -o "$tmp/flood.json" || fail "flood: exit $?"
[ "$(count "$tmp/flood.json" '"type":"attempt"')" = 100 ] || fail "flood: not 100 attempts"
[ "$(count "$tmp/flood.json" '"type":"session"')" = 100 ] || fail "flood: not 100 sessions"
grep -q '"type":"flood".*"server":{"ip":"198.51.100.10"}.*"attempt_count":2900,"attempts_written":100' \
    "$tmp/flood.json" || fail "flood: no flood record of 2900: $(grep flood "$tmp/flood.json")"
[ "$(stat "$tmp/flood.json" attempts_summarised)" = 2900 ] || fail "flood: attempts_summarised"
"$bin" -q -r "$tmp/flood.pcap" --syn-timeout 1 --scan-window 1 -o "$tmp/flood1.json" || fail "flood window 1: exit $?"
summed=$(/usr/bin/python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if "\"type\":\"flood\"" in l]
print(len(recs), sum(r["attempt_count"] for r in recs), sum("ongoing" in r for r in recs))' "$tmp/flood1.json")
set -- $summed
[ "$1" -ge 3 ] && [ "$2" = 2900 ] && [ "$3" -ge 2 ] || fail "flood window 1: records, attempts, ongoing: $summed"
"$bin" -q -r "$tmp/flood.pcap" --scan-threshold 0 -o "$tmp/flood0.json" || fail "flood off: exit $?"
[ "$(count "$tmp/flood0.json" '"type":"attempt"')" = 3000 ] || fail "flood off: not 3000 attempts"
grep -q '"type":"flood"' "$tmp/flood0.json" && fail "flood off: a flood record"
"$bin" -q -r "$tmp/flood.pcap" --format text -o "$tmp/flood.txt" || fail "flood text: exit $?"
grep -q "FLOOD  server 198.51.100.10: 2900 attempts summarised (100 written)" "$tmp/flood.txt" ||
    fail "flood text: no FLOOD line"

if [ "$failures" -gt 0 ]; then
    echo "$failures failures"
    exit 1
fi
echo "all flood checks passed"
