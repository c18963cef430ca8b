#!/bin/sh
# Regenerate the X.509 test certificates (RFC 5280) used by tests/test_cert.c
# and the cert fuzz seeds, with throwaway CAs in a temporary directory.
#
# Only public certificates are kept; every private key dies with the
# temporary directory.  Validity windows are fixed dates, so the tests never
# depend on the wall clock:
#   CAs                2020-01-01 .. 2040-01-01
#   leaves             2024-01-01 .. 2034-01-01
#   short intermediate 2020-01-01 .. 2023-01-01 (its leaf outlives it)
# Names are under example.test (RFC 6761) and 192.0.2.0/24, 2001:db8::/32
# (RFC 5737, RFC 3849).
#
# Usage: tests/certs/make-certs.sh   (needs the openssl command line tool)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
seeds="$here/../fuzz/corpus/cert"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
cd "$work"

CA_START=200101000000Z
CA_END=400101000000Z
LEAF_START=240101000000Z
LEAF_END=340101000000Z

mkdir new
: >index.txt
echo 1000 >serial

cat >ca.cnf <<'EOF'
[ ca ]
default_ca = test_ca

[ test_ca ]
dir = .
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no

[ policy_any ]
commonName = optional
organizationName = optional

[ req ]
distinguished_name = req_dn
prompt = no

[ req_dn ]
CN = unused
EOF

cat >ext.cnf <<'EOF'
[ root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ leaf_base ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

# leaf_ext SECTION SAN: an extension section for a server certificate; an
# empty SAN leaves the extension out.
leaf_ext() {
    {
        echo "[ $1 ]"
        echo "basicConstraints = critical, CA:false"
        echo "keyUsage = critical, digitalSignature, keyEncipherment"
        echo "extendedKeyUsage = serverAuth"
        echo "subjectKeyIdentifier = hash"
        echo "authorityKeyIdentifier = keyid"
        if [ -n "$2" ]; then
            echo "subjectAltName = $2"
        fi
    } >>ext.cnf
}

# key NAME SPEC: a private key (rsa:BITS or ec:CURVE), in the temp dir only.
key() {
    case $2 in
    rsa:*) openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:${2#rsa:}" -out "$1.key" 2>/dev/null ;;
    ec:*) openssl genpkey -algorithm EC -pkeyopt "ec_paramgen_curve:${2#ec:}" -out "$1.key" ;;
    esac
}

# sign NAME SUBJECT ISSUER EXT START END MD: issue NAME.pem from a new request;
# ISSUER "self" signs with NAME's own key.
sign() {
    openssl req -new -config ca.cnf -key "$1.key" -subj "$2" -out "$1.csr"
    if [ "$3" = self ]; then
        set -- "$@" -selfsign -keyfile "$1.key"
    else
        set -- "$@" -cert "$3.pem" -keyfile "$3.key"
    fi
    name=$1 ext=$4 start=$5 end=$6 md=$7
    shift 7
    openssl ca -batch -notext -preserveDN -config ca.cnf -extfile ext.cnf -extensions "$ext" \
        -startdate "$start" -enddate "$end" -md "$md" -in "$name.csr" -out "$name.pem" \
        "$@" 2>/dev/null
    openssl x509 -in "$name.pem" -outform DER -out "$here/$name.der"
}

# leaf NAME KEYSPEC SUBJECT SAN ISSUER [MD] [START END]
leaf() {
    leaf_ext "ext_$1" "$4"
    key "$1" "$2"
    sign "$1" "$3" "$5" "ext_$1" "${7:-$LEAF_START}" "${8:-$LEAF_END}" "${6:-sha256}"
}

# Trust anchors and an intermediate.
key root rsa:2048
sign root "/O=snitrace tests/CN=snitrace Test Root CA" self root "$CA_START" "$CA_END" sha256
key intermediate rsa:2048
sign intermediate "/O=snitrace tests/CN=snitrace Test Intermediate CA" root intermediate \
    "$CA_START" "$CA_END" sha256
key short-intermediate rsa:2048
sign short-intermediate "/O=snitrace tests/CN=snitrace Short-lived Intermediate CA" root \
    intermediate "$CA_START" 230101000000Z sha256
# A root signed with SHA-1: its own signature is never relied on.
key legacy-root rsa:2048
sign legacy-root "/O=snitrace tests/CN=snitrace Legacy Root CA" self root "$CA_START" "$CA_END" sha1
# A CA the test trust store does not know.
key other-root rsa:2048
sign other-root "/O=elsewhere/CN=Other Root CA" self root "$CA_START" "$CA_END" sha256

