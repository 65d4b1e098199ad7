#!/usr/bin/env bash
# Fuzz the mount-table path with AFL++: one afl-fuzz process, one core.
#
#   tests/fuzz/run-afl.sh [--seconds N | --execs N] [--out DIR] [--sanitize]
#
# Default: 60 seconds, output in a new /tmp/pivotwrap-afl.XXXXXX.
# --sanitize fuzzes the ASan+UBSan build (about 3 times slower).
# Seeds: tests/data/*.mountinfo and tests/fuzz/regressions/* (a seed that
# crashes again stops afl-fuzz at once: a failure, status 2), with
# tests/fuzz/mountinfo.dict.  Prints
# afl-fuzz's statistics; exits 1 and lists the inputs when AFL++ saved any
# crash or hang (minimise each with afl-tmin into tests/fuzz/regressions/,
# see README.md), 2 on a usage error or when afl-fuzz itself failed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
limit=(-V 60)
out=
build_opt=()
usage() { echo "usage: $0 [--seconds N | --execs N] [--out DIR] [--sanitize]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) [ $# -ge 2 ] || usage; limit=(-V "$2"); shift 2 ;;
	--execs) [ $# -ge 2 ] || usage; limit=(-E "$2"); shift 2 ;;
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--sanitize) build_opt=(--sanitize); shift ;;
	*) usage ;;
	esac
done
case ${limit[1]} in ''|*[!0-9]*) usage ;; esac
command -v afl-fuzz >/dev/null || { echo "run-afl: afl-fuzz missing: apt-get install afl++" >&2; exit 2; }

harness=$("$here/build-afl.sh" "${build_opt[@]}")
[ -n "$out" ] || out=$(mktemp -d /tmp/pivotwrap-afl.XXXXXX)
[ ! -e "$out/afl" ] || { echo "run-afl: $out/afl exists; give another --out" >&2; exit 2; }
seeds=$out/seeds
mkdir -p "$seeds"
cp "$here"/../data/*.mountinfo "$seeds/"
find "$here/regressions" -maxdepth 1 -type f ! -name '.*' -exec cp {} "$seeds/" \;

# This machine: no CPU frequency governor to read, no core dumps to a
# pipe handler, no terminal UI, no pinning to a core shared with others.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 \
	AFL_NO_AFFINITY=1
echo "run-afl: afl-fuzz ${limit[*]} on $harness, output in $out/afl" >&2
status=0
afl-fuzz -i "$seeds" -o "$out/afl" -x "$here/mountinfo.dict" "${limit[@]}" -- "$harness" \
	> "$out/afl.log" 2>&1 || status=$?
stats=$out/afl/default/fuzzer_stats
if [ "$status" -ne 0 ] || [ ! -f "$stats" ]; then
	tail -n 30 "$out/afl.log" >&2
	echo "run-afl: afl-fuzz failed (status $status; log: $out/afl.log)" >&2
	exit 2
fi
grep -E '^(afl_version|run_time|execs_done|execs_per_sec|corpus_count|bitmap_cvg|stability|saved_crashes|saved_hangs) ' "$stats"

found=$(find "$out/afl/default/crashes" "$out/afl/default/hangs" -type f ! -name README.txt | sort)
if [ -n "$found" ]; then
	echo "run-afl: AFL++ saved $(echo "$found" | wc -l) crash(es)/hang(s):"
	echo "$found" | head -n 20
	[ "$(echo "$found" | wc -l)" -le 20 ] || echo "... (all in $out/afl/default/{crashes,hangs})"
	echo "run-afl: stack of one: ASAN_OPTIONS=handle_abort=1 \$(tests/fuzz/build-afl.sh --replayer) FILE"
	exit 1
fi
echo "run-afl: no crash, no hang (output in $out)"
