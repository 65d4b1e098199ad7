# shellcheck shell=sh
# shellcheck disable=SC2016 # scripts for inner shells are single-quoted on purpose
# The root-state matrix: for each real root state, the kernel's answer
# (what a container runtime gets, from tests/pivot-probe.c) against
# prepare-root's (--check, --explain, and running the probe through it).
# The same file runs on the host (tests/cli/matrix.bats) and in the guest
# (sourced by scenarios.sh: the matrix-KIND scenarios); only busybox is
# needed, every command is "$BB applet".
#
#   sh matrix.sh run STATE      set STATE up and measure it: one "MATRIX ..."
#                               line.  Run it as root in a throwaway mount
#                               namespace (unshare -m --propagation private):
#                               it mounts things.
#   sh matrix.sh table [FILE...]  the Markdown table of "MATRIX ..." lines
#
# Environment: MX_PR (prepare-root), MX_PROBE (pivot-probe), MX_WORK (a
# directory to build in), MX_SELF (this file); optional MX_BB (busybox),
# MX_TEMPLATE (a tmpfs already filled by mx_fill_root TEMPLATE/root, used
# instead of a fresh one per state).
#
# STATE is KIND.PROPAGATION.USERNS:
#   KIND        what the process root is
#     nsroot      the mount namespace's own root, as given: the host's root
#                 mount on a host; in the guest the initramfs rootfs (a mount
#                 with no parent), on 7.x a rootfs on nullfs
#     stacked     nsroot with a tmpfs mounted over "/" (the root still names
#                 the mount underneath; only "/.." reaches the tmpfs)
#     seed3       state (3) of seed 000: "mount --rbind / D; cd D; mount
#                 --move . /" without the chroot: the root underneath, its
#                 recursive copy stacked over it
#     normal      a switch_root: a tmpfs moved over "/" and chrooted into
#     bind        "mount --bind D D; chroot D" (D a directory in a tmpfs M)
#     dir         "chroot D", D a plain directory in M, no mount inside it
#     dirmnt      the same with a mount of its own inside: proc on D/proc
#     stackeddir  "chroot D" with a tmpfs mounted over "/" (on D, entered
#                 from below)
#     dircovered  "chroot D" with a tmpfs A mounted on D/x/y, covered since
#                 by a tmpfs B mounted on D/x: the first mount listed inside
#                 the root is no longer reached by its path
#   PROPAGATION private|shared|slave|unbindable, of the mount that matters:
#               the root mount for nsroot/stacked/seed3/normal, the mount M
#               holding D (outside the root) for the chroot kinds.  Shared
#               means a peer in another mount namespace (as on an rshared
#               host), slave a slave of such a peer group.
#   USERNS      init: the initial user namespace; userns: under
#               "unshare -U -r -m" after the state was set up by real root,
#               so every mount of it is locked (MNT_LOCKED).

BB=${MX_BB:-/bin/busybox}
MX_KINDS="nsroot stacked seed3 normal bind dir dirmnt stackeddir dircovered"
MX_PROPS="private shared slave unbindable"
MX_USERNS="init userns"

# mx_kernel_has_statmount [RELEASE]: Linux 6.8 or later (default: this one).
mx_kernel_has_statmount() {
	v=${1:-$(uname -r)}; maj=${v%%.*}; min=${v#*.}; min=${min%%.*}
	[ "$maj" -gt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -ge 8 ]; }
}

