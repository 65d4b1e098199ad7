#!/usr/bin/env bash
# systemd as PID 1 on the initramfs root, end to end: boots Debian cloud
# kernels under QEMU with a whole Debian 12 system (systemd, podman,
# containerd, docker.io, bubblewrap; made with mmdebstrap) as the initramfs,
# no switch_root, and systemd started unaided, from the kernel command line
# through prepare-root, and from a one-line /init through prepare-root.
# See README.md.
#
#   tests/e2e-systemd/run.sh [--kernel bookworm|trixie|sid|all|"bookworm sid"]
#                            [--boot baseline|cmdline|init]... [--scenario NAME]...
#                            [--keep DIR] [--prepare-root PATH]
#
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

kernels="bookworm sid"
boots=()
scenarios=()
keep=""
prepare_root=""
# Per boot, on the host (systemd's boot, three engines and the poweroff
# under TCG); the guest limits each check itself.
boot_timeout=${PW_E2E_BOOT_TIMEOUT:-900}
scenario_timeout=${PW_E2E_SCENARIO_TIMEOUT:-240}
# The image is ~510 MB, unpacked by the kernel into the rootfs (RAM).
export PW_QEMU_MEM=${PW_QEMU_MEM:-4096}

# The image: Debian 12 with systemd as its init and the engines, as a
# stateless machine would hold them; an ordinary user (uid 1000) made by
# useradd.  apparmor: Debian's kernels enable it, and dockerd then refuses
# to start a container without apparmor_parser to load its profile (Debian
# installs it by default).  Changing the list (or the recipe number) makes
# a new image.
IMAGE_PACKAGES="systemd systemd-sysv udev dbus libpam-systemd login passwd mount util-linux
podman crun conmon golang-github-containers-common containerd runc docker.io bubblewrap apparmor"
IMAGE_RECIPE=1
KNOBS=(no_pivot_root DOCKER_RAMDISK --no-pivot NoPivotRoot)

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || pw_usage; kernels=$2; shift 2 ;;
	--boot) [ $# -ge 2 ] || pw_usage; boots+=("$2"); shift 2 ;;
	--scenario) [ $# -ge 2 ] || pw_usage; scenarios+=("$2"); shift 2 ;;
	--keep) [ $# -ge 2 ] || pw_usage; keep=$2; shift 2 ;;
	--prepare-root) [ $# -ge 2 ] || pw_usage; prepare_root=$2; shift 2 ;;
	-h|--help) pw_usage ;;
	*) echo "systemd: unknown argument $1" >&2; pw_usage ;;
	esac
