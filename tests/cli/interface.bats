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
	[[ "${stderr_lines[0]}" =~ ^prepare-root:\ root:\ mount\ [0-9]+,\ parent\ [0-9]+,\ root\ of\ the\ mount,.*\(via\ (statmount|libmount)\)$ ]]
	[ "${stderr_lines[1]}" = "prepare-root: decision: no re-root needed: the root is a mount with a parent that is not shared" ]
	[ "${stderr_lines[2]}" = "prepare-root: exec true" ]
	[ "${#stderr_lines[@]}" -eq 3 ]
}

@test "a newline in a command name cannot start a line of its own" {
	run -127 --separate-stderr "$PREPARE_ROOT" -- $'/no/such\nprepare-root: forged'
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ "$stderr" = "prepare-root: failed to execute '/no/such\\012prepare-root: forged': No such file or directory" ]
}
