# shellcheck shell=sh
# shellcheck disable=SC2016 # scripts for inner shells are single-quoted on purpose
# The end-to-end scenarios, run inside the guest.  Each prints its
# evidence; run_one runs it under a time limit and turns its status into
# one "E2E: PASS name" or "E2E: FAIL name" line.  Everything a scenario
# prints goes to the console as "E2E-LOG: " lines (the host shows them only
# on failure; --keep keeps them all).

# shellcheck source=tests/e2e/guest/protocol.sh
. /e2e/protocol.sh
SCENARIO_FILE=/e2e/scenarios.sh
# Each scenario's limit: pw.timeout= on the kernel command line, passed on
# by /init in the environment.
SCENARIO_TIMEOUT=${E2E_TIMEOUT:-60}
ALL_SCENARIOS="baseline-crun baseline-runc baseline-bwrap wrapped-crun wrapped-runc wrapped-bwrap
mounts-unchanged cwd-kept cwd-unreachable bytes-exact check-verbose noproc explain-vs-kernel explain-cases
explain-sample escape-probe normal-root readonly-root chroot-dir chroot-bind"
# The root-state matrix, run only when named (run.sh --scenario matrix):
# tests/e2e/guest/matrix.sh.
# shellcheck source=tests/e2e/guest/matrix.sh
[ -r /e2e/matrix.sh ] && . /e2e/matrix.sh
# pid1 is a boot of its own (/e2e/stage2).
KNOWN_EXTRA="${MATRIX_SCENARIOS:-} pid1"

# root_kind: what kind of root the kernel gave us, from the mount table,
# not from the version.  A root whose mount ID equals its parent ID is the
# rootfs that pivot_root refuses; Linux 7.0+ puts a nullfs underneath, and
# then / has a parent.  Decided once at boot by /init and passed on in the
# environment: after a re-root (stage2 of the PID 1 boot) the table
# describes the new root, not the one the kernel gave.
root_line() { awk '$5 == "/" { print; exit }' /proc/self/mountinfo; }
root_kind() {
	root_line | awk '{ print ($1 == $2 ? "no-parent" : "has-parent") }'
}
ROOT_KIND=${E2E_ROOT_KIND:-$(root_kind)}
# statmount(2) arrived in Linux 6.8: prepare-root uses it where it exists,
# /proc/self/mountinfo (libmount) elsewhere.
kver=$(uname -r)
kmajor=${kver%%.*}; kminor=${kver#*.}; kminor=${kminor%%.*}
if [ "$kmajor" -gt 6 ] || { [ "$kmajor" -eq 6 ] && [ "$kminor" -ge 8 ]; }; then
	DETECT=statmount NOT_DETECT=mountinfo
else
	DETECT=mountinfo NOT_DETECT=statmount
fi

# What only a container in its own PID and UTS namespaces prints: PID 1 and
# the hostname its config sets (the bundle's command and bwrap's below).
CONTAINER_OK="CONTAINER pid=1 host=inside"
BWRAP="bwrap --bind /bundle/rootfs / --proc /proc --dev /dev --unshare-pid --unshare-uts --as-pid-1 --hostname inside"
BWRAP_CMD='echo CONTAINER pid=$$ host=$(hostname)'

contains() {	# contains TEXT PATTERN: shell pattern match anywhere in TEXT
	case $1 in *"$2"*) return 0 ;; esac
	return 1
}
# The exact failure the product exists for: pivot_root(2) refused with
# EINVAL (crun and bwrap say "Invalid argument", runc "invalid argument").
is_pivot_einval() {
	contains "$1" "pivot_root" && contains "$1" "nvalid argument"
}
# fail WHY: say why, and fail.  Every check reads "CHECK || fail WHY ||
# return 1", so that the first failed check ends the scenario.
fail() { echo "FAILED: $*"; return 1; }

