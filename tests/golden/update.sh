#!/bin/sh
# Rewrite tests/golden/expected/ from the current build after a deliberate
# output change; review the diff before committing.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$top/build/snitrace}
for pcap in "$top"/pcaps/*.pcap "$top"/pcaps/*.pcapng; do
    base=$(basename "$pcap")
    name=${base%.pcap}
    /usr/bin/python3 "$top/tests/golden/run_golden.py" --update "$bin" "$top/docs/snitrace.schema.json" \
        "$pcap" "$top/tests/golden/expected/$name.jsonl"
done
