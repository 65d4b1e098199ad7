#!/usr/bin/env bash
# Container engines end to end: boots Debian cloud kernels under QEMU from
# an initramfs holding Debian bookworm's own podman and containerd, and
# runs each from the initramfs root unaided, wrapped in prepare-root, and
# through prepare-root's masquerade.  See README.md.
#
#   tests/e2e-engines/run.sh [--kernel bookworm|trixie|sid|all|"bookworm sid"]
#                            [--scenario NAME]... [--keep DIR] [--prepare-root PATH]
#
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

kernels="bookworm sid"
scenarios=()
keep=""
prepare_root=""
# Per boot, on the host; the guest limits each scenario itself.  Under TCG
# a Go daemon takes seconds to start, so both are generous.
boot_timeout=${PW_E2E_BOOT_TIMEOUT:-600}
scenario_timeout=${PW_E2E_SCENARIO_TIMEOUT:-180}
# The image holds ~330 MB, loaded and unpacked by the kernel into the
# rootfs (RAM), next to the engines.
export PW_QEMU_MEM=${PW_QEMU_MEM:-4096}

# What the image holds: Debian bookworm's engines and everything they
# depend on.  Packages of the closure that no engine runs (perl, gnupg,
# the CNI plugins and iptables: no network here) are left packed.
ENGINE_PACKAGES="podman conmon crun golang-github-containers-common containerd runc docker.io"
LEFT_PACKED='^(perl|perl-base|perl-modules-.*|libperl.*|lib.*-perl|gnupg.*|gpg.*|dirmngr|pinentry-.*|usrmerge|dpkg|debconf|adduser|passwd|containernetworking-plugins|iptables|init-system-helpers|sysvinit-utils|lsb-base)$'
# Unsafe knobs that make a runtime fall back to chroot-like behaviour
# instead of pivot_root; none may appear in the image (see check_knobs).
KNOBS=(no_pivot_root DOCKER_RAMDISK --no-pivot NoPivotRoot)

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || pw_usage; kernels=$2; shift 2 ;;
	--scenario) [ $# -ge 2 ] || pw_usage; scenarios+=("$2"); shift 2 ;;
	--keep) [ $# -ge 2 ] || pw_usage; keep=$2; shift 2 ;;
	--prepare-root) [ $# -ge 2 ] || pw_usage; prepare_root=$2; shift 2 ;;
	-h|--help) pw_usage ;;
	*) echo "engines: unknown argument $1" >&2; pw_usage ;;
	esac
