#!/usr/bin/env bats
# Masquerade: prepare-root run through a link named runc, crun, ... acts as
# that program.  It re-roots when needed and executes the next program of
# the name in PATH that is not itself (same device and inode: symlinks and
# hard links alike), with argv and the environment untouched.
#
# "show" is a small C program standing in for the real runtime: a script
# cannot see its own argv[0].  It prints its argv and environment, NUL
# separated, a line on stderr, and exits with $SHOW_EXIT.

load helpers

setup_file() {
	T=$BATS_FILE_TMPDIR
	export T
	# prepare-root and a hard link to it on one file system, with symlinks.
	mkdir -p "$T/pr" "$T/links1" "$T/links2" "$T/hard" "$T/real" "$T/noexec" "$T/dir/runc"
	cp "$PREPARE_ROOT" "$T/pr/prepare-root"
	ln -s "$T/pr/prepare-root" "$T/links1/runc"
	ln -s "$T/links1/runc" "$T/links2/runc"	# a link to the link
	ln "$T/pr/prepare-root" "$T/hard/runc"
	cat > "$T/show.c" <<-'EOF'
	#include <stdio.h>
	#include <stdlib.h>
	#include <string.h>
	#include <unistd.h>
	extern char **environ;
	int main(int argc, char **argv)
	{
		const char *status = getenv("SHOW_EXIT");
		if (argc == 2 && strcmp(argv[1], "pid") == 0) {
			printf("%d\n", (int) getpid());
			return 0;
		}
		for (int i = 0; i < argc; i++)
			fwrite(argv[i], 1, strlen(argv[i]) + 1, stdout);
		putchar('\n');
		for (char **e = environ; *e; e++)
			fwrite(*e, 1, strlen(*e) + 1, stdout);
		fputs("show: on stderr\n", stderr);
		return status ? atoi(status) : 0;
	}
	EOF
	# execas ZERO PROGRAM ARG...: execute PROGRAM with argv[0] = ZERO.
	cat > "$T/execas.c" <<-'EOF'
	#include <stdio.h>
	#include <unistd.h>
	int main(int argc, char **argv)
	{
		const char *program = argv[2];
		if (argc < 3)
			return 2;
		argv[2] = argv[1];
		execv(program, argv + 2);
		perror("execas");
		return 127;
	}
	EOF
	"${CC:-cc}" -o "$T/real/runc" "$T/show.c"
	"${CC:-cc}" -o "$T/execas" "$T/execas.c"
	cp "$T/real/runc" "$T/noexec/runc"
	chmod 0644 "$T/noexec/runc"
}

# compare_runs "$@": run "$@" twice, each with $T/real/runc in it replaced:
# first by itself (expected), then by the link $T/links1/runc (actual); the
# two stdouts, stderrs and exit statuses must be the same.  (The second
# has a time limit: a masquerade that ran itself would loop for ever.)
compare_runs() {
	local -a expected=() actual=()
	local word
	for word in "$@"; do
		expected+=("$word")
		[ "$word" = "$T/real/runc" ] && word=$T/links1/runc
		actual+=("$word")
	done
	set +e
	"${expected[@]}" > "$BATS_TEST_TMPDIR/expected.out" 2> "$BATS_TEST_TMPDIR/expected.err"
	expected_status=$?
	timeout 20 "${actual[@]}" > "$BATS_TEST_TMPDIR/actual.out" 2> "$BATS_TEST_TMPDIR/actual.err"
	actual_status=$?
	set -e
	assert_same_bytes "$BATS_TEST_TMPDIR/expected.out" "$BATS_TEST_TMPDIR/actual.out"
	assert_same_bytes "$BATS_TEST_TMPDIR/expected.err" "$BATS_TEST_TMPDIR/actual.err"
	[ "$expected_status" -eq "$actual_status" ]
}