# --- the bug reproduced: each runtime run unaided -------------------------
# From the rootfs each must fail with pivot_root EINVAL, or the suite would
# prove nothing; where / has a parent (7.x) each must simply work.
baseline() {
	out=$("$@" 2>&1); status=$?
	echo "\$ $*"; echo "$out"; echo "status $status"
	if [ "$ROOT_KIND" = no-parent ]; then
		[ $status -ne 0 ] || fail "succeeded unaided from the rootfs" || return 1
		is_pivot_einval "$out" || fail "did not fail with pivot_root EINVAL"
	else
		[ $status -eq 0 ] || fail "failed although / has a parent" || return 1
		contains "$out" "$CONTAINER_OK" || fail "no '$CONTAINER_OK'"
	fi
}
scenario_baseline_crun() { cd /bundle && baseline crun run base-c; }
scenario_baseline_runc() { cd /bundle && baseline runc run base-r; }
# shellcheck disable=SC2086 # $BWRAP is a word list
scenario_baseline_bwrap() { baseline $BWRAP /bin/sh -c "$BWRAP_CMD"; }

# --- the fix: the same through prepare-root ------------------------------
# crun and runc find their bundle in the working directory (no --bundle),
# which also proves the re-root kept the cwd.
wrapped() {
	out=$("$@" 2>&1); status=$?
	echo "\$ $*"; echo "$out"; echo "status $status"
	[ $status -eq 0 ] || fail "exit status $status" || return 1
	contains "$out" "$CONTAINER_OK" || fail "no '$CONTAINER_OK'"
}
scenario_wrapped_crun() { cd /bundle && wrapped prepare-root -- crun run wrap-c; }
scenario_wrapped_runc() { cd /bundle && wrapped prepare-root -- runc run wrap-r; }
# shellcheck disable=SC2086 # $BWRAP is a word list
scenario_wrapped_bwrap() { wrapped prepare-root -- $BWRAP /bin/sh -c "$BWRAP_CMD"; }

# --- the caller's view is untouched ---------------------------------------
# snapshot: the caller's mount table and the listing of / (names and
# inodes, not times: crun itself touches /run and the cgroup tree).
# unchanged_by CMD...: run CMD (its output in $MU_OUT), fail if it failed
# or if the caller's snapshot differs after.
MU_OUT=${MU_OUT:-/tmp/mu.out}
snapshot() { cat /proc/self/mountinfo; echo ---; ls -Ai /; }
unchanged_by() {
	before=$(snapshot)
	"$@" > "$MU_OUT" 2>&1; status=$?
	after=$(snapshot)
	echo "\$ $* -> status $status"
	[ $status -eq 0 ] || { cat "$MU_OUT"; fail "exit status $status"; return 1; }
	[ "$before" = "$after" ] && return 0
	echo "before:"; echo "$before"; echo "after:"; echo "$after"
	fail "the caller's mount table or listing of / changed"
}
scenario_mounts_unchanged() {
	ns=$(readlink /proc/self/ns/mnt)
	cd /bundle || return 1
	unchanged_by prepare-root -- crun run mu-c || return 1
	unchanged_by prepare-root -- runc run mu-r || return 1
	# shellcheck disable=SC2086 # $BWRAP is a word list
	unchanged_by prepare-root -- $BWRAP /bin/true || return 1
	unchanged_by prepare-root --verbose -- true || return 1
	inner=$(prepare-root -- readlink /proc/self/ns/mnt)
	echo "caller's mount namespace $ns, the command's $inner"
	[ "$(readlink /proc/self/ns/mnt)" = "$ns" ] || fail "the caller changed namespace" || return 1
	if [ "$ROOT_KIND" = no-parent ]; then
		[ "$inner" != "$ns" ] || fail "the command ran in the caller's namespace: no re-root happened"
	else
		[ "$inner" = "$ns" ] || fail "a new namespace although / has a parent: not a pass-through"
	fi
}

# The working directory survives the re-root: the same directory (device
# and inode), on a submount (/tmp), under a name with a space and a
# non-ASCII byte, and crun finds its bundle there.
scenario_cwd_kept() {
	d=$(printf '/tmp/cwd with space \303\251/deeper')
	mkdir -p "$d" && cp -a /bundle "$d/bundle" && cd "$d/bundle" || return 1
	want=$(printf '%s\n%s' "$PWD" "$(stat -c %d:%i .)")
	got=$(prepare-root -- sh -c 'pwd -P; stat -c %d:%i .; :')
	echo "want: $want"; echo "got:  $got"
	[ "$got" = "$want" ] || fail "cwd not kept" || return 1
	wrapped prepare-root -- crun run cwd-c
}

