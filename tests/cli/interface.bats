#!/usr/bin/env bats
# The command line: help, version, misuse, exit statuses.

load helpers

@test "--help prints usage on stdout and exits 0" {
	run --separate-stderr "$PREPARE_ROOT" --help
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Usage:" ]
	[[ "$output" == *" prepare-root [options] [--] <command> [<argument>...]"* ]]
	[[ "$output" == *"-c, --check"* ]]
	[[ "$output" == *"-v, --verbose"* ]]
	[ -z "$stderr" ]
}

@test "-h is --help" {
	run -0 "$PREPARE_ROOT" --help
	local long=$output
	run -0 "$PREPARE_ROOT" -h
	[ "$output" = "$long" ]
}

@test "--version names the program and the package" {
	run -0 --separate-stderr "$PREPARE_ROOT" --version
	[[ "$output" =~ ^prepare-root\ from\ pivotwrap\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	run -0 "$PREPARE_ROOT" -V
	[[ "$output" =~ ^prepare-root\ from\ pivotwrap\  ]]
}

@test "no command is misuse: one line, the hint, exit 125" {
	run -125 --separate-stderr "$PREPARE_ROOT"
	[ -z "$output" ]
	[ "$stderr" = "prepare-root: no command specified
Try 'prepare-root --help' for more information." ]
	run -125 --separate-stderr "$PREPARE_ROOT" --
	[ "${stderr_lines[0]}" = "prepare-root: no command specified" ]
}

@test "an unknown option is misuse, exit 125" {
	run -125 --separate-stderr "$PREPARE_ROOT" -x true
	[ "$stderr" = "prepare-root: invalid option -- 'x'
Try 'prepare-root --help' for more information." ]
	run -125 --separate-stderr "$PREPARE_ROOT" --bogus true
	[ "${stderr_lines[0]}" = "prepare-root: unrecognized option '--bogus'" ]
	[ "${stderr_lines[1]}" = "Try 'prepare-root --help' for more information." ]
}

@test "--check takes no command" {
	run -125 --separate-stderr "$PREPARE_ROOT" --check true
	[ "${stderr_lines[0]}" = "prepare-root: --check takes no command" ]
}

@test "options stop at the command: its own options are its own" {
	run -0 "$PREPARE_ROOT" printf '%s|' -v --check -- --help
	[ "$output" = "-v|--check|--|--help|" ]
}

@test "exit status is the command's own" {
	run -0 "$PREPARE_ROOT" -- true
	run -1 "$PREPARE_ROOT" -- false
	run -42 "$PREPARE_ROOT" -- sh -c 'exit 42'
	run -255 "$PREPARE_ROOT" -- sh -c 'exit 255'
}

@test "death by signal is the command's own too" {
	# The shell reports 128+N for a child killed by signal N: the
	# command itself must be what died, prepare-root is gone by then.
	run -137 sh -c '"$1" -- sh -c "kill -KILL \$\$"' sh "$PREPARE_ROOT"
}

@test "a command that is not found exits 127" {
	run -127 --separate-stderr "$PREPARE_ROOT" -- /nonexistent/command
	[ "$stderr" = "prepare-root: failed to execute '/nonexistent/command': No such file or directory" ]
	run -127 --separate-stderr "$PREPARE_ROOT" -- no-such-command-in-path-anywhere
}

@test "a command that cannot be executed exits 126" {
	local f="$BATS_TEST_TMPDIR/not-executable"
	echo 'echo hi' > "$f"
	chmod 0644 "$f"
	if [ "$(id -u)" -eq 0 ]; then
		# root may execute anything with an x bit; a directory it may not.
		run -126 --separate-stderr "$PREPARE_ROOT" -- "$BATS_TEST_TMPDIR"
		[ "$stderr" = "prepare-root: failed to execute '$BATS_TEST_TMPDIR': Permission denied" ]
	else
		run -126 --separate-stderr "$PREPARE_ROOT" -- "$f"
	fi
}

@test "a script with a missing interpreter exits 127, as with env" {
	local f="$BATS_TEST_TMPDIR/script"
	printf '#!/nonexistent/interpreter\n' > "$f"
	chmod 0755 "$f"
	run -127 env "$f"
	run -127 --separate-stderr "$PREPARE_ROOT" -- "$f"
	[ "$stderr" = "prepare-root: failed to execute '$f': No such file or directory" ]
}

@test "--verbose on a normal root says what it found and decided" {
	run -0 --separate-stderr "$PREPARE_ROOT" --verbose -- true
	[[ "${stderr_lines[0]}" =~ ^prepare-root:\ root:\ mount\ [0-9]+,\ root\ of\ the\ mount\;\ parent:\ .*\(via\ (statmount|mountinfo)\)$ ]]
	[ "${stderr_lines[-2]}" = "prepare-root: decision: no re-root needed: pivot_root(2) accepts the current root" ]
	[ "${stderr_lines[-1]}" = "prepare-root: exec true" ]
}

@test "a newline in a command name cannot start a line of its own" {
	run -127 --separate-stderr "$PREPARE_ROOT" -- $'/no/such\nprepare-root: forged'
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "prepare-root: failed to execute '/no/such\\012prepare-root: forged': No such file or directory" ]
}

@test "getopt names a bad option in its own words, under the program's name, then the hint" {
	run -125 --separate-stderr "$PREPARE_ROOT" --bogus=x true
	[ "${stderr_lines[0]}" = "prepare-root: unrecognized option '--bogus=x'" ]
	[ "${stderr_lines[1]}" = "Try 'prepare-root --help' for more information." ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	# run by a path, it is still named prepare-root
	cp "$PREPARE_ROOT" "$BATS_TEST_TMPDIR/prepare-root"
	run -125 --separate-stderr "$BATS_TEST_TMPDIR/prepare-root" -x
	[ "${stderr_lines[0]}" = "prepare-root: invalid option -- 'x'" ]
}

# The write(2)/writev(2) calls on fd 2 while prepare-root runs "$@".
stderr_writes() {
	strace -f -qq -e trace=write,writev -e signal=none -o "$BATS_TEST_TMPDIR/trace" "$PREPARE_ROOT" "$@" 2>/dev/null
	grep -cE '^[0-9]+ +writev?\(2,' "$BATS_TEST_TMPDIR/trace" || true
}

@test "each message line is one write(2), escapes and all" {
	command -v strace >/dev/null || { echo "strace missing" >&3; return 1; }
	local path=/no/such/dir/$'with\ttab\\and\033escape'/x
	run -0 stderr_writes -- "$path"
	[ "$output" -eq 1 ]
	run -0 stderr_writes --verbose -- true
	[ "$output" -eq 3 ]
	# misuse: the complaint and the "Try" line
	run -0 stderr_writes --bogus
	[ "$output" -eq 2 ]
}

@test "file capabilities are refused like setuid: AT_SECURE, not only the IDs" {
	require_root
	command -v setcap >/dev/null || { echo "setcap (libcap2-bin) missing" >&3; return 1; }
	local d=$BATS_TEST_TMPDIR
	# Control: this file system honours file capabilities.
	cp /bin/cat "$d/capcat"
	setcap cap_sys_admin+ep "$d/capcat"
	run -0 setpriv --reuid=65534 --regid=65534 --clear-groups "$d/capcat" /proc/self/status
	[[ "$output" == *$'CapEff:\t0000000000200000'* ]]

	cp "$PREPARE_ROOT" "$d/capped"
	setcap cap_sys_admin,cap_sys_chroot+ep "$d/capped"
	run -125 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$d/capped" -- /bin/echo ran
	[ -z "$output" ]
	[ "$stderr" = "prepare-root: refusing to run with privileges gained at exec (file capabilities?); run it as root instead" ]

	cp "$PREPARE_ROOT" "$d/suid"
	chmod 4755 "$d/suid"
	run -125 --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "$d/suid" -- /bin/echo ran
	[ -z "$output" ]
	[ "$stderr" = "prepare-root: refusing to run setuid or setgid; run it as root instead" ]
}
