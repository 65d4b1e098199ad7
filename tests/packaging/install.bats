#!/usr/bin/env bats
# What completions/, initramfs-tools/ and dracut/ make meson install, and
# where, for -Dbash_completion, -Dinitramfs_tools, -Ddracut and the prefix.
# Builds into temporary directories and installs with DESTDIR only.

load helpers

setup() {
	need meson meson
	need pkg-config pkg-config
}

# install_tree NAME MESON-OPTION...: meson install into $BATS_TEST_TMPDIR/NAME;
# prints the installed files, one per line, as "MODE PATH" (PATH from /).
install_tree() {
	local name=$1
	shift
	meson_install "$BATS_TEST_TMPDIR/build-$name" "$BATS_TEST_TMPDIR/$name" "$@" >&2 || return
	(cd "$BATS_TEST_TMPDIR/$name" && find . -type f -printf '%m /%P\n' | sort)
}

@test "install: --prefix=/usr with everything on" {
	run -0 install_tree usr --prefix=/usr -Dbash_completion=enabled -Dinitramfs_tools=true -Ddracut=true
	local completionsdir
	completionsdir=$(pkg-config --variable=completionsdir bash-completion) ||
		ci_skip "no bash-completion.pc (apt-get install bash-completion)"
	[ "$output" = "$(printf '%s\n' \
		"755 /usr/lib/dracut/modules.d/90prepare-root/module-setup.sh" \
		"755 /usr/sbin/prepare-root" \
		"644 $completionsdir/prepare-root" \
		"755 /usr/share/initramfs-tools/hooks/prepare-root" | sort)" ]
	local dest=$BATS_TEST_TMPDIR/usr
	cmp "$TOP/completions/prepare-root" "$dest$completionsdir/prepare-root"
	# At /usr/sbin the hook and the module are installed as written.
	cmp "$TOP/initramfs-tools/hooks/prepare-root" "$dest/usr/share/initramfs-tools/hooks/prepare-root"
	cmp "$TOP/dracut/modules.d/90prepare-root/module-setup.sh" \
		"$dest/usr/lib/dracut/modules.d/90prepare-root/module-setup.sh"
}

@test "install: --prefix=/usr/local moves the binary the hook and the module copy, not the hook" {
	run -0 install_tree local --prefix=/usr/local -Dbash_completion=enabled -Dinitramfs_tools=true -Ddracut=true
	[[ "$output" == *"755 /usr/local/sbin/prepare-root"* ]]
	[[ "$output" == *"644 /usr/local/share/bash-completion/completions/prepare-root"* ]]
	[[ "$output" == *"755 /usr/share/initramfs-tools/hooks/prepare-root"* ]]
	[[ "$output" == *"755 /usr/local/lib/dracut/modules.d/90prepare-root/module-setup.sh"* ]]
	local dest=$BATS_TEST_TMPDIR/local
	run -0 grep -c '/usr/local/sbin/prepare-root}' "$dest/usr/share/initramfs-tools/hooks/prepare-root"
	[ "$output" = 1 ]
	run -0 grep -c '/usr/local/sbin/prepare-root}' "$dest/usr/local/lib/dracut/modules.d/90prepare-root/module-setup.sh"
	[ "$output" = 2 ]
	# In the image it stays /usr/sbin/prepare-root.
	grep -q '^copy_exec "$prepare_root" /usr/sbin/prepare-root$' "$dest/usr/share/initramfs-tools/hooks/prepare-root"
	grep -q 'local binary=${PREPARE_ROOT_BINARY:-/usr/local/sbin/prepare-root}$' \
		"$dest/usr/local/lib/dracut/modules.d/90prepare-root/module-setup.sh"
	grep -q 'inst_binary "$binary" /usr/sbin/prepare-root$' \
		"$dest/usr/local/lib/dracut/modules.d/90prepare-root/module-setup.sh"
	# The masquerade links are looked for under the prefix too.
	grep -q '^masquerade_dir=${PREPARE_ROOT_MASQUERADE_DIR:-/usr/local/libexec/pivotwrap/bin}$' \
		"$dest/usr/share/initramfs-tools/hooks/prepare-root"
	grep -q 'local masquerade_dir=${PREPARE_ROOT_MASQUERADE_DIR:-/usr/local/libexec/pivotwrap/bin}$' \
		"$dest/usr/local/lib/dracut/modules.d/90prepare-root/module-setup.sh"
}

@test "install: by default no hook and no dracut module; -Dbash_completion=disabled: no completion" {
	run -0 install_tree default --prefix=/usr
	[[ "$output" != *initramfs-tools* && "$output" != *dracut* ]]
	if pkg-config --exists bash-completion; then
		[[ "$output" == *"/bash-completion/completions/prepare-root"* ]]
	fi
	run -0 install_tree nocompletion --prefix=/usr -Dbash_completion=disabled
	[ "$output" = "755 /usr/sbin/prepare-root" ]
}

@test "install: without bash-completion's pkg-config file, <datadir>/bash-completion/completions" {
	# A pkg-config search path with every .pc file but bash-completion.pc.
	local pcdir=$BATS_TEST_TMPDIR/pc dir pc
	mkdir -p "$pcdir"
	for dir in $(pkg-config --variable pc_path pkg-config | tr : ' '); do
		for pc in "$dir"/*.pc; do
			[ -e "$pc" ] && [ "${pc##*/}" != bash-completion.pc ] && ln -sf "$pc" "$pcdir/"
		done
	done
	PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' run -0 install_tree fallback --prefix=/opt/pw -Dbash_completion=auto
	[[ "$output" == *"644 /opt/pw/share/bash-completion/completions/prepare-root"* ]]
	grep -q 'Run-time dependency bash-completion found: NO' "$BATS_TEST_TMPDIR/build-fallback.log"
	PKG_CONFIG_LIBDIR=$pcdir PKG_CONFIG_PATH='' run -0 install_tree fallback-enabled --prefix=/usr -Dbash_completion=enabled
	[[ "$output" == *"644 /usr/share/bash-completion/completions/prepare-root"* ]]
}
