#!/usr/bin/env bats
# The initramfs-tools hook and the dracut module, as meson installs them,
# put a working prepare-root into images built by the real tools.
#
# Nothing on the machine changes, and no kernel is needed: mkinitramfs runs
# chrooted into a fake root in a private mount namespace, where /boot and
# the modules directory hold only a made-up kernel version (mkinitramfs
# wants /lib/modules/VERSION and /boot/config-VERSION; an image without
# modules needs no kernel), whether the machine has /lib/modules and /boot
# or not; dracut, which conflicts with initramfs-tools on Debian, runs from
# its dracut-core package, downloaded and unpacked in the bats temporary
# directory (never installed).  The last test checks that /lib/modules and
# /boot are as they were before the first.
# The hook and the module copy PREPARE_ROOT_BINARY, the binary built here,
# instead of <sbindir>/prepare-root.

load helpers

KVER=0.0.0-pivotwrap-test

# machine_state: what the machine has at /lib/modules, /usr/lib/modules and
# /boot (absent, or every entry with type, mode, size and times).
machine_state() {
	local p
	for p in /lib/modules /usr/lib/modules /boot; do
		if [ -e "$p" ] || [ -L "$p" ]; then
			find "$p" -printf '%p %y %l %m %s %T@ %C@\n' | LC_ALL=C sort
		else
			echo "$p absent"
		fi
	done
}

setup_file() {
	machine_state > "$BATS_FILE_TMPDIR/machine-state.before"
}

setup() {
	require_root
	# One build per file, installed as a distribution would (--prefix=/usr).
	DEST=$BATS_FILE_TMPDIR/dest
	if [ ! -x "$DEST/usr/sbin/prepare-root" ]; then
		need meson meson
		meson_install "$BATS_FILE_TMPDIR/build" "$DEST" --prefix=/usr \
			-Dinitramfs_tools=true -Ddracut=true
	fi
	BINARY=$DEST/usr/sbin/prepare-root
	HOOK=$DEST/usr/share/initramfs-tools/hooks/prepare-root
	MODULE=$DEST/usr/lib/dracut/modules.d/90prepare-root
}

