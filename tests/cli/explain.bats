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
		*) echo "unknown($1)" ;;
		esac
	}
	report=$($RUN "$PREPARE_ROOT" --explain "$1" "$2")
	echo "$report" >&2
	case "$report" in
	*"verdict: pivot_root would succeed"*) explain=ok ;;
	*"verdict: pivot_root would fail with "*) explain=${report##*would fail with } ;;
	*) explain="?" ;;
	esac
	if err=$($RUN pivot_root "$1" "$2" 2>&1); then kernel=ok; else kernel=$(errno_name "$err"); fi
	echo "explain=$explain kernel=$kernel"
'

# explain_vs_kernel SETUP NEW_ROOT PUT_OLD: SETUP is shell run first, in
# the namespace, with $T a private tmpfs to build in.
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
	[[ "$stderr" == *"FAIL  NEW_ROOT /tmp/pw-explain-"*" is a mount point ["*"] -> EINVAL; fix: mount --bind NEW_ROOT NEW_ROOT"* ]]
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
	[[ "$stderr" == *"FAIL  CAP_SYS_ADMIN is effective -> EPERM"* ]]
}

@test "explain: the current root in a chroot directory is EINVAL, and prepare-root fixes it" {
	local dir="$BATS_TEST_TMPDIR/chroot"
	make_chroot_dir "$dir"
	run -0 --separate-stderr unshare --mount --propagation private -- sh -c 'd=$1; shift; mount -t proc proc "$d/proc" && exec chroot "$d" "$@"' sh "$dir" /bin/sh -c '
		mount --bind /newroot /newroot
		prepare-root --explain /newroot /newroot/oldroot; echo "explain=$?"
		pivot_root /newroot /newroot/oldroot 2>&1; echo "kernel=$?"'
	[[ "$output" == *"FAIL  the current root is the root of a mount [an earlier chroot into a directory] -> EINVAL; fix: run the command through prepare-root"* ]]
	[[ "$output" == *"verdict: pivot_root would fail with EINVAL"*"explain=1"*"Invalid argument"*"kernel=1"* ]]

	run -0 --separate-stderr unshare --mount --propagation private -- sh -c 'd=$1; shift; mount -t proc proc "$d/proc" && exec chroot "$d" "$@"' sh "$dir" /bin/prepare-root -- /bin/sh -c '
		mount --bind /newroot /newroot
		prepare-root --explain /newroot /newroot/oldroot; echo "explain=$?"
		pivot_root /newroot /newroot/oldroot 2>&1; echo "kernel=$?"'
	[[ "$output" == *"verdict: pivot_root would succeed"*"explain=0"*"kernel=0"* ]]
}

@test "explain on this host's root: a verdict, never a crash" {
	run --separate-stderr "$PREPARE_ROOT" --explain
	[ "$status" -eq 0 ] || [ "$status" -eq 125 ]
	[[ "${lines[-1]}" == "verdict: "* ]]
	[[ "${lines[0]}" == "ok    CAP_SYS_ADMIN is effective" ]]
}

@test "explain takes at most two paths, and not with --check" {
	run -125 --separate-stderr "$PREPARE_ROOT" --explain a b c
	[ "${stderr_lines[0]}" = "prepare-root: --explain takes at most <new-root> and <put-old>" ]
	run -125 --separate-stderr "$PREPARE_ROOT" --explain --check
	[ "${stderr_lines[0]}" = "prepare-root: --check and --explain are mutually exclusive" ]
}
