# shellcheck shell=sh
# Run inside the guest by /init, from the root the kernel gave: starts the
# application container of /e2e/container.conf with lxc-execute, unaided
# and through prepare-root, each under strace, and reports on the console
# which way LXC entered the container's root (pivot_root, or its
# bind-onto-"/" + chroot fallback), whether the container ran and whether
# the escape probe got out; then the same from tmpfs roots as controls.
# Every line for the host starts with "E2E: ".

cmdline_arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }
LIMIT=$(cmdline_arg pw.timeout)
LIMIT=${LIMIT:-180}
TRACE=pivot_root,chroot,mount,umount2,move_mount,open_tree

# The root lines of the mount table, as the given command prefix sees it:
# the line LXC's detect_ramfs_rootfs() looks for is the one whose mount
# point is "/" and whose type, after the " - ", is "rootfs".
root_lines() {
	label=$1
	shift
	"$@" cat /proc/self/mountinfo > /tmp/mountinfo-"$label" 2>&1 || echo "E2E: INFO $label: cat /proc/self/mountinfo failed"
	awk '$5 == "/"' /tmp/mountinfo-"$label" | sed "s/^/E2E: ROOTLINE $label: /"
	if awk '$5 == "/" && / - rootfs / { found = 1 } END { exit !found }' /tmp/mountinfo-"$label"; then
		echo "E2E: INFO $label: a root line of type rootfs: yes"
	else
		echo "E2E: INFO $label: a root line of type rootfs: no"
	fi
}

# run_mode LABEL [PREFIX...]: lxc-execute under strace -f, behind PREFIX.
run_mode() {
	label=$1
	shift
	st=/tmp/strace-$label.log out=/tmp/out-$label.log log=/tmp/lxc-$label.log
	echo "E2E: START $label"
	root_lines "$label" "$@"
	# Would a runtime's pivot_root work here?  prepare-root --check: 0 yes,
	# 1 no (prepare-root would re-root), 125 cannot tell.
	check=0
	"$@" prepare-root --check > /tmp/check-"$label" 2>&1 || check=$?
	echo "E2E: INFO $label: prepare-root --check exited $check: $(head -n 1 /tmp/check-"$label")"
	rm -f "$st" "$out" "$log"
	t0=$(date +%s)
	status=0
	timeout "$LIMIT" "$@" strace -f -s 256 -o "$st" -e trace="$TRACE" \
		lxc-execute -n c1 -f /e2e/container.conf -o "$log" -l DEBUG -- /ct.sh > "$out" 2>&1 || status=$?
	echo "E2E: INFO $label: lxc-execute exited $status after $(($(date +%s) - t0))s"
	sed "s/^/E2E: OUT $label: /" "$out"
	# The calls that tell the way in: pivot_root, chroot, the mounts onto
	# "/" (LXC's fallback binds the container's root there), moves.
	grep -E 'pivot_root\(|chroot\(|move_mount\(|open_tree\(|mount\([^,]*, "/",|MS_MOVE' "$st" 2>/dev/null |
		sed "s/^/E2E: STRACE $label: /"
	# The whole trace, for the console log only.
	sed "s/^/E2E: STRACEALL $label: /" "$st" 2>/dev/null
	echo "E2E: INFO $label: strace saw $(grep -c ' mount(' "$st" 2>/dev/null) mount and $(grep -c ' umount2(' "$st" 2>/dev/null) umount2 calls"
	ran=yes
	{ [ "$status" -eq 126 ] || [ "$status" -eq 127 ] || [ ! -s "$st" ]; } && ran=no
	# LXC's own chroot is the first one; the probe's come after, starting
	# with chroot("/jail").  (strace pads before " = ".)
	first_chroot=$(grep -m1 ' chroot(' "$st" 2>/dev/null || true)
	if grep -qE 'pivot_root\(.*\) +\= 0$' "$st" 2>/dev/null; then
		path=pivot_root
	elif echo "$first_chroot" | grep -qE 'chroot\("\."\) +\= 0$'; then
		path=chroot
	else
		path=none
	fi
	started=no
	grep -q '^CT: started' "$out" && started=yes
	pid=$(sed -n 's/^CT: started pid=\([0-9]*\) .*/\1/p' "$out" | head -n 1)
	pid1=$(sed -n 's/^CT: started .* pid1=\([^ ]*\) .*/\1/p' "$out" | head -n 1)
	probe=$(sed -n 's/^PROBE: \(ESCAPED\|CONTAINED\)$/\1/p' "$out" | head -n 1)
	if [ "$started" = no ]; then
		grep -E ' (ERROR|WARN) ' "$log" 2>/dev/null | tail -n 25 | sed "s/^/E2E: LXCLOG $label: /"
	fi
	echo "E2E: RESULT $label ran=$ran status=$status path=$path started=$started pid=${pid:-none} pid1=${pid1:-none} probe=${probe:-none}"
}

# Controls: the same run from roots that are not of type rootfs, a tmpfs
# holding a copy of the image (where LXC finds no rootfs root line it
# should take pivot_root, and the trace must show it):
#   control-chroot  chroot into the tmpfs mounted at /mnt/t (a chroot, so
#                   the rootfs still lies above the container's root);
#   control-moved   the tmpfs moved onto "/" and chroot("."), as
#                   switch_root does when a system leaves its initramfs.
controls() {
	mkdir -p /mnt/t
	mount -t tmpfs -o size=512m tmpfs /mnt/t
	for d in bin sbin lib lib32 lib64 libx32 usr etc e2e images var initramfs-only-marker; do
		[ -e /$d ] && cp -a /$d /mnt/t/
	done
	mkdir -p /mnt/t/proc /mnt/t/sys /mnt/t/dev /mnt/t/tmp /mnt/t/run
	mount -t proc proc /mnt/t/proc
	mount -t sysfs sysfs /mnt/t/sys
	mount -t devtmpfs devtmpfs /mnt/t/dev
	mount -t cgroup2 cgroup2 /mnt/t/sys/fs/cgroup
	mount -t tmpfs tmpfs /mnt/t/tmp
	mount -t tmpfs tmpfs /mnt/t/run
	chroot /mnt/t /bin/sh /e2e/lxc.sh control-chroot
	# In a subshell: /init itself stays where it is, to power off.
	(cd /mnt/t && mount --move . / && chroot . /bin/sh /e2e/lxc.sh control-moved) ||
		echo "E2E: INFO control-moved: could not move the tmpfs onto /"
}

mkdir -p /var/lib/lxc /run/lxc
case ${1:-} in control-*) run_mode "$1"; exit 0 ;; esac
echo "E2E: INFO kernel $(uname -r); $(lxc-execute --version 2>&1 | head -n 1 | sed 's/^/lxc /'); $(strace -V | head -n 1)"
# How prepare-root itself re-roots (its own calls, nothing of LXC).
strace -f -e trace="$TRACE" prepare-root -- true 2>&1 | sed 's/^/E2E: PRSTRACE: /'
run_mode unaided
run_mode prepare-root prepare-root --
controls
