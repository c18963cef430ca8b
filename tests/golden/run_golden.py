#!/usr/bin/env python3
"""Golden test: run snitrace on one capture from pcaps/, validate every output
line against docs/snitrace.schema.json, and compare with the expected NDJSON.

usage: run_golden.py SNITRACE SCHEMA PCAP EXPECTED [snitrace args...]
       run_golden.py --update SNITRACE SCHEMA PCAP EXPECTED [args...]
"""
import difflib
import json
import subprocess
import sys

try:
    import jsonschema
except ImportError:  # pragma: no cover - CI installs python3-jsonschema
    jsonschema = None


def run(binary, pcap, args):
    p = subprocess.run([binary, "-r", pcap] + args, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        sys.exit(f"snitrace exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p.stdout.decode("utf-8")  # strict: invalid UTF-8 fails the test


def validate(lines, schema_path):
    if jsonschema is None:
        sys.exit("python3-jsonschema is not installed")
    with open(schema_path) as f:
        schema = json.load(f)
    validator = jsonschema.Draft7Validator(schema)
    for n, line in enumerate(lines, 1):
        obj = json.loads(line)
        errors = sorted(validator.iter_errors(obj), key=lambda e: e.path)
        if errors:
            sys.exit(f"line {n} does not match the schema: {errors[0].message}\n{line}")


def main():
    argv = sys.argv[1:]
    update = argv and argv[0] == "--update"
    if update:
        argv = argv[1:]
    binary, schema, pcap, expected = argv[:4]
    out = run(binary, pcap, argv[4:])
    lines = out.splitlines()
    validate(lines, schema)
    if update:
        with open(expected, "w") as f:
            f.write(out)
        return
    with open(expected) as f:
        want = f.read().splitlines()
    if lines != want:
        sys.stdout.writelines(difflib.unified_diff([w + "\n" for w in want], [l + "\n" for l in lines],
                                                   "expected", "got"))
        sys.exit(f"output of {pcap} differs from {expected}")
    print(f"{pcap}: {len(lines)} lines as expected")


if __name__ == "__main__":
    main()