done
kernels=$(pw_names "bookworm trixie sid" "$kernels") || exit 2
all_scenarios=$(pw_guest_scenarios "$here/guest/scenarios.sh")
[ ${#scenarios[@]} -gt 0 ] || read -r -a scenarios <<<"$all_scenarios"
for s in "${scenarios[@]}"; do
	[[ " $all_scenarios " == *" $s "* ]] || { echo "engines: unknown scenario $s (known: $all_scenarios)" >&2; exit 2; }
done

pw_require "the image holds root-owned files and device nodes" qemu-system-x86_64:qemu-system-x86 cpio:cpio \
	gcc:gcc readelf:binutils python3:python3 apt-get:apt dpkg-deb:dpkg meson:meson ninja:ninja-build

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -z "$prepare_root" ]; then
	prepare_root=$(pw_build_prepare_root "$work/build") || pw_fatal build "prepare-root does not build"
fi
[ -x "$prepare_root" ] || pw_fatal setup "no prepare-root binary at $prepare_root"

# check_elves ROOT: every ELF program and library in ROOT must find each
# library it needs inside ROOT (asked of ROOT's own dynamic loader).
check_elves() {
	local root=$1 f out missing=""
	while IFS= read -r f; do
		# only dynamic ELF programs (static ones, busybox and tini-static,
		# need nothing; scripts neither)
		readelf -l "$root/$f" 2>/dev/null | grep -q 'program interpreter' || continue
		# (a library missing behind another one is a hard error, not "not found")
		out=$(chroot "$root" /lib64/ld-linux-x86-64.so.2 --list "/$f" 2>&1) && ! grep -q 'not found' <<<"$out" && continue
		missing+=" /$f"
	done < <(cd "$root" && find bin sbin usr/bin usr/sbin usr/libexec -type f -perm -u+x)
	[ -z "$missing" ] || pw_fatal image "libraries missing in the image for:$missing"
}

# check_knobs ROOT: no text file in the image may carry one of the unsafe
# knobs (grep -I: the runtimes' own binaries name them in their code).  The
# only exception is Debian's shipped podman configuration saying
# "no_pivot_root = false" (or that, commented out): the default, spelt out.
check_knobs() {
	local root=$1 hits bad
	hits=$(cd "$root" || exit; grep -rInI -F "${KNOBS[@]/#/-e}" . || true)
	bad=$(grep -Ev '^\./(etc/containers/libpod\.conf|usr/share/containers/containers\.conf):[0-9]+:#? *no_pivot_root = false$' <<<"$hits" || true)
	# shellcheck disable=SC2001 # one prefix per line
	if [ -n "$bad" ]; then
		sed 's/^/  | /' <<<"$bad"
		echo "FAIL no-unsafe-knobs: the image names ${KNOBS[*]}"
		failed=$((failed + 1))
	else
		[ -z "$hits" ] || sed 's/^/  | allowed: /' <<<"$hits"
		echo "PASS no-unsafe-knobs [image]"
		passed=$((passed + 1))
	fi
}

build_image() {
	local root=$work/root tree t0=$SECONDS
	# shellcheck disable=SC2086 # a word list
	tree=$(pw_deb_tree engines "$LEFT_PACKED" $ENGINE_PACKAGES) || pw_fatal image "cannot get the engines' packages"
	pw_log "building the initramfs ($(wc -l < "$tree/.packages") packages)"
	rm -rf "$root"
	cp -a "$tree" "$root"
	rm -f "$root"/.complete
	mv "$root/.packages" "$work/packages"
	mkdir -p "$root"/{proc,sys,dev,tmp,run,e2e,images,var/lib} "$root"/usr/libexec/pivotwrap/bin
	ln -s ../run "$root/var/run"
	pw_busybox "$root" /bin
	pw_copy_binary "$root" "$prepare_root" /usr/bin/prepare-root
	# The masquerade: runc and crun named by a symlink to prepare-root, in a
	# directory the daemons' PATH (or podman's configuration) puts first.
	ln -s ../../../bin/prepare-root "$root/usr/libexec/pivotwrap/bin/runc"
	ln -s ../../../bin/prepare-root "$root/usr/libexec/pivotwrap/bin/crun"
	cp -r "$here"/guest/etc/. "$root/etc/"
	cp "$here"/guest/scenarios.sh "$top"/tests/e2e/guest/protocol.sh "$root/e2e/"
	cp "$here"/guest/init "$root/init"
	# The image every engine runs: busybox and the escape probe.
	mkdir -p "$work/bb"
	pw_busybox "$work/bb" /bin
	gcc -static -O2 -Wall -o "$work/bb/bin/probe" "$top/tests/e2e/probe.c"
	pw_docker_archive "$work/bb" "$root/images/bb.tar"
	cp -a "$work/bb" "$root/images/rootfs"
	# What an escaped container would see, and a contained one never.
	echo "this file exists only in the initramfs" > "$root/initramfs-only-marker"
	check_elves "$root"
	check_knobs "$root"
	# Not compressed: under TCG the guest would take longer to inflate it
	# than QEMU takes to load it.
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$work/initrd"
	pw_log "initramfs: $(du -h "$work/initrd" | cut -f1) (cpio, not compressed) in $((SECONDS - t0))s"
}

# boot KERNEL LABEL SCENARIO...: boot once; only an "E2E: PASS name" line
# from a guest that booted and reported every selected scenario counts.
boot() {
	local kernel=$1 label=$2 log status t0=$SECONDS
	shift 2
	log=$work/console-$label.log
	pw_log "booting $label: $*"
	status=0
	pw_boot "$kernel" "$work/initrd" "pw.timeout=$scenario_timeout pw.scenarios=$(IFS=,; echo "$*")" \
		"$log" "$boot_timeout" || status=$?
	pw_log "$label: QEMU exited $status after $((SECONDS - t0))s"
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		cp "$log" "$keep/"
	fi
	pw_judge_console "$label" "$log" "$status" "$@"
}

build_image
for k in $kernels; do
	t0=$SECONDS
	if ! kernel=$(pw_kernel "$k"); then
		echo "FAIL kernel-$k: could not get the $k kernel (see above); none of its scenarios ran"
		failed=$((failed + 1))
		continue
	fi
	pw_log "$k: $(cat "$(dirname "$kernel")/package" 2>/dev/null || echo "$kernel")"
	boot "$kernel" "$k" "${scenarios[@]}"
	pw_log "$k: $((SECONDS - t0))s"
done
if [ -n "$keep" ]; then
	cp "$work/initrd" "$work/packages" "$keep/"
	pw_log "kept the initramfs, its package list and the console logs in $keep"
fi
pw_summary
