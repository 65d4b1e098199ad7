#!/bin/sh
# shellcheck disable=SC2016 # scripts for inner shells are single-quoted on purpose
# The checks of tests/e2e-systemd, run by pw-e2e.service once systemd (PID 1
# on the initramfs root) has reached multi-user.target.  Each check prints
# its evidence; run_one runs it under a time limit and turns its status
# into one "E2E: PASS name" or "E2E: FAIL name" line, the evidence going to
# the console as "E2E-LOG: " lines.  Then the machine goes down the way a
# user's would: systemctl poweroff (or reboot).
#
# Kernel command line: pw.mode=baseline (systemd started unaided: the
# containers must fail with pivot_root EINVAL where / has no parent) or
# pw.mode=wrapped (systemd started through prepare-root: everything must
# work); pw.timeout=SECONDS (each check's limit); pw.final=poweroff or
# reboot (how the machine goes down after the checks).
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

# shellcheck source=tests/e2e/guest/protocol.sh
. /e2e/protocol.sh
SCENARIO_FILE=/e2e/e2e.sh
SCENARIO_OUT=/run/pw-scenario.out
MODE=$(cmdline_arg pw.mode)
SCENARIO_TIMEOUT=$(cmdline_arg pw.timeout)
SCENARIO_TIMEOUT=${SCENARIO_TIMEOUT:-240}
ALL_SCENARIOS="pid1 default-target mounts journald udev logind detect-virt kernel-helpers
podman ctr docker user-bwrap user-pivot"

# The kernel's own mount namespace and root, whatever PID 1 did: kthreadd
# (PID 2) never leaves them.  Its table says whether the root the kernel
# gave has a parent (Linux 7.0+ mounts nullfs under the initramfs) or not
# (the rootfs pivot_root refuses).
root_line() { awk '$5 == "/" { print; exit }' "$1"; }
kind_of() { root_line "$1" | awk '{ print ($1 == $2 ? "no-parent" : "has-parent") }'; }
BOOT_ROOT_KIND=$(kind_of /proc/2/mountinfo)

contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
yes_no() { if [ -n "$1" ]; then echo yes; else echo no; fi; }
# pivot_root(2) refused with EINVAL: crun, bwrap and pivot_root(8) say
# "Invalid argument", runc "invalid argument".
is_pivot_einval() { contains "$1" "pivot_root" && contains "$1" "nvalid argument"; }
fail() { echo "FAILED: $*"; return 1; }
# Where PID 1 and everything it starts should find a pivot_root that works:
# after prepare-root, or on a kernel whose root has a parent anyway.
expect_works() { [ "$MODE" = wrapped ] || [ "$BOOT_ROOT_KIND" = has-parent ]; }
run_cmd() {	# run_cmd CMD...: output in $out, status in $status, both logged
	echo "\$ $*"
	out=$("$@" 2>&1); status=$?
	echo "$out"
	echo "status $status"
}

# --- PID 1 -----------------------------------------------------------------
# systemd is PID 1 (prepare-root executed it, same PID).  Re-rooted: in a
# mount namespace other than the kernel's, on a root that has a parent.
# Where the kernel's root has a parent already (7.x), prepare-root only
# executed systemd: the kernel's own namespace.  Unaided: the kernel's.
scenario_pid1() {
	ns1=$(readlink /proc/1/ns/mnt) ns2=$(readlink /proc/2/ns/mnt)
	exe=$(readlink /proc/1/exe)
	echo "PID 1: $exe ($(tr '\0' ' ' < /proc/1/cmdline)), mount namespace $ns1; the kernel's (kthreadd) $ns2"
	echo "kernel's root: $(root_line /proc/2/mountinfo)"
	echo "PID 1's root:  $(root_line /proc/1/mountinfo)"
	echo "E2E: INFO boot-root=$BOOT_ROOT_KIND mode=$MODE pid1-root=$(kind_of /proc/1/mountinfo) pid1-mntns=$([ "$ns1" = "$ns2" ] && echo kernel\'s || echo own)"
	case $exe in */systemd) ;; *) fail "PID 1 is $exe, not systemd" || return 1 ;; esac
	if [ "$MODE" = wrapped ] && [ "$BOOT_ROOT_KIND" = no-parent ]; then
		[ "$ns1" != "$ns2" ] || fail "systemd in the kernel's mount namespace: no re-root" || return 1
		[ "$(kind_of /proc/1/mountinfo)" = has-parent ] || fail "PID 1's root has no parent"
	else
		[ "$ns1" = "$ns2" ] || fail "systemd in a mount namespace of its own: not a pass-through"
	fi
}