# run_show STATUS COMMAND...: like bats' `run -STATUS --separate-stderr`
# (with a time limit: a masquerade that ran itself would loop for ever),
# but $output shows each NUL of the program's output as '|' (bats' own run
# drops NULs), so that "runc|x|" is argv[0] "runc" and argv[1] "x".
run_show() {
	local want=$1
	shift
	set +e
	timeout 20 "$@" > "$BATS_TEST_TMPDIR/show.out" 2> "$BATS_TEST_TMPDIR/show.err"
	status=$?
	set -e
	output=$(tr '\0' '|' < "$BATS_TEST_TMPDIR/show.out")
	stderr=$(cat "$BATS_TEST_TMPDIR/show.err")
	mapfile -t stderr_lines < "$BATS_TEST_TMPDIR/show.err"
	if [ "$status" -ne "$want" ]; then
		echo "exit status $status, expected $want; stdout: $output; stderr: $stderr"
		return 1
	fi
}

ARGS=("" " " $'new\nline' $'\x01\x7f\xff' -v --verbose --check --help -- -V "*")
ENVS=(EMPTY= $'ODD=\x01\xff\n' 'SP=a b' "PATH=/nowhere:$BATS_FILE_TMPDIR/real" SHOW_EXIT=42)

@test "argv (argv[0] too), environment, stdout, stderr and exit status are the real program's, byte for byte" {
	local zero
	for zero in runc "$T/links1/runc" /somewhere/else/runc ../runc; do
		compare_runs env -i "${ENVS[@]}" "$T/execas" "$zero" "$T/real/runc" "${ARGS[@]}"
		[ "$actual_status" -eq 42 ]
		# what the program saw: argv[0] as given, then every argument
		printf '%s\0' "$zero" "${ARGS[@]}" > "$BATS_TEST_TMPDIR/argv"
		head -c "$(stat -c %s "$BATS_TEST_TMPDIR/argv")" "$BATS_TEST_TMPDIR/actual.out" > "$BATS_TEST_TMPDIR/argv.seen"
		assert_same_bytes "$BATS_TEST_TMPDIR/argv" "$BATS_TEST_TMPDIR/argv.seen"
		[ "$(cat "$BATS_TEST_TMPDIR/actual.err")" = "show: on stderr" ]
	done
}

@test "found by name in PATH, as an engine runs it: the same bytes as the real runc" {
	local path=$T/links1:$T/real
	# env(1) finds runc in PATH: the link, with argv[0] "runc"
	compare_runs env -i "PATH=$path" SHOW_EXIT=7 "$T/execas" runc "$T/real/runc" "${ARGS[@]}"
	[ "$actual_status" -eq 7 ]
	set +e
	env -i "PATH=$path" SHOW_EXIT=7 runc "${ARGS[@]}" > "$BATS_TEST_TMPDIR/by-name.out" 2> "$BATS_TEST_TMPDIR/by-name.err"
	[ $? -eq 7 ] || return 1
	set -e
	assert_same_bytes "$BATS_TEST_TMPDIR/expected.out" "$BATS_TEST_TMPDIR/by-name.out"
	assert_same_bytes "$BATS_TEST_TMPDIR/expected.err" "$BATS_TEST_TMPDIR/by-name.err"
}

@test "options are not parsed: --version, --help, -v and -- all reach the real program" {
	local opt
	for opt in --version --help -h -V -v --verbose --check --explain -- --no-such-option; do
		run_show 0 env "PATH=$T/links1:$T/real" runc "$opt"
		[[ "$output" == "runc|$opt|"* ]]
		[ "$stderr" = "show: on stderr" ]
	done
}

@test "same process: the PID is kept, no fork" {
	run -0 timeout 20 env "PATH=$T/links1:$T/real" /bin/sh -c 'echo $$; exec runc pid'
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "${lines[1]}" ]
}

@test "a link to the link and a hard link, anywhere in PATH, are prepare-root too: skipped" {
	local p
	for p in "$T/links1:$T/links2:$T/hard:$T/real" "$T/hard:$T/links2:$T/links1:$T/real" "$T/links2:$T/real"; do
		run_show 0 timeout 20 env "PATH=$p" PREPARE_ROOT_VERBOSE=1 runc x
		[[ "$output" == "runc|x|"* ]]
	done
	# the last run started at links2/runc: both of its names were passed over
	[[ "$stderr" == *"prepare-root: masquerade: skipping $T/links2/runc: it is a prepare-root"* ]]
	[[ "$stderr" == *"prepare-root: masquerade: runc is $T/real/runc"* ]]
	run_show 0 timeout 20 env "PATH=$T/links1:$T/links2:$T/hard:$T/real" PREPARE_ROOT_VERBOSE=1 runc x
	[ "$(grep -c 'it is a prepare-root' <<<"$stderr")" -eq 3 ]
	[[ "$stderr" == *"skipping $T/hard/runc: it is a prepare-root"* ]]
}

