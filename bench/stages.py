#!/usr/bin/python3
"""Where snitrace's time goes, by pipeline stage, from a callgrind profile
(exact instruction counts) or from perf samples with their call stacks.

usage: stages.py callgrind CALLGRIND.OUT BINARY [--base CALLGRIND.OUT]
       stages.py perf PERF-SCRIPT-OUTPUT BINARY

Code is put in stages by its source file (so the table keeps working as
the code changes: a new file lands in its stage by its name, or in "other"
under its own name until STAGES below learns it). With callgrind that is
the file of each costed line, so code inlined from another file counts for
that file's stage: link-time optimisation puts the pcap walk (capture.c)
and the common frames' decoder (decode_fast.c) inside main.c's loop.
Headers (*.h) count for the file they are inlined into.
Libraries have no stage of their own and count for the stage that called
them (OpenSSL under cert*.c is certificate work, under ja.c parsing, malloc
under output_json.c output), except libcjson (output) and libpcap (read).

callgrind: each function's inclusive cost is split by its callers in
proportion to what each call cost (callgrind's inclusive counts per call
edge), and the cost of a library function is given to the stage of the
snitrace code that called it, minus what that library called back into
snitrace (pcap_next_ex's callback is not read work). --base: a profile of
the same binary on an empty capture, subtracted, for the per-packet work
without start-up (trust store, OpenSSL initialisation).

perf: each sample goes to the innermost frame of its stack that has a
stage; kernel time counts for whoever made the system call (read: the
capture's read(2); page faults: whoever touched the memory).
"""

import collections
import fnmatch
import os
import re
import subprocess
import sys
import threading

# (stage, file patterns), first match wins; files are base names of src/.
STAGES = [
    ("decode", ["decode*.c"]),
    ("flow", ["flow.c"]),
    ("reassembly", ["stream.c", "engine_tcp.c"]),
    ("parse", ["tls_*.c", "tls12_*.c", "http.c", "dns.c", "quic*.c", "starttls*.c", "ja.c",
               "engine_app.c", "engine_quic.c", "engine_keys.c", "engine_tls13.c",
               "engine_dns.c", "keylog*.c", "pcapng_dsb.c"]),
    ("certificate", ["cert*.c", "attempt_cert.c"]),
    ("report", ["report.c"]),
    ("session", ["session.c", "names.c", "flags.c", "scan.c"]),
    ("output", ["output*.c", "json.c", "format.c", "utf8.c"]),
    ("read", ["capture.c", "pcap_records.c"]),
    ("engine", ["engine.c", "engine_conn.c", "engine_attempt.c", "attempt.c", "main.c"]),
]
# Helpers that belong to whoever calls them, as libraries do.
INHERIT_FILES = ["growbuf.c", "siphash.c", "secret.c", "arena.c", "htable.c", "pool.c",
                 "strindex.c", "*.h"]
# Libraries with a stage of their own (by object file name).
LIB_STAGES = [("libcjson*", "output"), ("libpcap*", "read")]
ORDER = ["read", "decode", "flow", "reassembly", "parse", "certificate", "report", "session",
         "output", "engine", "other"]
WHAT = {
    "read": "libpcap, capture.c, pcap_records.c (and the kernel, with perf)",
    "decode": "decode*.c",
    "flow": "flow.c",
    "reassembly": "stream.c, engine_tcp.c",
    "parse": "tls_*.c, http.c, dns.c, quic*.c, starttls*.c, ja.c, engine_app/quic/keys/tls13/dns.c",
    "certificate": "cert*.c, attempt_cert.c, OpenSSL under them",
    "report": "report.c: the ordered queue before sessions, flags and output (its own copies)",
    "session": "session.c, names.c, flags.c, scan.c",
    "output": "output*.c, json.c, format.c, utf8.c, stdio under them",
    "engine": "engine.c, engine_conn.c, engine_attempt.c, attempt.c, main.c: dispatch, attempt records",
    "other": "start-up outside main, and files not in a stage",
}