# mx_may_refuse STATE [RELEASE]: prints why prepare-root may answer "cannot tell"
# (--check 125) or refuse to re-root (125) in STATE, or nothing where it
# must not.  This list mirrors the README's (docs/root-states.md prints the
# reasons next to the rows); any other 125 is a failure.
mx_may_refuse() {
	kind=${1%%.*}; prop=${1#*.}; prop=${prop%%.*}
	# A plain directory root: the copy must go on a mount that is not
	# shared; its own mount's propagation can be read only by statmount(2)
	# (6.8), and it has no mount inside.
	if ! mx_kernel_has_statmount "${2:-}"; then
		case $kind in
		dir) echo "a plain directory with no mount inside, before Linux 6.8: nothing tells whether its mount is shared (statmount(2) would), and there is no mount inside the root to take the copy"
			return ;;
		dircovered) echo "a plain directory without /proc, before Linux 6.8: nothing tells whether its mount is shared, and nothing lists the mounts inside it (listmount(2) would)"
			return ;;
		esac
	fi
	if [ "$kind.$prop" = dir.shared ]; then
		echo "a plain directory in a shared mount, with no mount of its own inside: the copy has nowhere to go that would not propagate to the caller (prepare-root(8), NOTES)"
	fi
	case $kind.$prop in
	dir.unbindable|dirmnt.unbindable|stackeddir.unbindable|dircovered.unbindable)
		echo "a directory in an unbindable mount: on kernels that keep a new namespace's copy of it unbindable (6.1 to 7.2, not 6.18) no copy of it can be made" ;;
	esac
}

# mx_copy_bin FILE ROOT DEST: FILE at ROOT/DEST, with every shared library
# it loads, asked from its ELF interpreter (the guest has no ldd), and those
# it may dlopen() (the sonames of its ELF .note.dlopen: prepare-root's
# libmount, where it is dynamic) with theirs.
mx_copy_bin() {
	$BB mkdir -p "$2$($BB dirname "$3")" && $BB cp -L "$1" "$2$3" || return 1
	interp=$($BB ls /lib64/ld-linux-x86-64.so.2 /lib/ld-linux-x86-64.so.2 2>/dev/null | $BB head -n 1)
	# (a static binary has no interpreter, and ld.so --list may crash on it)
	[ -n "$interp" ] && $BB grep -q "$interp" "$1" || return 0
	dl=""
	for so in $($BB grep -ao '"soname":\[[^]]*\]' "$1" | $BB grep -o '"[^"]*\.so[^"]*"' | $BB tr -d '"'); do
		dl="$dl $($BB ls /lib/x86_64-linux-gnu/"$so" /usr/lib/x86_64-linux-gnu/"$so" 2>/dev/null | $BB head -n 1)"
	done
	for f in "$1" $dl; do
		[ "$f" = "$1" ] || [ -e "$2$f" ] || { $BB mkdir -p "$2$($BB dirname "$f")" && $BB cp -L "$f" "$2$f"; } || return 1
		for lib in $("$interp" --list "$f" 2>/dev/null | $BB awk '/=> \//{print $3} /^\t\//{print $1}'); do
			[ -e "$2$lib" ] && continue
			$BB mkdir -p "$2$($BB dirname "$lib")" && $BB cp -L "$lib" "$2$lib" || return 1
		done
	done
}

# mx_fill_root DIR: a root to chroot into: busybox, prepare-root,
# pivot-probe, this script, an empty /proc and the probe's new root.
mx_fill_root() {
	$BB mkdir -p "$1/bin" "$1/proc" "$1/tmp" "$1/newroot" || return 1
	echo "the probe's new root" > "$1/newroot/marker"
	echo "the state's root" > "$1/root-marker"
	$BB cp "$BB" "$1/bin/busybox" &&
	mx_copy_bin "$MX_PR" "$1" /bin/prepare-root &&
	mx_copy_bin "$MX_PROBE" "$1" /bin/pivot-probe &&
	$BB cp "$MX_SELF" "$1/matrix.sh"
}

