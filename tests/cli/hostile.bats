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

PIVOT='mount --bind /newroot /newroot && cd /newroot && pivot_root . oldroot && echo pivoted'

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

# The system calls of a re-root, each failed in turn.  Which ones, and how
# many times each, is read off a real run under strace (so the list cannot
# go stale); openat is left out, as the dynamic loader's come first, and
# statmount and listmount, which Debian 12's strace cannot name (their
# failures are the unit suite's fake kernel's, and bench/no-statmount's).
CALLS=unshare,statx,mount,mount_setattr,open_tree,move_mount,fchdir,chroot,umount2,chdir,getcwd

# fault_each STATE_SETUP: in a private namespace, build the state (shell,
# with $d the chroot; it may set $d to /proc/self/fd/N to enter a directory
# something was mounted on since), then for every call of the re-root and every time
# it is made, fail it (EACCES) and check: the run either says one line and
# exits 125, or falls back and runs the command (exit 0, "ran"); the
# namespace's table is byte-identical after.  Prints "N faults" at the end.
fault_each() {
	unshare --mount --propagation private -- sh -c '
		d=$1; calls=$2
		'"$1"' || { echo "setup failed"; exit 1; }
		before=$(cat /proc/self/mountinfo)
		timeout 60 chroot "$d" /bin/strace -f -qq -o /tmp/trace -e trace="$calls" /bin/prepare-root -- /bin/echo ran >/dev/null || exit 1
		n=0
		for call in $(echo "$calls" | tr , " "); do
			count=$(grep -c "^[0-9]* *$call(" "$d/tmp/trace")
			i=1
			while [ "$i" -le "$count" ]; do
				out=$(timeout 60 env --default-signal chroot "$d" /bin/strace -f -qq -o /dev/null -e trace="$call" \
					-e inject="$call:error=EACCES:when=$i" /bin/prepare-root -- /bin/echo ran 2>&1)
				status=$?
				case $status:$out in
				0:ran) ;;
				125:"prepare-root: "*) [ "$(printf "%s\n" "$out" | wc -l)" -eq 1 ] || { echo "$call #$i: $out"; exit 1; } ;;
				*) echo "$call #$i: exit $status: $out"; exit 1 ;;
				esac
				[ "$(cat /proc/self/mountinfo)" = "$before" ] || { echo "$call #$i: the table changed"; exit 1; }
				n=$((n + 1)) i=$((i + 1))
			done
		done
		echo "$n faults"' sh "$CHROOT" "$CALLS"
}

