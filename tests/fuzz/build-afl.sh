#!/usr/bin/env bash
# Build the AFL++ harness: fuzz-mountinfo.c and lib/ with afl-clang-fast,
# linked against a libmount.a also built with afl-clang-fast (coverage
# inside libmount's parser matters as much as ours).  Prints the binary.
#
#   tests/fuzz/build-afl.sh            # apt-get install afl++ first
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${PIVOTWRAP_CACHE:-$HOME/.cache/pivotwrap}
command -v afl-clang-fast >/dev/null || { echo "build-afl: afl-clang-fast missing: apt-get install afl++" >&2; exit 1; }

prefix=$(PIVOTWRAP_LIBMOUNT_CC=afl-clang-fast "$top/tools/build-static-libmount.sh")
out=$cache/fuzz
mkdir -p "$out"
version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$top/meson.build" | head -n1)
cat > "$out/config.h" <<CONFIG
#define PACKAGE_NAME "pivotwrap"
#define PACKAGE_VERSION "$version"
#define _GNU_SOURCE 1
CONFIG
AFL_QUIET=1 afl-clang-fast -O2 -g -std=gnu11 -I"$out" -I"$top" -I"$prefix/include/libmount" \
	"$top/tests/fuzz/fuzz-mountinfo.c" "$top"/lib/{rootmount,explain,log,sys}.c \
	"$prefix/lib/libmount.a" "$prefix/lib/libblkid.a" -o "$out/fuzz-mountinfo-afl"
echo "$out/fuzz-mountinfo-afl"
