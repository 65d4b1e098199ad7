#!/usr/bin/env bats
# The re-root, for real.  A host cannot boot from an initramfs (that is the
# end-to-end suite's job, under QEMU), but the other root pivot_root refuses
# is easy to make: a chroot into a directory that is not a mount point.
# Every test runs in a throwaway `unshare --mount --propagation private`.

load helpers

setup_file() {
	CHROOT="$BATS_FILE_TMPDIR/chroot"
	export CHROOT
	make_chroot_dir "$CHROOT"
}

setup() {
	require_root
}

# Run "$@" chrooted into $CHROOT, with /proc mounted inside, in a private
# mount namespace of its own.  CHROOT_OPTS go to chroot(1).
in_chroot() {
	unshare --mount --propagation private -- \
		sh -c 'd=$1; o=$2; shift 2; mount -t proc proc "$d/proc" && exec chroot $o "$d" "$@"' \
		sh "$CHROOT" "${CHROOT_OPTS:-}" "$@"
}

PIVOT='mount --bind /newroot /newroot && cd /newroot && pivot_root . oldroot && echo pivoted'

@test "baseline: pivot_root fails in a chroot directory" {
	run --separate-stderr in_chroot /bin/sh -c "$PIVOT"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Invalid argument"* ]]
	[ "$output" != pivoted ]
}

@test "through prepare-root, pivot_root succeeds in a chroot directory" {
	run -0 --separate-stderr in_chroot /bin/prepare-root -- /bin/sh -c "$PIVOT && ls /oldroot/marker && ! ls /marker 2>&1"
	[ "${lines[0]}" = pivoted ]
	# The command pivoted into /newroot: the old root is under /oldroot.
	[ "${lines[1]}" = "/oldroot/marker" ]
	[[ "${lines[2]}" == *"/marker"*"No such file"* ]]
}

@test "--check in a chroot directory: re-root needed, exit 1" {
	run -1 --separate-stderr in_chroot /bin/prepare-root --check
	[[ "$output" == "re-root needed: FAIL  the current root is the root of a mount {path_mounted(&root)} [an earlier chroot into a directory of mount "*"] -> EINVAL; fix: run the command through prepare-root: prepare-root -- <command>" ]]
}