# --- the default target, and no unit failed on the way -------------------
scenario_default_target() {
	run_cmd systemctl is-active multi-user.target
	[ "$out" = active ] || fail "multi-user.target is not active" || return 1
	run_cmd systemctl list-units --state=failed --no-legend --plain --no-pager
	failed_units=$out
	echo "E2E: INFO $MODE: failed units at multi-user.target: ${failed_units:-none}"
	[ -z "$failed_units" ] || fail "units failed"
}

# --- what systemd mounted, in its namespace -------------------------------
scenario_mounts() {
	run_cmd findmnt -n -o TARGET,FSTYPE,PROPAGATION,OPTIONS
	for m in /proc /sys /dev /run /sys/fs/cgroup /dev/shm /dev/pts; do
		findmnt -n "$m" > /dev/null || fail "$m is not mounted" || return 1
	done
	# systemd makes every mount shared at boot (the root too), so that
	# services' private namespaces receive later mounts.
	echo "/ is $(findmnt -n -o PROPAGATION /)"
	[ "$(findmnt -n -o FSTYPE /sys/fs/cgroup)" = cgroup2 ] || fail "no cgroup2 on /sys/fs/cgroup"
}

# --- journald: the boot's messages, the kernel's included ------------------
scenario_journald() {
	run_cmd systemctl is-active systemd-journald.service
	[ "$out" = active ] || fail "systemd-journald is not running" || return 1
	n=$(journalctl -b -q --no-pager | wc -l)
	k=$(journalctl -b -k -q --no-pager | wc -l)
	echo "journal: $n lines this boot, $k from the kernel; storage: $(find /run/log/journal /var/log/journal -maxdepth 0 2>/dev/null | tr '\n' ' ')"
	journalctl -b -k -q --no-pager | head -n 3
	{ [ "$n" -gt 0 ] && [ "$k" -gt 0 ]; } || fail "the journal has no messages of this boot, or none from the kernel"
}

# --- udev: devices processed, systemd's device units follow them ---------
scenario_udev() {
	run_cmd systemctl is-active systemd-udevd.service
	[ "$out" = active ] || fail "systemd-udevd is not running" || return 1
	udevadm settle --timeout=60
	run_cmd udevadm info --query=property --name=/dev/ttyS0
	contains "$out" "TAGS=" || fail "udev has no database entry for ttyS0" || return 1
	run_cmd systemctl is-active dev-ttyS0.device
	[ "$out" = active ] || fail "dev-ttyS0.device is not active: systemd does not see udev's devices"
}

# --- logind: a login session of an ordinary user, and its service manager --
scenario_logind() {
	run_cmd su -l user -c 'echo "session=$XDG_SESSION_ID runtime=$XDG_RUNTIME_DIR"; loginctl show-session "$XDG_SESSION_ID" -p Class -p State -p Remote; systemctl --user is-system-running'
	# (su without a terminal: logind calls the session "background")
	contains "$out" "State=active" || fail "no active logind session for su -l user" || return 1
	contains "$out" "runtime=/run/user/1000" || fail "no runtime directory from logind" || return 1
	run_cmd systemctl is-active user@1000.service
	[ "$out" = active ] || fail "the user's service manager (user@1000.service) did not start"
}

