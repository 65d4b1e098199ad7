#!/usr/bin/env bash
# Build a static libmount (and the libblkid it needs) against musl, for a
# fully static prepare-root.  Debian ships no libmount.a, and glibc's
# -static pulls NSS (getpwnam_r/getpwuid_r, from libmount's utilities) into
# the link; musl's getpw*_r read /etc/passwd and need nothing at run time.
#
#   tools/build-static-libmount.sh      # prints the install prefix last
#   tools/build-static-libmount.sh --source   # only fetches the source (if
#                                       # not cached), prints its directory
#   tools/build-static-libmount.sh --arch arm64   # cross-built for aarch64
#
# Then (see README.md, "A fully static binary"):
#
#   prefix=$(tools/build-static-libmount.sh)
#   meson setup build-static --native-file "$prefix/meson-native.ini" \
#       -Dstatic=true -Dtests=disabled
#
# or, the same for this one setup only (a later "meson setup --wipe" or
# reconfigure from a shell without PKG_CONFIG_LIBDIR would find the glibc
# system's mount.pc instead; the native file is remembered by the build dir):
#
#   CC=musl-gcc PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig \
#       meson setup build-static -Dstatic=true -Dtests=disabled
#
# Needs: musl-tools (musl-gcc), dpkg-dev (dpkg-source), make; network only
# on the first run.
#
# The util-linux source is Debian's own, for this machine's release
# (apt-get source through a private deb-src list on the Debian mirror of the
# machine's apt sources, or $PIVOTWRAP_MIRROR: see tools/debian-mirror.sh;
# the system's apt configuration, lists and cache are not touched), with
# Debian's patches (dpkg-source -x applies them).  apt has checked every
# file against the signed InRelease; dpkg-source -x --no-check only skips
# the .dsc's own signature, whose keyring (debian-keyring) is not needed.
#
# Everything lives in ${PIVOTWRAP_CACHE:-~/.cache/pivotwrap}:
#   src/util-linux-VERSION/          the patched source (read by tests/fuzz too)
#   libmount-musl-VERSION/           include/, lib/lib{mount,blkid}.a,
#                                    lib/pkgconfig/{mount,blkid}.pc,
#                                    meson-native.ini (c = musl-gcc,
#                                    pkg_config_libdir = only this prefix)
# A second run needs no network and rebuilds nothing: it prints the prefix
# as soon as the prefix's stamp matches this script's recipe (the compiler,
# flags and configure options); a changed recipe rebuilds into a fresh
# prefix, swapped in whole.  Concurrent runs serialise on a lock.
#
# PIVOTWRAP_LIBMOUNT_CC=afl-clang-fast builds the same libraries with that
# compiler instead, into a prefix of its own (libmount-afl-clang-fast-VERSION).
#
# --arch arm64: the same libraries for aarch64, cross-built with Debian's
# gcc-aarch64-linux-gnu against Debian's own musl for arm64.  musl-dev:arm64
# and linux-libc-dev:arm64 are downloaded through a private apt state with
# APT::Architecture=arm64 (apt's multiarch support; the machine's dpkg is
# not given a foreign architecture) and unpacked into a sysroot,
# ${PIVOTWRAP_CACHE}/musl-arm64-sysroot, whose musl-gcc.specs is
# rewritten to point into it.  bin/aarch64-linux-musl-gcc there is the
# cross musl-gcc (static programs for aarch64, used by tests/e2e too).  The
# prefix (libmount-musl-arm64-VERSION) holds meson-cross.ini instead of a
# native file:
#
#   prefix=$(tools/build-static-libmount.sh --arch arm64)
#   meson setup build-aarch64 --cross-file "$prefix/meson-cross.ini" \
#       -Dstatic=true -Dtests=disabled -Dman=disabled
#
# A cross build cannot run its self-test program here: it is only linked.
#
# Kernel headers.  musl-gcc puts -nostdinc and only musl's include directory
# (/usr/include/x86_64-linux-musl) on the search path, and musl ships no
# <linux/*.h>; libmount and libblkid need a few (linux/loop.h, linux/fs.h,
# ...).  Debian's linux-libc-dev headers are libc-neutral UAPI headers, but
# adding all of /usr/include would let glibc's own headers shadow musl's.  So
# the build gets a private directory holding only three symlinks --
#   linux -> /usr/include/linux, asm-generic -> /usr/include/asm-generic,
#   asm -> /usr/include/<multiarch>/asm
# -- passed with -idirafter: searched after musl's directory, so musl's
# headers always win and only names musl lacks come from the kernel.
set -euo pipefail

