#!/usr/bin/env bats
# The bash completion: options before the command, the command's own
# completion after it.

load helpers

setup() {
	if [ ! -r /usr/share/bash-completion/bash_completion ]; then
		[ "${CI:-}" = true ] && { echo "bash-completion is not installed, and CI installs it" >&3; return 1; }
		skip "bash-completion not installed (SKIPPED)"
	fi
}

# complete WORD...: the candidates for the last WORD, one per line, sorted.
complete_words() {
	bash -c '
		source /usr/share/bash-completion/bash_completion
		source "$1"; shift
		# A command with a completion of its own, to see the hand-over.
		_fakecmd() { COMPREPLY=("fake-completion-for:${COMP_WORDS[*]}"); }
		complete -F _fakecmd fakecmd
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_prepare_root prepare-root "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' bash "$BATS_TEST_DIRNAME/../../completions/prepare-root" "$@"
}

@test "completion: options" {
	run -0 complete_words prepare-root --ve
	[ "$output" = $'--verbose\n--version' ]
	run -0 complete_words prepare-root -
	[[ "$output" == *"--check"* && "$output" == *"--explain"* && "$output" == *"--help"* ]]
}

@test "completion: after -- the command's own completion takes over" {
	run -0 complete_words prepare-root -- fakecmd --al
	[ "$output" = "fake-completion-for:fakecmd --al" ]
}

@test "completion: the first word that is not an option starts the command" {
	run -0 complete_words prepare-root -v fakecmd x
	[ "$output" = "fake-completion-for:fakecmd x" ]
	run -0 complete_words prepare-root bas
	[[ "$output" == *$'\n'bash$'\n'* || "$output" == bash$'\n'* ]]
}

@test "completion: --explain completes directories" {
	mkdir -p "$BATS_TEST_TMPDIR/newroot-dir"
	touch "$BATS_TEST_TMPDIR/newroot-file"
	run -0 complete_words prepare-root --explain "$BATS_TEST_TMPDIR/newroot"
	[ "$output" = "$BATS_TEST_TMPDIR/newroot-dir" ]
}
