# shellcheck shell=bash
# Sourced by the bench scripts (run.sh, stages.sh, threads.sh): the
# captures make-bench-pcap.py makes, named one way in the output directory
# so that every script finds and reuses the same file, its counts beside
# it (NAME.json).

# bench_capture OUT SHAPE SIZE FLOWS SEED: the capture's path on stdout,
# made first if it or its counts are missing (progress on stderr); 1 when
# it cannot be made.  FLOWS may be empty (the shape's own); the bulk shape
# has no flows to set.
bench_capture() {
	local out=$1 shape=$2 size=$3 flows=$4 seed=$5
	local here py=/usr/bin/python3 cap args=(--shape "$2" --seed "$5")
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	[ -x "$py" ] || py=python3
	cap=$out/bench-$shape-$size
	if [ -n "$flows" ] && [ "$shape" != bulk ]; then
		cap+=-f$flows
		args+=(--flows "$flows")
	fi
	if [ "$seed" != 1 ]; then
		cap+=-s$seed
	fi
	cap+=.pcap
	if [ ! -s "$cap" ] || [ ! -s "${cap%.pcap}.json" ]; then
		echo "making $cap" >&2
		mkdir -p "$out"
		if ! "$py" "$here/make-bench-pcap.py" "${args[@]}" --json "${cap%.pcap}.json" \
			"$cap.tmp" "$size" >&2; then
			rm -f "$cap.tmp"
			return 1
		fi
		mv "$cap.tmp" "$cap"
	fi
	echo "$cap"
}