@test "every system call of a re-root failed in turn: one line and 125, or a fallback; table unchanged" {
	# a plain directory of a shared mount: the copy goes on /proc
	run -0 fault_each 'mount --make-rshared / && mount -t proc proc "$d/proc" && mount -t tmpfs t "$d/tmp"'
	echo "$output"
	[[ "${lines[-1]}" =~ ^[0-9]+\ faults$ ]]
	[ "${lines[-1]%% *}" -gt 20 ]
	# a bind mount on a shared one, with a tmpfs stacked over it: the copy
	# goes on that tmpfs, and drops its own copy of it
	run -0 fault_each 'mount --make-rshared / && mount --bind "$d" "$d" && mount -t proc proc "$d/proc" &&
		mount -t tmpfs t "$d/tmp" && exec 8<"$d" && mount -t tmpfs over "$d" && d=/proc/self/fd/8'
	echo "$output"
	[[ "${lines[-1]}" =~ ^[0-9]+\ faults$ ]]
	[ "${lines[-1]%% *}" -gt 20 ]
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

# Before Linux 5.12 there is no mount_setattr(2): the propagation is then
# changed by mount(2) on the descriptor's /proc/self/fd link.  strace fails
# the call with ENOSYS, as such a kernel does.  The copy holds a tmpfs
# shared with the caller's namespace: the command's mount under it must
# stay its own, so the change must have been recursive.
@test "without mount_setattr(2) the propagation is changed by mount(2) on the descriptor" {
	run -0 --separate-stderr unshare --mount --propagation private -- sh -c '
		d=$1
		mount --make-rshared / && mount --bind "$d" "$d" && mount -t proc proc "$d/proc" &&
			mount -t tmpfs tmpfs "$d/tmp" && mkdir "$d/tmp/m" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$d" /bin/strace -f -qq -o /dev/null -e trace=mount_setattr -e inject=mount_setattr:error=ENOSYS \
			/bin/prepare-root -- /bin/sh -c "mount -t tmpfs inner /tmp/m && $2" || exit 1
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"' sh "$CHROOT" "$PIVOT"
	[ "${lines[0]}" = pivoted ]
	[ "${lines[1]}" = "table unchanged" ]
}

# A propagation change that did not happen: mount_setattr(2) returns 0
# without doing anything (strace's retval injection), so the anchor stays
# shared and pivot_root would refuse the copy attached to it.  The
# post-condition asks the kernel about the copy's parent: one line, 125,
# and the command is not run.
@test "a propagation change that did not happen: the post-condition refuses, the command is not run" {
	run unshare --mount --propagation private -- sh -c '
		d=$1
		mount --make-rshared / && mount --bind "$d" "$d" && mount -t proc proc "$d/proc" || exit 1
		chroot "$d" /bin/strace -f -qq -o /dev/null -e trace=mount_setattr -e inject=mount_setattr:retval=0 \
			/bin/prepare-root -- /bin/echo ran 2>&1' sh "$CHROOT"
	echo "$output"
	[ "$status" -eq 125 ]
	[[ "$output" == "prepare-root: the new root would not be accepted by pivot_root: statmount: mount "*"; its parent: statmount: mount "*", shared (please report this as a bug)" ]]
	[ "${#lines[@]}" -eq 1 ]
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

# unshare --pid without --fork: the next process created becomes the new
# PID namespace's init, and the namespace dies with it.  A trial child
# would be that process (and the command could fork no more): where the
# kernel must be asked (no statmount: bench/no-statmount), it is asked from
# a thread, which such a namespace refuses (copy_process()); prepare-root
# then re-roots, which needs no answer.
@test "a PID namespace awaiting its first process: prepare-root starts nothing in it, the command can fork" {
	local nsm w
	nsm=$(dirname "$PREPARE_ROOT")/bench/no-statmount
	for w in "" "$nsm"; do
		run -0 --separate-stderr unshare --pid --mount --propagation private -- \
			$w "$PREPARE_ROOT" -- sh -c 'sh -c "echo FORKED"; echo "$$"'
		[ "${lines[0]}" = FORKED ]
		[ "${lines[1]}" -ne 1 ]
	done
}

# Linux 6.8: listmount(2) and statmount(2) find a mount inside the root
# without /proc/self/mountinfo.
@test "without /proc, a chroot directory of a shared mount is re-rooted onto a mount inside, found by listmount" {
	if [ -n "${PW_SANITIZED:-}" ]; then
		skip_because sanitized "ASan itself cannot start without /proc (the plain run covers this)"
	fi
	run -0 --separate-stderr unshare --mount --propagation private -- sh -c '
		mount --make-rshared / && mount -t tmpfs inside "$1/tmp" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$1" /bin/prepare-root -v -- /bin/sh -c "mount --bind /newroot /newroot && cd /newroot && pivot_root . oldroot && echo pivoted" || exit
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"' sh "$CHROOT"
	[ "${lines[0]}" = pivoted ]
	[ "${lines[1]}" = "table unchanged" ]
	[[ "$stderr" =~ anchor:\ mount\ [0-9]+\ at\ /tmp ]]
}

# chroot /proc/PID/root: the root is a mount of another namespace, which
# pivot_root refuses (check_mnt) and no copy can be made of here.
@test "a root in another mount namespace: the kernel's reason, check_mnt, and no re-root tried" {
	if [ -n "${PW_SANITIZED:-}" ]; then
		skip_because sanitized "the chroot has no /proc: ASan reads no options there and LeakSanitizer fails at exit (the plain run covers this)"
	fi
	run --separate-stderr unshare --mount --propagation private -- sh -c '
		t=$1 c=$2
		mkdir -p "$t/o" && mount -t tmpfs o "$t/o" && mount --make-private "$t/o" || exit 1
		# (the other namespace has a copy of this one; the chroot is
		# copied into a tmpfs that only it has)
		unshare --mount --propagation private -- sh -c "umount $t/o; mount -t tmpfs other $t/o && cp -a $c/. $t/o && touch $t/o/ready && exec sleep 60" &
		other=$!
		for _ in $(seq 100); do [ -e "/proc/$other/root$t/o/ready" ] && break; sleep 0.1; done
		chroot "/proc/$other/root$t/o" /bin/prepare-root --check; echo "check $?"
		chroot "/proc/$other/root$t/o" /bin/prepare-root -- /bin/true; echo "run $?"
		kill $other' sh "$BATS_TEST_TMPDIR" "$CHROOT"
	echo "$output"; echo "$stderr"
	[[ "${lines[0]}" == "no re-root can help: FAIL  the current root's mount is in this mount namespace {check_mnt(root_mnt)} [statmount(2) does not know mount "*": it is of another mount namespace] -> EINVAL; "* ]]
	[ "${lines[1]}" = "check 125" ]
	[ "${lines[2]}" = "run 125" ]
	[ "$stderr" = "prepare-root: cannot re-root: the root is not in this mount namespace (a chroot through /proc/PID/root?) (run it in the mount namespace the root belongs to: nsenter --mount=/proc/PID/ns/mnt)" ]
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
	[[ "$verbose" == *"(via mountinfo)"* ]]
}

# The dynamic build dlopen()s libmount where the mount table must be read
# (no statmount: bench/no-statmount).  Without the library that is a broken
# installation, said as such: one line naming it, 125, nothing changed.
@test "without statmount and without libmount.so.1 in the root: one line naming the library, 125" {
	ldd "$PREPARE_ROOT" >/dev/null 2>&1 || skip_because static "a static prepare-root links libmount"
	local d=$BATS_TEST_TMPDIR/nolibmount lib
	mkdir -p "$d/bin" "$d/proc"
	cp /bin/busybox "$d/bin/busybox" && ln -s busybox "$d/bin/true"
	cp "$PREPARE_ROOT" "$(dirname "$PREPARE_ROOT")/bench/no-statmount" "$d/bin/"
	for lib in $(ldd "$PREPARE_ROOT" | grep -o '/[^ ]*'); do
		mkdir -p "$d$(dirname "$lib")" && cp -L "$lib" "$d$lib"
	done
	run --separate-stderr unshare --mount --propagation private -- sh -c '
		mount -t proc proc "$1/proc" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$1" /bin/no-statmount /bin/prepare-root -- /bin/true; echo "run $?"
		chroot "$1" /bin/no-statmount /bin/prepare-root --check; echo "check $?"
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"' sh "$d"
	[ "${lines[0]}" = "run 125" ]
	[ "${lines[1]}" = "check 125" ]
	[ "${lines[2]}" = "table unchanged" ]
	[ "${stderr_lines[0]}" = "prepare-root: cannot read the mount table: libmount.so.1: cannot open shared object file: No such file or directory (before Linux 6.8 it needs libmount.so.1: install libmount1, or put the library in the image)" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
}
