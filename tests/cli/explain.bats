#!/usr/bin/env bats
# --explain against the real kernel: for each reason pivot_root(2) can
# fail, set the failure up in a throwaway mount namespace, ask --explain,
# then call the real pivot_root and compare the error it returns with the
# one --explain named.

load helpers

setup() {
	require_root
	command -v pivot_root >/dev/null || { echo "util-linux pivot_root(8) missing" >&3; return 1; }
}

# Runs in the namespace made by `explain_vs_kernel`: prints
# "explain=<ERRNO|ok> kernel=<ERRNO|ok>", after the --explain report.
# shellcheck disable=SC2016
COMPARE='
	errno_name() {
		case "$1" in
		*"Device or resource busy"*) echo EBUSY ;;
		*"Invalid argument"*) echo EINVAL ;;
		*"Not a directory"*) echo ENOTDIR ;;
		*"Operation not permitted"*) echo EPERM ;;
		*"No such file or directory"*) echo ENOENT ;;
		*"Too many levels of symbolic links"*) echo ELOOP ;;
		*"Permission denied"*) echo EACCES ;;
		*"File name too long"*) echo ENAMETOOLONG ;;
		*) echo "unknown($1)" ;;
		esac
	}
	export NEW_ROOT="$1"
	report=$(eval "$RUN \"\${PR:-\$PREPARE_ROOT}\" --explain \"\$1\" \"\$2\"")
	echo "$report" >&2
	case "$report" in
	*"verdict: pivot_root would succeed"*) explain=ok ;;
	*"verdict: pivot_root would fail with "*) explain=${report##*would fail with }; explain=${explain%%[ ,]*} ;;
	*) explain="?" ;;
	esac
	if err=$(eval "$RUN pivot_root \"\$1\" \"\$2\"" 2>&1); then kernel=ok; else kernel=$(errno_name "$err"); fi
	echo "explain=$explain kernel=$kernel"
'

# explain_vs_kernel SETUP NEW_ROOT PUT_OLD: SETUP is shell run first, in
# the namespace, with $T a private tmpfs to build in.  RUN (evaluated
# there, so it may name $T) is put before both prepare-root and pivot_root;
# PR names prepare-root where $PREPARE_ROOT is not (in a chroot).
explain_vs_kernel() {
	local setup=$1 new=$2 old=$3
	TMPDIR_FOR_T=$BATS_TEST_TMPDIR unshare --mount --propagation private -- sh -c '
		T=$(mktemp -d -p "$TMPDIR_FOR_T") && mount -t tmpfs tmpfs "$T" && mount --make-private "$T" || exit 1
		'"$setup"' || { echo "setup failed"; exit 1; }
		set -- "$(eval echo "$1")" "$(eval echo "$2")"
		'"$COMPARE" sh "$new" "$old"
}

@test "explain: a bind-mounted new root is fine, and pivot_root agrees" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old && mount --bind $T/nr $T/nr' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=ok kernel=ok" ]
}

@test "explain: NEW_ROOT not a mount point (on the root mount) is EBUSY, as the kernel says" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p /tmp/pw-explain-$$/old' '/tmp/pw-explain-$$' '/tmp/pw-explain-$$/old'
	rm -rf /tmp/pw-explain-*
	[ "$output" = "explain=EBUSY kernel=EBUSY" ]
	[[ "$stderr" == *"FAIL  NEW_ROOT /tmp/pw-explain-"*" is a mount point {path_mounted(&new)} ["*"] -> EINVAL; fix: mount --bind NEW_ROOT NEW_ROOT"* ]]
}

@test "explain: NEW_ROOT not a mount point inside another mount is EINVAL" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
}

@test "explain: NEW_ROOT whose parent mount is shared is EINVAL" {
	run -0 --separate-stderr explain_vs_kernel 'mount --make-shared $T && mkdir -p $T/nr/old && mount --bind $T/nr $T/nr && mount --make-private $T/nr' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  the parent of NEW_ROOT"*"is not shared"* ]]
}

