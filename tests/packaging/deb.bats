#!/usr/bin/env bats
# debian/: dpkg-buildpackage builds a .deb with the binary, the man page,
# the completion and the initramfs-tools hook, and lintian finds no error
# or warning in it.

load ../cli/helpers

TOP=$BATS_TEST_DIRNAME/../..

@test "debian: dpkg-buildpackage -b builds the package, lintian is clean" {
	for tool in dpkg-buildpackage lintian git; do
		if ! command -v "$tool" >/dev/null; then
			[ "${CI:-}" = true ] && { echo "$tool missing, and CI installs it" >&3; return 1; }
			skip "$tool missing (SKIPPED: apt-get install devscripts debhelper lintian)"
		fi
	done
	local src=$BATS_TEST_TMPDIR/pivotwrap-0.1.0
	mkdir -p "$src"
	# What the repository holds, as a release tarball would.
	(cd "$TOP" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$src/")
	(cd "$src" && dpkg-buildpackage -us -uc -b) > "$BATS_TEST_TMPDIR/build.log" 2>&1 ||
		{ tail -n 40 "$BATS_TEST_TMPDIR/build.log"; return 1; }

	run -0 dpkg -c "$BATS_TEST_TMPDIR"/pivotwrap_*_amd64.deb
	[[ "$output" == *" ./usr/sbin/prepare-root"* ]]
	[[ "$output" == *" ./usr/share/man/man8/prepare-root.8.gz"* ]]
	[[ "$output" == *" ./usr/share/bash-completion/completions/prepare-root"* ]]
	[[ "$output" == *" ./usr/share/initramfs-tools/hooks/prepare-root"* ]]

	run lintian --fail-on error,warning "$BATS_TEST_TMPDIR"/pivotwrap_*_amd64.changes
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"E: "* && "$output" != *"W: "* ]]
}
