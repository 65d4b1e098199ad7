# shellcheck shell=sh
# shellcheck disable=SC2016 # scripts for inner shells are single-quoted on purpose
# The engines' scenarios, run inside the guest from the root the kernel
# gave.  Each prints its evidence; run_one runs it under a time limit and
# turns its status into one "E2E: PASS name" or "E2E: FAIL name" line, the
# evidence going to the console as "E2E-LOG: " lines.

# shellcheck source=tests/e2e/guest/protocol.sh
. /e2e/protocol.sh
# (the Debian suite's scenario file sources this one, and is /e2e/scenarios.sh there)
SCENARIO_FILE=/e2e/scenarios.sh
SCENARIO_TIMEOUT=${E2E_TIMEOUT:-180}
ALL_SCENARIOS="probe-control
podman-baseline podman-wrapped podman-masquerade
containerd-baseline containerd-wrapped containerd-masquerade containerd-binaryname
docker-baseline docker-wrapped docker-masquerade
docker-managed-wrapped docker-managed-masquerade"

# A root whose mount ID equals its parent ID is the rootfs pivot_root
# refuses; from Linux 7.0 a nullfs lies underneath and / has a parent.
# Decided from the mount table, once, by /init.
root_line() { awk '$5 == "/" { print; exit }' /proc/self/mountinfo; }
root_kind() { root_line | awk '{ print ($1 == $2 ? "no-parent" : "has-parent") }'; }
ROOT_KIND=${E2E_ROOT_KIND:-$(root_kind)}

# The masquerade: prepare-root's symlinks named runc and crun.
MASQ_DIR=/usr/libexec/pivotwrap/bin
# What every container runs: what only a container in its own PID (and,
# where the engine sets one, UTS) namespace prints, then the escape probe
# (tests/e2e/probe.c), which needs CAP_SYS_CHROOT: each engine grants it
# by default.
CMD='echo CONTAINER pid=$$ host=$(hostname); /bin/probe'
IMAGE=localhost/bb:latest

contains() { case $1 in *"$2"*) return 0 ;; esac; return 1; }
# pivot_root(2) refused with EINVAL: crun says "pivot_root: Invalid
# argument", runc "pivot_root .: invalid argument".
is_pivot_einval() { contains "$1" "pivot_root" && contains "$1" "nvalid argument"; }
fail() { echo "FAILED: $*"; return 1; }

# contained OUT [HOST]: the container printed PID 1 (and hostname HOST),
# and the probe found itself inside the image, not in the initramfs.
contained() {
	contains "$1" "CONTAINER pid=1 " || fail "no 'CONTAINER pid=1': not in its own PID namespace" || return 1
	[ -z "$2" ] || contains "$1" "host=$2" || fail "hostname is not $2" || return 1
	contains "$1" "PROBE: ESCAPED" && { fail "the probe escaped to the initramfs root"; return 1; }
	contains "$1" "PROBE: CONTAINED" || fail "no 'PROBE: CONTAINED'"
}

# judge MODE HOST STATUS OUT: baseline from the rootfs must fail with
# pivot_root EINVAL (the bug reproduced; where / has a parent, 7.x, it must
# work unaided instead); wrapped and masquerade must work everywhere.
judge() {
	if [ "$1" = baseline ] && [ "$ROOT_KIND" = no-parent ]; then
		[ "$3" -ne 0 ] || fail "succeeded unaided from the rootfs" || return 1
		is_pivot_einval "$4" || fail "did not fail with pivot_root EINVAL"
		return
	fi
	[ "$3" -eq 0 ] || fail "exit status $3" || return 1
	contained "$4" "$2"
}

# run_cmd CMD...: run, show the command and its output in the log; the
# output in $out, the status in $status.
run_cmd() {
	echo "[$(cut -d' ' -f1 /proc/uptime)] \$ $*"
	out=$("$@" 2>&1); status=$?
	echo "$out"
	echo "[$(cut -d' ' -f1 /proc/uptime)] status $status"
}

# ns_check MODE PID: a wrapped daemon runs in a mount namespace of its own
# where / has no parent (prepare-root re-rooted it, same PID), in ours where
# it has one (pass-through); a masquerade or baseline daemon always in ours.
ns_check() {
	mine=$(readlink /proc/self/ns/mnt); theirs=$(readlink "/proc/$2/ns/mnt")
	echo "mount namespace: ours $mine, $(cat "/proc/$2/comm") (pid $2) $theirs"
	if [ "$1" = wrapped ] && [ "$ROOT_KIND" = no-parent ]; then
		[ "$theirs" != "$mine" ] || fail "wrapped daemon in our mount namespace: no re-root"
	else
		[ "$theirs" = "$mine" ] || fail "daemon in another mount namespace"
	fi
}