@test "no other one in PATH: exit 127 with one line, no loop, nothing run" {
	run -127 --separate-stderr timeout 20 env "PATH=$T/links1:$T/links2:$T/hard:$T/noexec:$T/dir" runc --version
	[ -z "$output" ]
	[ "$stderr" = "prepare-root: runc: not found in PATH=$T/links1:$T/links2:$T/hard:$T/noexec:$T/dir, other than prepare-root (install it, or add its directory to PATH)" ]
	# invoked by its path, with PATH empty of runtimes
	run -127 --separate-stderr timeout 20 env PATH=/nonexistent "$T/hard/runc"
	[ "$stderr" = "prepare-root: runc: not found in PATH=/nonexistent, other than prepare-root (install it, or add its directory to PATH)" ]
}

@test "a copy of prepare-root under the name, anywhere in PATH, is passed over too: no loop" {
	mkdir -p "$T/copies"
	cp "$T/pr/prepare-root" "$T/copies/runc"
	# a link first, a copy next, the real one last; and the copy first
	run_show 0 timeout 20 env "PATH=$T/links1:$T/copies:$T/real" PREPARE_ROOT_VERBOSE=1 runc --version
	[[ "$output" == "runc|--version|"* ]]
	[[ "$stderr" == *"prepare-root: masquerade: skipping $T/copies/runc: it is a prepare-root"* ]]
	run_show 0 timeout 20 env "PATH=$T/copies:$T/links1:$T/real" runc x
	[[ "$output" == "runc|x|"* ]]
	# no real one: 127 at once, no prepare-root executed again (the
	# executions: timeout, env, the link)
	run -127 --separate-stderr strace -f -qq -e trace=execve -o "$BATS_TEST_TMPDIR/execs" \
		timeout 20 env "PATH=$T/links1:$T/copies" runc --version
	[ "$(grep -c ' execve(.*) = 0$' "$BATS_TEST_TMPDIR/execs")" -eq 3 ]
}

@test "a renamed prepare-root is prepare-root" {
	cp "$T/pr/prepare-root" "$BATS_TEST_TMPDIR/pivotwrap"
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/pivotwrap" --version
	[[ "$output" == "prepare-root from pivotwrap "* ]]
	run -0 --separate-stderr "$BATS_TEST_TMPDIR/pivotwrap" --check
	[ "$output" = "no re-root needed: pivot_root(2) accepts the current root" ]
	run -0 "$BATS_TEST_TMPDIR/pivotwrap" -- printf '%s|' -v x
	[ "$output" = "-v|x|" ]
}

@test "a relative PATH entry is searched from the working directory" {
	cd "$T"
	run_show 0 env PATH=links1:real PREPARE_ROOT_VERBOSE=1 runc rel
	[[ "$output" == "runc|rel|"* ]]
	[[ "$stderr" == *"prepare-root: masquerade: runc is real/runc"* ]]
	cd "$T/pr"
	run_show 0 env PATH=../links2:../real PREPARE_ROOT_VERBOSE=1 runc rel
	[[ "$stderr" == *"prepare-root: masquerade: skipping ../links2/runc: it is a prepare-root"* ]]
	[[ "$stderr" == *"prepare-root: masquerade: runc is ../real/runc"* ]]
}

@test "an empty PATH entry is the working directory" {
	local p
	cd "$T/real"
	for p in "$T/links1:" ":$T/links1" "$T/links1::/nowhere" ""; do
		run_show 0 env "PATH=$p" PREPARE_ROOT_VERBOSE=1 "$T/links1/runc" empty
		[[ "$output" == "$T/links1/runc|empty|"* ]]
		[[ "$stderr" == *"prepare-root: masquerade: runc is ./runc"* ]]
	done
	# and only an empty entry is: the same PATH without one finds nothing
	run -127 timeout 20 env "PATH=$T/links1" runc
}