# mx_run STATE: phase A, as real root in the throwaway namespace: build
# what the state is made of, then phase B in a namespace of its own.
mx_run() {
	state=$1
	kind=${state%%.*}; prop=${state#*.}; prop=${prop%%.*}; userns=${state##*.}
	W=$MX_WORK/$state
	$BB mkdir -p "$W" || return 1
	# The caller's mount table is read through this /proc even where the
	# root has none (pivot-probe --mountinfo 9): /proc/self/mountinfo is
	# relative to the reader's root, whatever /proc it is read through.
	exec 9</proc
	case $kind in
	nsroot|stacked|seed3)
		MX_NEWROOT=$W/newroot MX_PR_IN=$MX_PR MX_PROBE_IN=$MX_PROBE
		$BB mkdir -p "$MX_NEWROOT" && echo "the probe's new root" > "$MX_NEWROOT/marker" || return 1
		rel_a=/ ;;
	normal)
		MX_NEWROOT=/newroot MX_PR_IN=/bin/prepare-root MX_PROBE_IN=/bin/pivot-probe
		$BB mkdir -p "$W/n" || return 1
		if [ -n "${MX_TEMPLATE:-}" ]; then
			$BB mount --bind "$MX_TEMPLATE/root" "$W/n" || return 1
		else
			$BB mount -t tmpfs mxn "$W/n" && mx_fill_root "$W/n" || return 1
		fi
		rel_a=$W/n ;;
	bind|dir|dirmnt|stackeddir|dircovered)
		MX_NEWROOT=/newroot MX_PR_IN=/bin/prepare-root MX_PROBE_IN=/bin/pivot-probe
		$BB mkdir -p "$W/m" || return 1
		if [ -n "${MX_TEMPLATE:-}" ]; then
			# (this namespace's copy of the template, moved here)
			$BB mount --move "$MX_TEMPLATE" "$W/m" || return 1
		else
			$BB mount -t tmpfs mxm "$W/m" && mx_fill_root "$W/m/root" || return 1
		fi
		case $kind in
		bind) $BB mount --bind "$W/m/root" "$W/m/root" || return 1 ;;
		dirmnt) $BB mount -t proc proc "$W/m/root/proc" || return 1 ;;
		dircovered)
			$BB mkdir -p "$W/m/root/x/y" && $BB mount -t tmpfs mxa "$W/m/root/x/y" &&
				$BB mount -t tmpfs mxb "$W/m/root/x" && $BB mkdir "$W/m/root/x/y" || return 1 ;;
		esac
		rel_a=$W/m ;;
	*) echo "matrix: unknown kind $kind"; return 1 ;;
	esac
	# A shared mount with a peer outside phase B's namespace; "slave"
	# becomes the slave of that peer group in phase B.
	# (seed3: not for shared, its recipe needs "/" not shared; made shared
	# after it, in phase B, "/" has no peer outside.)
	case $kind.$prop in
	seed3.shared) ;;
	*.shared|*.slave) $BB mount --make-shared "$rel_a" || return 1 ;;
	esac
	export MX_NEWROOT MX_PR_IN MX_PROBE_IN
	if [ "$kind" = normal ]; then
		# Like switch_root: move it over / and enter it.  Phase B runs
		# inside, where the root is "/".
		cd "$W/n" && $BB mount --move . / || return 1
		exec $BB chroot . /bin/busybox sh /matrix.sh phase-b "$state"
	fi
	mx_phase_b "$state" "$W"
}