# A cwd the new root cannot reach by its path: removed, or covered by a
# mount made after the cd.  prepare-root may refuse (125) or run the
# command in that very directory (device and inode), but never silently
# somewhere else.
cwd_same_or_refused() {	# cwd_same_or_refused WHAT: run from the cwd set up
	want=$(stat -c %d:%i .)
	got=$(prepare-root -- sh -c 'stat -c %d:%i .; :' 2>/tmp/cwd.err); status=$?
	echo "$1: cwd $want; prepare-root status $status, the command's cwd ${got:-none}"
	cat /tmp/cwd.err
	[ $status -eq 125 ] && [ -z "$got" ] && return 0
	[ $status -eq 0 ] && [ "$got" = "$want" ] && return 0
	fail "$1: neither refused nor run in the same directory"
}
scenario_cwd_unreachable() {
	mkdir -p /tmp/gone && cd /tmp/gone && rmdir /tmp/gone || return 1
	cwd_same_or_refused "removed cwd" || return 1
	cd / && mkdir -p /tmp/covered && touch /tmp/covered/under-the-mount || return 1
	unshare -m sh -c '
		. /e2e/scenarios.sh
		cd /tmp/covered && mount -t tmpfs tmpfs /tmp/covered || exit 3
		cwd_same_or_refused "cwd covered by a later mount"'
}

# --- exec semantics: byte-exact ------------------------------------------
# sh -c '...; :' keeps the shell as the process prepare-root executed (a
# trailing simple command would be exec'd by busybox sh), so its
# /proc/self/cmdline and /proc/self/environ are what execve(2) received.
ARGV_DUMP='cat /proc/$$/cmdline; :'
ENV_DUMP='cat /proc/$$/environ; :'
hash() { md5sum | cut -d' ' -f1; }
same() {	# same WHAT WANT GOT
	echo "$1: want $2, got $3"
	[ "$2" = "$3" ] || fail "$1 differs"
}
scenario_bytes_exact() {
	odd=$(printf '\001\002\t\033x\177\200\201\377')
	nl=$(printf 'line1\nline2')
	for want in 0 1 42 255; do
		prepare-root -- sh -c "exit $want"; same "exit status" "$want" $? || return 1
	done
	prepare-root -- sh -c 'kill -TERM $$'; same "death by SIGTERM" 143 $? || return 1
	prepare-root -- /bundle/config.json 2>/dev/null; same "not executable" 126 $? || return 1
	prepare-root -- /no/such/file 2>/dev/null; same "not found" 127 $? || return 1
	prepare-root -- no-such-command-anywhere 2>/dev/null; same "not in PATH" 127 $? || return 1
	# argv, every byte, argv[0] and empty arguments included
	a=$(printf '%s\0' sh -c "$ARGV_DUMP" "arg 0" "" "a b" "$odd" "$nl" -v -- "" | hash)
	b=$(prepare-root -- sh -c "$ARGV_DUMP" "arg 0" "" "a b" "$odd" "$nl" -v -- "" | hash)
	same "argv" "$a" "$b" || return 1
	# the environment, every byte, empty values and order included
	a=$(printf '%s\0' EMPTY= "SP=x y" "ODD=$odd" "NL=$nl" Z=last | hash)
	b=$(env -i EMPTY= "SP=x y" "ODD=$odd" "NL=$nl" Z=last /bin/prepare-root -- /bin/sh -c "$ENV_DUMP" | hash)
	same "environment" "$a" "$b" || return 1
	b=$(env -i /bin/prepare-root -- /bin/sh -c "$ENV_DUMP" | wc -c)
	same "env -i: bytes of environment" 0 "$b" || return 1
	# the same process: one PID before and after
	pids=$(sh -c 'echo $$; exec prepare-root -- sh -c "echo \$\$"')
	# shellcheck disable=SC2086 # split into the two PIDs
	set -- $pids
	echo "PID before and after: $*"
	[ $# -eq 2 ] && [ "$1" = "$2" ] || fail "PID changed" || return 1
	# open descriptors stay open: a file, and a pipe on stdin
	a=$(hash < /bundle/config.json)
	b=$(prepare-root -- sh -c 'cat <&7; :' 7</bundle/config.json | hash)
	same "fd 7" "$a" "$b" || return 1
	b=$(sed '' /bundle/config.json | prepare-root -- cat | hash)
	same "stdin pipe" "$a" "$b"
}

# --- --check and --verbose ------------------------------------------------
# check_verbose_expect CHECK_OUT CHECK_STATUS VERBOSE_FILE: the contract.
check_verbose_expect() {
	echo "--check: status $2, stdout: $1"
	echo "--verbose -- true, stderr:"; cat "$3"
	[ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] || fail "--check printed more than one line" || return 1
	if [ "$ROOT_KIND" = no-parent ]; then
		[ "$2" -eq 1 ] || fail "--check: exit 1 expected" || return 1
		[ "${1#re-root needed:}" != "$1" ] || fail "--check: 're-root needed:' expected" || return 1
		grep -q '^prepare-root: decision: re-root needed' "$3" || fail "no 'decision: re-root needed'" || return 1
	else
		[ "$2" -eq 0 ] || fail "--check: exit 0 expected" || return 1
		[ "${1#no re-root needed:}" != "$1" ] || fail "--check: 'no re-root needed:' expected" || return 1
		grep -q '^prepare-root: decision: no re-root needed' "$3" || fail "no 'decision: no re-root needed'" || return 1
	fi
	[ "$(grep -c '^prepare-root: decision:' "$3")" -eq 1 ] || fail "not one decision line" || return 1
	! grep -v '^prepare-root: ' "$3" || fail "stderr lines without the 'prepare-root: ' prefix" || return 1
	grep -q "via $DETECT" "$3" || fail "detection not 'via $DETECT'" || return 1
	! grep -q "via $NOT_DETECT" "$3" || fail "detection 'via $NOT_DETECT' on $(uname -r)"
}
scenario_check_verbose() {
	v=$(prepare-root --version); echo "--version: $v"
	case $v in "prepare-root from pivotwrap "[0-9]*.[0-9]*.[0-9]*) ;; *) fail "--version" || return 1 ;; esac
	out=$(prepare-root --check); status=$?
	prepare-root --verbose -- true 2> /tmp/verbose.err > /tmp/verbose.out || fail "--verbose -- true failed" || return 1
	[ ! -s /tmp/verbose.out ] || fail "--verbose wrote to stdout" || return 1
	check_verbose_expect "$out" "$status" /tmp/verbose.err
}

