#!/usr/bin/env bats
# The kernel's answer in root states that real users reach, and a re-root
# that lands on exactly the caller's root.  The oracle is always the real
# pivot_root(2), run the way runtimes run it (bind a new root, enter it,
# pivot_root . oldroot), never prepare-root's own opinion.  Each state is
# tried twice: with statmount(2) (this kernel) and without it
# (bench/no-statmount makes it fail with ENOSYS, as on Linux before 6.8), so
# both ways prepare-root learns about the root are held to the same answer.

load helpers

setup_file() {
	make_chroot_with_wrapper
}

setup() {
	require_root
}

PIVOT='mount --bind /newroot /newroot && cd /newroot && pivot_root . oldroot && echo pivoted'

# In a new mount namespace whose mounts are all $1 (shared or private):
# make the state named $2 with $CHROOT, note the mount table, run the rest
# chrooted, and print "table unchanged" if the table is byte-identical
# afterwards.  The command's own output comes first.
in_state() {
	local propagation=$1 state=$2
	shift 2
	# (private first, then shared inside: the test's mounts never have a
	# peer in the machine's own namespace, whatever its propagation)
	unshare --mount --propagation private -- sh -c '
		c=$1; state=$2; propagation=$3; shift 3
		[ "$propagation" = private ] || mount --make-rshared / || exit 1
		case $state in
		bind-chroot) mount --bind "$c" "$c" ;;
		plain-chroot) ;;
		esac
		mount -t proc proc "$c/proc" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$c" "$@"
		status=$?
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"
		exit $status' sh "$CHROOT" "$state" "$propagation" "$@"
}

# The kernel's verdict on the state: 0 if a runtime's pivot_root works.
kernel_says() {
	run in_state "$1" "$2" /bin/sh -c "$PIVOT"
	if [ "${lines[0]:-}" = pivoted ]; then echo 0; else echo 1; fi
}

# --check, with or without statmount ($3: "" or /bin/no-statmount), must
# give the kernel's answer; prepare-root must then make pivot_root work.
check_agrees() {
	local propagation=$1 state=$2 wrapper=$3 expected
	expected=$(kernel_says "$propagation" "$state")
	run in_state "$propagation" "$state" $wrapper /bin/prepare-root --check
	echo "kernel: $expected, --check: $status, $output"
	[ "$status" -eq "$expected" ]
	[ "${lines[-1]}" = "table unchanged" ]
	# (without a re-root the command's pivot_root is the caller's own)
	run in_state "$propagation" "$state" $wrapper /bin/prepare-root -- /bin/sh -c "$PIVOT"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = pivoted ]
	[ "$expected" = 0 ] || [ "${lines[-1]}" = "table unchanged" ]
}

@test "baseline: a bind-mounted chroot on a shared mount is refused by pivot_root, on a private one accepted" {
	[ "$(kernel_says shared bind-chroot)" = 1 ]
	[ "$(kernel_says private bind-chroot)" = 0 ]
}

