#!/usr/bin/env bats
# debian/: dpkg-buildpackage builds the pivotwrap .deb from a copy of the
# tree (the unit suite runs during the build); the package holds the
# binary, the man page, the bash completion, the initramfs-tools hook and
# the dracut module, and lintian reports neither an error nor a warning.
# Takes about 15 s; everything happens in the bats temporary directory.

load helpers

setup() {
	need dpkg-buildpackage dpkg-dev
	need dh debhelper
	need lintian lintian
	need scdoc scdoc
	ARCH=$(dpkg --print-architecture)
	VERSION=$(dpkg-parsechangelog -l "$TOP/debian/changelog" -S Version)
	UPSTREAM=${VERSION%-*}
}

# lintian_clean FILE: lintian finds no error and no warning (it prints its
# report, and the tags bats shows on failure).
lintian_clean() {
	run lintian "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	if grep -E '^[EW]: ' <<<"$output"; then
		return 1
	fi
}

@test "debian: dpkg-buildpackage -us -uc -b builds the package; lintian: no error, no warning" {
	local src=$BATS_TEST_TMPDIR/pivotwrap-$UPSTREAM log=$BATS_TEST_TMPDIR/build.log
	copy_tree "$src"
	SECONDS=0
	(cd "$src" && env -u DEB_BUILD_OPTIONS -u DEB_BUILD_PROFILES dpkg-buildpackage -us -uc -b) >"$log" 2>&1 ||
		{ tail -n 60 "$log"; return 1; }
	echo "# dpkg-buildpackage -b: ${SECONDS} s" >&3

	local deb=$BATS_TEST_TMPDIR/pivotwrap_${VERSION}_$ARCH.deb
	run -0 dpkg -c "$deb"
	echo "$output"
	local listing=$'\n'"$output"$'\n'
	[[ "$listing" == *"-rwxr-xr-x root/root "*" ./usr/sbin/prepare-root"$'\n'* ]]
	[[ "$listing" == *" ./usr/share/man/man8/prepare-root.8.gz"$'\n'* ]]
	[[ "$listing" == *"-rw-r--r-- root/root "*" ./usr/share/bash-completion/completions/prepare-root"$'\n'* ]]
	[[ "$listing" == *"-rwxr-xr-x root/root "*" ./usr/share/initramfs-tools/hooks/prepare-root"$'\n'* ]]
	[[ "$listing" == *" ./usr/share/doc/pivotwrap/copyright"$'\n'* ]]
	[[ "$listing" == *"-rwxr-xr-x root/root "*" ./usr/lib/dracut/modules.d/90prepare-root/module-setup.sh"$'\n'* ]]
	# the masquerade links (lib/masquerade.h), relative
	[[ "$listing" == *"lrwxrwxrwx root/root "*" ./usr/libexec/pivotwrap/bin/runc -> ../../../sbin/prepare-root"$'\n'* ]]
	[[ "$listing" == *"lrwxrwxrwx root/root "*" ./usr/libexec/pivotwrap/bin/crun -> ../../../sbin/prepare-root"$'\n'* ]]

	# The unit suite ran in the build, and no other.
	grep -q 'meson test --suite unit' "$log"
	grep -Eq '^Ok: +[1-9]' "$log"
	grep -Eq '^Fail: +0 *$' "$log"
	grep -Eq '^ *[0-9]+/[0-9]+ +pivotwrap:unit / ' "$log"
	run -1 grep -E '^ *[0-9]+/[0-9]+ +pivotwrap:[^u]' "$log"

	# What it installs works.
	dpkg-deb -x "$deb" "$BATS_TEST_TMPDIR/root"
	run -0 "$BATS_TEST_TMPDIR/root/usr/sbin/prepare-root" --version
	[ "$output" = "prepare-root from pivotwrap $UPSTREAM" ]
	run -0 zcat "$BATS_TEST_TMPDIR/root/usr/share/man/man8/prepare-root.8.gz"
	[[ "$output" == *'.TH "prepare-root" "8"'* && "$output" == *'.SH NAME'* ]]
	cmp "$TOP/completions/prepare-root" "$BATS_TEST_TMPDIR/root/usr/share/bash-completion/completions/prepare-root"
	run -0 sh -n "$BATS_TEST_TMPDIR/root/usr/share/initramfs-tools/hooks/prepare-root"
	run -0 bash -n "$BATS_TEST_TMPDIR/root/usr/lib/dracut/modules.d/90prepare-root/module-setup.sh"
	# libmount1 named in debian/control: once prepare-root only dlopens it,
	# dpkg-shlibdeps no longer sees it.
	run -0 dpkg-deb -f "$deb" Depends
	[[ "$output" == *"libmount1 (>= 2.30)"* ]]
	# dh_installinitramfs: installing or upgrading rebuilds the initramfs.
	run -0 dpkg-deb -I "$deb" triggers
	[[ "$output" == *"activate-noawait update-initramfs"* ]]

	lintian_clean "$BATS_TEST_TMPDIR/pivotwrap_${VERSION}_$ARCH.changes"
}

@test "debian: the source package builds from an orig tarball; lintian: no error, no warning" {
	need dpkg-source dpkg-dev
	local src=$BATS_TEST_TMPDIR/pivotwrap-$UPSTREAM
	copy_tree "$src"
	tar -C "$BATS_TEST_TMPDIR" --exclude="pivotwrap-$UPSTREAM/debian" \
		-czf "$BATS_TEST_TMPDIR/pivotwrap_$UPSTREAM.orig.tar.gz" "pivotwrap-$UPSTREAM"
	(cd "$src" && dpkg-buildpackage -us -uc -S -d) >"$BATS_TEST_TMPDIR/source.log" 2>&1 ||
		{ tail -n 30 "$BATS_TEST_TMPDIR/source.log"; return 1; }
	lintian_clean "$BATS_TEST_TMPDIR/pivotwrap_$VERSION.dsc"
}