# mx_phase_b STATE [W]: enter the namespace the state is measured in.
mx_phase_b() {
	userns=${1##*.}
	# (pivot-probe --unshare: busybox's unshare cannot leave propagation
	# unchanged.)  Not exec'd: this process keeps phase A's namespace, and
	# with it the peers and masters of phase B's mounts, alive.
	if [ "$userns" = userns ]; then
		"$MX_PROBE" --unshare --map-root 9 "$BB" sh "$MX_SELF_IN" phase-b2 "$@"
	else
		"$MX_PROBE" --unshare "$BB" sh "$MX_SELF_IN" phase-b2 "$@"
	fi
}

# mx_seed3 W: state (3) of seed 000, the root's recursive copy moved over it.
mx_seed3() {
	$BB mkdir -p "$1/abc" && $BB mount --rbind / "$1/abc" || return 1
	cd "$1/abc" && $BB mount --move . / && cd /
}

# mx_phase_b2 STATE [W]: in the state's namespace: set the propagation of
# the mount that matters, finish the state and measure from inside it.
mx_phase_b2() {
	state=$1 W=$2
	kind=${state%%.*}; prop=${state#*.}; prop=${prop%%.*}
	case $kind in
	nsroot|stacked|seed3|normal) rel=/ ;;
	*) rel=$W/m ;;
	esac
	# seed3: the seed's own recipe fails where "/" is shared (MS_MOVE of a
	# mount whose parent is shared: EINVAL) or unbindable (its rbind:
	# EINVAL), so those are made after it.
	if [ "$kind" = seed3 ]; then
		case $prop in
		shared|unbindable) mx_seed3 "$W" || return 1 ;;
		esac
	fi
	$BB mount --make-"$prop" "$rel" || { echo "MATRIX state=$state result=FAIL why=setup-make-$prop"; return 1; }
	# The state is what its name says: the propagation of the mount that
	# matters, from the table (for a chroot kind it lies outside the root,
	# so it is looked at now, from outside).
	relline=$("$MX_PROBE" --mountinfo 9 | $BB awk -v p="$rel" '$5 == p' | $BB head -n 1)
	echo "E2E-EVIDENCE $state: the mount that matters ($rel): $relline"
	opt=$(echo "$relline" | $BB sed 's/ - .*//' | $BB cut -d' ' -f7-)
	case $prop:$opt in
	private:) ;;
	shared:*shared:*) ;;
	slave:master:*) ;;
	unbindable:unbindable) ;;
	*) echo "MATRIX state=$state result=FAIL why=setup-not-$prop"; return 1 ;;
	esac
	case $kind in
	stacked) $BB mount -t tmpfs mxtop / || return 1 ;;
	seed3)
		case $prop in
		private|slave) mx_seed3 "$W" || return 1 ;;
		esac ;;
	bind|dir|dirmnt|stackeddir|dircovered)
		# The caller's own table may be empty (a plain directory
		# root sees no mount): the namespace's, seen from outside the
		# chroot, must not change either.
		enter="$BB chroot $W/m/root"
		if [ "$kind" = stackeddir ]; then
			# A tmpfs over "/" of the chroot: mounted on the
			# directory, which the chroot then enters from below
			# (chroot(1) would enter the tmpfs on top).
			exec 8<"$W/m/root" && $BB mount -t tmpfs mxtop "$W/m/root" || return 1
			enter="$MX_PROBE --chroot-fd 8"
		fi
		outer0=$("$MX_PROBE" --mountinfo 9)
		# shellcheck disable=SC2086 # $enter is a word list
		out=$(MX_OUTER_TABLE=yes $enter /bin/busybox sh /matrix.sh inner "$state")
		outer1=$("$MX_PROBE" --mountinfo 9)
		printf '%s\n' "$out" | $BB grep -v '^MATRIX '
		line=$(printf '%s\n' "$out" | $BB grep '^MATRIX ' | $BB tail -n 1)
		case $outer0 in *" / "*) ;; *) line="$line outer=unreadable" ;; esac
		if [ "$outer0" != "$outer1" ]; then
			echo "E2E-EVIDENCE $state: the namespace's table before:"; printf '%s\n' "$outer0"
			echo "E2E-EVIDENCE $state: after:"; printf '%s\n' "$outer1"
			line="$line outer=changed"
		fi
		case $line in
		*" outer="*) line=$(echo "$line" | $BB sed 's/ result=PASS$/ result=FAIL why=/; s/ \(outer=[a-z]*\)\(.*\)/\2,namespace-table-\1/; s/why=,/why=/; s/=outer=/-/') ;;
		esac
		echo "$line"
		return ;;
	esac
	mx_inner "$state"
}

