#!/usr/bin/env bats
# completions/prepare-root: options before the command; from the command
# on, the command's own completion (bash-completion's _command_offset).
#
# Each case runs the completion function in a fresh bash that has sourced
# bash-completion and the file, with COMP_WORDS, COMP_CWORD, COMP_LINE and
# COMP_POINT set as readline sets them.

load helpers

COMPLETION=$TOP/completions/prepare-root

setup() {
	[ -r /usr/share/bash-completion/bash_completion ] ||
		ci_skip "bash-completion missing (apt-get install bash-completion)"
	# A command with a completion function of its own, to see the hand-over.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\n' > "$BATS_TEST_TMPDIR/bin/pwfakecmd"
	chmod +x "$BATS_TEST_TMPDIR/bin/pwfakecmd"
}

# complete WORD...: complete the last WORD (may be "") of the command line
# WORD...; prints COMPREPLY one per line, in order, and then, if the fake
# command's completion ran, "delegated: <its arguments> | <COMP_CWORD> |
# <COMP_WORDS>".
complete_line() {
	PATH=$BATS_TEST_TMPDIR/bin:$PATH bash --norc --noprofile -c '
		source /usr/share/bash-completion/bash_completion || exit 99
		source "$1" || exit 98
		shift
		# compopt works only while readline runs a completion.
		compopt() { :; }
		log=$(mktemp)
		_pwfakecmd() {
			echo "delegated: $* | $COMP_CWORD | ${COMP_WORDS[*]}" > "$log"
			COMPREPLY=(--all --almost-all)
		}
		complete -F _pwfakecmd pwfakecmd
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_prepare_root prepare-root "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"
		cat "$log"; rm -f "$log"' bash "$COMPLETION" "$@"
}

@test "completion: the file is bash, and registers _prepare_root for prepare-root" {
	run -0 bash -n "$COMPLETION"
	run -0 bash --norc --noprofile -c 'source /usr/share/bash-completion/bash_completion; source "$1"; complete -p prepare-root' bash "$COMPLETION"
	[ "$output" = "complete -F _prepare_root prepare-root" ]
}

@test "completion: prepare-root --ve<TAB> offers --verbose --version" {
	run -0 complete_line prepare-root --ve
	[ "$output" = $'--verbose\n--version' ]
}

@test "completion: prepare-root -<TAB> offers exactly the options of prepare-root --help" {
	local binary=${PREPARE_ROOT:-}
	if [ -z "$binary" ]; then
		need meson meson
		meson_install "$BATS_TEST_TMPDIR/build" "$BATS_TEST_TMPDIR/dest" --prefix=/usr
		binary=$BATS_TEST_TMPDIR/dest/usr/sbin/prepare-root
	fi
	run -0 "$binary" --help
	local from_help
	from_help=$(grep -o '^ *-[[:alnum:]], --[[:alnum:]-]*' <<<"$output" | sed 's/.*, //' | sort)
	[ -n "$from_help" ]
	run -0 complete_line prepare-root -
	echo "--help: $from_help"
	echo "completion: $output"
	[ "$(sort <<<"$output")" = "$from_help" ]
}

@test "completion: prepare-root -- pwfakecmd --al<TAB> uses pwfakecmd's own completion" {
	run -0 complete_line prepare-root -- pwfakecmd --al
	[ "$output" = $'--all\n--almost-all\ndelegated: pwfakecmd --al pwfakecmd | 1 | pwfakecmd --al' ]
}

@test "completion: the first word that is not an option starts the command" {
	run -0 complete_line prepare-root -v pwfakecmd --al
	[ "$output" = $'--all\n--almost-all\ndelegated: pwfakecmd --al pwfakecmd | 1 | pwfakecmd --al' ]
	# Options after the command are the command's, not prepare-root's.
	run -0 complete_line prepare-root pwfakecmd --ve
	[[ "$output" != *--verbose* ]]
	[[ "$output" == *"delegated: pwfakecmd --ve pwfakecmd | 1 | pwfakecmd --ve"* ]]
	run -0 complete_line prepare-root -- --ve
	[[ "$output" != *--verbose* ]]
}

@test "completion: the command's name completes from PATH, sbin included" {
	run -0 complete_line prepare-root pwfake
	[ "$output" = pwfakecmd ]
	run -0 complete_line prepare-root -v -- pwfake
	[ "$output" = pwfakecmd ]
	run -0 complete_line prepare-root -v ''
	[[ $'\n'"$output"$'\n' == *$'\npwfakecmd\n'* ]]
	# prepare-root wraps administrators' commands: chroot (coreutils, in
	# sbin) completes with sbin off PATH.  Other chroo* commands may be
	# there too (fakechroot's chroot.fakechroot).
	[ -x /usr/sbin/chroot ] || [ -x /sbin/chroot ]
	PATH=/usr/bin:/bin run -0 complete_line prepare-root chroo
	[[ $'\n'"$output"$'\n' == *$'\nchroot\n'* ]]
	run -1 grep -v '^chroo' <<<"$output"
}

@test "completion: --explain and -e complete directories, not commands" {
	mkdir -p "$BATS_TEST_TMPDIR/newroot-dir"
	touch "$BATS_TEST_TMPDIR/newroot-file"
	run -0 complete_line prepare-root --explain "$BATS_TEST_TMPDIR/newroot"
	[ "$output" = "$BATS_TEST_TMPDIR/newroot-dir" ]
	run -0 complete_line prepare-root -ve "$BATS_TEST_TMPDIR/newroot-dir" "$BATS_TEST_TMPDIR/newroot"
	[ "$output" = "$BATS_TEST_TMPDIR/newroot-dir" ]
	run -0 complete_line prepare-root --explain --ve
	[ "$output" = $'--verbose\n--version' ]
}

@test "completion: nothing after --check, --help or --version but options" {
	run -0 complete_line prepare-root --check pwfake
	[ -z "$output" ]
	run -0 complete_line prepare-root -c ''
	[ -z "$output" ]
	run -0 complete_line prepare-root --check --ve
	[ "$output" = $'--verbose\n--version' ]
}
