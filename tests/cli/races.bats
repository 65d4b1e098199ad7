#!/usr/bin/env bats
# Races: someone changes the caller's mounts or files while prepare-root
# re-roots.  strace holds prepare-root inside one system call
# (inject=CALL:delay_enter) while the change is made; the caller's mount
# table must be byte-identical afterwards, and the command must run on
# exactly the caller's root.  Every decision about a mount is made after
# unshare(CLONE_NEWNS), on mounts of prepare-root's own namespace, and every
# mount change on a descriptor resolved once (lib/reroot.c).

load helpers

setup_file() {
	make_chroot_with_wrapper
}

setup() {
	require_root
	command -v strace >/dev/null || { echo "strace missing" >&3; return 1; }
}

# The system call numbers of this machine, for /proc/PID/syscall.
syscall_nr() {
	case $(uname -m):$1 in
	x86_64:unshare) echo 272 ;; x86_64:open_tree) echo 428 ;; x86_64:move_mount) echo 429 ;;
	x86_64:mount_setattr) echo 442 ;;
	aarch64:unshare) echo 97 ;; aarch64:open_tree) echo 428 ;; aarch64:move_mount) echo 429 ;;
	aarch64:mount_setattr) echo 442 ;;
	*) echo "no number for $1 on $(uname -m)" >&2; return 1 ;;
	esac
}

# race SETUP CALL CHANGE [WRAPPER]: in a private namespace, copy the chroot
# onto a tmpfs M ($m; the chroot is $c), run SETUP, then prepare-root
# chrooted into $c under strace, held on entry to CALL (4 s); once it is
# held there (read from /proc/PID/syscall, never guessed by a sleep), run
# CHANGE.  Prints the command's status and whether the namespace's table
# is as CHANGE left it (with both tables when not).
race() {
	local nr
	nr=$(syscall_nr "$2") || return 1
	unshare --mount --propagation private -- sh -c '
		t=$1; src=$2; call=$3; nr=$4; setup=$5; change=$6; w=$7
		m=$t/m c=$t/m/r
		mkdir -p "$m" && mount -t tmpfs m "$m" && cp -a "$src/." "$c" || exit 1
		eval "$setup" || { echo "setup failed"; exit 1; }
		timeout 60 strace -f -qq -o /dev/null -e trace="$call" -e inject="$call:delay_enter=4000000" \
			chroot "$c" $w /bin/prepare-root -- /bin/sh -c "cat /marker" &
		tracer=$!
		# timeout runs strace, which forks the tracee: chroot, which
		# (through the wrapper) becomes prepare-root in that process.
		held=
		for _ in $(seq 400); do
			for s in $(cat /proc/$tracer/task/*/children 2>/dev/null); do
				for p in $(cat /proc/$s/task/*/children 2>/dev/null); do
					[ "$(cat "/proc/$p/comm" 2>/dev/null)" = prepare-root ] &&
						read -r n _ < "/proc/$p/syscall" && [ "$n" = "$nr" ] && held=$p
				done
			done
			[ -n "$held" ] && break
			sleep 0.05
		done
		[ -n "$held" ] || { echo "prepare-root never reached $call"; kill "$tracer"; exit 1; }
		eval "$change" || { echo "change failed"; exit 1; }
		before=$(cat /proc/self/mountinfo)
		wait "$tracer"
		echo "status $?"
		after=$(cat /proc/self/mountinfo)
		if [ "$after" = "$before" ]; then echo "table unchanged"; else
			echo "table before:"; echo "$before"; echo "table after:"; echo "$after"; fi
	' sh "$BATS_TEST_TMPDIR" "$CHROOT" "$2" "$nr" "$1" "$3" "${4:-}"
}

# The anchor named by a path twice: set not shared by one lookup, the copy
# attached by another.  A directory on the way renamed in between (any
# user who may rename it inside the chroot) sent the copy onto a shared
# mount, and from there into the caller's namespace.
SWAP_SETUP='mount --make-shared "$m" && mkdir -p "$c/home/a/mnt" "$c/shm" &&
	mount -t tmpfs a "$c/home/a/mnt" && mount -t tmpfs shm "$c/shm" && mount --make-shared "$c/shm" &&
	mount -t proc proc "$c/proc"'
SWAP='mv "$c/home/a" "$c/home/a.real" && mkdir -p "$c/shm/evil/mnt" && ln -s /shm/evil "$c/home/a"'

# What every race must leave: the command ran on the initramfs root alone
# (the marker file only the caller's root holds), exited 0, and the
# caller's mount table is byte-identical.
contained() {
	echo "$output"
	[ "${lines[0]}" = initramfs-only ]
	[ "${lines[1]}" = "status 0" ]
	[ "${lines[2]}" = "table unchanged" ]
}

@test "a directory of the anchor's path renamed during the re-root: nothing reaches the caller" {
	local call w
	for w in "" /bin/no-statmount; do
		for call in open_tree move_mount; do
			run -0 race "$SWAP_SETUP" "$call" "$SWAP" "$w"
			contained
		done
	done
}

# The same rename while the anchor is made not shared: a change made
# through a second lookup of its path would land on another mount (or
# fail), while the copy still went onto the anchor, shared.
@test "a directory of the anchor's path renamed while its propagation is changed: nothing reaches the caller" {
	local w
	for w in "" /bin/no-statmount; do
		run -0 race "$SWAP_SETUP" mount_setattr "$SWAP" "$w"
		contained
	done
}

# The propagation of the mount holding the root judged before unshare():
# made shared in between (kubelet and k3s do so at start-up), the copy was
# attached to a mount that now had a peer in the caller's namespace.
@test "the mount holding the root made shared during the re-root: nothing reaches the caller" {
	local w
	for w in "" /bin/no-statmount; do
		run -0 race 'mount -t proc proc "$c/proc"' unshare 'mount --make-shared "$m"' "$w"
		contained
	done
}
