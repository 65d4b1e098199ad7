#!/usr/bin/env bash
# Build a static libmount (and the libblkid it needs) against musl, for a
# fully static prepare-root.  Debian ships no libmount.a, and glibc's
# -static pulls NSS (getpwnam_r, from libmount's utilities) into the link.
#
#   tools/build-static-libmount.sh      # prints the install prefix last
#
# PIVOTWRAP_LIBMOUNT_CC=afl-clang-fast builds the same libraries with that
# compiler instead, into a prefix of its own (the fuzzing harness uses it to
# get coverage inside libmount's parser).
#
# The util-linux source is Debian's own (apt-get source, through a private
# sources list: the machine's apt configuration is not touched), with
# Debian's patches.  Source and result are cached in
# ${PIVOTWRAP_CACHE:-~/.cache/pivotwrap}: a second run needs no network and
# rebuilds nothing.
set -euo pipefail

cache=${PIVOTWRAP_CACHE:-$HOME/.cache/pivotwrap}
mirror=${PIVOTWRAP_MIRROR:-http://deb.debian.org/debian}
# shellcheck source=/dev/null
release=$(. /etc/os-release && echo "$VERSION_CODENAME")
die() { echo "build-static-libmount: $*" >&2; exit 1; }
log() { echo "build-static-libmount: $*" >&2; }

cc=${PIVOTWRAP_LIBMOUNT_CC:-musl-gcc}
command -v "$cc" >/dev/null || die "$cc missing (musl-gcc: apt-get install musl-tools)"
version=$(dpkg-query -W -f '${source:Upstream-Version}' libmount-dev 2>/dev/null || true)
[ -n "$version" ] || version=$(apt-cache show --no-all-versions util-linux | sed -n 's/^Version: \([0-9.]*\).*/\1/p')
[ -n "$version" ] || die "cannot tell which util-linux version this machine has"
flavour=musl
[ "$cc" = musl-gcc ] || flavour=$(basename "$cc")
prefix=$cache/libmount-$flavour-$version
if [ -f "$prefix/lib/libmount.a" ] && [ -f "$prefix/lib/pkgconfig/mount.pc" ]; then
	echo "$prefix"
	exit 0
fi

src_dir=$cache/src/util-linux-$version
if [ ! -d "$src_dir" ]; then
	apt_dir=$cache/apt/deb-src-$release
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$cache/src"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $release main" \
		> "$apt_dir/sources.list"
	opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
	log "downloading Debian's util-linux $version source"
	apt-get "${opts[@]}" update >/dev/null || die "apt-get update (deb-src) failed"
	dl=$(mktemp -d)
	(cd "$dl" && apt-get "${opts[@]}" source --download-only "util-linux=$(apt-cache show --no-all-versions util-linux | sed -n 's/^Version: //p')" >/dev/null) ||
		(cd "$dl" && apt-get "${opts[@]}" source --download-only util-linux >/dev/null) ||
		die "apt-get source util-linux failed"
	command -v dpkg-source >/dev/null || die "dpkg-source missing: apt-get install dpkg-dev"
	(cd "$dl" && dpkg-source -x --no-check ./*.dsc util-linux >/dev/null) || die "dpkg-source -x failed"
	mv "$dl/util-linux" "$src_dir"
	rm -rf "$dl"
fi

# musl brings no kernel headers; libmount needs <linux/*.h>.  Debian's
# linux-libc-dev ones are libc-neutral: expose just those three trees.
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
mkdir -p "$build/kernel-headers"
ln -s /usr/include/linux "$build/kernel-headers/linux"
ln -s /usr/include/asm-generic "$build/kernel-headers/asm-generic"
ln -s "/usr/include/$(gcc -dumpmachine)/asm" "$build/kernel-headers/asm"

log "building libmount.a and libblkid.a with $cc (about a minute)"
cp -a "$src_dir" "$build/src"
cd "$build/src"
# Debian's patches leave configure.ac newer than the generated files they
# do not touch, and make would then want automake.  The release tarball's
# generated files match; mark them current instead.
touch aclocal.m4 && touch configure && find . -name Makefile.in -exec touch {} + && touch config.h.in
CC=$cc CFLAGS="-O2 -g0 -fPIE -isystem $build/kernel-headers" \
	./configure --prefix="$prefix" --disable-all-programs --enable-libmount --enable-libblkid \
	--enable-static --disable-shared --disable-nls --disable-rpath --disable-bash-completion \
	--without-selinux --without-udev --without-systemd --without-python --without-readline \
	--without-ncurses --without-ncursesw --without-tinfo --without-cap-ng --without-libz \
	--without-user --without-btrfs --without-econf --disable-makeinstall-chown \
	>"$build/configure.log" 2>&1 || { tail -30 "$build/configure.log" >&2; die "configure failed"; }
make -j"$(nproc)" >"$build/make.log" 2>&1 || { tail -30 "$build/make.log" >&2; die "make failed"; }
rm -rf "$prefix.tmp"
make install DESTDIR="" prefix="$prefix.tmp" >"$build/install.log" 2>&1 ||
	make install >"$build/install.log" 2>&1 || { tail -30 "$build/install.log" >&2; die "make install failed"; }
[ -d "$prefix.tmp" ] && { rm -rf "$prefix"; mv "$prefix.tmp" "$prefix"; }
# The .pc files name the prefix given to configure; that is $prefix.
[ -f "$prefix/lib/libmount.a" ] || die "no libmount.a after the build"
echo "$prefix"
