#!/usr/bin/env bash
# The release artifacts: prepare-root fully static (musl and a static
# libmount, tools/build-static-libmount.sh) for x86-64 and for aarch64
# (cross-built), stripped, with their SHA256 checksums -- what a user
# downloads to put in an initramfs that has no C library, or no libmount.
#
#   tools/build-release.sh [--out DIR] [--arch amd64|arm64]...
#
# Writes DIR/prepare-root-x86_64, DIR/prepare-root-aarch64 (each --arch
# given; both by default) and DIR/SHA256SUMS (`sha256sum -c SHA256SUMS`
# checks them), and prints DIR (default: release).  Each binary is checked
# before it is kept: static (no program interpreter), for the right
# machine, and the x86-64 one runs here (--version).  Needs what
# tools/build-static-libmount.sh needs, and gcc-aarch64-linux-gnu for
# aarch64; network only the first time.
set -euo pipefail

die() { echo "build-release: error: $*" >&2; exit 1; }
log() { echo "build-release: $*" >&2; }

top=$(cd "$(dirname "$0")/.." && pwd)
out=release
arches=()
while [ $# -gt 0 ]; do
	case $1 in
	--out) [ $# -ge 2 ] || die "--out needs a directory"; out=$2; shift 2 ;;
	--arch) [ $# -ge 2 ] || die "--arch needs amd64 or arm64"; arches+=("$2"); shift 2 ;;
	*) echo "usage: $0 [--out DIR] [--arch amd64|arm64]..." >&2; exit 2 ;;
	esac
done
[ ${#arches[@]} -gt 0 ] || arches=(amd64 arm64)
for a in "${arches[@]}"; do
	case $a in amd64|arm64) ;; *) die "unknown architecture $a (amd64, arm64)" ;; esac
done
for tool in meson ninja readelf sha256sum; do
	command -v "$tool" >/dev/null || die "$tool not found"
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# build ARCH NAME: one static binary, checked, as $out/prepare-root-NAME.
build() {
	local arch=$1 name=$2 prefix machine_opt machine strip bin
	if [ "$arch" = amd64 ]; then
		prefix=$("$top/tools/build-static-libmount.sh") || die "no static libmount for x86-64"
		machine_opt=(--native-file "$prefix/meson-native.ini")
		machine='Advanced Micro Devices X86-64' strip=strip
	else
		prefix=$("$top/tools/build-static-libmount.sh" --arch "$arch") || die "no static libmount for $arch"
		machine_opt=(--cross-file "$prefix/meson-cross.ini")
		machine=AArch64 strip=aarch64-linux-gnu-strip
	fi
	log "building prepare-root-$name"
	# A release build: optimised, no debug information, warnings as errors.
	if ! { meson setup "$tmp/build-$name" "$top" "${machine_opt[@]}" --buildtype=release \
		-Dstatic=true -Dtests=disabled -Dman=disabled -Dwerror=true &&
		ninja -C "$tmp/build-$name" prepare-root; } >"$tmp/build-$name.log" 2>&1; then
		tail -n 30 "$tmp/build-$name.log" >&2
		die "prepare-root-$name does not build"
	fi
	bin=$tmp/prepare-root-$name
	"$strip" -o "$bin" "$tmp/build-$name/prepare-root" || die "cannot strip prepare-root-$name"
	readelf -h "$bin" | grep -q "Machine:[[:space:]]*$machine" || die "prepare-root-$name is not for $machine"
	! readelf -l "$bin" | grep -q 'program interpreter' || die "prepare-root-$name is not static"
	if [ "$arch" = amd64 ]; then
		"$bin" --version >&2 || die "prepare-root-$name does not run"
	fi
	mv "$bin" "$out/prepare-root-$name"
	log "prepare-root-$name: $(stat -c %s "$out/prepare-root-$name") bytes, static, $machine"
}

for a in "${arches[@]}"; do
	case $a in
	amd64) build amd64 x86_64 ;;
	arm64) build arm64 aarch64 ;;
	esac
done
# The checksums of every binary in DIR, this run's and an earlier run's
# of the other architecture alike: SHA256SUMS always matches the directory.
(cd "$out" && sha256sum prepare-root-* > SHA256SUMS && sha256sum --quiet -c SHA256SUMS) ||
	die "SHA256SUMS does not check"
sed 's/^/build-release: /' "$out/SHA256SUMS" >&2
echo "$out"