def file_stage(path):
    """The stage of a snitrace source file, None to inherit, or 'other:FILE'."""
    base = os.path.basename(path)
    for pat in INHERIT_FILES:
        if fnmatch.fnmatch(base, pat):
            return None
    for stage, pats in STAGES:
        for pat in pats:
            if fnmatch.fnmatch(base, pat):
                return stage
    return "other:" + base


def lib_stage(obj):
    base = os.path.basename(obj)
    for pat, stage in LIB_STAGES:
        if fnmatch.fnmatch(base, pat):
            return stage
    return None


def obj_label(obj, binary):
    if os.path.basename(obj) == os.path.basename(binary):
        return "snitrace"
    base = os.path.basename(obj)
    if base.startswith("["):
        return "kernel"
    return re.sub(r"\.so(\.[0-9.]+)?$", "", base) or "?"


# --- callgrind -------------------------------------------------------------------

def read_callgrind(path):
    """{key: new_func's record} and the total.  The inline file is the
    source file of the lines that cost (callgrind's fi= and fe=): with
    link-time optimisation a function holds code of other files, the pcap
    walk in main.c's loop, say."""
    names = {"ob": {}, "fl": {}, "fn": {}}
    kinds = {"ob": "ob", "cob": "ob", "fl": "fl", "fi": "fl", "fe": "fl", "cfi": "fl",
             "cfl": "fl", "fn": "fn", "cfn": "fn"}
    funcs = {}
    ob = fl = fi = None
    cur = None
    cob = cfi = cfn = None
    pending = None
    total = 0
    rx = re.compile(r"^\((\d+)\)(?: (.*))?$")

    def name(kind, text):
        m = rx.match(text)
        if not m:
            return text
        table = names[kinds[kind]]
        if m.group(2) is not None:
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1), "?")

    with open(path, errors="replace") as f:
        for line in f:
            c = line[:1]
            if c.isdigit() or c in "+-*":
                parts = line.split()
                cost = int(parts[1]) if len(parts) > 1 else 0
                if pending is not None:
                    funcs[cur][6][(pending, fi)] += cost
                    pending = None
                elif cur is not None:
                    funcs[cur][5][fi] += cost
                continue
            key, _, val = line.rstrip("\n").partition("=")
            if key == "ob":
                ob = name(key, val)
            elif key == "fl":
                fl = fi = name(key, val)
            elif key in ("fi", "fe"):
                fi = name(key, val)
            elif key == "fn":
                n = name(key, val)
                cur = (ob, fl, n)
                if cur not in funcs:
                    funcs[cur] = new_func(cur)
                fi = fl
            elif key == "cob":
                cob = name(key, val)
            elif key in ("cfi", "cfl"):
                cfi = name(key, val)
            elif key == "cfn":
                cfn = name(key, val)
            elif key == "calls":
                pending = (cob or ob, cfi or fi, cfn)
                cob = cfi = cfn = None
            elif key == "summary" or key == "totals":
                total = max(total, int(val.split()[0]))
    # Callees named by (object, file, name) as the call saw them; fall back
    # on the name within the object when the file differs.
    by_name = collections.defaultdict(list)
    for k in funcs:
        by_name[(k[0], k[2])].append(k)
    missing = {}

    def resolve(callee):
        if callee in funcs:
            return callee
        cands = by_name.get((callee[0], callee[2])) or [x for x in funcs if x[2] == callee[2]]
        if cands:
            return cands[0]
        missing.setdefault(callee, new_func(callee))
        return callee

    # Each function's self cost and its calls' costs, summed from its lines.
    for k, fn in funcs.items():
        sites = collections.Counter()
        for (callee, site), cost in fn[6].items():
            callee = resolve(callee)
            if callee != k:
                sites[(callee, site)] += cost
        fn[6] = sites
        fn[0] = sum(fn[5].values())
        fn[4] = collections.Counter()
        for (callee, _), cost in sites.items():
            fn[4][callee] += cost
    funcs.update(missing)
    return funcs, total