@test "after the re-root, pivot_root accepts the command's root, and --check agrees" {
	# The kernel is the judge; --check (run in the same re-rooted process
	# tree, before the pivot) must say the same.
	run -0 --separate-stderr in_chroot /bin/prepare-root -- /bin/sh -c "/bin/prepare-root --check && $PIVOT"
	[ "${lines[0]}" = "no re-root needed: pivot_root(2) accepts the current root" ]
	[ "${lines[1]}" = pivoted ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "the re-root is recursive: the mounts under / are there in the new root" {
	# A bind without MS_REC would leave /proc and /tmp empty in the copy.
	run -0 --separate-stderr in_chroot /bin/sh -c '
		mount -t tmpfs tmpfs /tmp && echo below > /tmp/marker &&
		exec /bin/prepare-root -- /bin/sh -c "cat /tmp/marker; cat /proc/self/comm"'
	[ "${lines[0]}" = below ]
	[ "${lines[1]}" = cat ]
}

@test "mounts shared with the caller are private after the re-root: the command's mounts stay its own" {
	# /tmp in the chroot is shared with the caller's namespace.  The
	# recursive bind copies it into the peer group, so unless the new root is
	# made private recursively, a mount by the command appears outside.
	run -0 --separate-stderr unshare --mount --propagation private -- sh -c '
		d=$1
		mount -t proc proc "$d/proc" && mount -t tmpfs tmpfs "$d/tmp" &&
		mount --make-shared "$d/tmp" && mkdir "$d/tmp/m" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$d" /bin/prepare-root -- /bin/sh -c "mount -t tmpfs inner /tmp/m && grep -c \" /tmp/m \" /proc/self/mountinfo" || exit 1
		[ "$(cat /proc/self/mountinfo)" = "$before" ] || { echo "the command mount reached the caller"; exit 1; }
		echo unchanged' sh "$CHROOT"
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = unchanged ]
}

@test "--verbose names every step of the re-root" {
	run -0 --separate-stderr in_chroot /bin/prepare-root -v -- /bin/true
	[[ "${stderr_lines[0]}" =~ ^prepare-root:\ root:\ mount\ [0-9]+,\ a\ directory\ in\ it\;\ parent:\ statmount:\ mount\ [0-9]+,\ parent\ [0-9]+,\ private\ \(via\ statmount\)$ ]]
	[[ "${stderr_lines[1]}" == "prepare-root: decision: re-root needed: FAIL  the current root is the root of a mount {path_mounted(&root)} "* ]]
	[[ "${stderr_lines[2]}" == "prepare-root: note: / is a chroot; a container started from here can still climb with '..' "* ]]
	[ "${stderr_lines[3]}" = "prepare-root: unshare(CLONE_NEWNS)" ]
	[[ "${stderr_lines[4]}" =~ ^prepare-root:\ anchor:\ the\ root\ directory\;\ its\ mount\ [0-9]+\ is\ not\ shared$ ]]
	[ "${stderr_lines[5]}" = "prepare-root: open_tree(/, OPEN_TREE_CLONE|AT_RECURSIVE)" ]
	[ "${stderr_lines[6]}" = "prepare-root: mount_setattr(the copy, AT_RECURSIVE, MS_SLAVE)" ]
	[ "${stderr_lines[7]}" = "prepare-root: move_mount(copy, anchor)" ]
	[ "${stderr_lines[8]}" = "prepare-root: fchdir(copy), chroot(.)" ]
	[[ "${stderr_lines[9]}" =~ ^prepare-root:\ new\ root:\ mount\ [0-9]+,\ parent\ [0-9]+,\ not\ shared$ ]]
	# (the working directory, /, is where fchdir() left it: no chdir)
	[ "${stderr_lines[10]}" = "prepare-root: exec /bin/true" ]
	[ "${#stderr_lines[@]}" -eq 11 ]
	run -0 --separate-stderr in_chroot /bin/sh -c 'cd /bin && exec /bin/prepare-root -v -- /bin/true'
	[ "${stderr_lines[10]}" = "prepare-root: chdir(/bin)" ]
	[ "${stderr_lines[11]}" = "prepare-root: exec /bin/true" ]
	[ "${#stderr_lines[@]}" -eq 12 ]
}

@test "the command runs in a new mount namespace; the caller's is unchanged" {
	run -0 unshare --mount --propagation private -- sh -c '
		mount -t proc proc "$1/proc"
		before=$(cat /proc/self/mountinfo)
		outer=$(readlink /proc/self/ns/mnt)
		inner=$(chroot "$1" /bin/prepare-root -- readlink /proc/self/ns/mnt) || exit 1
		# Both must be namespaces: an empty $inner differs from $outer too.
		case $inner in mnt:\[[0-9]*\]) ;; *) echo "no namespace from the command: $inner"; exit 1 ;; esac
		case $outer in mnt:\[[0-9]*\]) ;; *) echo "no namespace outside: $outer"; exit 1 ;; esac
		[ "$inner" != "$outer" ] || { echo "same namespace: $inner"; exit 1; }
		[ "$(cat /proc/self/mountinfo)" = "$before" ] || { echo "mount table changed"; exit 1; }
		echo ok' sh "$CHROOT"
	[ "$output" = ok ]
}

@test "re-root keeps the working directory and the PID" {
	run -0 in_chroot /bin/sh -c 'cd /work/sub && echo $$ && exec /bin/prepare-root -- /bin/sh -c "echo \$\$; pwd"'
	[ "${lines[0]}" = "${lines[1]}" ]
	[ "${lines[2]}" = /work/sub ]
}

@test "re-root passes argv and the environment byte for byte" {
	local args=("" "a b" $'\x01\xff\n' -v --)
	local envs=(EMPTY= $'ODD=\x01\xff\n' 'SP=x y')
	in_chroot /bin/env -i "${envs[@]}" /bin/sh -c 'printf "%s\0" "$@"; env -0' zero "${args[@]}" > "$BATS_TEST_TMPDIR/expected"
	in_chroot /bin/env -i "${envs[@]}" /bin/prepare-root -- /bin/sh -c 'printf "%s\0" "$@"; env -0' zero "${args[@]}" > "$BATS_TEST_TMPDIR/actual"
	assert_same_bytes "$BATS_TEST_TMPDIR/expected" "$BATS_TEST_TMPDIR/actual"
	grep -q "ODD=" "$BATS_TEST_TMPDIR/actual"
}

@test "re-root creates, changes and removes no file on a writable root" {
	# Writable, so that a write would succeed and show; the listing is taken
	# from outside, before and after.
	run -0 --separate-stderr unshare --mount --propagation private -- bash -c '
		rw=$1/rw
		mkdir -p "$rw" && mount -t tmpfs tmpfs "$rw" && cp -a "$2" "$rw/root" &&
		mount -t proc proc "$rw/root/proc" || exit 1
		list() { (cd "$rw/root" && find . -xdev -printf "%p %y %s %m %T@\n" | sort); }
		before=$(list)
		chroot "$rw/root" /bin/prepare-root -- /bin/true || exit 1
		after=$(list)
		[ "$before" = "$after" ] || { echo "files changed:"; diff <(echo "$before") <(echo "$after"); exit 1; }
		echo unchanged' bash "$BATS_TEST_TMPDIR" "$CHROOT"
	[ "$output" = unchanged ]
}

