# shellcheck shell=sh
# shellcheck disable=SC2016 # scripts for inner shells are single-quoted on purpose
# The end-to-end scenarios, run by /init inside the guest.  Each prints
# its evidence; run_one turns its status into one "E2E: PASS name" or
# "E2E: FAIL name" line, with the evidence after a failure.

SCENARIO_TIMEOUT=60
ALL_SCENARIOS="baseline-crun baseline-runc baseline-bwrap wrapped-crun wrapped-runc wrapped-bwrap
mounts-unchanged bytes-exact check-verbose noproc explain-vs-kernel explain-cases escape-probe normal-root
readonly-root"

# What kind of root did the kernel give us?  Decided from the mount table,
# not from the version: the root's mount ID equal to its parent's is the
# rootfs that pivot_root refuses; Linux 7.0+ puts a nullfs underneath.
root_line=$(awk '$5 == "/" { print; exit }' /proc/self/mountinfo 2>/dev/null)
if [ -n "$root_line" ] && [ "$(echo "$root_line" | awk '{ print ($1 == $2) }')" = 1 ]; then
	ROOT_KIND=no-parent
else
	ROOT_KIND=has-parent
fi
# statmount(2) arrived in Linux 6.8.
kver=$(uname -r)
kmajor=${kver%%.*}; kminor=${kver#*.}; kminor=${kminor%%.*}
if [ "$kmajor" -gt 6 ] || { [ "$kmajor" -eq 6 ] && [ "$kminor" -ge 8 ]; }; then DETECT=statmount; else DETECT=libmount; fi

CONTAINER_OK="CONTAINER pid=1 host=inside"
BWRAP="bwrap --bind /bundle/rootfs / --proc /proc --dev /dev --unshare-pid --unshare-uts --as-pid-1 --hostname inside"
# shellcheck disable=SC2016 # expanded by the container's shell
BWRAP_CMD='echo CONTAINER pid=$$ host=$(hostname)'
n=0

expect_container() {	# output...: the container printed its PID 1 and hostname
	case "$*" in *"$CONTAINER_OK"*) return 0 ;; esac
	return 1
}
expect_einval() {
	case "$*" in *"nvalid argument"*) return 0 ;; esac
	return 1
}

# A runtime run unaided: EINVAL on the rootfs, fine where / has a parent.
baseline() {
	out=$("$@" 2>&1); status=$?
	echo "$out"; echo "status $status"
	if [ "$ROOT_KIND" = no-parent ]; then
		[ $status -ne 0 ] && expect_einval "$out"
	else
		[ $status -eq 0 ] && expect_container "$out"
	fi
}
scenario_baseline_crun() { cd /bundle && baseline crun run base-c; }
scenario_baseline_runc() { cd /bundle && baseline runc run base-r; }
# shellcheck disable=SC2086 # $BWRAP is a word list
scenario_baseline_bwrap() { baseline $BWRAP /bin/sh -c "$BWRAP_CMD"; }

# Through prepare-root.  crun finds its bundle in the working directory,
# which proves the cwd survives the re-root.
wrapped() {
	out=$("$@" 2>&1); status=$?
	echo "$out"; echo "status $status"
	[ $status -eq 0 ] && expect_container "$out"
}
scenario_wrapped_crun() { cd /bundle && wrapped prepare-root -- crun run wrap-c; }
scenario_wrapped_runc() { cd /bundle && wrapped prepare-root -- runc run wrap-r; }
# shellcheck disable=SC2086 # $BWRAP is a word list
scenario_wrapped_bwrap() { wrapped prepare-root -- $BWRAP /bin/sh -c "$BWRAP_CMD"; }

scenario_mounts_unchanged() {
	# Names and inodes, not times: crun itself touches /run and cgroups.
	before=$(cat /proc/self/mountinfo); ls_before=$(ls -Ai /)
	ns=$(readlink /proc/self/ns/mnt)
	cd /bundle && prepare-root -- crun run mu-c || return 1
	inner=$(prepare-root -- readlink /proc/self/ns/mnt)
	after=$(cat /proc/self/mountinfo); ls_after=$(ls -Ai /)
	echo "caller ns $ns, command ns $inner"
	[ "$before" = "$after" ] || { echo "mountinfo changed:"; echo "$before"; echo "---"; echo "$after"; return 1; }
	[ "$ls_before" = "$ls_after" ] || { echo "listing of / changed:"; echo "$ls_before"; echo "---"; echo "$ls_after"; return 1; }
	[ "$(readlink /proc/self/ns/mnt)" = "$ns" ] || return 1
	if [ "$ROOT_KIND" = no-parent ]; then [ "$inner" != "$ns" ]; else [ "$inner" = "$ns" ]; fi
}