leaf www rsa:2048 "/CN=www.example.test" "DNS:www.example.test, DNS:mail.example.test" intermediate
leaf wildcard rsa:2048 "/CN=*.example.test" "DNS:*.example.test" intermediate
leaf partial-wildcard rsa:2048 "/CN=w*.example.test" "DNS:w*.example.test" intermediate
leaf cn-not-in-san rsa:2048 "/CN=old-name.example.test" "DNS:new-name.example.test" intermediate
leaf cn-only rsa:2048 "/O=snitrace tests/CN=cn-only.example.test" "" intermediate
leaf ip rsa:2048 "/CN=ip.example.test" "DNS:ip.example.test, IP:192.0.2.5, IP:2001:db8::5" intermediate
leaf selfsigned rsa:2048 "/CN=selfsigned.example.test" "DNS:selfsigned.example.test" self
leaf other-leaf rsa:2048 "/CN=other.example.test" "DNS:other.example.test" other-root
leaf rsa1024 rsa:1024 "/CN=rsa1024.example.test" "DNS:rsa1024.example.test" intermediate
leaf ec256 ec:P-256 "/CN=ec256.example.test" "DNS:ec256.example.test" intermediate
leaf ec192 ec:P-192 "/CN=ec192.example.test" "DNS:ec192.example.test" intermediate
# RFC 5280 section 4.1.2.6: an empty subject needs a critical subjectAltName.
leaf empty-subject ec:P-256 "/" "critical, DNS:empty-subject.example.test" intermediate
leaf sha1 rsa:2048 "/CN=sha1.example.test" "DNS:sha1.example.test" intermediate sha1
# RSA-PSS names its digest in the signature's parameters, not in the OID:
# self-signed, as the test CAs' keys are gone once made.
for md in sha1 sha256; do
    leaf_ext "ext_pss-$md" "DNS:pss-$md.example.test"
    key "pss-$md" rsa:2048
    sign "pss-$md" "/CN=pss-$md.example.test" self "ext_pss-$md" "$LEAF_START" "$LEAF_END" "$md" \
        -sigopt rsa_padding_mode:pss
done
leaf legacy-leaf rsa:2048 "/CN=legacy.example.test" "DNS:legacy.example.test" legacy-root
leaf short-leaf rsa:2048 "/CN=short.example.test" "DNS:short.example.test" short-intermediate \
    sha256 210101000000Z 300101000000Z

# 2000 DNS names, more than SNT_CERT_MAX_NAMES keeps.
sans=$(awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%sDNS:n%04d.example.test", (i ? "," : ""), i }')
leaf many-sans rsa:2048 "/CN=many-sans.example.test" "$sans" intermediate

# The trust store the tests load: the test root and the legacy root.
for ca in root legacy-root; do
    openssl x509 -in "$ca.pem"
done >"$here/ca.pem"

# ---- fuzz seeds: Certificate message bodies built from the DER files ----

u8() { printf "\\$(printf %03o "$(($1 & 255))")"; }
u24() { u8 $(($1 >> 16)); u8 $(($1 >> 8)); u8 "$1"; }
size() { wc -c <"$here/$1.der" | tr -d ' '; }

# body FORM CERT...: FORM 12 or 13 (13 adds the context and empty extensions).
body() {
    form=$1
    shift
    total=0
    for c in "$@"; do
        total=$((total + 3 + $(size "$c")))
        [ "$form" = 13 ] && total=$((total + 2))
    done
    [ "$form" = 13 ] && u8 0
    u24 "$total"
    for c in "$@"; do
        u24 "$(size "$c")"
        cat "$here/$c.der"
        [ "$form" = 13 ] && { u8 0; u8 0; }
    done
    return 0
}

mkdir -p "$seeds"
body 12 www intermediate >"$seeds/tls12-chain-www"
body 13 www intermediate >"$seeds/tls13-chain-www"
body 12 selfsigned >"$seeds/tls12-selfsigned"
body 13 ip >"$seeds/tls13-ip-sans"
body 12 cn-only sha1 rsa1024 ec192 >"$seeds/tls12-four-weak-and-cn-only"
body 12 short-leaf short-intermediate root >"$seeds/tls12-expired-intermediate"
body 13 >"$seeds/tls13-empty-list"
cp "$here/wildcard.der" "$seeds/der-wildcard"
echo "wrote $(ls "$here"/*.der | wc -l) certificates and $here/ca.pem; seeds in tests/fuzz/corpus/cert"
