#!/usr/bin/env bash
# Build the mount-table fuzzing harness (tests/fuzz/fuzz-mountinfo.c with
# lib/*.c, as the product links them) against a static
# libmount.a + libblkid.a compiled from Debian's util-linux source with the
# same compiler, so that coverage (and sanitizers) reach inside libmount's
# parser.  Prints the path of the binary on stdout; everything else goes to
# stderr.
#
#   tests/fuzz/build-afl.sh              # afl-clang-fast, persistent mode
#   tests/fuzz/build-afl.sh --sanitize   # the same with AFL_USE_ASAN/UBSAN
#   tests/fuzz/build-afl.sh --replayer   # gcc -fsanitize=address,undefined:
#                                        # "BINARY FILE|DIR..." replays inputs
#
# Cached in ${PIVOTWRAP_CACHE:-~/.cache/pivotwrap}/fuzz: one libmount build
# per flavour (rebuilt when its compiler flags change), the harness (rebuilt
# only when a source file is newer).  The util-linux source is the one
# "tools/build-static-libmount.sh --source" fetches, with Debian's patches,
# through a private deb-src list (the machine's apt configuration is not
# touched).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${PIVOTWRAP_CACHE:-$HOME/.cache/pivotwrap}/fuzz
jobs=${PIVOTWRAP_FUZZ_JOBS:-2}
log() { echo "build-afl: $*" >&2; }
die() { log "$*"; exit 1; }

flavour=afl
case ${1:-} in
'') ;;
--sanitize) flavour=afl-asan ;;
--replayer) flavour=gcc-asan ;;
*) echo "usage: $0 [--sanitize | --replayer]" >&2; exit 2 ;;
esac

# The compiler and flags of each flavour (the same for libmount and harness).
sanitizers=('-fsanitize=address,undefined' -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
case $flavour in
afl)      cc=afl-clang-fast; cflags=(-O2 -g); unset AFL_USE_ASAN AFL_USE_UBSAN ;;
afl-asan) cc=afl-clang-fast; cflags=(-O1 -g); export AFL_USE_ASAN=1 AFL_USE_UBSAN=1 ;;
gcc-asan) cc=gcc; cflags=(-O1 -g "${sanitizers[@]}") ;;
esac
command -v "$cc" >/dev/null || die "$cc missing (afl-clang-fast: apt-get install afl++)"
export AFL_QUIET=1

# The util-linux version the product links (Debian's libmount).
version=$(dpkg-query -W -f '${source:Upstream-Version}' libmount-dev 2>/dev/null || true)
[ -n "$version" ] || version=$(dpkg-query -W -f '${source:Upstream-Version}' libmount1 2>/dev/null || true)
[ -n "$version" ] || die "cannot tell the util-linux version (apt-get install libmount-dev)"

# --- util-linux source ------------------------------------------------------
# Debian's, the one tools/build-static-libmount.sh fetches (and caches) for
# the static build: one download recipe, one mirror lookup.
src=$("$top/tools/build-static-libmount.sh" --source) || die "no util-linux source"
[ -f "$src/configure" ] || die "no configure script in $src"
case $src in */util-linux-"$version") ;; *) die "$src is not util-linux $version" ;; esac

# --- libmount.a and libblkid.a, instrumented -------------------------------
prefix=$cache/libmount-$flavour-$version
recipe="$cc ${cflags[*]} asan=${AFL_USE_ASAN:-} ubsan=${AFL_USE_UBSAN:-}"
if [ ! -f "$prefix/lib/libmount.a" ] || [ "$(cat "$prefix/.recipe" 2>/dev/null)" != "$recipe" ]; then
	build=$(mktemp -d /tmp/pivotwrap-fuzz-build.XXXXXX)
	trap 'rm -rf "$build"' EXIT
	log "building libmount.a and libblkid.a $version with $cc ($flavour) in $build"
	cp -a "$src/." "$build/"
	cd "$build"
	# Debian's patches leave configure.ac newer than what it generates;
	# the release tarball's generated files are current: keep automake away.
	touch aclocal.m4 configure config.h.in
	find . -name Makefile.in -exec touch {} +
	CC=$cc CFLAGS="${cflags[*]}" LDFLAGS="${cflags[*]}" ./configure \
		--disable-all-programs --enable-libmount --enable-libblkid \
		--enable-static --disable-shared --disable-nls --disable-rpath \
		--disable-bash-completion --disable-asciidoc --disable-makeinstall-chown \
		--without-selinux --without-udev --without-systemd --without-python \
		--without-readline --without-ncurses --without-ncursesw --without-tinfo \
		--without-cap-ng --without-libz --without-user --without-btrfs --without-econf \
		>configure.log 2>&1 || { tail -n 30 configure.log >&2; die "configure failed"; }
	make -j"$jobs" libblkid.la libmount.la >make.log 2>&1 ||
		{ tail -n 30 make.log >&2; die "make failed"; }
	rm -rf "$prefix.tmp"
	mkdir -p "$prefix.tmp/lib" "$prefix.tmp/include"
	cp .libs/libmount.a .libs/libblkid.a "$prefix.tmp/lib/"
	cp libmount/src/libmount.h "$prefix.tmp/include/"
	printf '%s\n' "$recipe" > "$prefix.tmp/.recipe"
	rm -rf "$prefix"
	mv "$prefix.tmp" "$prefix"
	cd "$top"
	rm -rf "$build"
	trap - EXIT
fi

# --- the harness ------------------------------------------------------------
out=$cache/fuzz-mountinfo-$flavour
inputs=("$here/fuzz-mountinfo.c" "$here/build-afl.sh" "$top/meson.build"
	"$top"/lib/*.[ch] "$prefix/lib/libmount.a")
stale=
if [ -x "$out" ]; then
	for f in "${inputs[@]}"; do
		if [ -e "$f" ] && [ "$f" -nt "$out" ]; then stale=1; fi
	done
fi
if [ ! -x "$out" ] || [ -n "$stale" ]; then
	inc=$(mktemp -d /tmp/pivotwrap-fuzz-inc.XXXXXX)
	pkg_version=$(sed -n "s/^ *version: '\([^']*\)'.*/\1/p" "$top/meson.build" | head -n 1)
	# What meson's configure_file() generates for lib/*.c.
	cat > "$inc/config.h" <<-CONFIG
	#define PACKAGE_NAME "pivotwrap"
	#define PACKAGE_VERSION "${pkg_version:-0}"
	#define _GNU_SOURCE 1
	CONFIG
	log "building $out"
	"$cc" "${cflags[@]}" -std=gnu11 -pthread -Wall -Wextra -I"$inc" -I"$top" -I"$prefix/include" \
		"$here/fuzz-mountinfo.c" "$top"/lib/*.c \
		"$prefix/lib/libmount.a" "$prefix/lib/libblkid.a" -o "$out.tmp" ||
		{ rm -rf "$inc"; die "compiling the harness failed"; }
	rm -rf "$inc"
	mv "$out.tmp" "$out"
fi
echo "$out"
