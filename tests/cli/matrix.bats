#!/usr/bin/env bats
# The root-state matrix, host side: for each real root state (built by
# tests/e2e/guest/matrix.sh, which the end-to-end suite runs in the guest
# too), the kernel's answer against prepare-root's:
#  - pivot-probe (tests/pivot-probe.c) does what a runtime does: a new
#    mount namespace, MS_REC|MS_SLAVE on /, a recursive bind of a new root,
#    chdir, pivot_root(".", "."), umount2(".", MNT_DETACH);
#  - --check exits 0 iff the probe succeeds, 1 iff it fails, 125 only in
#    the states that matrix.sh's mx_may_refuse lists (with the reason);
#  - --explain's verdict names the probe's errno;
#  - "prepare-root -- pivot-probe" succeeds, the command sees the caller's
#    "/" (names, devices, inodes), "prepare-root -- prepare-root --check"
#    says 0, and the caller's /proc/self/mountinfo is byte-identical after.
# Every state is built and measured inside `unshare --mount --propagation
# private` (and `-U -r` for the *.userns ones), so nothing leaks.
# A state's MATRIX line is appended to $PW_MATRIX_RESULTS when it is set
# (docs/root-states.md is made from those: matrix.sh table).
#
# The host kernel decides what is measured here; the initramfs rootfs and
# kernels without statmount(2) are the end-to-end suite's (matrix-* scenarios).

load helpers

# meson sets both; run by hand (or by .ci/run for the sanitizer build), they
# are found beside the binary under test and beside this file.
: "${PIVOT_PROBE:=$(dirname "$PREPARE_ROOT")/tests/pivot-probe}"
: "${PW_MATRIX_SH:=$BATS_TEST_DIRNAME/../e2e/guest/matrix.sh}"

setup_file() {
	[ -x "$PIVOT_PROBE" ] || { echo "no pivot-probe at $PIVOT_PROBE: build it (ninja -C BUILD tests/pivot-probe)" >&3; return 1; }
	[ -f "$PW_MATRIX_SH" ] || { echo "no matrix.sh at $PW_MATRIX_SH" >&3; return 1; }
}

setup() {
	require_root
	[ -x /bin/busybox ] || { echo "/bin/busybox missing (apt-get install busybox-static)" >&3; return 1; }
}

# matrix_state STATE: build STATE in a throwaway namespace, measure it,
# and fail with the evidence unless every part of the contract held.
matrix_state() {
	local line
	run env MX_PR="$PREPARE_ROOT" MX_PROBE="$PIVOT_PROBE" MX_SELF="$PW_MATRIX_SH" MX_WORK="$BATS_TEST_TMPDIR" \
		unshare --mount --propagation private -- /bin/busybox sh "$PW_MATRIX_SH" run "$1"
	line=$(grep '^MATRIX ' <<<"$output" | tail -n 1)
	if [ -n "${PW_MATRIX_RESULTS:-}" ]; then
		echo "${line:-MATRIX state=$1 kernel=$(uname -r) result=FAIL why=no-result}" >> "$PW_MATRIX_RESULTS"
	fi
	echo "$output"
	[ "$status" -eq 0 ] || { echo "matrix.sh exited $status"; return 1; }
	[[ "$line" == "MATRIX state=$1 "* ]] || { echo "no MATRIX line for $1"; return 1; }
	[[ "$line" == *" result=PASS" ]]
}

@test "matrix: nsroot.private.init" { matrix_state nsroot.private.init; }
@test "matrix: nsroot.private.userns" { matrix_state nsroot.private.userns; }
@test "matrix: nsroot.shared.init" { matrix_state nsroot.shared.init; }
@test "matrix: nsroot.shared.userns" { matrix_state nsroot.shared.userns; }
@test "matrix: nsroot.slave.init" { matrix_state nsroot.slave.init; }
@test "matrix: nsroot.slave.userns" { matrix_state nsroot.slave.userns; }
@test "matrix: nsroot.unbindable.init" { matrix_state nsroot.unbindable.init; }
@test "matrix: nsroot.unbindable.userns" { matrix_state nsroot.unbindable.userns; }

@test "matrix: stacked.private.init" { matrix_state stacked.private.init; }
@test "matrix: stacked.private.userns" { matrix_state stacked.private.userns; }
@test "matrix: stacked.shared.init" { matrix_state stacked.shared.init; }
@test "matrix: stacked.shared.userns" { matrix_state stacked.shared.userns; }
@test "matrix: stacked.slave.init" { matrix_state stacked.slave.init; }
@test "matrix: stacked.slave.userns" { matrix_state stacked.slave.userns; }
@test "matrix: stacked.unbindable.init" { matrix_state stacked.unbindable.init; }
@test "matrix: stacked.unbindable.userns" { matrix_state stacked.unbindable.userns; }