@test "a file that is not executable, and a directory, are passed over" {
	run_show 0 env "PATH=$T/links1:$T/noexec:$T/dir:$T/real" PREPARE_ROOT_VERBOSE=1 runc x
	[[ "$output" == "runc|x|"* ]]
	[[ "$stderr" == *"prepare-root: masquerade: skipping $T/noexec/runc: not executable: Permission denied"* ]]
	[[ "$stderr" == *"prepare-root: masquerade: skipping $T/dir/runc: not a regular file"* ]]
	[[ "$stderr" == *"prepare-root: masquerade: runc is $T/real/runc"* ]]
}

@test "PREPARE_ROOT_VERBOSE=1 is --verbose, and reaches the program; without it prepare-root is silent" {
	run_show 0 env "PATH=$T/links1:$T/real" PREPARE_ROOT_VERBOSE=1 runc v
	[[ "${stderr_lines[0]}" == "prepare-root: masquerade: "* ]]
	[[ "$stderr" == *$'\nprepare-root: decision: no re-root needed: pivot_root(2) accepts the current root\n'* ]]
	[[ "$stderr" == *$'\nprepare-root: exec '"$T/real/runc"$'\nshow: on stderr' ]]
	grep -zqx PREPARE_ROOT_VERBOSE=1 "$BATS_TEST_TMPDIR/show.out"
	for v in 0 yes ""; do
		run_show 0 env "PATH=$T/links1:$T/real" PREPARE_ROOT_VERBOSE=$v runc v
		[ "$stderr" = "show: on stderr" ]
	done
}

@test "a name that begins with prepare-root is prepare-root itself" {
	ln -s "$T/pr/prepare-root" "$BATS_TEST_TMPDIR/prepare-root-static"
	run -0 "$BATS_TEST_TMPDIR/prepare-root-static" --version
	[[ "$output" == "prepare-root from pivotwrap "* ]]
	run_show 0 env "PATH=$BATS_TEST_TMPDIR:$T/real" prepare-root-static -- runc x
	[[ "$output" == "runc|x|"* ]]
}

# --- the real re-root: a chroot into a plain directory (see reroot.bats) ---

# Set up $CHROOT once: the busybox chroot of helpers.bash, with a link
# /usr/libexec/pivotwrap/bin/runc to /bin/prepare-root and, as the real
# runc, a script that does what a runtime does: pivot_root into a bundle.
make_masq_chroot() {
	CHROOT=$T/chroot
	[ -d "$CHROOT" ] && return 0
	make_chroot_dir "$CHROOT"
	mkdir -p "$CHROOT/usr/libexec/pivotwrap/bin" "$CHROOT/usr/sbin"
	ln -s /bin/prepare-root "$CHROOT/usr/libexec/pivotwrap/bin/runc"
	cat > "$CHROOT/usr/sbin/runc" <<-'EOF'
	#!/bin/sh
	echo "args: $*"
	mount --bind /newroot /newroot && cd /newroot && pivot_root . oldroot && echo pivoted
	EOF
	chmod 0755 "$CHROOT/usr/sbin/runc"
}

# in_masq_chroot PROC COMMAND...: COMMAND chrooted into $CHROOT, in a private
# mount namespace of its own, with /proc mounted inside when PROC is "proc".
# Every run through a link has a time limit: a masquerade that ran itself
# would loop for ever.
in_masq_chroot() {
	local proc=$1
	shift
	# shellcheck disable=SC2016 # expanded by that sh
	timeout 60 unshare --mount --propagation private -- \
		sh -c 'd=$1; p=$2; shift 2; if [ "$p" = proc ]; then mount -t proc proc "$d/proc" || exit 1; fi; exec chroot "$d" "$@"' \
		sh "$CHROOT" "$proc" "$@"
}

MASQ_PATH=PATH=/usr/libexec/pivotwrap/bin:/usr/sbin:/bin

