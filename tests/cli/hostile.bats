#!/usr/bin/env bats
# Hostile surroundings: what prepare-root meets as PID 1 or in odd setups.
# Real faults are injected with strace(1): errors and signals at a chosen
# system call of the real re-root.

load helpers

setup_file() {
	CHROOT="$BATS_FILE_TMPDIR/chroot"
	export CHROOT
	make_chroot_dir "$CHROOT"
	cp "$(command -v strace)" "$CHROOT/bin/strace"
	for lib in $(ldd "$(command -v strace)" | grep -o '/[^ ]*'); do
		mkdir -p "$CHROOT$(dirname "$lib")"
		cp -nL "$lib" "$CHROOT$lib"
	done
}

setup() {
	require_root
}

# In a private namespace: note the mount table, run "$@" chrooted, compare
# the table after.  Prints the command's output, then "table unchanged".
# Signal dispositions are reset: the test runner may ignore SIGINT.
chroot_and_compare() {
	unshare --mount --propagation private -- sh -c '
		d=$1; shift
		mount -t proc proc "$d/proc" || exit 1
		before=$(cat /proc/self/mountinfo)
		env --default-signal chroot "$d" "$@"
		status=$?
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"
		exit $status' sh "$CHROOT" "$@"
}

@test "setuid: refused with a message, exit 125" {
	cp "$PREPARE_ROOT" "$BATS_TEST_TMPDIR/suid"
	chmod 4755 "$BATS_TEST_TMPDIR/suid"
	run -125 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$BATS_TEST_TMPDIR/suid" -- true
	[ "$stderr" = "prepare-root: refusing to run setuid or setgid; run it as root instead" ]
}

@test "each failing mount call of a real re-root: one line, exit 125, table unchanged" {
	local call
	for call in mount open_tree move_mount; do
		run -125 --separate-stderr chroot_and_compare /bin/strace -qq -o /dev/null \
			-e trace=$call -e inject=$call:error=ENOMEM:when=1 /bin/prepare-root -- /bin/echo ran
		[ "$output" = "table unchanged" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "prepare-root: "*": Cannot allocate memory" ]]
	done
}

@test "each other failing step of a real re-root: exit 125, table unchanged" {
	local step
	# call:occurrence -- every statx of the re-root: 1 detection, 2 the
	# working directory, 3-4 whether "/" is covered, 5-6 the anchor, 7 the
	# copy, 8 the new root, 9 detection again, 10 the working directory
	# again; chdir is the return to the working directory.
	for step in unshare:1 fchdir:1 chroot:1 chdir:1 statx:{1..10}; do
		run -125 --separate-stderr chroot_and_compare /bin/strace -qq -o /dev/null \
			-e trace="${step%:*}" -e inject="${step%:*}:error=EACCES:when=${step#*:}" \
			/bin/prepare-root -- /bin/echo ran
		[ "$output" = "table unchanged" ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == "prepare-root: "*"Permission denied"* ]]
	done
}

@test "SIGINT, SIGTERM or SIGPIPE in the middle of the re-root leaves the caller's table unchanged" {
	for sig in INT TERM PIPE; do
		run chroot_and_compare /bin/strace -qq -o /dev/null \
			-e trace=move_mount -e inject=move_mount:signal=$sig:when=1 /bin/prepare-root -- /bin/echo ran
		[ "$status" -eq $((128 + $(kill -l $sig))) ]
		# (the shell may first say "Terminated")
		[ "${lines[-1]}" = "table unchanged" ]
	done
}

@test "without /proc the re-root still works where statmount(2) answers" {
	# The chroot has no /proc mounted: the libmount path cannot work, the
	# statmount path (Linux 6.8+) must.
	if [ -n "${PW_SANITIZED:-}" ]; then
		skip_because sanitized "ASan itself cannot start without /proc (the plain run covers this)"
	fi
	run -0 --separate-stderr unshare --mount --propagation private -- \
		chroot "$CHROOT" /bin/prepare-root -v -- /bin/echo ran
	[ "$output" = ran ]
	[[ "${stderr_lines[0]}" == *"(via statmount)" ]]
}

@test "inside a user namespace (unshare -Ur): the re-root works there too" {
	chmod 755 "$BATS_FILE_TMPDIR"
	run -0 --separate-stderr unshare --user --map-root-user --mount --propagation private -- \
		chroot "$CHROOT" /bin/prepare-root -- /bin/sh -c 'mount --bind /newroot /newroot && cd /newroot && pivot_root . oldroot && echo pivoted'
	[ "$output" = pivoted ]
}

@test "argv close to ARG_MAX passes through intact" {
	# 100,000 arguments of 10 bytes: about 1.1 MB of argv.
	local n=100000
	run -0 bash -c '"$1" -- bash -c "echo \$#; echo \"\${@: -1}\"" sh $(seq -f "%09g" 1 "$2")' sh "$PREPARE_ROOT" "$n"
	[ "${lines[0]}" = "$n" ]
	[ "${lines[1]}" = "$(printf '%09d' "$n")" ]
}

@test "stdin closed at start stays closed, and nothing else appears" {
	expected=$(sh -c "$FD_LIST" 3>&1 <&-)
	actual=$("$PREPARE_ROOT" -- sh -c "$FD_LIST" 3>&1 <&-)
	[ "$actual" = "$expected" ]
}

@test "libmount path with 1 and 2 closed: the mount table is not left on them" {
	# bench/no-statmount (built beside prepare-root) makes statmount(2) fail,
	# so prepare-root reads /proc/self/mountinfo, whose descriptor would be
	# the lowest free one: 1.
	local nsm
	nsm=$(dirname "$PREPARE_ROOT")/bench/no-statmount
	[ -x "$nsm" ] || { echo "$nsm missing: build the bench helpers (meson compile)" >&3; return 1; }
	expected=$(sh -c "$FD_LIST" 3>&1 1>&- 2>&-)
	actual=$("$nsm" "$PREPARE_ROOT" -- sh -c "$FD_LIST" 3>&1 1>&- 2>&-)
	[ "$actual" = "$expected" ]
	verbose=$("$nsm" "$PREPARE_ROOT" -v -- true 2>&1)
	[[ "$verbose" == *"(via libmount)"* ]]
}