done
kernels=$(pw_names "bookworm trixie sid" "$kernels") || exit 2
if [ ${#boots[@]} -gt 0 ]; then
	boot_names=$(pw_names "baseline cmdline init" "${boots[*]}") || exit 2
	read -r -a boots <<<"$boot_names"
fi
all_scenarios=$(pw_guest_scenarios "$here/guest/e2e/e2e.sh")
[ ${#scenarios[@]} -gt 0 ] || read -r -a scenarios <<<"$all_scenarios"
for s in "${scenarios[@]}"; do
	[[ " $all_scenarios " == *" $s "* ]] || { echo "systemd: unknown scenario $s (known: $all_scenarios)" >&2; exit 2; }
done

pw_require "mmdebstrap, and the image holds root-owned files" qemu-system-x86_64:qemu-system-x86 \
	mmdebstrap:mmdebstrap cpio:cpio gcc:gcc python3:python3 apt-get:apt meson:meson ninja:ninja-build

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$prepare_root" ]; then
	prepare_root=$(pw_build_prepare_root "$work/build") || pw_fatal build "prepare-root does not build"
fi
[ -x "$prepare_root" ] || pw_fatal setup "no prepare-root binary at $prepare_root"

# base_image: print a directory holding tree/ (the Debian 12 root that
# mmdebstrap made) and base.cpio (it packed); made once per package list,
# cached under $PW_CACHE/systemd.  mmdebstrap runs the packages'
# maintainer scripts in a chroot, as an installation would (users, groups,
# enabled units); it downloads through an apt state of its own, from the
# mirror of the machine's apt sources.
base_image() {
	local cache=$PW_CACHE/systemd key dir mirror t0=$SECONDS
	key=$(echo "$IMAGE_PACKAGES|$IMAGE_RECIPE" | md5sum | cut -c1-12)
	dir=$cache/image-$key
	if [ -f "$dir/.complete" ]; then
		echo "$dir"
		return
	fi
	mirror=$(pw_debian_mirror) || pw_die "no mirror to build the image from"
	pw_log "making the Debian 12 image with mmdebstrap (once; cached in $cache)"
	rm -rf "$cache"
	mkdir -p "$dir"
	# Documentation, manuals and translations are left out: a stateless
	# image would not carry them either.  The user account is made as an
	# administrator would, with useradd.
	# shellcheck disable=SC2016 # the hook's $1 is mmdebstrap's target
	if ! mmdebstrap --mode=root --variant=essential --include="$(echo "$IMAGE_PACKAGES" | tr ' \n' ',,')" \
		--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/info/*' \
		--customize-hook='chroot "$1" useradd -m -u 1000 -s /bin/sh user' \
		bookworm "$dir/tree" \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror bookworm main" \
		>"$cache/mmdebstrap.log" 2>&1; then
		tail -n 30 "$cache/mmdebstrap.log" | pw_hide_mirror "$mirror" >&2
		pw_die "mmdebstrap failed"
	fi
	# Not compressed: under TCG the guest would take longer to inflate it
	# than QEMU takes to load it.
	(cd "$dir/tree" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$dir/base.cpio"
	touch "$dir/.complete"
	pw_log "image: $(du -sh "$dir/tree" | cut -f1) in $((SECONDS - t0))s"
	echo "$dir"
}

# check_knobs TREE...: no text file of the image may carry one of the
# unsafe knobs (grep -I: the runtimes' own binaries name them in their
# code).  Allowed: Debian's shipped podman configuration saying
# "no_pivot_root = false" (or that, commented out), the default spelt out,
# and runc's bash completion offering --no-pivot (it sets nothing).
# shellcheck disable=SC2001 # one prefix per line
check_knobs() {
	local hits="" bad t
	for t in "$@"; do
		hits+=$(cd "$t" || exit; grep -rInI -F "${KNOBS[@]/#/-e}" . || true)
	done
	bad=$(grep -Ev -e '^\./(etc/containers/libpod\.conf|usr/share/containers/containers\.conf):[0-9]+:#? *no_pivot_root = false$' \
		-e '^\./usr/share/bash-completion/completions/runc:[0-9]+:[[:space:]]*--no-pivot$' <<<"$hits" || true)
	if [ -n "$bad" ]; then
		sed 's/^/  | /' <<<"$bad"
		pw_result FAIL "no-unsafe-knobs: the image names ${KNOBS[*]}"
	else
		[ -z "$hits" ] || sed 's/^/  | allowed: /' <<<"$hits"
		pw_result PASS "no-unsafe-knobs [image]"
	fi
}

# overlay: what this suite adds to the image, packed as a second cpio that
# the kernel unpacks over the first: prepare-root (the binary under test),
# the test units, /init, the engines' configuration and the container
# image (busybox and the escape probe).
overlay() {
	local o=$work/overlay bb=$work/bb
	rm -rf "$o" "$bb"
	mkdir -p "$o/usr/sbin" "$o/images" "$o/etc/systemd/system/multi-user.target.wants"
	cp -r "$here"/guest/. "$o/"
	cp "$top"/tests/e2e/guest/protocol.sh "$o/e2e/"
	# (a dynamic build finds its libmount in the image, Debian 12's
	# libmount1 like this machine's; its libraries are not copied: the
	# image's /lib is a link to usr/lib, which a directory in this second
	# archive would replace)
	cp "$prepare_root" "$o/usr/sbin/prepare-root"
	ln -s ../pw-e2e.service "$o/etc/systemd/system/multi-user.target.wants/pw-e2e.service"
	# The serial console is the checks' channel: no getty on it (its
	# vhangup would cut the checks' output off).
	ln -s /dev/null "$o/etc/systemd/system/serial-getty@ttyS0.service"
	# The container image: busybox, the escape probe, and what every
	# container runs (PID 1, the hostname the engine set, the probe).
	# /proc and /dev for bwrap to mount on (its root is bound read-only),
	# /mnt for pivot_root(8) to put the old root in.
	mkdir -p "$bb/mnt" "$bb/proc" "$bb/dev"
	pw_busybox "$bb" /bin
	gcc -static -O2 -Wall -o "$bb/bin/probe" "$top/tests/e2e/probe.c"
	# shellcheck disable=SC2016 # for the container's shell
	printf '#!/bin/sh\necho CONTAINER pid=$$ host=$(hostname)\nexec /bin/probe\n' > "$bb/bin/e2e-cmd"
	# shellcheck disable=SC2016 # likewise
	printf '#!/bin/sh\necho CONTAINER pid=$$ host=$(hostname)\n' > "$bb/bin/e2e-id"
	chmod 755 "$bb/bin/e2e-cmd" "$bb/bin/e2e-id"
	pw_docker_archive "$bb" "$o/images/bb.tar"
	cp -a "$bb" "$o/images/rootfs"
	# What an escaped container would see, and a contained one never.
	echo "this file exists only in the initramfs" > "$o/initramfs-only-marker"
	(cd "$o" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$work/overlay.cpio"
}

# judge_down LABEL LOG STATUS poweroff|reboot: after its checks the guest
# ran "systemctl poweroff" (or reboot): QEMU must have exited by itself
# (status 0, not killed at the limit; -no-reboot ends it on a reboot too),
# after the kernel's last words for it, with no panic.  A poweroff goes
# through the exitrd the guest left in /run/initramfs: its "E2E: EXITRD
# poweroff" line must come first.  systemd-shutdown's complaints are shown.
judge_down() {
	local label=$1 log=$2.txt status=$3 final=$4 words after
	words="reboot: Power down"
	[ "$final" = poweroff ] || words="reboot: Restarting system"
	grep -a 'systemd-shutdown\|Failed to \(unmount\|finalize\)' "$log" | sed "s/^/  [$label] /" || true
	after=$(sed -n '/E2E: DONE/,$p' "$log")
	grep '^E2E: EXITRD' <<<"$after" | sed "s/^E2E: /  [$label] /" || true
	if [ "$status" -eq 0 ] && [ -n "$after" ] && grep -q "$words" <<<"$after" && ! grep -q 'Kernel panic' "$log" &&
		{ [ "$final" = reboot ] || grep -q '^E2E: EXITRD poweroff' <<<"$after"; }; then
		pw_result PASS "$final [$label]"
	else
		pw_result FAIL "$final [$label]: QEMU status $status; no '$words' after the checks$([ "$final" = reboot ] || echo " through the exitrd"), or a panic"
	fi
}

# start_boot KERNEL LABEL MODE poweroff|reboot CMDLINE: boot once, in the
# background (at most $jobs QEMUs at a time: each keeps one core busy under
# TCG); the console goes to console-LABEL.log, QEMU's status to
# status-LABEL.  Judged by judge_boot once every boot has ended.
start_boot() {
	local kernel=$1 label=$2 mode=$3 final=$4 cmdline=$5
	while [ "$(jobs -pr | wc -l)" -ge "$jobs" ]; do wait -n || true; done
	labels+=("$label") finals+=("$final")
	pw_log "booting $label ($cmdline), then $final"
	(
		t0=$SECONDS status=0
		pw_boot "$kernel" "$work/initrd" \
			"pw.mode=$mode pw.final=$final pw.timeout=$scenario_timeout pw.scenarios=$(IFS=,; echo "${scenarios[*]}") $cmdline" \
			"$work/console-$label.log" "$boot_timeout" || status=$?
		echo "$status" > "$work/status-$label"
		pw_log "$label: QEMU exited $status after $((SECONDS - t0))s"
	) &
}

# judge_boot LABEL poweroff|reboot: judge one boot from its console.
judge_boot() {
	local label=$1 final=$2 log=$work/console-$1.log status
	status=$(cat "$work/status-$label" 2>/dev/null || echo 1)
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		cp "$log" "$keep/"
	fi
	pw_judge_console "$label" "$log" "$status" "${scenarios[@]}"
	judge_down "$label" "$log" "$status" "$final"
}

t0=$SECONDS
image=$(base_image) || pw_fatal image "cannot make the Debian image"
overlay
check_knobs "$image/tree" "$work/overlay"
cat "$image/base.cpio" "$work/overlay.cpio" > "$work/initrd"
pw_log "initramfs: $(du -h "$work/initrd" | cut -f1) (two cpio archives, not compressed) in $((SECONDS - t0))s"

# Two boots at a time by default: the machine's two cores, each QEMU (one
# vCPU under TCG) keeping one busy.  PW_E2E_JOBS=1 boots one at a time.
jobs=${PW_E2E_JOBS:-2}
labels=() finals=()
t0=$SECONDS
for k in $kernels; do
	if ! kernel=$(pw_kernel "$k"); then
		echo "FAIL kernel-$k: could not get the $k kernel (see above); none of its boots ran"
		failed=$((failed + 1))
		continue
	fi
	pw_log "$k: $(cat "$(dirname "$kernel")/package" 2>/dev/null || echo "$kernel")"
	if [ ${#boots[@]} -gt 0 ]; then
		kboots=("${boots[@]}")
	elif [ "$k" = bookworm ]; then
		# 6.1: the bug shown unaided first, then both ways to fix it.
		kboots=(baseline init cmdline)
	else
		kboots=(cmdline)
	fi
	for b in "${kboots[@]}"; do
		case $b in
		# A poweroff goes through an exitrd (the guest leaves one in
		# /run/initramfs), a reboot does not: systemd-shutdown's two ways out.
		baseline) start_boot "$kernel" "$k-baseline" baseline poweroff "rdinit=/lib/systemd/systemd" ;;
		# Everything after "--" is init's argv: it comes last.
		cmdline) start_boot "$kernel" "$k-cmdline" wrapped reboot "rdinit=/usr/sbin/prepare-root -- /lib/systemd/systemd" ;;
		init) start_boot "$kernel" "$k-init" wrapped poweroff "" ;;
		esac
	done
done
wait
pw_log "every boot ended, $((SECONDS - t0))s"
for i in "${!labels[@]}"; do
	judge_boot "${labels[$i]}" "${finals[$i]}"
done
if [ -n "$keep" ]; then
	cp "$work/overlay.cpio" "$keep/"
	pw_log "kept the overlay cpio and the console logs in $keep (the base image: $image)"
fi
pw_summary
