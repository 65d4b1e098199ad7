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
	CHROOT="$BATS_FILE_TMPDIR/chroot"
	export CHROOT
	make_chroot_dir "$CHROOT"
	cp "$(dirname "$PREPARE_ROOT")/bench/no-statmount" "$CHROOT/bin/no-statmount"
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
	unshare --mount --propagation "$propagation" -- sh -c '
		c=$1; state=$2; shift 2
		case $state in
		bind-chroot) mount --bind "$c" "$c" ;;
		plain-chroot) ;;
		esac
		mount -t proc proc "$c/proc" || exit 1
		before=$(cat /proc/self/mountinfo)
		chroot "$c" "$@"
		status=$?
		[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "table unchanged"
		exit $status' sh "$CHROOT" "$state" "$@"
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
	[ "${lines[0]}" = "re-root needed: the mount under the root is shared (a bind-mounted chroot on a shared mount)" ]
}

@test "bind-mounted chroot, shared parent: --check says what the kernel says, without statmount" {
	check_agrees shared bind-chroot /bin/no-statmount
	run -1 in_state shared bind-chroot /bin/no-statmount /bin/prepare-root --check
	[ "${lines[0]}" = "re-root needed: the kernel refused a trial pivot_root with EINVAL: the mount under the root, outside it, is shared" ]
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
	[[ "$output" == *"move_mount(copy, /proc)"* ]]
	[[ "$output" == *pivoted* ]]
	[ "${lines[-1]}" = "table unchanged" ]
}

@test "after a re-root the command's root needs none, by the kernel's own trial too" {
	run -0 in_state shared bind-chroot /bin/prepare-root -- /bin/no-statmount /bin/prepare-root --check
	[ "${lines[0]}" = "no re-root needed: the root is a mount with a parent that is not shared" ]
}

@test "a mount stacked on / does not replace the caller's root" {
	local w
	for w in "" /bin/no-statmount; do
		# Inside the chroot a tmpfs is mounted over "/": the chroot's own
		# lookups still see its files, and so must the command.
		run -0 in_state shared plain-chroot /bin/sh -c "
			mount -t tmpfs over / && $w /bin/prepare-root -- /bin/sh -c 'cat /marker && $PIVOT'"
		[ "${lines[0]}" = initramfs-only ]
		[ "${lines[1]}" = pivoted ]
		run -0 in_state shared bind-chroot /bin/sh -c "
			mount -t tmpfs over / && $w /bin/prepare-root -- /bin/sh -c 'cat /marker && $PIVOT'"
		[ "${lines[0]}" = initramfs-only ]
		[ "${lines[1]}" = pivoted ]
	done
}

# $1: slave or private.  The caller mounts a tmpfs after the command
# started; the command reports whether it sees it, then mounts its own.
propagation_run() {
	unshare --mount --propagation shared -- sh -c '
		c=$1; p=$2
		mkdir -p "$c/tmp/later"
		mount --bind "$c" "$c" && mount -t proc proc "$c/proc" || exit 1
		rm -f "$c/tmp/started" && mkfifo "$c/tmp/started" || exit 1
		chroot "$c" /bin/prepare-root --propagation "$p" -- /bin/sh -c "
			echo > /tmp/started; sleep 1
			grep -c \" /tmp/later \" /proc/self/mountinfo
			mount -t tmpfs mine /newroot && echo mounted" &
		cat "$c/tmp/started" >/dev/null
		mount -t tmpfs later "$c/tmp/later"
		wait $! || exit 1
		grep -c " - tmpfs mine " /proc/self/mountinfo' sh "$CHROOT" "$1"
}

@test "--propagation slave (the default): later mounts of the caller reach the command, none flow back" {
	run propagation_run slave
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" = mounted ]
	[ "${lines[2]}" = 0 ]
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
