# Shared setup for the CLI tests.  PREPARE_ROOT is the binary under test:
# meson sets it; run by hand ("bats tests/cli/interface.bats") it is the
# build directory's, build/prepare-root.  The tests that re-root need root,
# and fail, not skip, when CI=true and they cannot run.  Every skip goes
# through skip_because.

bats_require_minimum_version 1.5.0

# pw_copy_binary
# shellcheck source=tests/e2e/lib.sh
. "$BATS_TEST_DIRNAME/../e2e/lib.sh"

: "${PREPARE_ROOT:=$BATS_TEST_DIRNAME/../../build/prepare-root}"
if [ ! -x "$PREPARE_ROOT" ]; then
	echo "no prepare-root at $PREPARE_ROOT: build it (meson setup build && meson compile -C build), or set PREPARE_ROOT to the binary to test" >&2
	exit 1
fi

# skip_because REASON MESSAGE: skip this test, saying why.  Under CI=true a
# skip is a failure unless REASON is one that can hold on the CI machine and
# holds now; the reasons:
#   sanitized  the ASan/UBSan run (.ci/run sets PW_SANITIZED=1 for it)
#   not-root   the tests run as an ordinary user (never on CI: it runs as root)
#   static     PREPARE_ROOT is a static build (never on CI: its CLI runs test
#              the dynamic and the sanitized builds)
skip_because() {
	local reason=$1 message=$2 holds=false
	case $reason in
	sanitized) [ -n "${PW_SANITIZED:-}" ] && holds=true ;;
	not-root) [ "$(id -u)" -ne 0 ] && holds=true ;;
	static) ldd "$PREPARE_ROOT" >/dev/null 2>&1 || holds=true ;;
	*) echo "skip_because: unknown reason '$reason'" >&3; return 1 ;;
	esac
	if ! $holds; then
		echo "skip_because $reason: the reason does not hold here: failing" >&3
		return 1
	fi
	if [ "${CI:-}" = true ] && [ "$reason" != sanitized ]; then
		echo "refusing to skip under CI=true ($reason): $message" >&3
		return 1
	fi
	skip "SKIPPED ($reason): $message"
}

require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip_because not-root "needs root: run as root to exercise the re-root for real"
	fi
}

# Byte-exact comparison that shows both sides on failure.
assert_same_bytes() {
	local expected=$1 actual=$2
	if ! cmp -s "$expected" "$actual"; then
		echo "expected:"; od -c "$expected" | head -20
		echo "actual:"; od -c "$actual" | head -20
		return 1
	fi
}

# A chroot directory that is NOT a mount point: busybox-static and
# prepare-root with the shared libraries it needs.  $1 is the directory.
make_chroot_dir() {
	local dir=$1 lib applet
	mkdir -p "$dir"/{bin,proc,dev,tmp,work/sub,newroot/bin,newroot/oldroot}
	cp /bin/busybox "$dir/bin/busybox"
	cp /bin/busybox "$dir/newroot/bin/busybox"
	# The applets' links must name the chroot's own busybox: installed
	# from inside the chroot (one process, where root may chroot), else
	# made relative one by one (busybox --install outside would link to
	# its path there).
	if ! chroot "$dir" /bin/busybox --install -s /bin 2>/dev/null; then
		for applet in $(/bin/busybox --list); do
			[ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
		done
	fi
	# (with libmount, which it dlopen()s where statmount(2) is missing)
	pw_copy_binary "$dir" "$PREPARE_ROOT" /bin/prepare-root
	echo "initramfs-only" > "$dir/marker"
}

# setup_file of the suites that run each case with statmount(2) and without
# it: the chroot directory $CHROOT, with bench/no-statmount in its /bin.
make_chroot_with_wrapper() {
	CHROOT="$BATS_FILE_TMPDIR/chroot"
	export CHROOT
	make_chroot_dir "$CHROOT"
	cp "$(dirname "$PREPARE_ROOT")/bench/no-statmount" "$CHROOT/bin/no-statmount"
}

# A shell command that prints the calling process's open descriptors, one
# line, to fd 3 (so that 1 and 2 may be closed).  `ls` adds its own
# directory descriptor, the same in every listing compared.
FD_LIST='ls -l /proc/self/fd | tail -n +2 | sed "s/.* \([0-9]*\) -> .*/\1/" | sort -n | tr "\n" " " >&3'