# mkinitramfs_private IMAGE: mkinitramfs -d CONFDIR with our hook as the
# only extra hook, chrooted into a fake root in a private mount namespace.
#
# mkinitramfs reads /boot/config-VERSION and /lib/modules/VERSION, and a
# fresh machine (no kernel package) may have neither /lib/modules nor /boot.
# Nothing may be created on the machine for them, not even an empty
# directory, so the fake root is a tmpfs holding the machine's top-level
# symbolic links and a recursive bind of each top-level directory except
# /boot, which is the tmpfs's own; the modules directory
# ($(readlink -f /lib/modules), /usr/lib/modules on a merged /usr) is a tmpfs
# mounted on the bind when the machine has it, else created in an overlay
# (upper layer on the tmpfs) of its parent.  All of it vanishes with the
# namespace.  The image, the configuration and the binary are reached
# through the bind of the directory holding the bats temporary files.
mkinitramfs_private() {
	local img=$1 conf=$BATS_TEST_TMPDIR/conf
	mkdir -p "$conf/hooks" "$conf/scripts" "$conf/conf.d" "$BATS_TEST_TMPDIR/tmp" \
		"$BATS_TEST_TMPDIR/ns"
	cp /etc/initramfs-tools/initramfs.conf "$conf/"
	sed -i 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
	touch "$conf/modules"
	cp -p "$HOOK" "$conf/hooks/prepare-root"
	cat > "$BATS_TEST_TMPDIR/in-namespace.sh" <<-'EOF'
		set -eu
		mount -t tmpfs pivotwrap-test "$NS"
		root=$NS/root
		mkdir "$root" "$NS/upper" "$NS/work" "$root/boot"
		for entry in /* /.[!.]*; do
			name=${entry#/}
			if [ "$name" = boot ]; then
				continue
			elif [ -L "$entry" ]; then
				cp -P "$entry" "$root/$name"
			elif [ -d "$entry" ]; then
				mkdir "$root/$name"
				mount --rbind "$entry" "$root/$name"
			fi
		done
		modules=$(readlink -f /lib/modules)
		if [ -d "$modules" ]; then
			mount -t tmpfs pivotwrap-test "$root$modules"
		else
			parent=${modules%/*}
			mount -t overlay pivotwrap-test \
				-o "lowerdir=$parent,upperdir=$NS/upper,workdir=$NS/work" "$root$parent"
			mkdir "$root$modules"
		fi
		mkdir "$root$modules/$KVER"
		touch "$root$modules/$KVER/modules.order" "$root$modules/$KVER/modules.builtin" \
			"$root$modules/$KVER/modules.builtin.modinfo"
		printf 'CONFIG_BLK_DEV_INITRD=y\nCONFIG_RD_GZIP=y\n' > "$root/boot/config-$KVER"
		exec chroot "$root" mkinitramfs -d "$CONF" -o "$IMG" "$KVER"
	EOF
	KVER=$KVER CONF=$conf IMG=$img NS=$BATS_TEST_TMPDIR/ns TMPDIR=$BATS_TEST_TMPDIR/tmp \
		unshare --mount --propagation private sh "$BATS_TEST_TMPDIR/in-namespace.sh"
}

@test "initramfs-tools: the installed hook is POSIX sh and answers prereqs" {
	[ -x "$HOOK" ]
	run -0 sh -n "$HOOK"
	if command -v dash >/dev/null; then run -0 dash -n "$HOOK"; fi
	run -0 "$HOOK" prereqs
	[ "$output" = "" ]
	grep -q '^prepare_root=${PREPARE_ROOT_BINARY:-/usr/sbin/prepare-root}$' "$HOOK"
	grep -q '^copy_exec "$prepare_root" /usr/sbin/prepare-root$' "$HOOK"
}

@test "initramfs-tools: mkinitramfs puts prepare-root and libmount into the image, and it runs there" {
	need mkinitramfs initramfs-tools
	need unshare util-linux
	local img=$BATS_TEST_TMPDIR/initrd.img
	PREPARE_ROOT_BINARY=$BINARY run -0 mkinitramfs_private "$img"
	echo "$output"

	run -0 lsinitramfs "$img"
	[[ $'\n'"$output"$'\n' == *$'\nusr/sbin/prepare-root\n'* ]]
	[[ "$output" == *"/libmount.so.1"* ]]

	local dir=$BATS_TEST_TMPDIR/unpacked
	run -0 unmkinitramfs "$img" "$dir"
	[ -d "$dir/main" ] && dir=$dir/main
	cmp "$BINARY" "$dir/usr/sbin/prepare-root"
	run -0 chroot "$dir" /usr/sbin/prepare-root --version
	[[ "$output" == "prepare-root from pivotwrap "* ]]
	# Nothing of the made-up kernel is left on the machine.
	[ ! -e "/lib/modules/$KVER" ]
	[ ! -e "/boot/config-$KVER" ]
}

# no_libmount_binary: a dynamic program that does not link libmount, as
# prepare-root will be once it only dlopens it (/bin/true: libc alone).
no_libmount_binary() {
	local bin=$BATS_TEST_TMPDIR/no-libmount/prepare-root
	mkdir -p "${bin%/*}"
	cp /bin/true "$bin"
	ldd "$bin" | grep -q 'libc\.so' || { echo "$bin: not dynamic" >&2; return 1; }
	if ldd "$bin" | grep -q libmount; then echo "$bin links libmount" >&2; return 1; fi
	echo "$bin"
}

# libmount_closure_in DIR BINARY: every library the machine's libmount.so.1
# loads (ldd: libblkid, libselinux, libpcre2-8, libc), the one beside
# BINARY's libc, has a file of its name in DIR, an unpacked image; the
# missing ones are printed.
libmount_closure_in() {
	local libc lib status=0
	libc=$(ldd "$2" | awk '$1 ~ /^libc\.so/ { print $3 }')
	[ -e "${libc%/*}/libmount.so.1" ] || { echo "no libmount.so.1 beside $libc"; return 1; }
	for lib in $(ldd "${libc%/*}/libmount.so.1" | awk '/=> \// { print $3 }'); do
		find "$1" -name "${lib##*/}" | grep -q . || { echo "missing: $lib"; status=1; }
	done
	return "$status"
}

# needs_libmount DIR: the ELF files under DIR (an unpacked image) that name
# libmount.so.1 as a needed library, one per line.  None, and libmount.so.1
# in the image anyway: only the hook or the module can have put it there.
needs_libmount() {
	local f
	find "$1" -type f | while IFS= read -r f; do
		readelf -d "$f" 2>/dev/null | grep -q 'NEEDED.*\[libmount\.so\.1\]' && echo "$f"
	done
	return 0
}