die() { echo "build-static-libmount: error: $*" >&2; exit 1; }
log() { echo "build-static-libmount: $*" >&2; }

mode=build
arch=""
while [ $# -gt 0 ]; do
	case $1 in
	--source) mode=source; shift ;;
	--arch) [ $# -ge 2 ] || { echo "usage: $0 [--source] [--arch amd64|arm64]" >&2; exit 2; }
		arch=$2; shift 2 ;;
	*) echo "usage: $0 [--source] [--arch amd64|arm64]" >&2; exit 2 ;;
	esac
done
host_arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
[ "$arch" != "$host_arch" ] || arch=""
case $arch in
'') ;;
arm64) ;;
*) die "--arch $arch: only arm64 can be cross-built (this machine is $host_arch)" ;;
esac
cache=${PIVOTWRAP_CACHE:-$HOME/.cache/pivotwrap}
# shellcheck source=tools/debian-mirror.sh
. "$(dirname "$0")/debian-mirror.sh"
cc=${PIVOTWRAP_LIBMOUNT_CC:-musl-gcc}
flavour=musl
[ "$cc" = musl-gcc ] || flavour=$(basename "$cc")
if [ -n "$arch" ]; then
	[ -z "${PIVOTWRAP_LIBMOUNT_CC:-}" ] || die "PIVOTWRAP_LIBMOUNT_CC and --arch do not go together"
	flavour=musl-$arch
fi

# The util-linux the machine has (libmount-dev if installed, else libmount1,
# which every Debian system has).  dpkg-query is local: no network here.
deb_version=$(dpkg-query -W -f '${Version}' libmount-dev 2>/dev/null || true)
[ -n "$deb_version" ] || deb_version=$(dpkg-query -W -f '${Version}' libmount1 2>/dev/null || true)
[ -n "$deb_version" ] || die "cannot tell which util-linux this machine has (dpkg-query libmount1)"
version=${deb_version#*:}
version=${version%%-*}           # upstream version: 2.38.1

prefix=$cache/libmount-$flavour-$version
# The cross toolchain's sysroot (--arch): Debian's musl for that
# architecture and the kernel's UAPI headers, with a musl-gcc of its own.
sysroot=$cache/musl-$arch-sysroot
[ -z "$arch" ] || cc=$sysroot/bin/aarch64-linux-musl-gcc
case $prefix in *"'"* | *"\\"*) die "the cache path must hold no quote or backslash: $prefix" ;; esac
src_dir=$cache/src/util-linux-$version

# The recipe: a prefix built with anything else is rebuilt.
# Each function and object in a section of its own, so that the static
# prepare-root links only what it calls (meson's -Wl,--gc-sections): most
# of libmount and libblkid is never run by it.
cflags=(-O2 -g0 -fPIE -fstack-protector-strong -ffunction-sections -fdata-sections)
configure_args=(
	--disable-all-programs --enable-libmount --enable-libblkid
	--enable-static --disable-shared
	--disable-nls --disable-widechar --disable-rpath --disable-asciidoc --disable-poman
	--disable-gtk-doc --disable-bash-completion --disable-pylibmount
	--disable-libmount-support-mtab --disable-makeinstall-chown --disable-makeinstall-setuid
	--without-selinux --without-smack --without-audit --without-udev --without-systemd
	--without-cryptsetup --without-econf --without-libmagic --without-libz --without-btrfs
	--without-cap-ng --without-user --without-utempter --without-util --without-python
	--without-readline --without-ncurses --without-ncursesw --without-slang --without-tinfo
)
recipe=$(printf '%s\n' "recipe 2" ${arch:+"arch $arch"} "$cc" "${cflags[@]}" "${configure_args[@]}" | sha256sum)
recipe=${recipe%% *}
stamp=$prefix/.pivotwrap-recipe
# meson's file for the prefix: native for this machine, cross for --arch.
machine_file=meson-native.ini
[ -z "$arch" ] || machine_file=meson-cross.ini

cached() {
	[ -f "$prefix/lib/libmount.a" ] && [ -f "$prefix/lib/libblkid.a" ] &&
		[ -f "$prefix/lib/pkgconfig/mount.pc" ] && [ -f "$prefix/lib/pkgconfig/blkid.pc" ] &&
		[ -f "$prefix/include/libmount/libmount.h" ] && [ -f "$prefix/$machine_file" ] &&
		[ -f "$stamp" ] &&
		[ "$(head -n1 "$stamp")" = "$recipe" ]
}
if [ "$mode" = build ] && cached; then
	echo "$prefix"
	exit 0