@test "bind-mounted chroot, shared parent: --check says what the kernel says, with statmount" {
	check_agrees shared bind-chroot ""
	run -1 in_state shared bind-chroot /bin/prepare-root --check
	[[ "${lines[0]}" =~ ^re-root\ needed:\ FAIL\ \ the\ parent\ of\ the\ current\ root\'s\ mount\ is\ not\ shared\ \{IS_MNT_SHARED\(root_parent\)\}\ \[statmount:\ mount\ [0-9]+,\ parent\ [0-9]+,\ shared\]\ -\>\ EINVAL ]]
}

@test "bind-mounted chroot, shared parent: --check says what the kernel says, without statmount" {
	check_agrees shared bind-chroot /bin/no-statmount
	run -1 in_state shared bind-chroot /bin/no-statmount /bin/prepare-root --check
	[[ "${lines[0]}" == "re-root needed: FAIL  the parent of the current root's mount is not shared {IS_MNT_SHARED(root_parent)} [the parent, mount "*" lies outside the root; "*"; a trial pivot_root(\".\", \".\") in a mount namespace of its own: EINVAL] -> EINVAL; "* ]]
}

@test "bind-mounted chroot, private parent: no re-root, both ways, and a plain exec" {
	check_agrees private bind-chroot ""
	check_agrees private bind-chroot /bin/no-statmount
	run -0 in_state private bind-chroot /bin/no-statmount /bin/prepare-root -v -- /bin/true
	[[ "$output" != *"unshare(CLONE_NEWNS)"* ]]
}

@test "plain-directory chroot, shared or private, with or without statmount: re-root needed and done" {
	local p w
	for p in shared private; do
		for w in "" /bin/no-statmount; do
			check_agrees "$p" plain-chroot "$w"
		done
	done
}

@test "without statmount, a plain-directory chroot on a shared mount is re-rooted onto its own /proc" {
	run -0 in_state shared plain-chroot /bin/no-statmount /bin/prepare-root -v -- /bin/sh -c "$PIVOT" 2>&1
	[[ "$output" =~ anchor:\ mount\ [0-9]+\ at\ /proc ]]
	[[ "$output" == *pivoted* ]]
	[ "${lines[-1]}" = "table unchanged" ]
}

@test "after a re-root the command's root needs none, by the kernel's own trial too" {
	run -0 in_state shared bind-chroot /bin/prepare-root -- /bin/no-statmount /bin/prepare-root --check
	[ "${lines[0]}" = "no re-root needed: pivot_root(2) accepts the current root" ]
}

@test "a mount stacked on / does not replace the caller's root" {
	local w state p
	for w in "" /bin/no-statmount; do
		for state in shared:plain-chroot shared:bind-chroot private:plain-chroot; do
			p=${state%%:*} state=${state#*:}
			# Inside the chroot a tmpfs is mounted over "/" (shared, as a
			# mount on a shared mount is): the chroot's own lookups still
			# see its files, and so must the command; and the copy must
			# not land on that shared tmpfs and reach the caller.
			run -0 in_state "$p" "$state" /bin/sh -c "
				mount -t tmpfs over / && mount --make-shared /.. || exit 1
				before=\$(cat /proc/self/mountinfo)
				$w /bin/prepare-root -- /bin/sh -c 'cat /marker && $PIVOT' || exit 1
				[ \"\$(cat /proc/self/mountinfo)\" = \"\$before\" ] && echo 'stacked: table unchanged'"
			[ "${lines[0]}" = initramfs-only ]
			[ "${lines[1]}" = pivoted ]
			[ "${lines[2]}" = "stacked: table unchanged" ]
		done
	done
}

# $1: slave or private, or default (no --propagation).  The caller mounts
# a tmpfs after the command started; the command reports whether it sees
# it, then mounts its own.
propagation_run() {
	unshare --mount --propagation private -- sh -c '
		c=$1; p=$2
		mount --make-rshared / || exit 1
		mkdir -p "$c/tmp/later"
		mount --bind "$c" "$c" && mount -t proc proc "$c/proc" || exit 1
		rm -f "$c/tmp/started" && mkfifo "$c/tmp/started" || exit 1
		[ "$p" = default ] && set -- || set -- --propagation "$p"
		timeout 60 chroot "$c" /bin/prepare-root "$@" -- /bin/sh -c "
			echo > /tmp/started; sleep 1
			grep -c \" /tmp/later \" /proc/self/mountinfo
			mount -t tmpfs mine /newroot && echo mounted" &
		# (bounded: a prepare-root that exits before the command starts
		# must fail the test, not hang it)
		timeout 20 cat "$c/tmp/started" >/dev/null || { echo "the command never started"; exit 1; }
		mount -t tmpfs later "$c/tmp/later"
		wait $! || exit 1
		grep -c " - tmpfs mine " /proc/self/mountinfo' sh "$CHROOT" "$1"
}

@test "--propagation slave (the default): later mounts of the caller reach the command, none flow back" {
	local p
	for p in default slave; do
		run propagation_run "$p"
		[ "${lines[0]}" = 1 ]
		[ "${lines[1]}" = mounted ]
		[ "${lines[2]}" = 0 ]
	done
}

@test "--propagation private: nothing flows either way" {
	run propagation_run private
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = mounted ]
	[ "${lines[2]}" = 0 ]
}

@test "--propagation takes slave or private only" {
	run -125 --separate-stderr "$PREPARE_ROOT" --propagation shared -- true
	[ "${stderr_lines[0]}" = "prepare-root: --propagation takes slave or private" ]
}

# A chroot directory in an unbindable mount: whether a copy of that mount
# can be made in a new namespace depends on the kernel (6.1 to 7.2 keep it
# unbindable there, 6.18 does not).  Whatever the kernel says, --check and
# the run must agree: 1 and a re-root that works, or 125 with the same line
# and nothing changed.
@test "a chroot directory in an unbindable mount: --check and the run agree, both ways" {
	local w
	for w in "" /bin/no-statmount; do
		run unshare --mount --propagation private -- sh -c '
			c=$1; w=$2; t=$3; pivot=$4
			mkdir -p "$t" && mount -t tmpfs ub "$t" && mkdir "$t/d" && cp -a "$c/." "$t/d/" || exit 1
			mount --make-unbindable "$t" && mount -t proc proc "$t/d/proc" || exit 1
			before=$(cat /proc/self/mountinfo)
			chroot "$t/d" $w /bin/prepare-root --check 2>&1; echo "check $?"
			chroot "$t/d" $w /bin/prepare-root -- /bin/sh -c "$pivot" 2>&1; echo "run $?"
			[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"' \
			sh "$CHROOT" "$w" "$BATS_TEST_TMPDIR/ub" "$PIVOT"
		echo "$output"
		if [ "${lines[1]}" = "check 1" ]; then
			[ "${lines[2]}" = pivoted ]
			[ "${lines[3]}" = "run 0" ]
		else
			[ "${lines[0]}" = "prepare-root: cannot re-root: the mount holding the root directory is unbindable, or of another mount namespace: no copy of it can be made here (open_tree: __do_loopback) (make that mount private before the chroot: 'mount --make-private' on its mount point)" ]
			[ "${lines[1]}" = "check 125" ]
			[ "${lines[2]}" = "${lines[0]}" ]
			[ "${lines[3]}" = "run 125" ]
		fi
		[ "${lines[4]}" = "table unchanged" ]
	done
}

# An unbindable mount root can be made private in the new namespace, which
# clears the flag, so its copy can be made.
@test "a bind-mounted chroot made unbindable, on a shared mount: re-rooted" {
	run -0 unshare --mount --propagation private -- sh -c '
		c=$1; pivot=$2
		mount --make-rshared / || exit 1
		mount --rbind "$c" "$c" && mount --make-unbindable "$c" && mount -t proc proc "$c/proc" || exit 1
		grep -q " $c rw.* unbindable " /proc/self/mountinfo || echo "not unbindable"
		chroot "$c" /bin/prepare-root --check
		chroot "$c" /bin/prepare-root -- /bin/sh -c "$pivot"' sh "$CHROOT" "$PIVOT"
	[[ "${lines[0]}" == "re-root needed: FAIL  the parent of the current root's mount is not shared {IS_MNT_SHARED(root_parent)} "* ]]
	[ "${lines[1]}" = pivoted ]
}

# The working directory is known by device and inode: a directory of
# another file system with the same inode number, mounted over it since,
# is not it.  (Two fresh tmpfs number their inodes alike.)
@test "a working directory covered by another file system's directory with the same inode number is refused" {
	run unshare --mount --propagation private -- sh -c '
		c=$1; t=$2
		mount --make-rshared / || exit 1
		mkdir -p "$t/a" "$t/b" && mount -t tmpfs a "$t/a" && mount -t tmpfs b "$t/b" || exit 1
		mkdir -p "$t/a/work/sub" "$t/b/work/sub" || exit 1
		[ "$(stat -c %i "$t/a/work/sub")" = "$(stat -c %i "$t/b/work/sub")" ] || { echo "inodes differ"; exit 1; }
		cp -a "$c/." "$t/a/" && mkdir "$t/a/other" && mount --bind "$t/b" "$t/a/other" || exit 1
		mount -t proc proc "$t/a/proc" || exit 1
		chroot "$t/a" /bin/sh -c "cd /work/sub && mount --bind /other/work/sub /work/sub && exec /bin/prepare-root -- /bin/pwd"
		' sh "$CHROOT" "$BATS_TEST_TMPDIR/same-ino"
	echo "$output"
	[ "$status" -eq 125 ]
	[ "$output" = "prepare-root: the working directory /work/sub cannot be reached in the new root (a mount covers it; change to a directory that is not covered)" ]
}

# --check makes the re-root the run would make (and throws it away with
# its namespace): it says 1 only where the run succeeds.
@test "--check and the run agree without CAP_SYS_ADMIN: pivot_root's own EPERM, 125 both" {
	run unshare --mount --propagation private -- sh -c '
		c=$1; mount -t proc proc "$c/proc" || exit 1
		chroot --userspec=65534:65534 "$c" /bin/prepare-root --check; echo "check $?"
		chroot --userspec=65534:65534 "$c" /bin/prepare-root -- /bin/true 2>&1; echo "run $?"' sh "$CHROOT"
	echo "$output"
	[[ "${lines[0]}" == "pivot_root(2) fails for this process, and no re-root can help: FAIL  CAP_SYS_ADMIN in the user namespace that owns the mount namespace {may_mount()} [CAP_SYS_ADMIN is not effective] -> EPERM; fix: run as root" ]]
	[ "${lines[1]}" = "check 125" ]
	[ "${lines[-1]}" = "run 125" ]
}

# No mount inside the root can take the copy (no /proc, nothing mounted
# inside) and the mount holding the root directory is shared: the run
# refuses, and --check, which makes the same re-root, must not promise one.
@test "--check and the run agree where no mount inside the root can take the copy: 125 both" {
	if [ -n "${PW_SANITIZED:-}" ]; then
		skip_because sanitized "no /proc in the chroot: ASan reads no options there and LeakSanitizer fails at exit (the plain run covers this)"
	fi
	run unshare --mount --propagation private -- sh -c '
		c=$1
		mount --make-rshared / || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$c" /bin/prepare-root --check 2>&1; echo "check $?"
		chroot "$c" /bin/prepare-root -- /bin/true 2>&1; echo "run $?"
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"' sh "$CHROOT"
	echo "$output"
	[[ "${lines[0]}" == "prepare-root: cannot re-root: the mount holding the root directory lies outside it and is shared, and no mount inside the root can take the copy "* ]]
	[ "${lines[1]}" = "check 125" ]
	[ "${lines[2]}" = "${lines[0]}" ]
	[ "${lines[3]}" = "run 125" ]
	[ "${lines[4]}" = "table unchanged" ]
}

# What the two tests below must see (a --check, a verbose run of $PIVOT,
# the caller's table compared): --check says 1, the copy went on the mount
# at /x, the command's pivot_root took it, the run exited 0, and the
# caller's table is byte-identical.
agreed_on_anchor_x() {
	echo "$output"
	[ "${lines[0]}" = "check 1" ]
	[[ "$output" =~ anchor:\ mount\ [0-9]+\ at\ /x$'\n' ]]
	[ "${lines[-3]}" = pivoted ]
	[ "${lines[-2]}" = "run 0" ]
	[ "${lines[-1]}" = "table unchanged" ]
}

# A mount listed inside the root whose path leads, since another mount
# was stacked on the way, through a symbolic link into another mount
# namespace: what the path reaches there is no mount of this namespace to
# attach the copy to.  It is passed over, and the next one serves.
@test "--check and the run agree where a mount's path leads, through a mount stacked since, into another namespace" {
	local w
	for w in "" /bin/no-statmount; do
		run unshare --mount --propagation private -- sh -c '
			c=$1 t=$2 pivot=$3 w=$4
			mkdir -p "$t/o" && mount -t tmpfs o "$t/o" && mount --make-private "$t/o" && mkdir "$t/o/z" || exit 1
			unshare --mount --propagation private -- sh -c "mount -t tmpfs z $t/o/z && touch $t/o/z/ready && exec sleep 60" &
			other=$!
			for _ in $(seq 100); do [ -e "/proc/$other/root$t/o/z/ready" ] && break; sleep 0.1; done
			mount --make-rshared / && mkdir -p "$c/x/y/z" && mount -t tmpfs A "$c/x/y/z" && mount -t tmpfs B "$c/x" &&
				ln -s "/proc/$other/root$t/o" "$c/x/y" && mount -t proc proc "$c/proc" || exit 1
			before=$(cat /proc/self/mountinfo)
			chroot "$c" $w /bin/prepare-root --check >/dev/null; echo "check $?"
			chroot "$c" $w /bin/prepare-root -v -- /bin/sh -c "$pivot" 2>&1; echo "run $?"
			[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"
			kill $other' sh "$CHROOT" "$BATS_TEST_TMPDIR" "$PIVOT" "$w"
		agreed_on_anchor_x
	done
}

# A mount listed inside the root, covered since by another mounted on a
# directory above it: its path now leads into the one on top.
@test "--check and the run agree where the first mount inside the root is covered: the one on top serves" {
	run unshare --mount --propagation private -- sh -c '
		c=$1; pivot=$2
		mount --make-rshared / && mkdir -p "$c/x/y" && mount -t tmpfs A "$c/x/y" && mount -t tmpfs B "$c/x" &&
			mkdir "$c/x/y" && mount -t proc proc "$c/proc" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$c" /bin/prepare-root --check >/dev/null; echo "check $?"
		chroot "$c" /bin/prepare-root -v -- /bin/sh -c "$pivot" 2>&1; echo "run $?"
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"' sh "$CHROOT" "$PIVOT"
	agreed_on_anchor_x
}

# A file system stacked on "/" (mount -t tmpfs over /): the caller's
# lookups never see it, and neither may the command's; a runtime that
# binds from under its old root after pivot_root would find it there.
@test "a file system stacked on / is left out of the copy: bwrap binds from its old root" {
	command -v bwrap >/dev/null || { echo "bwrap missing (apt-get install bubblewrap)" >&3; return 1; }
	local w
	pw_copy_binary "$CHROOT" "$(command -v bwrap)" /bin/bwrap
	mkdir -p "$CHROOT/bundle/rootfs/bin"
	cp /bin/busybox "$CHROOT/bundle/rootfs/bin/"
	ln -sf busybox "$CHROOT/bundle/rootfs/bin/echo"
	for w in "" /bin/no-statmount; do
		run unshare --mount --propagation private -- sh -c '
			c=$1 w=$2
			mount --make-rshared / && mount -t proc proc "$c/proc" || exit 1
			chroot "$c" /bin/sh -c "mount -t tmpfs over / && $w /bin/prepare-root -- /bin/bwrap --bind /bundle/rootfs / /bin/echo inside" 2>&1' \
			sh "$CHROOT" "$w"
		echo "$output"
		[ "$output" = inside ]
		[ "$status" -eq 0 ]
	done
}
