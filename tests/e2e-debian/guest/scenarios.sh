# shellcheck shell=sh
# shellcheck disable=SC2016 # scripts for inner shells are single-quoted on purpose
# The scenarios of tests/e2e-debian, run inside the guest from the root the
# kernel gave.  podman's, the escape probe's control and the machinery
# (run_one, run_selected, judge, contained, run_cmd) are the engines
# suite's, copied into the image as /e2e/engines-scenarios.sh; added here:
# the root itself, and crun and runc run straight from a bundle.

# shellcheck source=tests/e2e-engines/guest/scenarios.sh
. /e2e/engines-scenarios.sh

ALL_SCENARIOS="root-is-rootfs probe-control
crun-baseline crun-wrapped crun-masquerade runc-baseline runc-masquerade
podman-baseline podman-wrapped podman-masquerade"

# statmount(2) arrived in Linux 6.8: before it prepare-root reads the mount
# table through libmount, which the image has only because the shipped
# hook or module put it there.
kver=$(uname -r)
kmajor=${kver%%.*} kminor=${kver#*.}
kminor=${kminor%%.*}
if [ "$kmajor" -gt 6 ] || { [ "$kmajor" -eq 6 ] && [ "$kminor" -ge 8 ]; }; then
	DETECT=statmount
else
	DETECT=mountinfo
fi

# --- what the image is and holds -----------------------------------------
# The premise: "/" is the kernel's rootfs, a mount without a parent (both
# releases' kernels are older than 7.0, which puts a nullfs underneath),
# in an image made by the tool the host says (pw.image=initramfs-tools or
# dracut: initramfs-tools' scripts, or dracut's library).  The package's
# prepare-root, put there by the hook or the module, says a re-root is
# needed and detects the way this kernel calls for.
scenario_root_is_rootfs() {
	echo "root mount: $(root_line)"
	[ "$ROOT_KIND" = no-parent ] || fail "/ has a parent mount: not the kernel's rootfs" || return 1
	maker=$(cmdline_arg pw.image)
	case $maker in
	initramfs-tools) [ -d /scripts/init-premount ] && [ ! -e /lib/dracut-lib.sh ] ;;
	dracut) [ -e /lib/dracut-lib.sh ] && [ ! -d /scripts ] ;;
	*) false ;;
	esac || fail "not an image made by '$maker'" || return 1
	echo "made by $maker"
	[ -e /initramfs-only-marker ] || fail "no /initramfs-only-marker" || return 1
	run_cmd ls -l /usr/sbin/prepare-root "$MASQ_DIR"
	run_cmd prepare-root --version
	[ "$status" -eq 0 ] || fail "prepare-root --version: status $status" || return 1
	run_cmd prepare-root --check
	[ "$status" -eq 1 ] || fail "--check: status $status, not 1 (re-root needed)" || return 1
	run_cmd prepare-root --verbose -- true
	[ "$status" -eq 0 ] || fail "prepare-root --verbose -- true: status $status" || return 1
	contains "$out" "via $DETECT" || fail "the root was not judged via $DETECT on $kver"
}

# --- crun and runc, from a bundle: unaided, wrapped, through the link -----
# /e2e/bundle/config.json is this release's own "crun spec" with the
# hostname "inside", CAP_SYS_CHROOT for the probe, no network namespace and
# /images/rootfs (busybox and the probe) as its root; runc runs it too.
# runtime_run RUNTIME MODE
runtime_run() {
	rt=$1 mode=$2
	cd /e2e/bundle || return 1
	case $mode in
	baseline) run_cmd "$rt" run "$rt-$mode" ;;
	wrapped) run_cmd prepare-root -- "$rt" run "$rt-$mode" ;;
	masquerade)
		# the runtime as PATH finds it, the links first; PREPARE_ROOT_VERBOSE
		# makes prepare-root say that it ran and which one it then executed.
		found=$(PATH=$MASQ_DIR:$PATH command -v "$rt")
		echo "$rt in PATH: $found"
		[ "$found" = "$MASQ_DIR/$rt" ] || fail "PATH does not find $MASQ_DIR/$rt first" || return 1
		run_cmd env PATH="$MASQ_DIR:$PATH" PREPARE_ROOT_VERBOSE=1 "$rt" run "$rt-$mode"
		contains "$out" "prepare-root: masquerade: $rt is " ||
			fail "prepare-root did not run as $rt and hand over to the real one" || return 1
		;;
	esac
	judge "$mode" inside "$status" "$out"
}
scenario_crun_baseline() { runtime_run crun baseline; }
scenario_crun_wrapped() { runtime_run crun wrapped; }
scenario_crun_masquerade() { runtime_run crun masquerade; }
scenario_runc_baseline() { runtime_run runc baseline; }
scenario_runc_masquerade() { runtime_run runc masquerade; }