@test "explain: PUT_OLD on a shared mount is EINVAL" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old && mount --bind $T/nr $T/nr && mount -t tmpfs tmpfs $T/nr/old && mount --make-shared $T/nr/old' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  the mount at PUT_OLD"* ]]
}

# A slave is not shared: only IS_MNT_SHARED() fails.
@test "explain: PUT_OLD on a slave mount is fine, as the kernel says" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old $T/m && mount --bind $T/nr $T/nr && mount -t tmpfs m $T/m && mount --make-shared $T/m && mount --bind $T/m $T/nr/old && mount --make-slave $T/nr/old' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=ok kernel=ok" ]
	[[ "$stderr" == *"ok    the mount at PUT_OLD "*"/nr/old is not shared {IS_MNT_SHARED(old_mnt)} [statmount: mount "*", slave]"* ]]
}

@test "explain: PUT_OLD outside NEW_ROOT is EINVAL" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr $T/elsewhere && mount --bind $T/nr $T/nr' '$T/nr' '$T/elsewhere'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  PUT_OLD "*" is at or under NEW_ROOT"* ]]
}

@test "explain: NEW_ROOT that is a file is ENOTDIR" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr && touch $T/nr/file' '$T/nr/file' '$T/nr/file'
	[ "$output" = "explain=ENOTDIR kernel=ENOTDIR" ]
}

@test "explain: a missing PUT_OLD is ENOENT" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr && mount --bind $T/nr $T/nr' '$T/nr' '$T/nr/missing'
	[ "$output" = "explain=ENOENT kernel=ENOENT" ]
}

@test "explain: without CAP_SYS_ADMIN it is EPERM" {
	RUN="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" \
		run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old && mount --bind $T/nr $T/nr && chmod 755 $T' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=EPERM kernel=EPERM" ]
	[[ "$stderr" == *"FAIL  CAP_SYS_ADMIN in the user namespace that owns the mount namespace {may_mount()} [CAP_SYS_ADMIN is not effective] -> EPERM; fix: run as root"* ]]
}

@test "explain: the current root in a chroot directory is EINVAL, and prepare-root fixes it" {
	local dir="$BATS_TEST_TMPDIR/chroot"
	make_chroot_dir "$dir"
	run -0 --separate-stderr unshare --mount --propagation private -- sh -c 'd=$1; shift; mount -t proc proc "$d/proc" && exec chroot "$d" "$@"' sh "$dir" /bin/sh -c '
		mount --bind /newroot /newroot
		prepare-root --explain /newroot /newroot/oldroot; echo "explain=$?"
		pivot_root /newroot /newroot/oldroot 2>&1; echo "kernel=$?"'
	[[ "$output" == *"FAIL  the current root is the root of a mount {path_mounted(&root)} [an earlier chroot into a directory of mount "*"] -> EINVAL; fix: run the command through prepare-root"* ]]
	[[ "$output" == *"verdict: pivot_root would fail with EINVAL"$'\nexplain=1\n'*"Invalid argument"* ]]
	[ "${lines[-1]}" = kernel=1 ]

	run -0 --separate-stderr unshare --mount --propagation private -- sh -c 'd=$1; shift; mount -t proc proc "$d/proc" && exec chroot "$d" "$@"' sh "$dir" /bin/prepare-root -- /bin/sh -c '
		mount --bind /newroot /newroot
		prepare-root --explain /newroot /newroot/oldroot; echo "explain=$?"
		pivot_root /newroot /newroot/oldroot 2>&1; echo "kernel=$?"'
	[[ "$output" == *"verdict: pivot_root would succeed"$'\nexplain=0\n'* ]]
	[ "${lines[-1]}" = kernel=0 ]
}