scenario_bytes_exact() {
	odd=$(printf '\001\177\377')
	prepare-root -- sh -c 'exit 42'; [ $? -eq 42 ] || { echo "exit status lost"; return 1; }
	prepare-root -- sh -c 'kill -TERM $$'; [ $? -eq 143 ] || { echo "signal status lost"; return 1; }
	a=$(printf '%s|' "" "a b" "$odd" -v -- | md5sum)
	b=$(prepare-root -- printf '%s|' "" "a b" "$odd" -v -- | md5sum)
	echo "argv: $a / $b"; [ "$a" = "$b" ] || return 1
	a=$(env -i EMPTY= "SP=x y" "ODD=$odd" /bin/env | md5sum)
	b=$(env -i EMPTY= "SP=x y" "ODD=$odd" /bin/prepare-root -- /bin/env | md5sum)
	echo "env: $a / $b"; [ "$a" = "$b" ] || return 1
	a=$(env -i /bin/prepare-root -- /bin/env | wc -c)
	echo "env -i: $a bytes"; [ "$a" -eq 0 ] || return 1
	a=$(sh -c 'echo $$; exec prepare-root -- sh -c "echo \$\$"' | uniq | wc -l)
	echo "pids: $a distinct"; [ "$a" -eq 1 ]
}

scenario_check_verbose() {
	out=$(prepare-root --check); status=$?
	echo "$out (status $status)"
	vout=$(prepare-root --verbose -- true 2>&1)
	echo "$vout"
	case "$vout" in *"(via $DETECT)"*) ;; *) echo "expected detection via $DETECT"; return 1 ;; esac
	if [ "$ROOT_KIND" = no-parent ]; then
		[ $status -eq 1 ] && [ "$out" = "re-root needed: the root is a mount with no parent (the initramfs rootfs)" ] &&
		case "$vout" in *"decision: re-root needed"*"mount(/, /, MS_BIND|MS_REC)"*"exec true"*) ;; *) false ;; esac
	else
		[ $status -eq 0 ] && case "$vout" in *"decision: no re-root needed"*) ;; *) false ;; esac
	fi
}

# Without /proc: statmount answers where the kernel has it; otherwise a
# clear error naming /proc.
scenario_noproc() {
	unshare -m sh -c '
		umount /sys/fs/cgroup; umount /sys; umount /proc || exit 3
		[ ! -e /proc/self ] || exit 3
		prepare-root --verbose --check; echo "check status $?"
		prepare-root -- /bin/true; echo "run status $?"' > /tmp/noproc.out 2>&1
	cat /tmp/noproc.out
	if [ "$DETECT" = statmount ]; then
		grep -q "(via statmount)" /tmp/noproc.out || return 1
		grep -q "run status 0" /tmp/noproc.out || return 1
		if [ "$ROOT_KIND" = no-parent ]; then grep -q "check status 1" /tmp/noproc.out
		else grep -q "check status 0" /tmp/noproc.out; fi
	else
		grep -q "cannot read the mount table /proc/self/mountinfo: No such file or directory (is /proc mounted? mount -t proc proc /proc)" /tmp/noproc.out &&
		grep -q "check status 125" /tmp/noproc.out && grep -q "run status 125" /tmp/noproc.out
	fi
}

# --explain's verdict against the real pivot_root(2), from the rootfs and
# from the root prepare-root gives.
EXPLAIN_PROBE='
	mkdir -p /tmp/x && mount -t tmpfs tmpfs /tmp/x && mkdir -p /tmp/x/old || exit 3
	prepare-root --explain /tmp/x /tmp/x/old; echo "explain status $?"
	cd /tmp/x && pivot_root . old; echo "kernel status $?"'
