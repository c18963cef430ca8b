#!/usr/bin/env bash
# The fix, end to end: --openssl-config writes a configuration per flagged
# host; openssl req turns it into a CSR whose subjectAltNames cover every name
# clients asked of that host.
# usage: csr_test.sh SNITRACE PCAPS_DIR
set -u
bin=$1
pcaps=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v openssl >/dev/null || { echo "SKIP: openssl not installed"; exit 77; }

mkdir "$tmp/conf"
if ! "$bin" -r "$pcaps/cert/story.pcap" --ca-file "$pcaps/cert/test-ca.pem" \
    --openssl-config "$tmp/conf" >"$tmp/out.json" 2>"$tmp/err"; then
    echo "FAIL: snitrace failed: $(cat "$tmp/err")"
    exit 1
fi
grep -q "openssl req -new -config" "$tmp/err" || { echo "FAIL: no openssl command printed"; exit 1; }

# Every flag's suggested names must come out of openssl as DNS SANs of the CSR.
/usr/bin/python3 - "$tmp" <<'PY'
import json, os, subprocess, sys
tmp = sys.argv[1]
flags = [json.loads(l) for l in open(os.path.join(tmp, "out.json")) if '"type":"flag"' in l]
if not flags:
    sys.exit("FAIL: the story capture raised no flag")
key = os.path.join(tmp, "key.pem")
subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-out", key], check=True, capture_output=True)
for fl in flags:
    conf = os.path.join(tmp, "conf", f"{fl['server']['ip']}-{fl['server']['port']}.cnf")
    if not os.path.exists(conf):
        sys.exit(f"FAIL: no configuration {conf}")
    csr = conf + ".csr"
    subprocess.run(["openssl", "req", "-new", "-config", conf, "-key", key, "-out", csr],
                   check=True, capture_output=True)
    text = subprocess.run(["openssl", "req", "-in", csr, "-noout", "-text"], check=True,
                          capture_output=True, text=True).stdout
    sans = {p.strip()[4:] for p in text.split("X509v3 Subject Alternative Name:")[1].splitlines()[1].split(",")}
    want = set(fl["suggested_alt_names"]) | set(fl["names_asked"])
    if not want <= sans:
        sys.exit(f"FAIL: CSR for {conf} lists {sorted(sans)}, missing {sorted(want - sans)}")
    print(f"ok {conf}: {sorted(sans)}")
PY