@test "through the link, a runtime's pivot_root works in a chroot directory (re-root)" {
	require_root
	make_masq_chroot
	# baseline: the real one alone fails
	run in_masq_chroot proc /bin/env PATH=/usr/sbin:/bin runc a
	[ "${lines[0]}" = "args: a" ]
	[[ "$output" == *"Invalid argument"* ]]
	[[ "$output" != *pivoted* ]]

	run -0 --separate-stderr in_masq_chroot proc /bin/env "$MASQ_PATH" PREPARE_ROOT_VERBOSE=1 runc a "b c"
	[ "${lines[0]}" = "args: a b c" ]
	[ "${lines[1]}" = pivoted ]
	[ "${stderr_lines[0]}" = "prepare-root: masquerade: skipping /usr/libexec/pivotwrap/bin/runc: it is a prepare-root" ]
	[ "${stderr_lines[1]}" = "prepare-root: masquerade: runc is /usr/sbin/runc" ]
	[[ "$stderr" == *$'\nprepare-root: decision: re-root needed: FAIL  the current root is the root of a mount {path_mounted(&root)} '* ]]
	[[ "$stderr" == *$'\nprepare-root: unshare(CLONE_NEWNS)\n'* ]]
	[ "${stderr_lines[-1]}" = "prepare-root: exec /usr/sbin/runc" ]

	# the same as prepare-root -- runc
	run -0 --separate-stderr in_masq_chroot proc /bin/env PATH=/usr/sbin:/bin /bin/prepare-root -- runc a "b c"
	[ "${lines[1]}" = pivoted ]
}

@test "without /proc: a prepare-root is known by what it is, its ELF note" {
	require_root
	if [ -n "${PW_SANITIZED:-}" ]; then
		skip "SKIPPED in the sanitizer run: ASan itself cannot start without /proc (the plain run covers this)"
	fi
	make_masq_chroot
	run --separate-stderr in_masq_chroot noproc /bin/env "$MASQ_PATH" PREPARE_ROOT_VERBOSE=1 runc a
	[ "${stderr_lines[0]}" = "prepare-root: masquerade: skipping /usr/libexec/pivotwrap/bin/runc: it is a prepare-root" ]
	[ "${stderr_lines[1]}" = "prepare-root: masquerade: runc is /usr/sbin/runc" ]
	# The re-root itself needs statmount(2) without /proc (Linux 6.8).
	if [[ "$stderr" == *"(via statmount)"* ]]; then
		[ "$status" -eq 0 ]
		[ "${lines[1]}" = pivoted ]
	else
		[ "$status" -eq 125 ]
		[[ "${stderr_lines[-1]}" == *mountinfo* ]]
	fi
}

# --- the real runtimes: Debian's runc and crun, through links ---

require_runtime() {
	command -v "$1" >/dev/null && return 0
	if [ "${CI:-}" = true ]; then
		echo "$1 is missing, and CI installs it: failing" >&3
		return 1
	fi
	skip "$1 missing (SKIPPED: apt-get install $1)"
}

# rt_links: $T/rt holds links runc and crun to prepare-root.
rt_links() {
	mkdir -p "$T/rt"
	ln -sf "$T/pr/prepare-root" "$T/rt/runc"
	ln -sf "$T/pr/prepare-root" "$T/rt/crun"
	RT_PATH=$T/rt:$PATH
}

# same_as_real COMMAND...: COMMAND's stdout, stderr and exit status, run
# with the real runtime first in PATH and then with the links.
same_as_real() {
	local e=$BATS_TEST_TMPDIR/e a=$BATS_TEST_TMPDIR/a es as
	set +e
	"$@" > "$e.out" 2> "$e.err"
	es=$?
	PATH=$RT_PATH timeout 60 "$@" > "$a.out" 2> "$a.err"
	as=$?
	set -e
	assert_same_bytes "$e.out" "$a.out"
	assert_same_bytes "$e.err" "$a.err"
	[ "$es" -eq "$as" ] || { echo "exit status $as, the real one's $es"; return 1; }
	[ -s "$e.out" ] || [ -s "$e.err" ]
}