def new_func(key):
    """A function's record: [self, obj, file, name, {callee: inclusive},
    {inline file: self}, {(callee, inline file of the call): inclusive}]."""
    return [0, key[0], key[1], key[2], collections.Counter(), collections.Counter(),
            collections.Counter()]


def attribute_callgrind(funcs, binary):
    """{(stage, library): instructions}, and per snitrace function what it
    cost with the library code it called."""
    stage_of = {}
    for k, (_, obj, fl, *_) in funcs.items():
        if os.path.basename(obj) == os.path.basename(binary):
            stage_of[k] = file_stage(fl) if fl and fl != "???" else None
        else:
            stage_of[k] = lib_stage(obj)
    incl = {}
    for k, fn in funcs.items():
        incl[k] = fn[0] + sum(fn[4].values())
    memo = {}
    onstack = set()
    own = collections.Counter()  # snitrace function -> self + libraries under it

    def inline_stage(k, fi, here):
        """The stage of code from file fi inlined into snitrace function k."""
        if not fi or fi == "???" or not is_own(k):
            return here
        return file_stage(fi) or here

    def is_own(k):
        return os.path.basename(funcs[k][1]) == os.path.basename(binary)

    def split(k, ctx):
        """How k's inclusive cost divides into (stage, library), called from
        stage ctx."""
        st = stage_of[k]
        here = st or ctx
        mk = (k, here)
        if mk in memo:
            return memo[mk]
        onstack.add(mk)
        fn = funcs[k]
        label = obj_label(fn[1], binary)
        out = collections.Counter()
        for fi, cost in fn[5].items():
            out[(inline_stage(k, fi, here), label)] += cost
        for (callee, site), cost in fn[6].items():
            from_here = inline_stage(k, site, here)
            ci = incl.get(callee, 0)
            cctx = stage_of[callee] or from_here
            if ci <= 0 or (callee, cctx) in onstack:
                out[(from_here, label)] += cost
                continue
            scale = min(1.0, cost / ci)
            for sk, v in split(callee, from_here).items():
                out[sk] += v * scale
        onstack.discard(mk)
        memo[mk] = out
        return out

    called = set()
    for fn in funcs.values():
        called.update(fn[4])
    total = collections.Counter()
    for k in funcs:
        if k not in called:
            for sk, v in split(k, "other").items():
                total[sk] += v
    # What each snitrace function cost itself, with the library code it
    # called (not the snitrace code under it).
    for k, fn in funcs.items():
        st = stage_of[k]
        if not st or obj_label(fn[1], binary) != "snitrace":
            continue
        c = fn[0]
        for callee, cost in fn[4].items():
            if stage_of[callee] is None and obj_label(funcs[callee][1], binary) != "snitrace":
                ci = incl.get(callee, 0)
                if ci > 0:
                    sub = split(callee, st)
                    c += sum(v for (s2, _), v in sub.items() if s2 == st) * min(1.0, cost / ci)
        own[(st, os.path.basename(fn[2] or "?"), fn[3])] += c
    return total, own


# --- perf --------------------------------------------------------------------------