# --- systemd-detect-virt: a VM, not a container, not a chroot ------------
scenario_detect_virt() {
	run_cmd systemd-detect-virt
	echo "E2E: INFO $MODE: systemd-detect-virt says $out"
	run_cmd systemd-detect-virt --container
	[ "$status" -ne 0 ] && [ "$out" = none ] || fail "systemd-detect-virt reports a container" || return 1
	run_cmd systemd-detect-virt --chroot
	[ "$status" -ne 0 ] || fail "systemd-detect-virt reports a chroot"
}

# --- the kernel's usermode helpers -----------------------------------------
# The kernel starts its helpers (a core_pattern pipe, modprobe, the uevent
# helper) from kthreadd: in the kernel's mount namespace and root, not in
# PID 1's.  After a re-root that namespace holds the rootfs without any of
# systemd's mounts, so a helper does not see systemd's /run (where
# systemd-coredump's socket is).  Shown with a core_pattern helper that
# writes a file into the /run it sees (/e2e/core-helper).
scenario_kernel_helpers() {
	rm -f /run/pw-core-helper /proc/2/root/run/pw-core-helper
	old=$(cat /proc/sys/kernel/core_pattern)
	echo '|/e2e/core-helper %p' > /proc/sys/kernel/core_pattern || fail "cannot set core_pattern" || return 1
	sh -c 'kill -SEGV $$'
	n=20
	while [ $n -gt 0 ] && [ ! -s /run/pw-core-helper ] && [ ! -s /proc/2/root/run/pw-core-helper ]; do
		sleep 0.5; n=$((n - 1))
	done
	echo "$old" > /proc/sys/kernel/core_pattern
	pid1_run=$(cat /run/pw-core-helper 2>/dev/null)
	kernel_run=$(cat /proc/2/root/run/pw-core-helper 2>/dev/null)
	echo "E2E: INFO $MODE: a core_pattern helper wrote to the /run of: PID 1 $(yes_no "$pid1_run"), the kernel's namespace $(yes_no "$kernel_run")"
	[ -n "$kernel_run" ] || fail "the helper did not run" || return 1
	if [ "$(readlink /proc/1/ns/mnt)" != "$(readlink /proc/2/ns/mnt)" ]; then
		[ -z "$pid1_run" ] || fail "the helper ran in PID 1's mount namespace"
	else
		[ -n "$pid1_run" ] || fail "the helper did not see PID 1's /run, which is the kernel's"
	fi
}

# --- containers from units ------------------------------------------------
# contained OUT HOST: PID 1 of its own PID namespace, the hostname the
# engine set (ctr sets none), and the escape probe (tests/e2e/probe.c)
# found itself in the image, not in the initramfs.
contained() {
	contains "$1" "CONTAINER pid=1 " || fail "no 'CONTAINER pid=1': not in its own PID namespace" || return 1
	[ -z "$2" ] || contains "$1" "host=$2" || fail "hostname is not $2" || return 1
	! contains "$1" "PROBE: ESCAPED" || fail "the probe escaped to the initramfs root" || return 1
	contains "$1" "PROBE: CONTAINED" || fail "no 'PROBE: CONTAINED'"
}
# judge STATUS OUT HOST: where pivot_root cannot work (unaided, from the
# rootfs) it must fail with EINVAL: the bug reproduced.  Elsewhere it must
# work, contained.
judge() {
	if expect_works; then
		[ "$1" -eq 0 ] || fail "status $1" || return 1
		contained "$2" "$3"
	else
		[ "$1" -ne 0 ] || fail "worked unaided from the rootfs" || return 1
		is_pivot_einval "$2" || fail "did not fail with pivot_root EINVAL"
	fi
}
# unit_run NAME HOST: start pw-NAME.service and judge what the unit itself
# printed (/run/pw-NAME.log: the engine's client passes the runtime's error
# on).  The journal of the unit and the daemons' units since the start is
# shown as evidence only: the daemons' earlier lines belong to other checks.
unit_run() {
	cursor=$(journalctl -q -n 0 --show-cursor | sed -n 's/^-- cursor: //p')
	run_cmd systemctl start "pw-$1.service"
	s=$status
	log=$(cat "/run/pw-$1.log" 2>/dev/null)
	echo "--- /run/pw-$1.log:"; echo "$log"
	echo "--- journal of pw-$1, containerd and docker since the start (last 30 lines):"
	journalctl -q --no-pager -o cat ${cursor:+--after-cursor="$cursor"} \
		-u "pw-$1.service" -u containerd.service -u docker.service | tail -n 30
	judge "$s" "$log" "$2"
}
scenario_podman() { unit_run podman inside; }
scenario_ctr() { unit_run ctr ""; }
scenario_docker() { unit_run docker inside; }