# Without /proc, as PID 1 is when the kernel starts it: statmount(2) tells
# (6.12, 7.x); on 6.1 nothing describes the mounts, and the kernel is asked
# (a trial pivot_root in a thread): the rootfs is re-rooted all the same,
# on the root's own mount, which needs no mount table.
scenario_noproc() {
	unshare -m sh -c '
		umount /sys/fs/cgroup; umount /sys; umount /proc || exit 3
		[ ! -e /proc/self ] || exit 3
		prepare-root --check > /tmp/noproc.check; echo "check status $?"
		prepare-root --verbose -- /bin/sh -c "cat /initramfs-only-marker" 2> /tmp/noproc.err; echo "run status $?"' > /tmp/noproc.out 2>&1
	cat /tmp/noproc.out /tmp/noproc.check /tmp/noproc.err
	grep -q "via $DETECT" /tmp/noproc.err || fail "not via $DETECT without /proc" || return 1
	grep -q "run status 0" /tmp/noproc.out && grep -q "^this file exists only in the initramfs" /tmp/noproc.out ||
		fail "the command did not run" || return 1
	[ "$DETECT" = statmount ] || grep -q "trial pivot_root: EINVAL" /tmp/noproc.err || fail "no trial on $(uname -r)" || return 1
	if [ "$ROOT_KIND" = no-parent ]; then
		grep -q "check status 1" /tmp/noproc.out && grep -q '^re-root needed:' /tmp/noproc.check &&
			grep -q '^prepare-root: decision: re-root needed' /tmp/noproc.err
	else
		grep -q "check status 0" /tmp/noproc.out && grep -q '^no re-root needed:' /tmp/noproc.check
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
	# The new root's parent lies outside the root: statmount shows it, and
	# without statmount (6.1) --explain asks the kernel with a trial.
	grep -q "verdict: pivot_root would succeed" /tmp/explain2.out && grep -q "explain status 0" /tmp/explain2.out || return 1
	[ "$DETECT" = statmount ] ||
		grep -q "^ok    the parent of the current root's mount is not shared .*a trial pivot_root" /tmp/explain2.out
}