# mx_result_of_probe OUTPUT: ok, STEP:ERRNO, or ? when the probe said
# neither (it did not run).
mx_result_of_probe() {
	case $1 in
	*"pivot-probe: ok"*) echo ok ;;
	*"pivot-probe: failed: "*)
		r=${1##*pivot-probe: failed: }; step=${r%%: *}; r=${r#*: }; echo "$step:${r%% *}" ;;
	*) echo "?" ;;
	esac
}

# mx_errno RESULT: the errno of a probe result (ok stays ok).
mx_errno() { echo "${1##*:}"; }

# mx_inner STATE: measure, as the caller in the state: the kernel's answer,
# prepare-root's, and whether a command run through prepare-root sees the
# caller's root and gets a working pivot_root.
mx_inner() {
	state=$1
	kind=${state%%.*}
	pr=$MX_PR_IN probe=$MX_PROBE_IN nr=$MX_NEWROOT
	cd / || return 1
	table0=$($probe --mountinfo 9)
	ls0=$($probe --ls)
	probe_out=$($probe "$nr" 2>&1)
	probe_r=$(mx_result_of_probe "$probe_out")
	check_out=$($pr --check 2>&1); check=$?
	explain_out=$($pr --explain 2>&1); explain_rc=$?
	verdict=$(printf '%s\n' "$explain_out" | $BB grep '^verdict:' | $BB tail -n 1)
	case $verdict in
	*"would succeed"*) explain=ok ;;
	*"would fail with "*) explain=${verdict##*would fail with }; explain=${explain%% *} ;;
	*"cannot tell"*) explain=unknown ;;
	*) explain="?" ;;
	esac
	rr_out=$($pr -- "$probe" --ls "$nr" 2>&1); rr=$?
	rr_r=$(mx_result_of_probe "$rr_out")
	rr_ls=$(printf '%s\n' "$rr_out" | $BB grep '^ls: ')
	if [ -z "$rr_ls" ]; then root=none
	elif [ "$rr_ls" = "$ls0" ]; then root=same
	else root=differs; fi
	post_out=$($pr -- "$pr" --check 2>&1); post=$?
	table1=$($probe --mountinfo 9)
	if [ "$table0" = "$table1" ]; then table=same; else table=changed; fi

	# The contract.
	why=""
	refuse=$(mx_may_refuse "$state")
	perr=$(mx_errno "$probe_r")
	[ "$probe_r" != "?" ] || why="$why probe-did-not-run"
	# A probe stopped by its own bind of the new root (an unbindable root
	# mount that MS_REC|MS_SLAVE leaves unbindable, before 6.18) never
	# reached pivot_root: the kernel said nothing about the root, so there
	# is no answer to compare --check and --explain with (docs/root-states.md).
	unreached=""
	case $probe_r in bind:*) unreached=yes ;; esac
	# --check: 0 iff the kernel said yes; 1 iff it said no (a claim that
	# the re-root fixes it); 125 only where the README says why.
	if [ -n "$unreached" ]; then
		:
	elif [ $check -eq 125 ]; then
		[ -n "$refuse" ] || why="$why check-125-not-listed"
	elif [ "$probe_r" = ok ]; then
		[ $check -eq 0 ] || why="$why check-should-be-0"
	else
		[ $check -eq 1 ] || why="$why check-should-be-1"
	fi
	# --explain: the same errno as the kernel's.
	if [ -n "$unreached" ]; then
		:
	elif [ "$explain" = unknown ]; then
		[ -n "$refuse" ] || why="$why explain-cannot-tell-not-listed"
	elif [ "$explain" != "$perr" ]; then
		why="$why explain-$explain-but-kernel-$perr"
	fi
	case $explain_rc:$explain in
	0:ok|1:E*|125:unknown) ;;
	*) why="$why explain-exit-$explain_rc" ;;
	esac
	# Through prepare-root the probe must succeed, on the caller's root;
	# only a listed state may be refused (125), and then --check must not
	# have claimed that a re-root would do (exit 1).
	if [ $rr -eq 125 ] && [ -n "$refuse" ]; then
		[ $check -ne 1 ] || why="$why check-1-but-reroot-refused"
	elif [ -n "$unreached" ] && [ $check -eq 0 ]; then
		# no re-root, as judged: the command's own bind fails as it did
		[ "$rr_r" = "$probe_r" ] || why="$why passthrough-$rr_r-but-kernel-$probe_r"
	else
		[ $rr -eq 0 ] && [ "$rr_r" = ok ] || why="$why reroot-failed"
		[ "$root" = same ] || why="$why root-$root"
		[ $post -eq 0 ] || why="$why post-check-$post"
	fi
	[ "$table" = same ] || why="$why table-changed"
	# (nothing vacuous: both views were read)
	if [ "${MX_OUTER_TABLE:-}" != yes ]; then
		case $table0 in *" / "*) ;; *) why="$why caller-table-unreadable" ;; esac
	fi
	case $ls0 in *"ls: . "*) ;; *) why="$why caller-ls-unreadable" ;; esac

	echo "E2E-EVIDENCE $state: probe: $probe_out"
	echo "E2E-EVIDENCE $state: --check ($check): $check_out"
	printf '%s\n' "$explain_out" | $BB sed "s/^/E2E-EVIDENCE $state: --explain ($explain_rc): /"
	printf '%s\n' "$rr_out" | $BB grep -v '^ls: ' | $BB sed "s/^/E2E-EVIDENCE $state: prepare-root -- probe ($rr): /"
	echo "E2E-EVIDENCE $state: prepare-root -- prepare-root --check ($post): $post_out"
	if [ "$root" = differs ]; then
		echo "E2E-EVIDENCE $state: caller's /:"; printf '%s\n' "$ls0" | $BB head -n 12
		echo "E2E-EVIDENCE $state: command's /:"; printf '%s\n' "$rr_ls" | $BB head -n 12
	fi
	if [ "$table" = changed ]; then
		echo "E2E-EVIDENCE $state: table before:"; printf '%s\n' "$table0"
		echo "E2E-EVIDENCE $state: table after:"; printf '%s\n' "$table1"
	fi
	if [ -z "$why" ]; then result=PASS; else result=FAIL; fi
	# shellcheck disable=SC2086 # split on purpose: one comma-separated word
	why=$(echo $why | $BB tr ' ' ,)
	echo "MATRIX state=$state kernel=$(uname -r) probe=$probe_r check=$check explain=$explain reroot=$rr:$rr_r root=$root table=$table post=$post result=$result${why:+ why=$why}"
}

