#!/bin/sh
# Install what building and testing snitrace needs on Debian 12, skipping
# packages that are already there.  Run as root (or through sudo).
set -eu
packages="build-essential meson ninja-build pkg-config libpcap-dev libssl-dev libcjson-dev libidn2-dev
zlib1g-dev libbrotli-dev libzstd-dev
openssl ca-certificates curl tcpdump iproute2 dnsmasq-base ngtcp2-client ngtcp2-server python3 python3-jsonschema clang-format tshark"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing
fi