@test "runc --version, runc features: byte for byte the real runc's" {
	require_runtime runc
	rt_links
	same_as_real runc --version
	same_as_real runc features
	same_as_real runc --help
	same_as_real runc --root "$BATS_TEST_TMPDIR/runc" list
	# it went through the link: verbose shows it
	run -0 --separate-stderr timeout 20 env PATH="$RT_PATH" PREPARE_ROOT_VERBOSE=1 runc --version
	[[ "$stderr" == *"prepare-root: masquerade: skipping $T/rt/runc: it is a prepare-root"* ]]
}

@test "crun --version, crun features, a crun error: byte for byte the real crun's" {
	require_runtime crun
	rt_links
	same_as_real crun --version
	same_as_real crun features
	same_as_real crun --root "$BATS_TEST_TMPDIR/crun" state no-such-container
	[ "$(cat "$BATS_TEST_TMPDIR/a.err")" != "" ]
	run -0 --separate-stderr timeout 20 env PATH="$RT_PATH" PREPARE_ROOT_VERBOSE=1 crun --version
	[[ "$stderr" == *"prepare-root: masquerade: skipping $T/rt/crun: it is a prepare-root"* ]]
}

# A busybox bundle in $BATS_TEST_TMPDIR/bundle running `sleep 1000`.
make_bundle() {
	local b=$BATS_TEST_TMPDIR/bundle
	mkdir -p "$b/rootfs/bin"
	cp /bin/busybox "$b/rootfs/bin/busybox"
	ln -s busybox "$b/rootfs/bin/sleep"
	(cd "$b" && runc spec)
	sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sleep", "1000"/' "$b/config.json"
	grep -q '"sleep", "1000"' "$b/config.json"
}

# lifecycle RUNTIME [GLOBAL-OPTION...]: create, state, start, kill, delete, each through the
# link, as an engine calls them; `state` byte for byte the real one's.
lifecycle() {
	local rt=$1 id=pw-masq-$1-$$ b=$BATS_TEST_TMPDIR/bundle
	local opts=("--root" "$BATS_TEST_TMPDIR/$1-state" "${@:2}")
	PATH=$RT_PATH timeout 60 "$rt" "${opts[@]}" create --bundle "$b" "$id" </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/create.err" ||
		{ cat "$BATS_TEST_TMPDIR/create.err"; return 1; }
	same_as_real "$rt" "${opts[@]}" state "$id"
	grep -q '"status": "created"' "$BATS_TEST_TMPDIR/a.out"
	PATH=$RT_PATH timeout 60 "$rt" "${opts[@]}" start "$id"
	same_as_real "$rt" "${opts[@]}" state "$id"
	grep -q '"status": "running"' "$BATS_TEST_TMPDIR/a.out"
	PATH=$RT_PATH timeout 60 "$rt" "${opts[@]}" kill "$id" KILL
	for _ in $(seq 50); do
		PATH=$RT_PATH timeout 60 "$rt" "${opts[@]}" state "$id" | grep -q '"status": "stopped"' && break
		sleep 0.1
	done
	PATH=$RT_PATH timeout 60 "$rt" "${opts[@]}" delete "$id"
	run ! "$rt" "${opts[@]}" state "$id"
}

@test "a runc container's whole life through the link: create, state, start, kill, delete" {
	require_runtime runc
	require_root
	rt_links
	make_bundle
	lifecycle runc
}

@test "a crun container's whole life through the link: create, state, start, kill, delete" {
	require_runtime crun
	require_runtime runc	# for `runc spec`
	require_root
	rt_links
	make_bundle
	local root=$BATS_TEST_TMPDIR/crun-probe
	# crun 1.8 refuses a host whose cgroups are mixed v1 and v2 ("hybrid"),
	# as some CI containers have them.  There, its refusal through the
	# link is compared with the real one's instead.
	if ! crun --root "$root" create --bundle "$BATS_TEST_TMPDIR/bundle" probe </dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/probe.err"; then
		echo "# crun cannot create a container on this host ($(head -n 1 "$BATS_TEST_TMPDIR/probe.err")): comparing its failure through the link" >&3
		same_as_real crun --root "$root" create --bundle "$BATS_TEST_TMPDIR/bundle" "pw-masq-crun-$$"
		[ -s "$BATS_TEST_TMPDIR/a.err" ]
		return 0
	fi
	crun --root "$root" delete -f probe
	lifecycle crun
}