# mx_states [KIND [USERNS]]: every state name (of one kind).
mx_states() {
	for k in ${1:-$MX_KINDS}; do
		for p in $MX_PROPS; do
			for u in ${2:-$MX_USERNS}; do echo "$k.$p.$u"; done
		done
	done
}

# mx_table [FILE...]: the Markdown table of the MATRIX lines read.
mx_table() {
	$BB cat "$@" | $BB sed -n 's/.*\(MATRIX state=\)/\1/p' | while read -r line; do
		state=$(echo "$line" | $BB sed -n 's/.*state=\([^ ]*\).*/\1/p')
		release=$(echo "$line" | $BB sed -n 's/.*kernel=\([^ ]*\).*/\1/p')
		reason=$(mx_may_refuse "$state" "$release")
		echo "$line reason=$(echo "$reason" | $BB tr ' ' '_')"
	done | $BB awk '
	function field(name,   i, kv) {
		for (i = 1; i <= NF; i++) { if (index($i, name "=") == 1) return substr($i, length(name) + 2) }
		return ""
	}
	BEGIN {
		print "| state | kernel | kernel'"'"'s answer (pivot-probe) | `--check` | `--explain` | `prepare-root -- pivot-probe` | same `/` | caller'"'"'s table | `--check` after | result |"
		print "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
	}
	{
		why = field("why"); gsub(",", ", ", why)
		reason = field("reason"); gsub("_", " ", reason)
		res = field("result")
		if (why != "") res = res ": " why
		if (reason != "") res = res " (may refuse: " reason ")"
		printf "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", field("state"), field("kernel"),
			field("probe"), field("check"), field("explain"), field("reroot"), field("root"), field("table"),
			field("post"), res
	}'
}