def symbol_files(binary):
    """snitrace's function names -> their source file, from the debug info."""
    out = {}
    try:
        text = subprocess.run(["nm", "-l", "--defined-only", binary], capture_output=True,
                              text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return out
    for line in text.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and "\t" in parts[2]:
            sym, where = parts[2].split("\t", 1)
            out[sym] = where.rsplit(":", 1)[0]
    return out


def attribute_perf(path, binary):
    files = symbol_files(binary)
    total = collections.Counter()
    own = collections.Counter()
    stack = []

    def flush():
        if not stack:
            return
        leaf_label = stack[0][1]
        stage, who = None, None
        for sym, label in stack:  # leaf first
            if label == "snitrace":
                sym0 = sym.split("+")[0]
                f = files.get(sym0)
                # Without a source file (PLT stubs, _start): as a library.
                st = file_stage(f) if f else None
                if st:
                    stage, who = st, (st, os.path.basename(f or "?"), sym0)
                    break
            else:
                st = lib_stage(label)
                if st:
                    stage = st
                    break
        stage = stage or "other"
        total[(stage, leaf_label)] += 1
        if who:
            own[who] += 1
        stack.clear()

    with open(path, errors="replace") as f:
        for line in f:
            s = line.strip()
            if not s:
                flush()
                continue
            if not line[:1].isspace():
                flush()  # the sample's header line
                continue
            # "ip sym+off (dso)"
            m = re.match(r"^[0-9a-f]+\s+(.*?)\s+\((.*)\)$", s)
            if m and m.group(2) != "inlined":  # the next frame is the function it is in
                stack.append((m.group(1), obj_label(m.group(2), binary)))
    flush()
    return total, own


# --- report ---------------------------------------------------------------------------

def stage_name(s):
    return s if not s.startswith("other:") else "other"


def report(total, own, unit, base=None):
    by_stage = collections.Counter()
    libs = collections.defaultdict(collections.Counter)
    others = collections.Counter()
    for (s, lib), v in total.items():
        by_stage[stage_name(s)] += v
        libs[stage_name(s)][lib] += v
        if s.startswith("other:"):
            others[s[6:]] += v
    base_stage = collections.Counter()
    if base:
        for (s, _), v in base.items():
            base_stage[stage_name(s)] += v
    all_ = sum(by_stage.values())
    net = {s: by_stage[s] - base_stage.get(s, 0) for s in by_stage}
    net_all = sum(net.values())
    head = f"| stage | files | {unit} | share |"
    rule = "|---|---|---:|---:|"
    if base:
        head += f" without start-up | share |"
        rule += "---:|---:|"
    head += " of which (by library) |"
    rule += "---|"
    print(head)
    print(rule)
    for s in ORDER + sorted(set(by_stage) - set(ORDER)):
        if s not in by_stage:
            continue
        v = by_stage[s]
        row = f"| {s} | {WHAT.get(s, '')} | {v:,.0f} | {100 * v / all_:.1f}% |"
        if base:
            row += f" {net[s]:,.0f} | {100 * net[s] / net_all:.1f}% |"
        parts = [f"{lib} {100 * c / v:.0f}%" for lib, c in libs[s].most_common(4) if v and c / v >= 0.01]
        row += " " + ", ".join(parts) + " |"
        print(row)
    line = f"| total | | {all_:,.0f} | 100% |"
    if base:
        line += f" {net_all:,.0f} | 100% |"
    print(line + " |")
    if others:
        print()
        print("Files in no stage yet (\"other\"): " +
              ", ".join(f"{f} ({100 * v / all_:.1f}%)" for f, v in others.most_common()))
    print()
    print(f"Top snitrace functions, with the library code they call ({unit}, share of the total):")
    print()
    print("| function | file | stage | share |")
    print("|---|---|---|---:|")
    for (s, fl, fn), v in own.most_common(15):
        print(f"| `{fn}` | {fl} | {stage_name(s)} | {100 * v / all_:.1f}% |")


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("callgrind", "perf"):
        sys.exit(__doc__.split("\n\n")[1])
    mode, path, binary = sys.argv[1:4]
    base = None
    if mode == "callgrind":
        funcs, summary = read_callgrind(path)
        total, own = attribute_callgrind(funcs, binary)
        got = sum(total.values())
        if summary and abs(got - summary) > 0.01 * summary:
            print(f"note: attributed {got:,.0f} of {summary:,} instructions", file=sys.stderr)
        if len(sys.argv) > 5 and sys.argv[4] == "--base":
            bfuncs, _ = read_callgrind(sys.argv[5])
            base, _ = attribute_callgrind(bfuncs, binary)
        report(total, own, "instructions", base)
    else:
        total, own = attribute_perf(path, binary)
        report(total, own, "samples")


if __name__ == "__main__":
    threading.stack_size(512 * 1024 * 1024)
    sys.setrecursionlimit(1_000_000)
    t = threading.Thread(target=main)
    t.start()
    t.join()