# pivot_root("/", "/") can only fail, so it asks the kernel about this very
# root without changing anything: EBUSY once every check before
# new_mnt == root_mnt has passed, else the first that did not.
@test "explain on this host's root: the kernel's own answer to pivot_root / /" {
	run --separate-stderr "$PREPARE_ROOT" --explain / /
	echo "$output"
	[ "$status" -eq 1 ]
	local explain=${output##*would fail with }
	explain=${explain%%[ ,]*}
	run -1 pivot_root / /
	case "$output" in
	*"Device or resource busy"*) kernel=EBUSY ;;
	*"Invalid argument"*) kernel=EINVAL ;;
	*) kernel="other: $output" ;;
	esac
	[ "$explain" = "$kernel" ]

	# The current root alone: the checks the kernel passed are ok.
	run --separate-stderr "$PREPARE_ROOT" --explain
	echo "$output"
	[[ "${lines[-1]}" == "verdict: "* ]]
	[[ "${lines[0]}" == "ok    CAP_SYS_ADMIN in the user namespace that owns the mount namespace {may_mount()}" ]]
	if [ "$kernel" = EBUSY ]; then
		for check in 'IS_MNT_SHARED(root_parent)' 'check_mnt(root_mnt)'; do
			[[ "$output" == *"ok    "*"{$check}"* ]]
		done
	fi
}

# A user namespace without a mount namespace of its own: CAP_SYS_ADMIN,
# but not in the user namespace that owns the mounts.
@test "explain: unshare -U -r without -m is EPERM, as the kernel says" {
	RUN="unshare -U -r" run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old && mount --bind $T/nr $T/nr' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=EPERM kernel=EPERM" ]
	[[ "$stderr" == *"FAIL  CAP_SYS_ADMIN in the user namespace that owns the mount namespace {may_mount()} [CAP_SYS_ADMIN is effective, but in user namespace "*", and the mount namespace belongs to one above it] -> EPERM"* ]]
}

# unshare -U -m copies the mounts into a namespace of a less privileged
# user namespace: each is locked (MNT_LOCKED), which mountinfo never shows.
@test "explain: an inherited mount as NEW_ROOT under unshare -U -r -m is EINVAL (MNT_LOCKED)" {
	RUN="unshare -U -r -m" run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old && mount --bind $T/nr $T/nr' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  NEW_ROOT "*"'s mount is not locked to its parent {new_mnt->mnt.mnt_flags & MNT_LOCKED} [umount(2) probe of "*": EINVAL"* ]]
	# and it is the first failure
	[[ "$(grep -m1 '^FAIL' <<<"$stderr")" == *"MNT_LOCKED"* ]]
}

@test "explain: a fresh bind mount under unshare -U -r -m is not locked, and pivot_root takes it" {
	local fresh="$BATS_TEST_TMPDIR/fresh-bind"
	printf '#!/bin/sh\nexec unshare -U -r -m sh -c '\''mount --bind "$NEW_ROOT" "$NEW_ROOT" && exec "$@"'\'' sh "$@"\n' > "$fresh"
	chmod +x "$fresh"
	RUN=$fresh run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr/old' '$T/nr' '$T/nr/old'
	[ "$output" = "explain=ok kernel=ok" ]
	[[ "$stderr" == *"ok    NEW_ROOT "*"'s mount is not locked to its parent {new_mnt->mnt.mnt_flags & MNT_LOCKED} [umount(2) probe of "*" got past the lock test: EPERM]"* ]]
}

# The root mount is locked too: NEW_ROOT on it is EINVAL, not EBUSY, as
# MNT_LOCKED is tested before new_mnt == root_mnt.
@test "explain: NEW_ROOT on a locked root mount is EINVAL before EBUSY" {
	RUN="unshare -U -r -m" run -0 --separate-stderr explain_vs_kernel 'mkdir -p /tmp/pw-explain-$$/old' '/tmp/pw-explain-$$' '/tmp/pw-explain-$$/old'
	rm -rf /tmp/pw-explain-*
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  NEW_ROOT "*" is not on the current root's mount {new_mnt == root_mnt}"* ]]
}

@test "explain: a NEW_ROOT of another mount namespace is EINVAL (check_mnt)" {
	# A second namespace holds a private tmpfs with a bind mount; it is
	# reached through /proc/PID/root.
	run -0 --separate-stderr explain_vs_kernel '
		mkdir -p $T/o
		unshare --mount --propagation private sh -c "mount -t tmpfs t $T/o && mkdir -p $T/o/nr/old && mount --bind $T/o/nr $T/o/nr && touch $T/o/ready && exec sleep 60" </dev/null >/dev/null 2>&1 &
		other=$! && trap "kill $other" EXIT
		for i in $(seq 50); do [ -e /proc/$other/root$T/o/ready ] && break; sleep 0.1; done' '/proc/$other/root$T/o/nr' '/proc/$other/root$T/o/nr/old'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  NEW_ROOT "*"'s mount is in this mount namespace {check_mnt(new_mnt)} [statmount(2) does not know mount "*": it is of another mount namespace]"* ]]
	[[ "$(grep -m1 -E '^(FAIL|\?\?)' <<<"$stderr")" != *"FAIL"*"{IS_MNT_SHARED"* ]]
}

@test "explain: a removed NEW_ROOT (the working directory) is ENOENT: d_unlinked" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/gone $T/e && mount --bind $T/e $T/e && cd $T/gone && rmdir $T/gone' '.' '$T/e'
	[ "$output" = "explain=ENOENT kernel=ENOENT" ]
	[[ "$(grep -m1 '^FAIL' <<<"$stderr")" == *"FAIL  NEW_ROOT . has not been removed {d_unlinked(new.dentry)} [0 links] -> ENOENT"* ]]
}