# Each reason pivot_root(2) fails, set up from the root prepare-root gives:
# --explain must name the errno the kernel then returns (both asked in the
# same state; the kernel's word is util-linux's pivot_root(8) exit message).
EXPLAIN_CASE='
	case=$1
	errno_of() {
		case $1 in
		*"Invalid argument"*) echo EINVAL ;; *"Device or resource busy"*) echo EBUSY ;;
		*"Not a directory"*) echo ENOTDIR ;; *"No such file"*) echo ENOENT ;;
		*"Operation not permitted"*) echo EPERM ;; *) echo "?" ;;
		esac
	}
	mount -t tmpfs tmpfs /tmp/e && mkdir -p /tmp/e/nr/old /tmp/e/elsewhere /tmp/e/a/b && touch /tmp/e/file || exit 3
	new=/tmp/e/nr old=/tmp/e/nr/old as=
	case $case in
	fine) mount --bind /tmp/e/nr /tmp/e/nr ;;
	not-a-mount-point) ;;
	shared-parent) mount --make-shared /tmp/e && mount --bind /tmp/e/nr /tmp/e/nr && mount --make-private /tmp/e/nr ;;
	put-old-outside) mount --bind /tmp/e/nr /tmp/e/nr; old=/tmp/e/elsewhere ;;
	not-a-directory) new=/tmp/e/file old=/tmp/e/file ;;
	covered-bind) mount --bind /tmp/e/a /tmp/e/a && cd /tmp/e/a/b && mount -t tmpfs Y /tmp/e/a; new=/tmp/e/a old=. ;;
	stacked-root) mount --bind /tmp/e/nr /tmp/e/nr && mount -t tmpfs STACK / ;;
	stacked-root-old) mount --bind /tmp/e/nr /tmp/e/nr && mount -t tmpfs STACK /; old=/ ;;
	unprivileged-missing) chmod 755 /tmp/e; new=/tmp/e/missing old=/tmp/e/missing as="pivot-probe --nobody" ;;
	esac
	verdict=$($as prepare-root --explain "$new" "$old" | tail -n 1)
	case $verdict in
	*"would succeed"*) explain=ok ;;
	*"would fail with "*) explain=${verdict##*would fail with }; explain=${explain%%[ ,]*} ;;
	*) explain="? ($verdict)" ;;
	esac
	if err=$($as pivot_root "$new" "$old" 2>&1); then kernel=ok; else kernel=$(errno_of "$err"); fi
	echo "explain=$explain kernel=$kernel"'
EXPLAIN_CASES="fine not-a-mount-point shared-parent put-old-outside not-a-directory covered-bind stacked-root stacked-root-old unprivileged-missing"
scenario_explain_cases() {
	mkdir -p /tmp/e
	bad=0
	for c in $EXPLAIN_CASES; do
		out=$(unshare -m prepare-root -- sh -c "$EXPLAIN_CASE" sh "$c" 2>&1)
		echo "$c: $out"
		e=${out#explain=} k=${out##* kernel=}
		case $out in explain=*" kernel="*) [ "${e%% kernel=*}" = "$k" ] || bad=1 ;; *) bad=1 ;; esac
	done
	[ $bad -eq 0 ]
}

# The README's --explain sample is this report, from the root the kernel
# gave: the host compares the two (tests/e2e/run.sh, bookworm's boot).
scenario_explain_sample() {
	prepare-root --explain > /tmp/sample.out
	status=$?
	sed 's/^/SAMPLE /' /tmp/sample.out
	echo "explain status $status"
	grep -q '^verdict: ' /tmp/sample.out
}

# --- security: the classic chroot escape ---------------------------------
# /bundle-probe runs /bin/probe (probe.c) with CAP_SYS_CHROOT.  It must stay
# in its rootfs through prepare-root: never see /initramfs-only-marker.
# probe_says STATUS OUTPUT: the probe's lines, or the runtime's last words
# if the probe never ran.
probe_says() {
	if contains "$2" "PROBE: "; then
		printf '%s\n' "$2" | grep '^PROBE: ' | tr '\n' ' '
	else
		echo "the container did not run (status $1): $(printf '%s\n' "$2" | tail -n 1)"
	fi
}
scenario_escape_probe() {
	# Control: a plain chroot(1) is escapable, so the probe must escape
	# it; otherwise its "CONTAINED" below would prove nothing.
	ctl=$(chroot /bundle-probe/rootfs /bin/probe 2>&1)
	echo "control, plain chroot: $ctl"
	contains "$ctl" "PROBE: ESCAPED" || fail "the probe cannot even escape a plain chroot" || return 1
	cd /bundle-probe || return 1
	out=$(prepare-root -- crun run probe-c 2>&1); status=$?
	echo "prepare-root -- crun run (status $status): $out"
	# Observed, not asserted: what the runtimes' chroot-only mode allows.
	np=$(crun run --no-pivot probe-np 2>&1)
	echo "E2E: REPORT escape-probe [$ROOT_KIND] crun run --no-pivot: $(probe_says $? "$np")"
	np=$(runc run --no-pivot probe-npr 2>&1)
	echo "E2E: REPORT escape-probe [$ROOT_KIND] runc run --no-pivot: $(probe_says $? "$np")"
	contains "$out" "PROBE: CONTAINED" || fail "no 'PROBE: CONTAINED'" || return 1
	! contains "$out" "initramfs-only-marker" || fail "the initramfs is visible from the container"
}