# start_daemon MODE LOG CMD...: start the daemon CMD in the background the
# MODE's way: unaided, wrapped in prepare-root, or with the masquerade
# directory first in its PATH; its PID in $daemon.
start_daemon() {
	how=$1 log=$2
	shift 2
	case $how in
	baseline) "$@" > "$log" 2>&1 & ;;
	wrapped) prepare-root -- "$@" > "$log" 2>&1 & ;;
	masquerade) PATH=$MASQ_DIR:$PATH "$@" > "$log" 2>&1 & ;;
	esac
	daemon=$!
	echo "[$(cut -d' ' -f1 /proc/uptime)] started $1 ($how) as pid $daemon"
}

# wait_for SECONDS CMD...: retry CMD until it succeeds, for SECONDS of
# uptime (under TCG one try of a Go client can take seconds).
wait_for() {
	end=$(awk -v s="$1" '{ printf "%d", $1 + s }' /proc/uptime); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$end" ] || return 1
		sleep 0.5
	done
}

# stop PID: TERM, then KILL after 20 s.
stop() {
	kill "$1" 2>/dev/null || return 0
	n=40
	while [ $n -gt 0 ] && kill -0 "$1" 2>/dev/null; do sleep 0.5; n=$((n - 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# --- the probe can tell --------------------------------------------------
# Under a plain chroot(1) the probe must escape: "PROBE: CONTAINED" from a
# container then means something.
scenario_probe_control() {
	run_cmd chroot /images/rootfs /bin/probe
	contains "$out" "PROBE: ESCAPED" || fail "the probe did not escape a plain chroot: it cannot tell"
}

# --- podman (+ conmon, crun), vfs, cgroupfs, no network -------------------
podman_run() {	# podman_run MODE: run the container the MODE's way
	mode=$1
	podman image exists "$IMAGE" || run_cmd podman load -q -i /images/bb.tar || return 1
	set -- podman run --rm --network none --hostname inside "$IMAGE" sh -c "$CMD"
	case $mode in
	baseline) run_cmd "$@" ;;
	wrapped) run_cmd prepare-root -- "$@" ;;
	masquerade) CONTAINERS_CONF=/etc/containers/masquerade.conf run_cmd "$@" ;;
	esac
	judge "$mode" inside "$status" "$out"
}
scenario_podman_baseline() { podman_run baseline; }
scenario_podman_wrapped() { podman_run wrapped; }
scenario_podman_masquerade() {
	# podman runs unwrapped: its crun is prepare-root's symlink
	rt=$(CONTAINERS_CONF=/etc/containers/masquerade.conf podman info --format '{{.Host.OCIRuntime.Path}}')
	echo "podman's runtime: $rt"
	[ "$rt" = "$MASQ_DIR/crun" ] || fail "podman does not use $MASQ_DIR/crun" || return 1
	podman_run masquerade
}

