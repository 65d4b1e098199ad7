#!/usr/bin/env bash
# LXC from the initramfs root: boots Debian cloud kernels under QEMU from an
# initramfs holding Debian bookworm's lxc and strace, and starts an
# application container with lxc-execute unaided and through prepare-root,
# each under strace, to see which way LXC enters the container's root:
# pivot_root, or the chroot fallback it takes when it finds a "rootfs" root
# line in /proc/self/mountinfo.  A measurement, reported; see README.md.
#
#   tests/e2e-engines/lxc/run.sh [--kernel bookworm|trixie|sid|"bookworm sid"]
#                                [--keep DIR] [--prepare-root PATH]
#
# Prints one "LXC: KERNEL MODE: path=... started=... probe=..." line per run.
# Exits non-zero only when a guest did not boot or lxc-execute could not be
# run at all (not on what LXC chose).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

kernels="bookworm trixie sid"
keep=""
prepare_root=""
boot_timeout=${PW_E2E_BOOT_TIMEOUT:-600}
run_timeout=${PW_E2E_SCENARIO_TIMEOUT:-180}
# The image is ~60 MB, unpacked by the kernel into the rootfs (RAM).
export PW_QEMU_MEM=${PW_QEMU_MEM:-2048}

PACKAGES="lxc strace"
# Packages of the closure that nothing here runs (no network, no package
# management), left packed.
LEFT_PACKED='^(perl|perl-base|perl-modules-.*|libperl.*|dpkg|debconf|adduser|passwd|dnsmasq-base|nftables|iproute2|sysvinit-utils|lsb-base|libpam-modules|libpam-modules-bin)$'

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || pw_usage; kernels=$2; shift 2 ;;
	--keep) [ $# -ge 2 ] || pw_usage; keep=$2; shift 2 ;;
	--prepare-root) [ $# -ge 2 ] || pw_usage; prepare_root=$2; shift 2 ;;
	-h|--help) pw_usage ;;
	*) echo "lxc: unknown argument $1" >&2; pw_usage ;;
	esac
done
kernels=$(pw_names "bookworm trixie sid" "$kernels") || exit 2

errors=0
die() { echo "LXC: ERROR $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (the image holds root-owned files)"
for tool in qemu-system-x86_64:qemu-system-x86 cpio:cpio gcc:gcc apt-get:apt dpkg-deb:dpkg \
	meson:meson ninja:ninja-build; do
	command -v "${tool%%:*}" >/dev/null || die "${tool%%:*} missing (apt-get install ${tool#*:})"
done
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
	die "/bin/busybox is not static (apt-get install busybox-static)"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
t_start=$SECONDS

if [ -z "$prepare_root" ]; then
	prepare_root=$(pw_build_prepare_root "$work/build") || die "prepare-root does not build"
fi
[ -x "$prepare_root" ] || die "no prepare-root binary at $prepare_root"

build_image() {
	local root=$work/root tree t0=$SECONDS
	# shellcheck disable=SC2086 # a word list
	tree=$(pw_deb_tree lxc "$LEFT_PACKED" $PACKAGES) || die "cannot get the lxc packages"
	pw_log "building the initramfs ($(wc -l < "$tree/.packages") packages)"
	cp -a "$tree" "$root"
	rm -f "$root"/.complete
	mv "$root/.packages" "$work/packages"
	mkdir -p "$root"/{proc,sys,dev,tmp,run,e2e,images,root}
	pw_busybox "$root" /bin
	pw_copy_binary "$root" "$prepare_root" /usr/bin/prepare-root
	cp "$here"/guest/init "$root/init"
	cp "$here"/guest/lxc.sh "$here"/guest/container.conf "$root/e2e/"
	# The container's root: busybox, the escape probe and what it runs.
	local ct=$root/images/rootfs
	pw_busybox "$ct" /bin
	mkdir -p "$ct"/{proc,sys,dev,tmp,etc}
	gcc -static -O2 -Wall -o "$ct/bin/probe" "$top/tests/e2e/probe.c"
	cp "$here"/guest/ct.sh "$ct/ct.sh"
	chmod 0755 "$root/init" "$ct/ct.sh"
	# What an escaped container would see, and a contained one never.
	echo "this file exists only in the initramfs" > "$root/initramfs-only-marker"
	local f missing=""
	for f in usr/bin/lxc-execute usr/bin/strace; do
		chroot "$root" /lib64/ld-linux-x86-64.so.2 --list "/$f" 2>&1 | grep -q 'not found' && missing+=" /$f"
	done
	[ -z "$missing" ] || die "libraries missing in the image for:$missing"
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) > "$work/initrd"
	pw_log "initramfs: $(du -h "$work/initrd" | cut -f1) (cpio, not compressed) in $((SECONDS - t0))s"
}

# boot KERNEL LABEL: boot once and report each lxc-execute run.
boot() {
	local kernel=$1 label=$2 log status=0 t0=$SECONDS r mode
	log=$work/console-$label.log
	pw_log "booting $label"
	pw_boot "$kernel" "$work/initrd" "pw.timeout=$run_timeout" "$log" "$boot_timeout" || status=$?
	pw_log "$label: QEMU exited $status after $((SECONDS - t0))s"
	tr -d '\r' < "$log" > "$log.txt"
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		cp "$log.txt" "$keep/console-$label.log"
	fi
	# (the first line follows the firmware's escape sequences)
	if ! grep -q 'E2E: BOOTED' "$log.txt"; then
		echo "LXC: $label: ERROR the guest never reached /init (QEMU status $status)"
		tail -n 40 "$log.txt" | sed 's/^/  | /'
		errors=$((errors + 1))
		return
	fi
	# Everything the guest reported, then one verdict line per run.
	grep -o 'E2E: .*' "$log.txt" | grep -Ev '^E2E: (RESULT|STRACEALL) ' | sed "s/^E2E: /  [$label] /"
	for mode in unaided prepare-root control-chroot control-moved; do
		r=$(sed -n "s/^E2E: RESULT $mode //p" "$log.txt" | head -n 1)
		if [ -z "$r" ]; then
			echo "LXC: $label $mode: ERROR no result (the guest hung or died; QEMU status $status)"
			errors=$((errors + 1))
			continue
		fi
		echo "LXC: $label $mode: $(tr ' ' '\n' <<<"$r" | grep -E '^(path|started|pid|pid1|probe|status)=' | paste -sd' ')"
		if [[ " $r " == *" ran=no "* ]]; then
			echo "LXC: $label $mode: ERROR lxc-execute could not be run"
			errors=$((errors + 1))
		fi
	done
	grep -q 'E2E: DONE' "$log.txt" || { echo "LXC: $label: ERROR the guest did not finish"; errors=$((errors + 1)); }
}

build_image
for k in $kernels; do
	kernel=$(pw_kernel "$k") || { echo "LXC: $k: ERROR could not get the kernel"; errors=$((errors + 1)); continue; }
	pw_log "$k: $(cat "$(dirname "$kernel")/package" 2>/dev/null || echo "$kernel")"
	boot "$kernel" "$k"
done
[ -z "$keep" ] || cp "$work/initrd" "$work/packages" "$keep/"
pw_log "total: $((SECONDS - t_start))s"
[ "$errors" -eq 0 ] || { echo "LXC: $errors error(s)"; exit 1; }
echo "LXC: every guest booted and ran lxc-execute each way"