scenario_explain_vs_kernel() {
	unshare -m sh -c "$EXPLAIN_PROBE" > /tmp/explain1.out 2>&1
	cat /tmp/explain1.out
	if [ "$ROOT_KIND" = no-parent ]; then
		grep -q "FAIL  the current root's mount has a parent" /tmp/explain1.out &&
		grep -q "verdict: pivot_root would fail with EINVAL" /tmp/explain1.out &&
		grep -q "explain status 1" /tmp/explain1.out &&
		grep -q "Invalid argument" /tmp/explain1.out && grep -q "kernel status 1" /tmp/explain1.out || return 1
	else
		grep -q "explain status 0" /tmp/explain1.out && grep -q "kernel status 0" /tmp/explain1.out || return 1
	fi
	# (its own namespace: where prepare-root is a plain exec, the probe's
	# pivot_root would otherwise move this very shell's root)
	unshare -m prepare-root -- sh -c "$EXPLAIN_PROBE" > /tmp/explain2.out 2>&1
	cat /tmp/explain2.out
	grep -q "kernel status 0" /tmp/explain2.out || return 1
	if [ "$DETECT" = statmount ]; then
		grep -q "verdict: pivot_root would succeed" /tmp/explain2.out && grep -q "explain status 0" /tmp/explain2.out
	else
		# The new root's parent lies outside the root: without statmount
		# its propagation cannot be seen, and --explain says so.
		grep -q "^??    the parent of the current root's mount is not shared" /tmp/explain2.out &&
		! grep -q "^FAIL" /tmp/explain2.out && grep -q "explain status 125" /tmp/explain2.out
	fi
}

# Each other reason pivot_root(2) fails, set up from the root prepare-root
# gives: --explain must name the error the kernel then returns.
EXPLAIN_CASE='
	case=$1
	mount -t tmpfs tmpfs /tmp/e && mkdir -p /tmp/e/nr/old /tmp/e/elsewhere && touch /tmp/e/file || exit 3
	new=/tmp/e/nr old=/tmp/e/nr/old
	case $case in
	fine) mount --bind /tmp/e/nr /tmp/e/nr ;;
	not-a-mount-point) ;;
	shared-parent) mount --make-shared /tmp/e && mount --bind /tmp/e/nr /tmp/e/nr && mount --make-private /tmp/e/nr ;;
	put-old-outside) mount --bind /tmp/e/nr /tmp/e/nr; old=/tmp/e/elsewhere ;;
	not-a-directory) new=/tmp/e/file old=/tmp/e/file ;;
	esac
	prepare-root --explain "$new" "$old" | tail -n 1
	pivot_root "$new" "$old" 2>&1 && echo "kernel: ok"'
scenario_explain_cases() {
	mkdir -p /tmp/e
	for c in fine:ok not-a-mount-point:EINVAL shared-parent:EINVAL put-old-outside:EINVAL not-a-directory:ENOTDIR; do
		out=$(unshare -m prepare-root -- sh -c "$EXPLAIN_CASE" sh "${c%%:*}" 2>&1)
		echo "$c: $out"
		case ${c#*:} in
		ok) expect_explain="would succeed"; expect_kernel="kernel: ok"
		    # without statmount the new root's hidden parent stays unknown
		    [ "$DETECT" = libmount ] && expect_explain="cannot tell" ;;
		EINVAL) expect_explain="would fail with EINVAL"; expect_kernel="Invalid argument" ;;
		ENOTDIR) expect_explain="would fail with ENOTDIR"; expect_kernel="Not a directory" ;;
		esac
		case $out in
		*"verdict: pivot_root $expect_explain"*"$expect_kernel"* | *"verdict: $expect_explain"*"$expect_kernel"*) ;;
		*) return 1 ;;
		esac
	done
}

# The classic chroot escape from a container with CAP_SYS_CHROOT must not
# reach the initramfs (where /initramfs-only-marker lives).
scenario_escape_probe() {
	cd /bundle-probe || return 1
	out=$(prepare-root -- crun run probe-c 2>&1); echo "$out"
	nopivot=$(crun run --no-pivot probe-np 2>&1)
	echo "E2E: REPORT escape probe under crun run --no-pivot: $(echo "$nopivot" | grep '^PROBE: ' | head -n1)"
	case "$out" in *"PROBE: CONTAINED"*) ;; *) return 1 ;; esac
	case "$out" in *"initramfs-only-marker"*) return 1 ;; esac
}