# --- an ordinary user's containers (no privilege) --------------------------
# systemd-run --uid: a transient service of the user, as a login would
# start things.  Both create a user namespace and a mount namespace (copied
# from PID 1's, with its root) and pivot_root there.
as_user() { run_cmd systemd-run --uid=user --wait --pipe --quiet --collect "$@"; }
scenario_user_bwrap() {
	# (/bin/e2e-id: echo CONTAINER pid=$$ host=$(hostname), kept in the
	# image because systemd-run would expand $$ itself)
	as_user bwrap --unshare-user --unshare-pid --unshare-uts --hostname inside --as-pid-1 \
		--ro-bind /images/rootfs / --proc /proc --dev /dev /bin/e2e-id
	if expect_works; then
		[ "$status" -eq 0 ] || fail "status $status" || return 1
		contains "$out" "CONTAINER pid=1 host=inside" || fail "no 'CONTAINER pid=1 host=inside'"
	else
		[ "$status" -ne 0 ] || fail "worked unaided from the rootfs" || return 1
		is_pivot_einval "$out" || fail "did not fail with pivot_root EINVAL"
	fi
}
# What enroot does: unshare -Urm, a bind mount, pivot_root into it.
scenario_user_pivot() {
	as_user unshare -Urm sh -c 'mount --bind /images/rootfs /images/rootfs && cd /images/rootfs &&
		pivot_root . mnt && cd / && echo "PIVOTED, / holds: $(ls /)"'
	if expect_works; then
		[ "$status" -eq 0 ] || fail "status $status" || return 1
		contains "$out" "PIVOTED" || fail "no 'PIVOTED'" || return 1
		! contains "$out" initramfs-only-marker || fail "the new root is the initramfs"
	else
		[ "$status" -ne 0 ] || fail "worked unaided from the rootfs" || return 1
		is_pivot_einval "$out" || fail "did not fail with pivot_root EINVAL"
	fi
}

# Sourced by run_one's shell for one check; run as the unit's program, all.
[ "${0##*/}" = e2e.sh ] || return 0
echo "E2E: BOOTED $(uname -r)"
echo "E2E: INFO mode=$MODE boot-root=$BOOT_ROOT_KIND uptime=$(cut -d' ' -f1 /proc/uptime)s at multi-user.target"
ROOT_KIND=$BOOT_ROOT_KIND
run_selected "$(cmdline_arg pw.scenarios)"
final=$(cmdline_arg pw.final)
if [ "${final:=poweroff}" = poweroff ]; then
	# The way down through an exitrd (/e2e/exitrd-shutdown): busybox, and
	# the script systemd-shutdown runs last.
	mkdir -p /run/initramfs && cp -a /images/rootfs/. /run/initramfs/ &&
		cp /e2e/exitrd-shutdown /run/initramfs/shutdown
	echo "E2E: INFO systemctl poweroff, through /run/initramfs/shutdown"
else
	echo "E2E: INFO systemctl $final"
fi
systemctl "$final" --no-block