fi

# --- from here on, one run at a time ---------------------------------------
command -v flock >/dev/null || die "flock not found (util-linux)"
mkdir -p "$cache/src"
exec 9>"$cache/.build-static-libmount.lock"
flock 9
if [ "$mode" = build ] && cached; then	# another run finished it while this one waited
	echo "$prefix"
	exit 0
fi

rm -rf "$cache"/.tmp.*	# left by a killed run (only a lock holder makes them)
tmp=$(mktemp -d "$cache/.tmp.XXXXXX")	# inside the cache: same file system for mv
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the source -------------------------------------------------------------
if [ ! -f "$src_dir/configure" ]; then
	command -v apt-get >/dev/null || die "apt-get not found: this script wants a Debian system"
	command -v dpkg-source >/dev/null || die "dpkg-source not found (apt-get install dpkg-dev)"
	# shellcheck source=/dev/null
	release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$release" ] || die "no VERSION_CODENAME in /etc/os-release"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"
	mirror=$(pw_debian_mirror) || die "no mirror to download the util-linux source from"
	apt_dir=$cache/apt/deb-src-$release
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	echo "deb-src [signed-by=$keyring] $mirror $release main" >"$apt_dir/sources.list"
	opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)"
		-o APT::Update::Error-Mode=any)
	log "downloading Debian's util-linux source ($release, from the apt sources' mirror)"
	apt-get "${opts[@]}" update >"$tmp/apt-update.log" 2>&1 ||
		{ tail -20 "$tmp/apt-update.log" | pw_hide_mirror "$mirror" >&2; die "apt-get update on the private deb-src list failed"; }
	mkdir "$tmp/dl"
	# The installed version if the mirror still has it, else the newest.
	if ! (cd "$tmp/dl" && apt-get "${opts[@]}" source --download-only "util-linux=$deb_version") \
		>"$tmp/apt-source.log" 2>&1; then
		log "util-linux $deb_version is not on the mirror; taking its newest $release source"
		rm -rf "$tmp/dl" && mkdir "$tmp/dl"
		(cd "$tmp/dl" && apt-get "${opts[@]}" source --download-only util-linux) \
			>"$tmp/apt-source.log" 2>&1 ||
			{ tail -20 "$tmp/apt-source.log" | pw_hide_mirror "$mirror" >&2; die "apt-get source util-linux failed"; }
	fi
	dsc=$(find "$tmp/dl" -maxdepth 1 -name 'util-linux_*.dsc' | head -n1)
	[ -n "$dsc" ] || die "apt-get source left no util-linux .dsc"
	got=$(sed -n 's/^Version: //p' "$dsc")
	[ "${got%%-*}" = "$version" ] ||
		die "the mirror's util-linux is $got, this machine's $deb_version: upstream versions differ"
	(cd "$tmp/dl" && dpkg-source -x --no-check "$dsc" util-linux) >"$tmp/dpkg-source.log" 2>&1 ||
		{ tail -20 "$tmp/dpkg-source.log" >&2; die "dpkg-source -x $dsc failed"; }
	[ -f "$tmp/dl/util-linux/configure" ] || die "the unpacked source has no configure script"
	rm -rf "$src_dir"
	mv "$tmp/dl/util-linux" "$src_dir"
	rm -rf "$tmp/dl"
	log "source: util-linux $got with Debian's patches in $src_dir"
fi

if [ "$mode" = source ]; then
	echo "$src_dir"
	exit 0
fi

