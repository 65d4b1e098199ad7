#!/usr/bin/env bash
# CI smoke test of the fuzzing setup: build the AFL++ harness (cached, see
# build-afl.sh) and fuzz for PIVOTWRAP_FUZZ_SECONDS (default 45, at most
# 60) seconds.  Fails on any crash or hang AFL++ saves, and when the harness
# cannot be built or afl-fuzz cannot run.  The output directory is removed
# on success, kept (and named) on failure.
#
#   apt-get install -y afl++ && tests/fuzz/smoke.sh
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
seconds=${PIVOTWRAP_FUZZ_SECONDS:-45}
case $seconds in ''|*[!0-9]*) echo "smoke: PIVOTWRAP_FUZZ_SECONDS must be a number" >&2; exit 2 ;; esac
[ "$seconds" -le 60 ] || seconds=60
out=$(mktemp -d /tmp/pivotwrap-afl-smoke.XXXXXX)
start=$(date +%s)
if "$here/run-afl.sh" --seconds "$seconds" --out "$out"; then
	echo "smoke: passed in $(($(date +%s) - start)) s (build included)"
	rm -rf "$out"
else
	status=$?
	echo "smoke: FAILED (status $status); AFL++ output kept in $out" >&2
	exit 1
fi