@test "explain: a removed PUT_OLD is ENOENT first: lock_mount" {
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/gone && cd $T/gone && rmdir $T/gone' '.' '.'
	[ "$output" = "explain=ENOENT kernel=ENOENT" ]
	[[ "$(grep -m1 '^FAIL' <<<"$stderr")" == *"FAIL  PUT_OLD . has not been removed {lock_mount(&old): cant_mount()}"* ]]
}

# chroot without chdir: the working directory stays outside the root, and
# a relative NEW_ROOT is not under the root.
@test "explain: a NEW_ROOT outside the root is EINVAL: is_path_reachable" {
	local jail="$BATS_TEST_TMPDIR/jail"
	make_chroot_dir "$jail"
	PR=/bin/prepare-root RUN='nsenter --root=$T/jail --wd=$T' run -0 --separate-stderr explain_vs_kernel "
		mkdir -p \$T/jail \$T/nr/old && cp -a $jail/. \$T/jail && mount --bind \$T/jail \$T/jail &&
		mount -t proc proc \$T/jail/proc && mount --bind \$T/nr \$T/nr" 'nr' 'nr/old'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$(grep -m1 -E '^(FAIL|\?\?)' <<<"$stderr")" == "FAIL  NEW_ROOT nr is under the current root {is_path_reachable(new_mnt, new.dentry, &root)}"* ]]
}

@test "explain: lookup errors are the kernel's own: ELOOP, ENAMETOOLONG, EACCES" {
	run -0 --separate-stderr explain_vs_kernel 'ln -s loop $T/loop' '$T/loop' '$T/loop'
	[ "$output" = "explain=ELOOP kernel=ELOOP" ]
	local long
	long=$(printf '%0300d' 0)
	run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/nr' "\$T/$long" '$T/nr'
	[ "$output" = "explain=ENAMETOOLONG kernel=ENAMETOOLONG" ]
	# root of a user namespace: no CAP_DAC_OVERRIDE over an unmapped owner
	RUN="unshare -U -r -m" run -0 --separate-stderr explain_vs_kernel 'mkdir -p $T/shut/nr && chown 12345 $T/shut && chmod 700 $T/shut' '$T/shut/nr' '$T/shut/nr'
	[ "$output" = "explain=EACCES kernel=EACCES" ]
	[[ "$stderr" == *"FAIL  NEW_ROOT "*"/shut/nr is a directory {user_path_at(new_root, LOOKUP_DIRECTORY)} [Permission denied] -> EACCES; fix: give search permission"* ]]
}