# --- containerd (+ containerd-shim-runc-v2, runc), driven by ctr ----------
# ctr only talks to the daemon: the shim and runc are the daemon's
# children, in its mount namespace.  The native snapshotter: no overlay.
ctr_e2e() { ctr --namespace e2e "$@"; }
# containerd_run MODE [START [CTR-RUN-OPTION...]]: the daemon started the
# START way (default: MODE), the container judged the MODE way.
containerd_run() {
	mode=$1 start=${2:-$1}
	shift; [ $# -eq 0 ] || shift
	start_daemon "$start" /tmp/containerd.log containerd
	if ! wait_for 90 ctr_e2e version; then
		tail -n 30 /tmp/containerd.log; stop "$daemon"
		fail "containerd did not answer within 90 s"; return 1
	fi
	echo "[$(cut -d' ' -f1 /proc/uptime)] containerd answers"
	ns_check "$start" "$daemon" || { stop "$daemon"; return 1; }
	run_cmd ctr_e2e image import --snapshotter native /images/bb.tar
	[ "$status" -eq 0 ] || { stop "$daemon"; fail "ctr image import failed"; return 1; }
	run_cmd ctr_e2e run --rm --snapshotter native "$@" "$IMAGE" "c-$mode" sh -c "$CMD"
	s=$status o=$out
	stop "$daemon"
	judge "$mode" "" "$s" "$o"
}
scenario_containerd_baseline() { containerd_run baseline; }
scenario_containerd_wrapped() { containerd_run wrapped; }
scenario_containerd_masquerade() { containerd_run masquerade; }
# The runc shim's BinaryName option, which the CRI plugin's runtime
# options (containerd's config.toml, k3s's template) set: here set by
# "ctr run --runc-binary", the daemon unchanged.
scenario_containerd_binaryname() {
	containerd_run binaryname baseline --runc-binary "$MASQ_DIR/runc"
}

# --- docker.io (dockerd, docker) ----------------------------------------
# Debian's docker.service runs "dockerd --containerd=/run/containerd/containerd.sock":
# the containerd of containerd.service owns the shims and runc, dockerd
# only talks to it, so containerd is the daemon to re-root or give the
# masquerade; wrapped, an init script starts both through prepare-root.
# Without --containerd ("managed": docker's static binaries, no containerd
# service) dockerd starts and supervises a containerd of its own, which
# inherits its mount namespace and PATH: dockerd alone is wrapped.
# /etc/docker/daemon.json: vfs storage, no bridge, no iptables, sockets
# and pid file under /run.
docker_c() { docker -H unix:///run/docker.sock "$@"; }
# docker_start HOW CONFIG [managed]: containerd (unless managed), then
# dockerd, each started the HOW way (start_daemon).
docker_start() {
	containerd_pid="" containerd_opt=""
	if [ "$3" != managed ]; then
		start_daemon "$1" /tmp/containerd.log containerd
		containerd_pid=$daemon containerd_opt=--containerd=/run/containerd/containerd.sock
		if ! wait_for 90 ctr version; then
			tail -n 30 /tmp/containerd.log
			fail "containerd did not answer within 90 s"; return 1
		fi
	fi
	start_daemon "$1" /tmp/dockerd.log dockerd --config-file "$2" ${containerd_opt:+"$containerd_opt"}
	dockerd_pid=$daemon
	if ! wait_for 120 docker_c version; then
		tail -n 30 /tmp/dockerd.log
		fail "dockerd did not answer within 120 s"; return 1
	fi
	echo "[$(cut -d' ' -f1 /proc/uptime)] dockerd answers"
	# managed: the containerd dockerd started, its child
	[ -n "$containerd_pid" ] || containerd_pid=$(child_pid "$dockerd_pid" containerd)
	[ -n "$containerd_pid" ] || fail "no containerd under dockerd"
}
# child_pid PPID NAME: the PID of PPID's child called NAME (no pgrep in
# busybox)
child_pid() {
	awk -v ppid="$1" -v comm="($2)" '$2 == comm && $4 == ppid { print $1; exit }' \
		/proc/[0-9]*/stat 2>/dev/null
}
docker_stop() {
	stop "$dockerd_pid"; stop "$containerd_pid"
	rm -f /run/docker.pid /run/containerd/containerd.pid
}
# docker_run MODE [managed]: baseline, wrapped and the managed masquerade
# (PATH) use daemon.json; the masquerade with containerd.service changes
# dockerd's configuration only (masquerade.json: a runtime whose path is
# prepare-root's runc link, made the default), both daemons started as in
# the baseline.
docker_run() {
	mode=$1 conf=/etc/docker/daemon.json start=$1
	if [ "$mode" = masquerade ] && [ "$2" != managed ]; then
		conf=/etc/docker/masquerade.json start=baseline
	fi
	docker_start "$start" "$conf" "$2" || { docker_stop; return 1; }
	if ! ns_check "$start" "$containerd_pid" || ! ns_check "$start" "$dockerd_pid"; then
		docker_stop; return 1
	fi
	if [ "$conf" = /etc/docker/masquerade.json ]; then
		rt=$(docker_c info --format '{{.DefaultRuntime}} {{(index .Runtimes .DefaultRuntime).Path}}')
		echo "dockerd's default runtime: $rt"
		[ "$rt" = "pivotwrap $MASQ_DIR/runc" ] ||
			{ docker_stop; fail "dockerd's default runtime is not $MASQ_DIR/runc"; return 1; }
	fi
	docker_c image inspect "$IMAGE" >/dev/null 2>&1 || run_cmd docker_c load -i /images/bb.tar
	run_cmd docker_c run --rm --network none --hostname inside "$IMAGE" sh -c "$CMD"
	s=$status o=$out
	docker_stop
	judge "$mode" inside "$s" "$o"
}
scenario_docker_baseline() { docker_run baseline; }
scenario_docker_wrapped() { docker_run wrapped; }
scenario_docker_masquerade() { docker_run masquerade; }
scenario_docker_managed_wrapped() { docker_run wrapped managed; }
scenario_docker_managed_masquerade() { docker_run masquerade managed; }