# --- a normal root: pass-through ------------------------------------------
# Like after switch_root: a tmpfs copy moved over / and entered.  There
# prepare-root must only exec: same namespace, table and / unchanged, and
# crun works unaided too.
scenario_normal_root() {
	unshare -m sh -c '
		mkdir -p /newroot && mount -t tmpfs tmpfs /newroot || exit 3
		cp -a /bin /lib* /usr /etc /e2e /bundle /newroot/ 2>/dev/null
		mkdir -p /newroot/proc /newroot/sys /newroot/dev /newroot/tmp /newroot/run
		cd /newroot && mount --move . / && exec chroot . /bin/sh -c "
			mount -t proc proc /proc && mount -t sysfs sysfs /sys &&
			mount -t cgroup2 cgroup2 /sys/fs/cgroup && mount -t devtmpfs devtmpfs /dev || exit 3
			. /e2e/scenarios.sh
			echo \"root now: \$(root_line)\"
			prepare-root --check; echo \"check status \$?\"
			ns=\$(readlink /proc/self/ns/mnt)
			inner=\$(prepare-root -- readlink /proc/self/ns/mnt)
			[ \"\$inner\" = \"\$ns\" ] && echo same-namespace
			cd /bundle && unchanged_by prepare-root -- crun run normal-c && echo table-unchanged && cat /tmp/mu.out
			unchanged_by prepare-root --verbose -- true && grep -q \"decision: no re-root needed\" /tmp/mu.out &&
				echo verbose-no-reroot
			crun run normal-unaided"' > /tmp/normal.out 2>&1
	cat /tmp/normal.out
	grep -q "^no re-root needed:" /tmp/normal.out &&
	grep -q "check status 0" /tmp/normal.out && grep -q same-namespace /tmp/normal.out &&
	grep -q table-unchanged /tmp/normal.out && grep -q verbose-no-reroot /tmp/normal.out &&
	[ "$(grep -c "$CONTAINER_OK" /tmp/normal.out)" -eq 2 ]
}

# --- a read-only root -----------------------------------------------------
# /, /tmp and /dev read-only: prepare-root writes nothing.  crun itself
# needs a writable state directory, given on a tmpfs of its own.
scenario_readonly_root() {
	MU_OUT=/run/ro-state/mu.out unshare -m sh -c '
		. /e2e/scenarios.sh
		mkdir -p /run/ro-state && mount -t tmpfs tmpfs /run/ro-state || exit 3
		mount -o remount,bind,ro / && mount -o remount,bind,ro /tmp && mount -o remount,bind,ro /dev || exit 3
		touch /written 2>/dev/null && echo "root is writable"
		touch /tmp/written 2>/dev/null && echo "tmp is writable"
		touch /dev/written 2>/dev/null && echo "dev is writable"
		cd /bundle && unchanged_by prepare-root -- crun --root /run/ro-state run ro-c &&
			echo "ro: table unchanged" && cat "$MU_OUT"' > /tmp/ro.out 2>&1
	cat /tmp/ro.out
	# unchanged_by prints the command's output when it fails too: its own
	# verdict line is what counts.
	! grep -q writable /tmp/ro.out || fail "a read-only mount is writable" || return 1
	grep -q "^ro: table unchanged$" /tmp/ro.out || fail "exit status, or the caller's table changed" || return 1
	grep -q "$CONTAINER_OK" /tmp/ro.out || fail "no '$CONTAINER_OK'"
}

# --- a chroot into a plain directory --------------------------------------
# The other root pivot_root refuses, on every kernel (7.x too): a root that
# is a directory, not a mount.  Where statmount(2) can see the mount
# holding it (6.8+), the re-root works once that mount is private, and is
# refused (125) while it is shared, since the bind mount would propagate
# back into the caller.  Without statmount (6.1) that cannot be told:
# refused (125).  Either way the caller's table must not change.
CHROOT_DIR_RUN='
	cd /bundle
	prepare-root --check; echo "check status $?"
	prepare-root -- crun run "$1"; echo "wrapped status $?"
	cd /bundle-probe
	out=$(prepare-root -- crun run "$1-probe" 2>&1)
	echo "probe status $?: $(printf "%s\n" "$out" | grep "^PROBE: [A-Z]")"'
# A chroot into a directory of /tmp, and one into a bind mount of it, with
# /tmp private and shared.  Every case needs a re-root (a directory; a bind
# mount whose parent is shared; and, on Linux before 6.8, only the kernel's
# own trial can tell the last two apart), every case must then run the
# container, and the caller's table must stay byte-identical.  The escape
# probe shows what the docs say: from inside a chroot the container CAN
# climb out into the file system holding it (here the initramfs), unlike
# from the rootfs itself (scenario escape-probe).
# chroot_cases CASE...: run each case (dir-private, dir-shared, bind-shared)
# and check what it printed.
chroot_cases() {
	unshare -m --propagation private sh -c '
		for d in bin lib lib64 etc bundle bundle-probe proc sys dev; do
			mkdir -p /tmp/ch/$d && mount --rbind /$d /tmp/ch/$d || exit 3
		done
		mkdir -p /tmp/ch/run /tmp/ch/tmp
		CHROOT_DIR_RUN=$0
		for c in "$@"; do
			case $c in
			dir-private) ;;
			dir-shared) mount --make-shared /tmp ;;
			bind-shared) mount --make-shared /tmp && mount --rbind /tmp/ch /tmp/ch ;;
			esac
			before=$(cat /proc/self/mountinfo)
			echo "== $c"
			chroot /tmp/ch /bin/sh -c "$CHROOT_DIR_RUN" sh "$c"
			[ "$(cat /proc/self/mountinfo)" = "$before" ] && echo "$c: caller table unchanged"
		done' \
		"$CHROOT_DIR_RUN" "$@" > /tmp/chroot.out 2>&1
	cat /tmp/chroot.out
	for c in "$@"; do
		out=$(sed -n "/^== $c\$/,/^$c: caller table unchanged\$/p" /tmp/chroot.out)
		[ -n "$out" ] || fail "$c: did not run, or the caller's table changed" || return 1
		contains "$out" "check status 1" || fail "$c: --check: exit 1 expected" || return 1
		contains "$out" "$CONTAINER_OK" && contains "$out" "wrapped status 0" ||
			fail "$c: the container did not start" || return 1
		contains "$out" "probe status 0: PROBE: ESCAPED" ||
			fail "$c: the escape probe from inside a chroot did not behave as documented" || return 1
	done
}
scenario_chroot_dir() { chroot_cases dir-private dir-shared; }
# A bind-mounted chroot on a shared mount: a mount root with a parent, which
# pivot_root still refuses because that parent is shared.  Before Linux 6.8
# only the kernel's own trial can tell.
scenario_chroot_bind() { chroot_cases bind-shared; }


# --- PID 1 (a boot of its own, see pid1-init) -----------------------------
# Runs in stage2, which pid1-init reached with "exec prepare-root --":
# $1 is init's mount namespace, $2 stage2's PID.
scenario_pid1() {
	echo "stage2: pid $2, mount namespace $(readlink /proc/self/ns/mnt) (init's: $1), cwd $(pwd), boot root $ROOT_KIND"
	[ "$2" = 1 ] || fail "stage2 is not PID 1" || return 1
	[ "$(pwd)" = /bundle ] || fail "cwd lost" || return 1
	if [ "$ROOT_KIND" = no-parent ]; then
		[ "$(readlink /proc/self/ns/mnt)" != "$1" ] || fail "no re-root happened" || return 1
	else
		[ "$(readlink /proc/self/ns/mnt)" = "$1" ] || fail "a new namespace although / had a parent" || return 1
	fi
	wrapped crun run pid1-c || return 1
	prepare-root --check || fail "a re-root is still needed in stage2"
}

