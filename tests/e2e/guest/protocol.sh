# shellcheck shell=sh
# The guest's half of the console protocol that every QEMU suite's host
# side reads (pw_judge_console in tests/e2e/lib.sh), copied into each image
# as /e2e/protocol.sh and sourced by the suite's scenario file, which sets
# ALL_SCENARIOS (and KNOWN_EXTRA: names run only when asked for),
# SCENARIO_FILE (what a scenario's own shell sources), SCENARIO_TIMEOUT and
# a scenario_NAME function for each name.  Lines:
#   E2E: START name, then the scenario's output as E2E-LOG: lines (its
#   E2E: INFO and E2E: REPORT lines as they are), E2E: PASS|FAIL name;
#   E2E: DONE N after the last.

# cmdline_arg NAME: the value of NAME=... on the kernel command line.
cmdline_arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^$1=//p" | tail -n 1; }

known() {
	for k in $ALL_SCENARIOS ${KNOWN_EXTRA:-}; do [ "$k" = "$1" ] && return 0; done
	return 1
}

# run_one NAME [ARG...]: scenario NAME under SCENARIO_TIMEOUT, in a shell
# of its own, and one result line.
run_one() {
	name=$1; shift
	fn=scenario_$(echo "$name" | tr - _)
	out=${SCENARIO_OUT:-/tmp/scenario.out}
	echo "E2E: START $name"
	if ! known "$name"; then
		echo "E2E-LOG: unknown scenario"
		echo "E2E: FAIL $name"
		return
	fi
	t0=$(cut -d' ' -f1 /proc/uptime)
	( timeout "$SCENARIO_TIMEOUT" sh -c ". \"$SCENARIO_FILE\"; $fn \"\$@\"" sh "$@" ) > "$out" 2>&1
	status=$?
	took=$(awk -v t0="$t0" '{ printf "%.1fs", $1 - t0 }' /proc/uptime)
	echo "took $took" >> "$out"
	# (busybox's timeout kills with SIGTERM: 143; coreutils' says 124)
	{ [ $status -eq 143 ] || [ $status -eq 124 ]; } && echo "FAILED: timed out after ${SCENARIO_TIMEOUT}s" >> "$out"
	grep '^E2E: \(INFO\|REPORT\)' "$out"
	grep -v '^E2E: \(INFO\|REPORT\)' "$out" | sed 's/^/E2E-LOG: /'
	echo "E2E: INFO $name took $took"
	if [ $status -eq 0 ]; then echo "E2E: PASS $name"; else echo "E2E: FAIL $name"; fi
}

# run_selected "a,b,...": the scenarios named (all when empty), then
# "E2E: DONE N".
run_selected() {
	selected=$(echo "$1" | tr , ' ')
	[ -n "$selected" ] || selected=$ALL_SCENARIOS
	echo "E2E: INFO root-kind=${ROOT_KIND:-?}${DETECT:+ detect=$DETECT} kernel=$(uname -r)"
	echo "E2E: INFO root mount: $(awk '$5 == "/" { print; exit }' /proc/self/mountinfo)"
	ran=0
	for s in $selected; do run_one "$s"; ran=$((ran + 1)); done
	echo "E2E: DONE $ran"
}