@test "matrix: seed3.private.init" { matrix_state seed3.private.init; }
@test "matrix: seed3.private.userns" { matrix_state seed3.private.userns; }
@test "matrix: seed3.shared.init" { matrix_state seed3.shared.init; }
@test "matrix: seed3.shared.userns" { matrix_state seed3.shared.userns; }
@test "matrix: seed3.slave.init" { matrix_state seed3.slave.init; }
@test "matrix: seed3.slave.userns" { matrix_state seed3.slave.userns; }
@test "matrix: seed3.unbindable.init" { matrix_state seed3.unbindable.init; }
@test "matrix: seed3.unbindable.userns" { matrix_state seed3.unbindable.userns; }

@test "matrix: normal.private.init" { matrix_state normal.private.init; }
@test "matrix: normal.private.userns" { matrix_state normal.private.userns; }
@test "matrix: normal.shared.init" { matrix_state normal.shared.init; }
@test "matrix: normal.shared.userns" { matrix_state normal.shared.userns; }
@test "matrix: normal.slave.init" { matrix_state normal.slave.init; }
@test "matrix: normal.slave.userns" { matrix_state normal.slave.userns; }
@test "matrix: normal.unbindable.init" { matrix_state normal.unbindable.init; }
@test "matrix: normal.unbindable.userns" { matrix_state normal.unbindable.userns; }

@test "matrix: bind.private.init" { matrix_state bind.private.init; }
@test "matrix: bind.private.userns" { matrix_state bind.private.userns; }
@test "matrix: bind.shared.init" { matrix_state bind.shared.init; }
@test "matrix: bind.shared.userns" { matrix_state bind.shared.userns; }
@test "matrix: bind.slave.init" { matrix_state bind.slave.init; }
@test "matrix: bind.slave.userns" { matrix_state bind.slave.userns; }
@test "matrix: bind.unbindable.init" { matrix_state bind.unbindable.init; }
@test "matrix: bind.unbindable.userns" { matrix_state bind.unbindable.userns; }

@test "matrix: dir.private.init" { matrix_state dir.private.init; }
@test "matrix: dir.private.userns" { matrix_state dir.private.userns; }
@test "matrix: dir.shared.init" { matrix_state dir.shared.init; }
@test "matrix: dir.shared.userns" { matrix_state dir.shared.userns; }
@test "matrix: dir.slave.init" { matrix_state dir.slave.init; }
@test "matrix: dir.slave.userns" { matrix_state dir.slave.userns; }
@test "matrix: dir.unbindable.init" { matrix_state dir.unbindable.init; }
@test "matrix: dir.unbindable.userns" { matrix_state dir.unbindable.userns; }

@test "matrix: dirmnt.private.init" { matrix_state dirmnt.private.init; }
@test "matrix: dirmnt.private.userns" { matrix_state dirmnt.private.userns; }
@test "matrix: dirmnt.shared.init" { matrix_state dirmnt.shared.init; }
@test "matrix: dirmnt.shared.userns" { matrix_state dirmnt.shared.userns; }
@test "matrix: dirmnt.slave.init" { matrix_state dirmnt.slave.init; }
@test "matrix: dirmnt.slave.userns" { matrix_state dirmnt.slave.userns; }
@test "matrix: dirmnt.unbindable.init" { matrix_state dirmnt.unbindable.init; }
@test "matrix: dirmnt.unbindable.userns" { matrix_state dirmnt.unbindable.userns; }

@test "matrix: stackeddir.private.init" { matrix_state stackeddir.private.init; }
@test "matrix: stackeddir.private.userns" { matrix_state stackeddir.private.userns; }
@test "matrix: stackeddir.shared.init" { matrix_state stackeddir.shared.init; }
@test "matrix: stackeddir.shared.userns" { matrix_state stackeddir.shared.userns; }
@test "matrix: stackeddir.slave.init" { matrix_state stackeddir.slave.init; }
@test "matrix: stackeddir.slave.userns" { matrix_state stackeddir.slave.userns; }
@test "matrix: stackeddir.unbindable.init" { matrix_state stackeddir.unbindable.init; }
@test "matrix: stackeddir.unbindable.userns" { matrix_state stackeddir.unbindable.userns; }
@test "matrix: dircovered.private.init" { matrix_state dircovered.private.init; }
@test "matrix: dircovered.private.userns" { matrix_state dircovered.private.userns; }
@test "matrix: dircovered.shared.init" { matrix_state dircovered.shared.init; }
@test "matrix: dircovered.shared.userns" { matrix_state dircovered.shared.userns; }
@test "matrix: dircovered.slave.init" { matrix_state dircovered.slave.init; }
@test "matrix: dircovered.slave.userns" { matrix_state dircovered.slave.userns; }
@test "matrix: dircovered.unbindable.init" { matrix_state dircovered.unbindable.init; }
@test "matrix: dircovered.unbindable.userns" { matrix_state dircovered.unbindable.userns; }