# A root like after switch_root: a tmpfs moved over / and entered.  There
# prepare-root must be a plain exec.
scenario_normal_root() {
	unshare -m sh -c '
		mkdir -p /newroot && mount -t tmpfs tmpfs /newroot || exit 3
		cp -a /bin /lib* /usr /etc /e2e /bundle /newroot/ 2>/dev/null
		mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp /newroot/run
		cd /newroot && mount --move . / && exec chroot . /bin/sh -c "
			mount -t proc proc /proc && mount -t sysfs sysfs /sys &&
			mount -t cgroup2 cgroup2 /sys/fs/cgroup && mount -t devtmpfs devtmpfs /dev || exit 3
			prepare-root --check; echo \"check status \$?\"
			before=\$(cat /proc/self/mountinfo); ns=\$(readlink /proc/self/ns/mnt)
			inner=\$(prepare-root -- readlink /proc/self/ns/mnt)
			[ \"\$inner\" = \"\$ns\" ] && echo same-namespace
			cd /bundle && prepare-root -- crun run normal-c
			[ \"\$(cat /proc/self/mountinfo)\" = \"\$before\" ] && echo table-unchanged
			crun run normal-unaided"' > /tmp/normal.out 2>&1
	cat /tmp/normal.out
	grep -q "^no re-root needed: the root is a mount with a parent" /tmp/normal.out &&
	grep -q "check status 0" /tmp/normal.out && grep -q same-namespace /tmp/normal.out &&
	grep -q table-unchanged /tmp/normal.out && [ "$(grep -c "$CONTAINER_OK" /tmp/normal.out)" -eq 2 ]
}

# /, /tmp and /dev read-only: prepare-root writes nothing.  crun itself
# needs a writable state directory, given on a tmpfs of its own.
scenario_readonly_root() {
	unshare -m sh -c '
		mkdir -p /run/ro-state && mount -t tmpfs tmpfs /run/ro-state || exit 3
		mount -o remount,bind,ro / && mount -o remount,bind,ro /tmp && mount -o remount,bind,ro /dev || exit 3
		touch /written 2>/dev/null && echo "root is writable"
		touch /tmp/written 2>/dev/null && echo "tmp is writable"
		cd /bundle && prepare-root -- crun --root /run/ro-state run ro-c' > /tmp/ro.out 2>&1
	cat /tmp/ro.out
	! grep -q writable /tmp/ro.out && grep -q "$CONTAINER_OK" /tmp/ro.out
}

# Stage 2 of the PID 1 boot (see pid1-init): $1 is init's mount namespace,
# $2 stage2's PID (this function runs in a child).
scenario_pid1() {
	echo "stage2: pid $2, mount namespace $(readlink /proc/self/ns/mnt) (init's: $1), cwd $(pwd)"
	[ "$2" = 1 ] || { echo "stage2 is not PID 1"; return 1; }
	[ "$(pwd)" = /bundle ] || { echo "cwd lost"; return 1; }
	if [ "$ROOT_KIND" = no-parent ] && [ "$(readlink /proc/self/ns/mnt)" = "$1" ]; then
		echo "no re-root happened"; return 1
	fi
	out=$(crun run pid1-c 2>&1)
	echo "$out"
	expect_container "$out" || return 1
	prepare-root --check	# none needed any more
}

# run_one NAME [ARGS]: one scenario under a time limit, one result line.
run_one() {
	name=$1; shift
	fn=scenario_$(echo "$name" | tr - _)
	n=$((n + 1))
	echo "E2E: START $name"
	( timeout "$SCENARIO_TIMEOUT" sh -c ". /e2e/scenarios.sh; $fn \"\$@\"" sh "$@" ) > /tmp/scenario.out 2>&1
	status=$?
	grep '^E2E: REPORT' /tmp/scenario.out
	if [ $status -eq 0 ]; then
		echo "E2E: PASS $name"
	else
		[ $status -eq 143 ] && echo "E2E: TIMEOUT $name after ${SCENARIO_TIMEOUT}s"
		sed 's/^/E2E-LOG: /' /tmp/scenario.out | grep -v '^E2E-LOG: E2E: REPORT' | tail -n 60
		echo "E2E: FAIL $name"
	fi
}

run_selected() {
	selected=$(echo "$1" | tr , ' ')
	[ -n "$selected" ] || selected=$ALL_SCENARIOS
	echo "E2E: INFO root-kind=$ROOT_KIND detect=$DETECT kernel=$(uname -r)"
	echo "E2E: INFO root mount: $root_line"
	for s in $selected; do run_one "$s"; done
}