# --- the cross sysroot (--arch) ---------------------------------------------
# Debian's musl and kernel headers for the target, from its archive through
# apt's multiarch support, unpacked (not installed) into the sysroot; a
# musl-gcc of its own runs the cross gcc with musl's specs rewritten to
# point there.
if [ -n "$arch" ] && [ ! -x "$cc" ]; then
	gnu_triplet=aarch64-linux-gnu musl_triplet=aarch64-linux-musl
	command -v "$gnu_triplet-gcc" >/dev/null ||
		die "$gnu_triplet-gcc not found (apt-get install gcc-$gnu_triplet)"
	# shellcheck source=/dev/null
	release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$release" ] || die "no VERSION_CODENAME in /etc/os-release"
	keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	[ -f "$keyring" ] || die "$keyring missing (apt-get install debian-archive-keyring)"
	mirror=$(pw_debian_mirror) || die "no mirror to download musl-dev:$arch from"
	apt_dir=$cache/apt/$release-$arch-toolchain
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
	echo "deb [signed-by=$keyring arch=$arch] $mirror $release main" >"$apt_dir/sources.list"
	opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
		-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
		-o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)"
		-o APT::Update::Error-Mode=any)
	log "downloading Debian's musl-dev and linux-libc-dev for $arch ($release)"
	apt-get "${opts[@]}" update >"$tmp/apt-update-$arch.log" 2>&1 ||
		{ tail -20 "$tmp/apt-update-$arch.log" | pw_hide_mirror "$mirror" >&2; die "apt-get update ($arch) failed"; }
	mkdir "$tmp/debs"
	(cd "$tmp/debs" && apt-get "${opts[@]}" download "musl-dev:$arch" "musl:$arch" "linux-libc-dev:$arch") \
		>"$tmp/apt-download-$arch.log" 2>&1 ||
		{ tail -20 "$tmp/apt-download-$arch.log" | pw_hide_mirror "$mirror" >&2; die "apt-get download ($arch) failed"; }
	mkdir "$tmp/sysroot"
	for deb in "$tmp"/debs/*.deb; do
		dpkg-deb -x "$deb" "$tmp/sysroot" || die "cannot unpack $deb"
	done
	specs=$tmp/sysroot/usr/lib/$musl_triplet/musl-gcc.specs
	[ -f "$specs" ] || die "musl-dev:$arch has no musl-gcc.specs"
	[ -d "$tmp/sysroot/usr/include/$gnu_triplet/asm" ] || die "linux-libc-dev:$arch has no asm headers"
	sed -i "s|/usr/include/$musl_triplet|$sysroot/usr/include/$musl_triplet|g;
		s|/usr/lib/$musl_triplet|$sysroot/usr/lib/$musl_triplet|g" "$specs"
	mkdir "$tmp/sysroot/bin"
	printf '#!/bin/sh\n# musl-gcc for %s: the cross gcc with musl'"'"'s specs (tools/build-static-libmount.sh)\nexec %s "$@" -specs "%s"\n' \
		"$arch" "$gnu_triplet-gcc" "$sysroot/usr/lib/$musl_triplet/musl-gcc.specs" >"$tmp/sysroot/bin/$musl_triplet-gcc"
	chmod 755 "$tmp/sysroot/bin/$musl_triplet-gcc"
	rm -rf "$sysroot"
	mv "$tmp/sysroot" "$sysroot"
	log "sysroot: $(cd "$tmp/debs" && echo ./*.deb | sed 's|\./||g') in $sysroot"
fi

# --- the build --------------------------------------------------------------
command -v "$cc" >/dev/null ||
	die "$cc not found (musl-gcc: apt-get install musl-tools; afl-clang-fast: apt-get install afl++)"
command -v make >/dev/null || die "make not found (apt-get install make)"
kh=$tmp/kernel-headers
mkdir "$kh"
if [ -n "$arch" ]; then
	# configure's --host: a cross build (nothing it builds is run here)
	host_opt=(--host="$("$cc" -dumpmachine)")
	ln -s "$sysroot/usr/include/linux" "$kh/linux"
	ln -s "$sysroot/usr/include/asm-generic" "$kh/asm-generic"
	ln -s "$sysroot/usr/include/aarch64-linux-gnu/asm" "$kh/asm"
else
	host_opt=()
	multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine)
	if [ ! -d /usr/include/linux ] || [ ! -d "/usr/include/$multiarch/asm" ]; then
		die "kernel UAPI headers missing (apt-get install linux-libc-dev)"
	fi
	ln -s /usr/include/linux "$kh/linux"
	ln -s /usr/include/asm-generic "$kh/asm-generic"
	ln -s "/usr/include/$multiarch/asm" "$kh/asm"
fi

log "building libmount.a and libblkid.a with $cc (under a minute)"
cp -a "$src_dir" "$tmp/src"
cd "$tmp/src"
# Debian's patches leave configure.ac and a Makefile.am newer than the
# generated files (they only add an install option for programs), and make
# would then want to rerun automake.  The release tarball's generated files
# serve the libraries as they are: mark them current instead.
touch aclocal.m4 configure config.h.in
find . -name Makefile.in -exec touch {} +
# An empty pkg-config search path: configure must not find the glibc
# system's .pc files (libselinux, libcryptsetup, ...) and link them into
# a musl build.
mkdir "$tmp/no-pkgconfig"
PKG_CONFIG_LIBDIR=$tmp/no-pkgconfig PKG_CONFIG_PATH='' \
	CC=$cc CFLAGS="${cflags[*]} -idirafter $kh" \
	./configure --prefix="$prefix" "${host_opt[@]}" "${configure_args[@]}" >"$tmp/configure.log" 2>&1 ||
	{ tail -30 "$tmp/configure.log" >&2; die "configure failed (log: the last lines above)"; }
make -j"$(nproc)" >"$tmp/make.log" 2>&1 ||
	{ grep -m5 -E 'error|Error' "$tmp/make.log" >&2 || true; tail -20 "$tmp/make.log" >&2; die "make failed"; }
# Staged, then moved into place whole: an interrupted run leaves no half prefix.
make install DESTDIR="$tmp/stage" >"$tmp/install.log" 2>&1 ||
	{ tail -20 "$tmp/install.log" >&2; die "make install failed"; }
stage=$tmp/stage$prefix
# Headers, archives and .pc files are the whole point; libtool's .la files
# and the man pages are not wanted.
rm -rf "${stage:?}/share" "${stage:?}/bin" "${stage:?}/sbin"
find "$stage/lib" -name '*.la' -delete
for f in lib/libmount.a lib/libblkid.a lib/pkgconfig/mount.pc lib/pkgconfig/blkid.pc \
	include/libmount/libmount.h include/blkid/blkid.h; do
	[ -f "$stage/$f" ] || die "the build installed no $f"
done

# --- a fully static program links and runs (musl only; a cross build's
# program is only linked) ---------------------------------------------------
if [ "$flavour" != "${flavour#musl}" ]; then
	cat >"$tmp/selftest.c" <<-'EOF'
		#include <stdio.h>
		#include <libmount.h>
		int main(void)
		{
			struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
			struct libmnt_fs *fs = NULL;
			if (!tb)
				return 2;
			if (mnt_table_get_root_fs(tb, &fs) != 0 || !fs)
				return 3;
			printf("root: id %d parent %d\n", mnt_fs_get_id(fs), mnt_fs_get_parent_id(fs));
			mnt_unref_table(tb);
			return 0;
		}
	EOF
	"$cc" -static -o "$tmp/selftest" "$tmp/selftest.c" -I"$stage/include/libmount" \
		-L"$stage/lib" -lmount -lblkid 2>"$tmp/selftest.log" ||
		{ cat "$tmp/selftest.log" >&2; die "a static musl program does not link against the new libmount.a"; }
	if [ -z "$arch" ] && [ -r /proc/self/mountinfo ]; then
		"$tmp/selftest" >&2 || die "the static self-test program failed (status $?)"
	fi
fi

# A meson machine file for the static build: the compiler, and pkg-config
# confined to this prefix (PKG_CONFIG_LIBDIR, not _PATH: nothing falls back
# to the glibc system's mount.pc).
if [ -z "$arch" ]; then
	cat >"$stage/meson-native.ini" <<-EOF
	# Written by pivotwrap's tools/build-static-libmount.sh.
	#   meson setup build-static --native-file $prefix/meson-native.ini -Dstatic=true -Dtests=disabled
	[binaries]
	c = '$cc'
	pkg-config = 'pkg-config'

	[properties]
	pkg_config_libdir = ['$prefix/lib/pkgconfig']
	EOF
else
	# A cross file: meson then knows the binaries it builds cannot run here.
	cat >"$stage/meson-cross.ini" <<-EOF
	# Written by pivotwrap's tools/build-static-libmount.sh --arch $arch.
	#   meson setup build-aarch64 --cross-file $prefix/meson-cross.ini -Dstatic=true -Dtests=disabled -Dman=disabled
	[binaries]
	c = '$cc'
	strip = 'aarch64-linux-gnu-strip'
	# (meson 1.0, Debian 12's, reads this key only under its old name)
	pkgconfig = 'pkg-config'

	[properties]
	pkg_config_libdir = ['$prefix/lib/pkgconfig']

	[host_machine]
	system = 'linux'
	cpu_family = 'aarch64'
	cpu = 'aarch64'
	endian = 'little'
	EOF
fi
printf '%s\n' "$recipe" "util-linux $(sed -n 's/^util-linux (\([^)]*\)).*/\1/p;q' "$src_dir/debian/changelog")" \
	"cc $cc ($("$cc" -dumpversion))" >"$stage/.pivotwrap-recipe"
rm -rf "$prefix.old"
[ ! -e "$prefix" ] || mv "$prefix" "$prefix.old"
mv "$stage" "$prefix"
rm -rf "$prefix.old"
log "installed in $prefix"
echo "$prefix"
