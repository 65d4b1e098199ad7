#!/usr/bin/env bash
# Fuzz the mount-table path with AFL++ (one core).
#
#   tests/fuzz/run-afl.sh [--seconds N | --execs N] [--out DIR]
#
# Seeds: tests/data/*.mountinfo and tests/fuzz/regressions/*.  Exits 1 and
# lists them when AFL++ found any crash or hang; every one found must be
# minimised into tests/fuzz/regressions/ once fixed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
limit=(-V 60)
out=$(mktemp -d /tmp/pivotwrap-afl.XXXXXX)
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) limit=(-V "$2"); shift 2 ;;
	--execs) limit=(-E "$2"); shift 2 ;;
	--out) out=$2; shift 2 ;;
	*) echo "usage: $0 [--seconds N | --execs N] [--out DIR]" >&2; exit 2 ;;
	esac
done

harness=$("$here/build-afl.sh")
seeds=$out/seeds
mkdir -p "$seeds"
cp "$here"/../data/*.mountinfo "$seeds/"
find "$here/regressions" -type f ! -name '.*' -exec cp {} "$seeds/" \;

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
afl-fuzz -i "$seeds" -o "$out/afl" -x "$here/mountinfo.dict" "${limit[@]}" -- "$harness" > "$out/afl.log" 2>&1 || {
	tail -n 30 "$out/afl.log" >&2
	echo "run-afl: afl-fuzz failed" >&2
	exit 1
}
stats=$out/afl/default/fuzzer_stats
grep -E '^(execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|run_time) ' "$stats"
found=$(find "$out/afl/default/crashes" "$out/afl/default/hangs" -type f ! -name README.txt | wc -l)
if [ "$found" -ne 0 ]; then
	echo "run-afl: $found crash(es) or hang(s):"
	find "$out/afl/default/crashes" "$out/afl/default/hangs" -type f ! -name README.txt
	exit 1
fi
echo "run-afl: no crash, no hang (output in $out)"