# --- the guest's scenarios: matrix-KIND, every state of one kind ----------
# Each state in a throwaway namespace of its own; its MATRIX line is a
# REPORT line on the console (tests/e2e/run.sh prints them all).
mx_scenario() {
	MX_PR=/bin/prepare-root MX_PROBE=/bin/pivot-probe MX_SELF=/e2e/matrix.sh MX_WORK=/tmp/mx
	MX_TEMPLATE=/tmp/mx-template
	export MX_PR MX_PROBE MX_SELF MX_WORK MX_TEMPLATE
	# The chroot's files, copied once (TCG is slow): a tmpfs that each
	# state's namespace gets a copy of; removed at the end.
	$BB mkdir -p "$MX_TEMPLATE" && $BB mount -t tmpfs mxm "$MX_TEMPLATE" &&
		mx_fill_root "$MX_TEMPLATE/root" || return 1
	bad=0 n=0
	for s in $(mx_states "$1" "$2"); do
		out=$($BB timeout 20 "$BB" unshare -m --propagation private "$BB" sh /e2e/matrix.sh run "$s" 2>&1)
		line=$(printf '%s\n' "$out" | $BB grep '^MATRIX ' | $BB tail -n 1)
		n=$((n + 1))
		if [ -z "$line" ]; then
			line="MATRIX state=$s kernel=$(uname -r) result=FAIL why=no-result"
		fi
		echo "E2E: REPORT $line"
		case $line in *result=PASS*) ;; *) bad=$((bad + 1)); printf '%s\n' "$out" ;; esac
	done
	$BB umount "$MX_TEMPLATE"
	echo "$n states of kind $1 ($2), $bad failed"
	[ $bad -eq 0 ] && [ $n -gt 0 ]
}
# One scenario per kind and user namespace (four states each: the guest's
# time limit is per scenario).  tests/e2e/run.sh reads this list.
# shellcheck disable=SC2034 # read by run.sh and scenarios.sh
MATRIX_SCENARIOS="matrix-nsroot matrix-nsroot-userns matrix-stacked matrix-stacked-userns matrix-seed3 matrix-seed3-userns matrix-normal matrix-normal-userns matrix-bind matrix-bind-userns matrix-dir matrix-dir-userns matrix-dirmnt matrix-dirmnt-userns matrix-stackeddir matrix-stackeddir-userns matrix-dircovered matrix-dircovered-userns"
for mx_k in $MX_KINDS; do
	eval "scenario_matrix_$mx_k() { mx_scenario $mx_k init; }
	scenario_matrix_${mx_k}_userns() { mx_scenario $mx_k userns; }"
done

# Run as a script (not sourced by scenarios.sh).
case ${0##*/} in
matrix.sh)
	case ${1:-} in
	run) MX_SELF_IN=$MX_SELF; export MX_SELF_IN; mx_run "$2" ;;
	phase-b) MX_SELF_IN=/matrix.sh MX_PROBE=/bin/pivot-probe; export MX_SELF_IN; mx_phase_b "$2" ;;
	phase-b2) shift; mx_phase_b2 "$@" ;;
	inner) mx_inner "$2" ;;
	table) shift; mx_table "$@" ;;
	states) mx_states "${2:-}" ;;
	*) echo "usage: matrix.sh run STATE | table [FILE...] | states [KIND]" >&2; exit 2 ;;
	esac ;;
esac
