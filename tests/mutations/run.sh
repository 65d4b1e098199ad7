#!/usr/bin/env bash
# Mutation runner: put each bug of tests/mutations/catalogue/ into a scratch
# copy of the tree, one at a time, and check that a fast suite fails.
#
#   tests/mutations/run.sh [--keep] [--no-baseline] [NAME...]
#
# For each rule: apply it (each search string must occur exactly once, or
# the run fails), rebuild incrementally (one build directory, ninja), run
# the unit suite, and only if that passes the CLI bats files one by one,
# stopping at the first failing file (the rule's "caught-by:" file and test
# first).  A rule marked "e2e:" is skipped with its reason printed: only the
# end-to-end suite can observe it.  The baseline (skipped by --no-baseline)
# first checks that the unmutated tree passes all that, every "caught-by:"
# test included.
# Exit status: 0 when every rule was caught; 1 when one survived or a rule is
# broken (missing or ambiguous search string, or the mutant does not build).
# The CLI files need root, like the CLI suite itself.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
keep=false baseline=true
names=()
while [ $# -gt 0 ]; do
	case $1 in
	--keep) keep=true ;;
	--no-baseline) baseline=false ;;
	-h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	*) names+=("$1") ;;
	esac
	shift
done

rules=()
if [ ${#names[@]} -eq 0 ]; then
	for r in "$here"/catalogue/*.mut; do rules+=("$r"); done
else
	for n in "${names[@]}"; do
		r=$here/catalogue/${n%.mut}.mut
		[ -f "$r" ] || { echo "run.sh: no rule $r" >&2; exit 2; }
		rules+=("$r")
	done
fi

# The CLI files, quickest and most likely to catch first.
cli_files=(passthrough interface reroot explain hostile)
# A mutant may loop: no single suite may take longer than this.
suite_timeout=300

scratch=$(mktemp -d "${TMPDIR:-/tmp}/pw-mutations.XXXXXX")
cleanup() {
	if $keep; then echo "run.sh: scratch tree kept in $scratch"; else rm -rf "$scratch"; fi
}
trap cleanup EXIT

log() { printf '%s\n' "$*"; }
field() { "$here/apply.py" --field "$1" "$2"; }

# The tree as it is in the work tree (tracked and new files, not ignored ones).
tree=$scratch/tree
mkdir -p "$tree"
git -C "$src" ls-files -z --cached --others --exclude-standard |
	(cd "$src" && tar --null -T - -cf - 2>/dev/null) | tar -C "$tree" -xf -
build=$scratch/build
start=$(date +%s)
log "mutations: ${#rules[@]} rules, scratch $scratch"
nice meson setup "$build" "$tree" -Dman=disabled >"$scratch/setup.log" 2>&1 ||
	{ cat "$scratch/setup.log"; echo "run.sh: meson setup failed"; exit 1; }

build_tree() { nice ninja -C "$build" >"$scratch/build.log" 2>&1; }

run_unit() {
	timeout "$suite_timeout" nice meson test -C "$build" --suite unit --no-rebuild \
		>"$scratch/unit.log" 2>&1
}

# The bats --filter that selects exactly the test named $1 (a regex, so
# its special characters are escaped).
bats_filter() {
	# shellcheck disable=SC2016 # the sed program escapes regex characters
	printf '%s' "$1" | sed 's/[][\\.*^$()+?{}|]/\\&/g'
}

run_cli() {
	local filter=()
	[ -n "${2:-}" ] && filter=(--filter "$(bats_filter "$2")")
	PREPARE_ROOT=$build/prepare-root PW_TEST_DATA=$tree/tests/data \
		timeout "$suite_timeout" nice bats "${filter[@]}" "$tree/tests/cli/$1.bats" >"$scratch/cli.log" 2>&1
}

# Prints the suite that caught the mutant, or nothing.  $1, the rule's
# "caught-by:" (cli/FILE.bats, optionally ":: TEST NAME" for bats --filter),
# is tried right after the unit suite: the rest only if it did not catch.
first_failing_suite() {
	local hint=${1:-} file filter
	if ! run_unit; then echo unit; return; fi
	if [[ $hint == cli/* ]]; then
		file=${hint#cli/}; file=${file%%.bats*}
		filter=
		[[ $hint == *" :: "* ]] && filter=${hint#* :: }
		if ! run_cli "$file" "$filter"; then echo "$hint"; return; fi
	fi
	for f in "${cli_files[@]}"; do
		if ! run_cli "$f"; then echo "cli/$f.bats"; return; fi
	done
}

if $baseline; then
	build_tree || { cat "$scratch/build.log"; echo "run.sh: the unmutated tree does not build"; exit 1; }
	failed=$(first_failing_suite)
	if [ -n "$failed" ]; then
		tail -n 40 "$scratch/unit.log" "$scratch/cli.log" 2>/dev/null
		echo "run.sh: the unmutated tree already fails $failed: fix that first"
		exit 1
	fi
	# Every "caught-by:" test must exist and pass unmutated: a missing one
	# would catch nothing, a failing one would catch every mutant.
	declare -A seen=()
	for rule in "${rules[@]}"; do
		hint=$(field caught-by "$rule")
		if [ -z "$hint" ] || [ -n "$(field e2e "$rule")" ] || [ -n "${seen[$hint]:-}" ]; then
			continue
		fi
		seen[$hint]=1
		file=${hint#cli/}; file=${file%%.bats*}
		filter='' count_args=()
		if [[ $hint == *" :: "* ]]; then
			filter=${hint#* :: }
			count_args=(--filter "$(bats_filter "$filter")")
		fi
		if [[ $hint != cli/*.bats* ]] || [ ! -f "$tree/tests/cli/$file.bats" ] ||
			[ "$(bats --count "${count_args[@]}" "$tree/tests/cli/$file.bats")" -lt 1 ]; then
			echo "run.sh: $(basename "$rule" .mut): caught-by: $hint names no test"
			exit 1
		fi
		# (the five files above have passed whole)
		[[ " ${cli_files[*]} " == *" $file "* ]] && continue
		if ! run_cli "$file" "$filter"; then
			tail -n 40 "$scratch/cli.log"
			echo "run.sh: the unmutated tree already fails $hint: fix that first"
			exit 1
		fi
	done
	log "baseline: unit and CLI suites and every caught-by test pass ($(($(date +%s) - start)) s)"
fi

caught=0 survived=0 broken=0 skipped=0
survivors=()
for rule in "${rules[@]}"; do
	name=$(basename "$rule" .mut)
	bug=$(field bug "$rule") || { log "BROKEN    $name: malformed rule"; broken=$((broken + 1)); continue; }
	file=$(field file "$rule")
	e2e=$(field e2e "$rule")
	hint=$(field caught-by "$rule")
	if [ -n "$e2e" ]; then
		# Not run here, but its search string must still fit the code.
		cp -p "$tree/$file" "$scratch/original"
		if ! "$here/apply.py" "$rule" "$tree" 2>"$scratch/apply.log"; then
			log "BROKEN    $name: $(cat "$scratch/apply.log")"
			broken=$((broken + 1))
			continue
		fi
		cp -p "$scratch/original" "$tree/$file"
		log "SKIPPED   $name: only the end-to-end suite can observe it: $e2e"
		skipped=$((skipped + 1))
		continue
	fi
	t0=$(date +%s)
	cp -p "$tree/$file" "$scratch/original"
	if ! "$here/apply.py" "$rule" "$tree" 2>"$scratch/apply.log"; then
		log "BROKEN    $name: $(cat "$scratch/apply.log")"
		broken=$((broken + 1))
		continue
	fi
	if ! build_tree; then
		log "BROKEN    $name: the mutant does not build"
		grep -m5 'error' "$scratch/build.log" | sed 's/^/          /'
		broken=$((broken + 1))
		by=
	else
		by=$(first_failing_suite "$hint")
		if [ -n "$by" ]; then
			note=
			[ -n "$hint" ] && [ "$by" != unit ] && [ "$by" != "$hint" ] &&
				note=" (the rule's caught-by: $hint did not catch it: update the rule)"
			log "caught    $name by $by ($(($(date +%s) - t0)) s)$note"
			caught=$((caught + 1))
		else
			log "SURVIVED  $name: $bug ($(($(date +%s) - t0)) s)"
			survived=$((survived + 1))
			survivors+=("$name")
		fi
	fi
	# Restore, newer than the mutant so that ninja rebuilds it.
	cp "$scratch/original" "$tree/$file"
	touch "$tree/$file"
done
# Leave the build matching the tree (and prove the restore worked).
build_tree || { echo "run.sh: the restored tree does not build"; exit 1; }

log "mutations: $caught caught, $survived survived, $broken broken, $skipped end-to-end only (skipped); $(($(date +%s) - start)) s"
[ "$survived" -eq 0 ] || log "survivors: ${survivors[*]}"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
