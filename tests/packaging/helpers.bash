# Shared setup for the packaging tests (bats-core >= 1.5).
#
# A missing tool skips the test, loudly, and fails it when CI=true (CI
# installs them all; so does any other skip: ci_skip).  Nothing here
# writes outside the bats temporary directories.

bats_require_minimum_version 1.5.0

TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

# need COMMAND PACKAGE
need() {
	command -v "$1" >/dev/null && return 0
	if [ "${CI:-}" = true ]; then
		echo "$1 is missing, and CI installs $2: failing" >&3
		return 1
	fi
	skip "$1 missing (SKIPPED: apt-get install $2)"
}

# ci_skip REASON: skip, loudly; under CI=true fail instead, since CI
# provides everything the packaging tests need (a skip there hides a test).
ci_skip() {
	if [ "${CI:-}" = true ]; then
		echo "$1, and under CI=true that is a failure, not a skip" >&3
		return 1
	fi
	skip "$1 (SKIPPED)"
}

require_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	if [ "${CI:-}" = true ]; then
		echo "this test needs root, and CI runs as root: failing" >&3
		return 1
	fi
	skip "needs root (SKIPPED)"
}

# copy_tree DEST: the source tree as a release tarball holds it (what git
# tracks plus files not yet added, no build directories).
copy_tree() {
	local dest=$1
	mkdir -p "$dest"
	if git -C "$TOP" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$TOP" && git ls-files -co --exclude-standard -z |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			xargs -0 cp --parents -t "$dest/")
	else
		tar -C "$TOP" --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
			--exclude=./debian/.debhelper --exclude=./debian/pivotwrap \
			--exclude=./debian/files --exclude=./debian/debhelper-build-stamp \
			--exclude='./debian/*.substvars' -cf - . | tar -C "$dest" -xf -
	fi
}

# meson_install BUILDDIR DESTDIR MESON-OPTION...: configure the source tree
# (out of tree, nothing is written into it), build, install into DESTDIR.
meson_install() {
	local build=$1 destdir=$2
	shift 2
	if ! { meson setup "$build" "$TOP" -Dtests=disabled -Dman=disabled "$@" &&
		ninja -C "$build" &&
		DESTDIR=$destdir meson install -C "$build"; } >"$build.log" 2>&1; then
		tail -n 30 "$build.log"
		return 1
	fi
}