# Mounts stacked on the way: the kernel walks mnt_parent and d_parent
# (is_path_reachable), and lock_mount() moves PUT_OLD onto the topmost
# mount there; ".." lookups and statx("/") see other mounts.
@test "explain: PUT_OLD under a bind whose root was covered since is not under NEW_ROOT: EINVAL" {
	run -0 --separate-stderr explain_vs_kernel \
		'mkdir -p $T/a/b && mount --bind $T/a $T/a && cd $T/a/b && mount -t tmpfs Y $T/a' '$T/a' '.'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  PUT_OLD . is at or under NEW_ROOT "*"/a {is_path_reachable(old_mnt, old.dentry, &new)}"* ]]
}

@test "explain: with a tmpfs stacked on /, a bind under the root is accepted, as the kernel says" {
	run -0 --separate-stderr explain_vs_kernel \
		'mkdir -p $T/r/old && mount --bind $T/r $T/r && mount -t tmpfs STACK /' '$T/r' '$T/r/old'
	[ "$output" = "explain=ok kernel=ok" ]
	[[ "$stderr" == *"ok    NEW_ROOT "*"/r is under the current root {is_path_reachable(new_mnt, new.dentry, &root)}"* ]]
}

@test "explain: with a tmpfs stacked on /, PUT_OLD / is that tmpfs (lock_mount): EINVAL, not EBUSY" {
	run -0 --separate-stderr explain_vs_kernel \
		'mkdir -p $T/r && mount --bind $T/r $T/r && mount -t tmpfs STACK /' '$T/r' '/'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"ok    PUT_OLD / is not on the current root's mount {old_mnt == root_mnt}"* ]]
}

# "." stays on the working directory's own dentry, under whatever was
# mounted on it since; lock_mount() moves PUT_OLD onto that mount.
@test "explain: PUT_OLD . with a shared mount stacked on the working directory since is that mount (lock_mount): EINVAL" {
	run -0 --separate-stderr explain_vs_kernel \
		'mkdir -p $T/nr/old && mount --bind $T/nr $T/nr && cd $T/nr/old && mount -t tmpfs X $T/nr/old && mount --make-shared $T/nr/old' '$T/nr' '.'
	[ "$output" = "explain=EINVAL kernel=EINVAL" ]
	[[ "$stderr" == *"FAIL  the mount at PUT_OLD . is not shared {IS_MNT_SHARED(old_mnt)}"* ]]
}

# Linux 7.0 looks both paths up before may_mount(): ENOENT there, EPERM
# before; the kernel of this run decides which the test expects.
@test "explain: unprivileged, a missing NEW_ROOT: the kernel's errno, by its generation" {
	RUN="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all" \
		run -0 --separate-stderr explain_vs_kernel 'chmod 755 $T' '$T/missing' '$T/missing'
	case $(uname -r) in
	[0-6].*) [ "$output" = "explain=EPERM kernel=EPERM" ] ;;
	*) [ "$output" = "explain=ENOENT kernel=ENOENT" ] ;;
	esac
}

@test "explain takes at most two paths, and not with --check" {
	run -125 --separate-stderr "$PREPARE_ROOT" --explain a b c
	[ "${stderr_lines[0]}" = "prepare-root: --explain takes at most <new-root> and <put-old>" ]
	run -125 --separate-stderr "$PREPARE_ROOT" --explain --check
	[ "${stderr_lines[0]}" = "prepare-root: --check and --explain are mutually exclusive" ]
}
