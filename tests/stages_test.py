#!/usr/bin/env python3
"""bench/stages.py on a made-up callgrind profile: code that link-time
optimisation inlined into another file's function counts for the stage of
its own file, and so does the library code it calls; the function's own
lines count for the function's file.

usage: stages_test.py STAGES_PY
"""
import os
import subprocess
import sys
import tempfile

# main() in main.c (engine) holds lines inlined from capture.c (read) and
# decode_fast.c (decode), and from a header (counted for the function it is
# in); memcpy in libc is called once from main.c's own lines and once from
# the inlined capture.c code.
PROFILE = """\
# callgrind format
version: 1
creator: stages_test
positions: line
events: Ir
summary: 1000

ob=(1) /x/build/snitrace
fl=(1) /x/src/main.c
fn=(1) main
1 10
fi=(2) /x/src/capture.c
2 300
fi=(3) /x/src/decode_fast.c
3 200
fi=(4) /x/include/snitrace/reader.h
4 7
fe=(1)
5 50
cob=(5) /usr/lib/x86_64-linux-gnu/libc.so.6
cfi=(6) ???
cfn=(6) memcpy
calls=1 0
6 100
fi=(2)
cob=(5)
cfi=(6)
cfn=(6)
calls=1 0
7 40
fe=(1)
cfi=(7) /x/src/json.c
cfn=(7) put
calls=1 0
8 293

fl=(7)
fn=(7)
9 293

ob=(5)
fl=(6)
fn=(6)
0 140
"""

EXPECTED = {"read": 340, "decode": 200, "engine": 167, "output": 293}


def stage_rows(text):
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[2].replace(",", "").isdigit():
            rows[cells[0]] = int(cells[2].replace(",", ""))
    return rows


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "profile.callgrind")
        with open(path, "w") as f:
            f.write(PROFILE)
        run = subprocess.run([sys.executable, sys.argv[1], "callgrind", path, "/x/build/snitrace"],
                             capture_output=True, text=True, check=True)
    rows = stage_rows(run.stdout)
    failed = 0
    for stage, want in EXPECTED.items():
        got = rows.get(stage)
        if got != want:
            print(f"FAIL: {stage}: {got} instructions, expected {want}")
            failed += 1
    if rows.get("total") != sum(EXPECTED.values()):
        print(f"FAIL: total {rows.get('total')}, expected {sum(EXPECTED.values())}")
        failed += 1
    if failed:
        print(run.stdout)
        sys.exit(1)
    print(f"stages: {len(EXPECTED)} stages as expected")


if __name__ == "__main__":
    main()
