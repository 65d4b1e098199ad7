#!/usr/bin/env bats
# The initramfs-tools hook and the dracut module put a working prepare-root
# into a real image built by the real tools.

load ../cli/helpers

TOP=$BATS_TEST_DIRNAME/../..
# mkinitramfs wants /lib/modules/VERSION and /boot/config-VERSION; a
# version that no kernel uses, created here and removed in teardown.
KVER=0.0.0-pivotwrap-test

setup() {
	require_root
}

teardown() {
	rm -rf "/lib/modules/$KVER" "/boot/config-$KVER"
}

need() {
	command -v "$1" >/dev/null && return 0
	[ "${CI:-}" = true ] && { echo "$1 missing, and CI installs $2" >&3; return 1; }
	skip "$1 missing (SKIPPED: apt-get install $2)"
}

@test "initramfs-tools: mkinitramfs puts prepare-root and its libraries into the image, and it runs there" {
	need mkinitramfs initramfs-tools
	local conf=$BATS_TEST_TMPDIR/conf img=$BATS_TEST_TMPDIR/initrd.img
	mkdir -p "$conf/hooks" "$conf/scripts" "$conf/conf.d" "/lib/modules/$KVER"
	cp /etc/initramfs-tools/initramfs.conf "$conf/"
	sed -i 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
	touch "$conf/modules" /lib/modules/$KVER/modules.{order,builtin,builtin.modinfo}
	printf 'CONFIG_BLK_DEV_INITRD=y\nCONFIG_RD_GZIP=y\n' > "/boot/config-$KVER"
	sed 's|@SBINDIR@|/usr/sbin|' "$TOP/initramfs-tools/prepare-root.hook.in" > "$conf/hooks/prepare-root"
	chmod +x "$conf/hooks/prepare-root"

	PREPARE_ROOT_BINARY=$PREPARE_ROOT run -0 mkinitramfs -d "$conf" -o "$img" "$KVER"
	run -0 lsinitramfs "$img"
	[[ "$output" == *$'\nusr/sbin/prepare-root\n'* ]]
	[[ "$output" == *"/libmount.so.1"* ]]

	unmkinitramfs "$img" "$BATS_TEST_TMPDIR/unpacked"
	local dir=$BATS_TEST_TMPDIR/unpacked
	[ -d "$dir/main" ] && dir=$dir/main
	run -0 chroot "$dir" /usr/sbin/prepare-root --version
	[[ "$output" == "prepare-root from pivotwrap "* ]]
}

@test "dracut: the module passes dracut's own loader and installs prepare-root" {
	need apt-get apt
	# dracut conflicts with initramfs-tools on Debian: use its package
	# unpacked, not installed (dracut honours dracutbasedir).
	local cache=${PIVOTWRAP_CACHE:-$HOME/.cache/pivotwrap}/dracut
	if [ ! -x "$cache/root/usr/bin/dracut" ]; then
		mkdir -p "$cache"
		(cd "$cache" && rm -f ./*.deb && apt-get download dracut-core >/dev/null 2>&1 && dpkg-deb -x dracut-core_*.deb root)
	fi
	local base=$BATS_TEST_TMPDIR/dracut img=$BATS_TEST_TMPDIR/dracut.img
	cp -a "$cache/root/usr/lib/dracut" "$base"
	mkdir -p "$base/modules.d/90prepare-root" "$BATS_TEST_TMPDIR/conf.d"
	sed 's|@SBINDIR@|/usr/sbin|' "$TOP/dracut/modules.d/90prepare-root/module-setup.sh.in" \
		> "$base/modules.d/90prepare-root/module-setup.sh"
	touch "$BATS_TEST_TMPDIR/dracut.conf"

	PREPARE_ROOT_BINARY=$PREPARE_ROOT dracutbasedir=$base run -0 "$cache/root/usr/bin/dracut" \
		--conf "$BATS_TEST_TMPDIR/dracut.conf" --confdir "$BATS_TEST_TMPDIR/conf.d" \
		--no-kernel --no-hostonly --modules prepare-root --force --tmpdir "$BATS_TEST_TMPDIR" "$img" 0.0.0
	[[ "$output" == *"*** Including module: prepare-root ***"* ]]
	dracutbasedir=$base run -0 "$cache/root/usr/bin/lsinitrd" "$img"
	[[ "$output" == *" usr/sbin/prepare-root"* ]]

	# Asked for a module whose binary is missing, dracut must refuse it.
	PREPARE_ROOT_BINARY=/nonexistent dracutbasedir=$base run "$cache/root/usr/bin/dracut" \
		--conf "$BATS_TEST_TMPDIR/dracut.conf" --confdir "$BATS_TEST_TMPDIR/conf.d" \
		--no-kernel --no-hostonly --modules prepare-root --force --tmpdir "$BATS_TEST_TMPDIR" "$img.2" 0.0.0
	[[ "$output" != *"*** Including module: prepare-root ***"* ]]
}