@test "re-root works on a read-only root" {
	run -0 --separate-stderr unshare --mount --propagation private -- sh -c '
		ro=$1/ro
		mkdir -p "$ro" && mount -t tmpfs tmpfs "$ro" && cp -a "$2" "$ro/root" &&
		mount -t proc proc "$ro/root/proc" &&
		mount -o remount,ro "$ro" || exit 1
		exec chroot "$ro/root" /bin/prepare-root -- /bin/sh -c "touch /x && echo writable; $3"' sh "$BATS_TEST_TMPDIR" "$CHROOT" "$PIVOT"
	[ "$output" = pivoted ]
	[[ "$stderr" == *"Read-only file system"* ]]
}

@test "without CAP_SYS_ADMIN: one line naming unshare and the fix, exit 125" {
	CHROOT_OPTS=--userspec=65534:65534 run -125 --separate-stderr in_chroot /bin/prepare-root -- /bin/true
	[ "$stderr" = "prepare-root: cannot create a mount namespace: unshare(CLONE_NEWNS): Operation not permitted (prepare-root needs CAP_SYS_ADMIN: run it as root)" ]
	[ -z "$output" ]
}

@test "a chroot inside a shared mount: re-rooted on its own /proc, nothing reaches the caller" {
	run -0 unshare --mount --propagation private -- sh -c '
		mount --make-rshared / && mount -t proc proc "$1/proc" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$1" /bin/prepare-root -v -- /bin/sh -c "$2" 2>&1
		status=$?
		[ "$(cat /proc/self/mountinfo)" = "$before" ] || echo "mount table changed"
		exit $status' sh "$CHROOT" "$PIVOT"
	[[ "$output" =~ prepare-root:\ anchor:\ mount\ [0-9]+\ at\ /proc ]]
	[[ "$output" == *"prepare-root: mount_setattr(the anchor, AT_RECURSIVE, MS_SLAVE)"* ]]
	[ "${lines[-1]}" = pivoted ]
}

@test "a chroot inside a shared mount with no mount of its own is refused, nothing is mounted" {
	if [ -n "${PW_SANITIZED:-}" ]; then
		skip_because sanitized "no /proc in the chroot: ASan reads no options there and LeakSanitizer fails at exit (the plain run covers this)"
	fi
	run -125 unshare --mount --propagation private -- sh -c '
		mount --make-rshared / || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$1" /bin/prepare-root -- /bin/echo ran 2>&1
		status=$?
		[ "$(cat /proc/self/mountinfo)" = "$before" ] || echo "mount table changed"
		exit $status' sh "$CHROOT"
	[ "$output" = "prepare-root: cannot re-root: the mount holding the root directory lies outside it and is shared, and no mount inside the root can take the copy (mount something inside the root first, e.g. 'mount -t proc proc /proc', or make the directory a mount before the chroot: 'mount --bind DIR DIR')" ]
}

@test "a working directory covered by a mount since is refused, not swapped for another" {
	run -125 --separate-stderr in_chroot /bin/sh -c 'cd /work/sub && mount -t tmpfs tmpfs /work/sub && exec /bin/prepare-root -- /bin/pwd'
	[ -z "$output" ]
	[ "$stderr" = "prepare-root: the working directory /work/sub cannot be reached in the new root (a mount covers it; change to a directory that is not covered)" ]
}

@test "a command missing in the new root exits 127 after the re-root" {
	run -127 --separate-stderr in_chroot /bin/prepare-root -- /no/such/command
	[ "$stderr" = "prepare-root: failed to execute '/no/such/command': No such file or directory" ]
}

# Unprivileged in a chroot without /proc: the reason is privilege, never
# /proc (statmount(2) refusing a mount outside the root for lack of
# CAP_SYS_ADMIN is not a missing /proc).
@test "unprivileged, in a chroot without /proc: the error and --check name CAP_SYS_ADMIN, not /proc" {
	if [ -n "${PW_SANITIZED:-}" ]; then
		skip_because sanitized "ASan itself cannot start without /proc (the plain run covers this)"
	fi
	run -125 --separate-stderr unshare --mount --propagation private -- \
		chroot --userspec=65534:65534 "$CHROOT" /bin/prepare-root -- /bin/true
	[ "$stderr" = "prepare-root: cannot create a mount namespace: unshare(CLONE_NEWNS): Operation not permitted (prepare-root needs CAP_SYS_ADMIN: run it as root)" ]
	run -125 --separate-stderr unshare --mount --propagation private -- \
		chroot --userspec=65534:65534 "$CHROOT" /bin/prepare-root --check
	[[ "$output" == "pivot_root(2) fails for this process, and no re-root can help: FAIL  CAP_SYS_ADMIN "*"-> EPERM; fix: run as root" ]]
	[[ "$output$stderr" != *"/proc"* ]]
}
