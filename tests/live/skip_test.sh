#!/bin/bash
#
# Where network namespaces cannot be used (a container or a chroot: `ip
# netns add` works but `ip netns exec` fails on `mount --make-rslave /`),
# every live test must skip with meson's code 77 and say why, not fail.
# An `ip` that behaves like that one is put first in PATH; each live test
# is run with it and must exit 77 with a SKIP line naming the reason.
#
# usage: tests/live/skip_test.sh PATH/TO/snitrace LIVE-TEST...

set -u
SNITRACE=${1:?usage: skip_test.sh PATH/TO/snitrace LIVE-TEST...}
shift
tmp=$(mktemp -d /tmp/snt-skip.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
real_ip=$(command -v ip) || { echo "SKIP: no ip (iproute2)"; exit 77; }

# `ip netns exec` fails as it does in a chroot; everything else is the real
# ip, so the namespace the check makes is removed again.
cat >"$tmp/ip" <<SHIM
#!/bin/sh
if [ "\$1" = netns ] && [ "\$2" = exec ]; then
	echo 'mount --make-rslave / failed: Invalid argument' >&2
	exit 1
fi
exec "$real_ip" "\$@"
SHIM
chmod +x "$tmp/ip"

failures=0
for t in "$@"; do
	PATH="$tmp:$PATH" bash "$t" "$SNITRACE" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" != 77 ] || ! grep -q '^SKIP: ' "$tmp/out"; then
		echo "FAIL: $(basename "$t") exited $rc where namespaces cannot be used:"
		sed 's/^/  /' "$tmp/out" | head -20
		failures=$((failures + 1))
	else
		echo "ok   $(basename "$t"): $(grep '^SKIP: ' "$tmp/out" | head -1)"
	fi
done
[ "$failures" = 0 ]
