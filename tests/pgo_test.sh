#!/bin/bash
# bench/pgo.sh from a clean tree: it must build a profile-guided snitrace
# (small training captures, a build directory of its own), and that build
# must write the same records, byte for byte, as the snitrace under test
# on every capture in pcaps/ (each with its key log where it has one), in
# JSON and in the text view.
#
# usage: tests/pgo_test.sh SNITRACE
set -u
snitrace=${1:?usage: pgo_test.sh SNITRACE}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! command -v gcc >/dev/null; then
	echo "SKIP: no gcc"
	exit 77
fi
if ! pgo=$(bash "$top/bench/pgo.sh" --size 5 --seed 1001 --builddir "$work/build-pgo" 2>"$work/log"); then
	tail -n 30 "$work/log"
	echo "FAIL: bench/pgo.sh failed"
	exit 1
fi
if [ "$pgo" != "$work/build-pgo/snitrace" ] || [ ! -x "$pgo" ]; then
	echo "FAIL: bench/pgo.sh printed '$pgo', not the binary it built"
	exit 1
fi
if ! python3 -c 'import json, sys
options = {o["name"]: o["value"] for o in json.load(open(sys.argv[1]))}
sys.exit(options.get("b_pgo") != "use")' "$work/build-pgo/meson-info/intro-buildoptions.json"; then
	echo "FAIL: $work/build-pgo is not configured with b_pgo=use"
	exit 1
fi

compared=0
differ=0
while IFS= read -r cap; do
	keys=()
	[ -f "${cap%.*}.keys" ] && keys=(--keylog "${cap%.*}.keys")
	for format in json text; do
		"$snitrace" "${keys[@]}" --format "$format" -r "$cap" >"$work/a.out" 2>"$work/a.err"
		a=$?
		"$pgo" "${keys[@]}" --format "$format" -r "$cap" >"$work/b.out" 2>"$work/b.err"
		b=$?
		compared=$((compared + 1))
		if [ "$a" != "$b" ] || ! cmp -s "$work/a.out" "$work/b.out" ||
			! cmp -s "$work/a.err" "$work/b.err"; then
			echo "differs ($format): ${cap#"$top"/} (exit $a and $b)"
			differ=$((differ + 1))
		fi
	done
done < <(find "$top/pcaps" -name '*.pcap' -o -name '*.pcapng' | sort)

echo "$compared runs compared, $differ differ"
[ "$compared" -gt 100 ] || { echo "FAIL: too few captures found under pcaps/"; exit 1; }
[ "$differ" = 0 ]