# masquerade_links: a directory of links as the package installs them,
# and a file that is not a link (not to be copied).
masquerade_links() {
	local dir=$BATS_TEST_TMPDIR/libexec/pivotwrap/bin
	mkdir -p "$dir"
	ln -s ../../../sbin/prepare-root "$dir/crun"
	ln -s ../../../sbin/prepare-root "$dir/runc"
	touch "$dir/not-a-link"
	echo "$dir"
}

# image_carries_libmount_and_links DIR BIN MASQ: the unpacked image DIR
# holds what BIN would load libmount with (libmount_closure_in), every
# library in it finds what it needs (needs_libmount says nothing), and the
# masquerade links of MASQ (masquerade_links) point at prepare-root, its
# other files left out.
image_carries_libmount_and_links() {
	local dir=$1 bin=$2 masq=$3
	run -0 libmount_closure_in "$dir" "$bin"
	need readelf binutils
	run -0 needs_libmount "$dir"
	[ -z "$output" ]
	[ "$(readlink "$dir$masq/crun")" = /usr/sbin/prepare-root ]
	[ "$(readlink "$dir$masq/runc")" = /usr/sbin/prepare-root ]
	[ ! -e "$dir$masq/not-a-link" ]
}

@test "initramfs-tools: libmount.so.1 and its libraries go in even when the binary does not link it; the masquerade links too" {
	need mkinitramfs initramfs-tools
	need unshare util-linux
	local img=$BATS_TEST_TMPDIR/initrd.img bin masq dir=$BATS_TEST_TMPDIR/unpacked
	bin=$(no_libmount_binary)
	masq=$(masquerade_links)
	PREPARE_ROOT_BINARY=$bin PREPARE_ROOT_MASQUERADE_DIR=$masq run -0 mkinitramfs_private "$img"
	echo "$output"
	[[ "$output" != *"W: prepare-root hook"* ]]
	run -0 unmkinitramfs "$img" "$dir"
	[ -d "$dir/main" ] && dir=$dir/main
	cmp "$bin" "$dir/usr/sbin/prepare-root"
	# libmount where the binary's libc is, with what it needs itself
	local libc_dir
	libc_dir=$(dirname "$(ldd "$bin" | awk '$1 ~ /^libc\.so/ { print $3 }')")
	[ -e "$dir$libc_dir/libmount.so.1" ] || [ -e "$dir/usr${libc_dir#/usr}/libmount.so.1" ]
	# and what libmount itself links, through copy_exec
	image_carries_libmount_and_links "$dir" "$bin" "$masq"
}

@test "initramfs-tools: without the binary the hook warns and the image still builds" {
	need mkinitramfs initramfs-tools
	need unshare util-linux
	local img=$BATS_TEST_TMPDIR/initrd.img
	PREPARE_ROOT_BINARY=/nonexistent/prepare-root run -0 mkinitramfs_private "$img"
	[[ "$output" == *"prepare-root hook: /nonexistent/prepare-root is missing"* ]]
	run -0 lsinitramfs "$img"
	[[ "$output" != *"usr/sbin/prepare-root"* ]]
}

# dracut_root: dracut-core of the apt sources, downloaded and unpacked once
# per file in the bats temporary directory (never installed).
dracut_root() {
	local version dir=$BATS_FILE_TMPDIR/dracut-core tmp
	if [ ! -x "$dir/usr/bin/dracut" ]; then
		version=$(apt-cache show --no-all-versions dracut-core 2>/dev/null | sed -n 's/^Version: //p')
		if [ -z "$version" ]; then
			echo "apt knows no dracut-core (run apt-get update)" >&2
			return 1
		fi
		tmp=$(mktemp -d "$BATS_FILE_TMPDIR/download.XXXXXX")
		(cd "$tmp" && apt-get -qq -o APT::Sandbox::User=root download "dracut-core=$version") >&2 &&
			dpkg-deb -x "$tmp"/dracut-core_*.deb "$tmp/root" &&
			mv "$tmp/root" "$dir"
		rm -rf "$tmp"
	fi
	[ -x "$dir/usr/bin/dracut" ] && echo "$dir"
}

# run_dracut ARG...: that dracut, with our module beside its own, no
# configuration of the machine, and PREPARE_ROOT_BINARY passed through.
run_dracut() {
	local base=$BATS_TEST_TMPDIR/dracut
	if [ ! -d "$base" ]; then
		cp -a "$DRACUT/usr/lib/dracut" "$base"
		cp -a "$MODULE" "$base/modules.d/"
		mkdir -p "$BATS_TEST_TMPDIR/dracut.conf.d"
		touch "$BATS_TEST_TMPDIR/dracut.conf"
	fi
	dracutbasedir=$base "$DRACUT/usr/bin/dracut" \
		--conf "$BATS_TEST_TMPDIR/dracut.conf" --confdir "$BATS_TEST_TMPDIR/dracut.conf.d" \
		--tmpdir "$BATS_TEST_TMPDIR" "$@"
}

@test "dracut: dracut lists 90prepare-root, includes it only when asked, and it runs in the image" {
	need apt-get apt
	need cpio cpio
	run -0 bash -n "$MODULE/module-setup.sh"
	DRACUT=$(dracut_root)
	local img=$BATS_TEST_TMPDIR/dracut.img

	PREPARE_ROOT_BINARY=$BINARY run -0 run_dracut --list-modules --no-kernel
	[[ $'\n'"$output"$'\n' == *$'\nprepare-root\n'* ]]

	# check() returns 255: not part of a default image...
	PREPARE_ROOT_BINARY=$BINARY run -0 run_dracut --no-kernel --no-hostonly --force "$img" 0.0.0
	[[ "$output" != *"Including module: prepare-root"* ]]
	# ...but of one that asks for it.
	PREPARE_ROOT_BINARY=$BINARY run -0 run_dracut --no-kernel --no-hostonly --add prepare-root --force "$img" 0.0.0
	[[ "$output" == *"*** Including module: prepare-root ***"* ]]

	dracutbasedir=$BATS_TEST_TMPDIR/dracut run -0 "$DRACUT/usr/bin/lsinitrd" "$img"
	[[ "$output" == *" usr/sbin/prepare-root"$'\n'* ]]
	[[ "$output" == *"/libmount.so.1"* ]]
	mkdir "$BATS_TEST_TMPDIR/unpacked"
	(cd "$BATS_TEST_TMPDIR/unpacked" && dracutbasedir=$BATS_TEST_TMPDIR/dracut "$DRACUT/usr/bin/lsinitrd" --unpack "$img")
	run -0 chroot "$BATS_TEST_TMPDIR/unpacked" /usr/sbin/prepare-root --version
	[[ "$output" == "prepare-root from pivotwrap "* ]]
}

@test "dracut: libmount.so.1 and its libraries go in even when the binary does not link it; the masquerade links too" {
	need apt-get apt
	need cpio cpio
	DRACUT=$(dracut_root)
	local img=$BATS_TEST_TMPDIR/dracut.img bin masq dir=$BATS_TEST_TMPDIR/unpacked
	bin=$(no_libmount_binary)
	masq=$(masquerade_links)
	# Only the module: dracut's own (base installs mount) would bring libmount.
	PREPARE_ROOT_BINARY=$bin PREPARE_ROOT_MASQUERADE_DIR=$masq run -0 run_dracut --no-kernel --no-hostonly \
		--modules prepare-root --force "$img" 0.0.0
	[[ "$output" == *"*** Including module: prepare-root ***"* ]]
	[[ "$output" != *"prepare-root: no libmount.so.1"* ]]
	mkdir "$dir"
	(cd "$dir" && dracutbasedir=$BATS_TEST_TMPDIR/dracut "$DRACUT/usr/bin/lsinitrd" --unpack "$img")
	cmp "$bin" "$dir/usr/sbin/prepare-root"
	run -0 find "$dir" -name 'libmount.so.1'
	[ -n "$output" ]
	image_carries_libmount_and_links "$dir" "$bin" "$masq"
}

@test "dracut: asked for, the module refuses to install without the binary" {
	need apt-get apt
	DRACUT=$(dracut_root)
	PREPARE_ROOT_BINARY=/nonexistent/prepare-root run run_dracut --no-kernel --no-hostonly \
		--modules prepare-root --force "$BATS_TEST_TMPDIR/dracut.img" 0.0.0
	[ "$status" -ne 0 ]
	[[ "$output" == *"'prepare-root' will not be installed, because command '/nonexistent/prepare-root' could not be found"* ]]
	[[ "$output" != *"Including module: prepare-root"* ]]
}

# Keep this test last in the file.
@test "the machine's /lib/modules and /boot are as they were before this file ran" {
	[ -s "$BATS_FILE_TMPDIR/machine-state.before" ]
	machine_state > "$BATS_FILE_TMPDIR/machine-state.after"
	diff -u "$BATS_FILE_TMPDIR/machine-state.before" "$BATS_FILE_TMPDIR/machine-state.after"
}
