#!/usr/bin/env bash
# End-to-end suite: boots Debian cloud kernels under QEMU from an initramfs
# this script builds, and runs crun, runc and bwrap from the initramfs
# root with and without prepare-root.  See tests/e2e/README.md.
#
#   tests/e2e/run.sh [--kernel bookworm|trixie|sid|all] [--scenario NAME]...
#                    [--keep DIR] [--prepare-root PATH] [--arch amd64|arm64]
#
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

kernels=bookworm
scenarios=()
keep=""
prepare_root=""
arch=$PW_ARCH
# Per boot, on the host: the guest limits each scenario itself
# (PW_E2E_SCENARIO_TIMEOUT, 60 s); this catches a guest that hangs anyway.
boot_timeout=${PW_E2E_BOOT_TIMEOUT:-300}
scenario_timeout=${PW_E2E_SCENARIO_TIMEOUT:-60}

while [ $# -gt 0 ]; do
	case $1 in
	--kernel) [ $# -ge 2 ] || pw_usage; kernels=$2; shift 2 ;;
	--scenario) [ $# -ge 2 ] || pw_usage; scenarios+=("$2"); shift 2 ;;
	--keep) [ $# -ge 2 ] || pw_usage; keep=$2; shift 2 ;;
	--prepare-root) [ $# -ge 2 ] || pw_usage; prepare_root=$2; shift 2 ;;
	--arch) [ $# -ge 2 ] || pw_usage; arch=$2; shift 2 ;;
	-h|--help) pw_usage ;;
	*) echo "e2e: unknown argument $1" >&2; pw_usage ;;
	esac
done
# arm64: Debian's arm64 kernel under qemu-system-aarch64 (virt, TCG), an
# image of Debian's arm64 crun, runc and bubblewrap, and a static aarch64
# prepare-root (built here with tools/build-release.sh unless given).  By
# default only the scenarios that prove the architecture: the baselines and
# the wrapped runtimes.
pw_set_arch "$arch"
kernels=$(pw_names "bookworm trixie sid" "$kernels") || exit 2

# The scenario names come from the guest's list; pid1 has a boot of its own.
all_scenarios=$(pw_guest_scenarios "$here/guest/scenarios.sh")
if [ ${#scenarios[@]} -eq 0 ]; then
	if [ "$PW_ARCH" = arm64 ]; then
		scenarios=(baseline-crun baseline-runc baseline-bwrap wrapped-crun wrapped-runc wrapped-bwrap)
	else
		read -r -a scenarios <<<"$all_scenarios pid1"
	fi
fi
# The root-state matrix (guest/matrix.sh): only when named; "matrix" is all of it.
matrix_scenarios=$(sed -n 's/^MATRIX_SCENARIOS="\(.*\)"$/\1/p' "$here/guest/matrix.sh")
expanded=()
for s in "${scenarios[@]}"; do
	if [ "$s" = matrix ]; then read -r -a m <<<"$matrix_scenarios"; expanded+=("${m[@]}"); else expanded+=("$s"); fi
done
scenarios=("${expanded[@]}")
all_scenarios="$all_scenarios $matrix_scenarios"
main=()
want_pid1=false
for s in "${scenarios[@]}"; do
	if [ "$s" = pid1 ]; then want_pid1=true
	elif [[ " $all_scenarios " == *" $s "* ]]; then main+=("$s")
	else echo "e2e: unknown scenario $s (known: $all_scenarios pid1)" >&2; exit 2; fi
done

# (crun makes the bundles' config.json on every architecture)
tools="crun:crun cpio:cpio python3:python3 apt-get:apt dpkg-deb:dpkg"
if [ "$PW_ARCH" = arm64 ]; then
	tools+=" qemu-system-aarch64:qemu-system-arm aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu make:make"
	tools+=" meson:meson ninja:ninja-build readelf:binutils"
else
	tools+=" qemu-system-x86_64:qemu-system-x86 runc:runc bwrap:bubblewrap gcc:gcc"
fi
# shellcheck disable=SC2086 # a word list
pw_require "the image holds root-owned files and device nodes" $tools

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cc_static OUT SOURCE: a static program for the guest's architecture
# (arm64: with the cross musl-gcc the libmount prefix's cross file names).
cc_static() {
	"$static_cc" -static -O2 -Wall -o "$1" "$2"
}
if [ "$PW_ARCH" = arm64 ]; then
	cross_prefix=$("$here/../../tools/build-static-libmount.sh" --arch arm64) ||
		pw_fatal build "no aarch64 toolchain (tools/build-static-libmount.sh --arch arm64)"
	static_cc=$(sed -n "s/^c = '\(.*\)'\$/\1/p" "$cross_prefix/meson-cross.ini")
	if [ -z "$prepare_root" ]; then
		pw_log "building a static aarch64 prepare-root (tools/build-release.sh)"
		"$here/../../tools/build-release.sh" --arch arm64 --out "$work/release" > /dev/null ||
			pw_fatal build "aarch64 prepare-root does not build"
		prepare_root=$work/release/prepare-root-aarch64
	fi
	readelf -h "$prepare_root" 2>/dev/null | grep -q 'Machine:.*AArch64' || pw_fatal setup "$prepare_root is not an aarch64 program"
	# no C library in this image for it: it must be static
	! readelf -l "$prepare_root" | grep -q 'program interpreter' || pw_fatal setup "$prepare_root is not static"
else
	static_cc=gcc
	if [ -z "$prepare_root" ]; then
		prepare_root=$(pw_build_prepare_root "$work/build") || pw_fatal build "prepare-root does not build"
	fi
fi
[ -x "$prepare_root" ] || pw_fatal setup "no prepare-root binary at $prepare_root"

# make_bundle DIR EXTRA_CAP ARGS...: an OCI bundle from "crun spec", with a
# busybox rootfs, no terminal, no network namespace (nothing to set up in
# the guest) and the hostname "inside", running ARGS.
make_bundle() {
	local dir=$1 caps_extra=$2
	shift 2
	mkdir -p "$dir/rootfs"
	pw_busybox "$dir/rootfs" /bin "$busybox"
	(cd "$dir" && crun spec)
	python3 - "$dir/config.json" "$caps_extra" "$@" <<'PY'
import json, sys
path, caps_extra, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["hostname"] = "inside"
c["root"]["readonly"] = False
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
if caps_extra:
    for k in ("bounding", "effective", "permitted"):
        c["process"]["capabilities"][k].append(caps_extra)
json.dump(c, open(path, "w"), indent=1)
PY
}

build_image() {
	local root=$work/root tree
	pw_log "building the initramfs ($PW_ARCH)"
	rm -rf "$root"
	mkdir -p "$root"
	if [ "$PW_ARCH" = arm64 ]; then
		# Debian's arm64 runtimes with their libraries (ld.so and all),
		# unpacked from the archive: nothing of this machine's can run there.
		tree=$(pw_deb_tree e2e-arm64 '^(perl-base|dpkg|debconf|tar|usrmerge|init-system-helpers)$' \
			busybox-static crun runc bubblewrap) || pw_fatal image "cannot get Debian's arm64 packages"
		cp -a "$tree/." "$root/"
		rm -f "$root/.complete" "$root/.packages"
		busybox=$tree/bin/busybox
		ln -s ../usr/bin/crun "$root/bin/crun"
		ln -s ../usr/sbin/runc "$root/bin/runc"
		ln -s ../usr/bin/bwrap "$root/bin/bwrap"
		cp "$prepare_root" "$root/bin/prepare-root"
	else
		busybox=/bin/busybox
		pw_copy_binary "$root" "$prepare_root" /bin/prepare-root
		pw_copy_binary "$root" "$(command -v crun)" /bin/crun
		pw_copy_binary "$root" "$(command -v runc)" /bin/runc
		pw_copy_binary "$root" "$(command -v bwrap)" /bin/bwrap
	fi
	mkdir -p "$root"/{proc,sys,dev,tmp,run,etc,e2e}
	pw_busybox "$root" /bin "$busybox"
	cp "$here"/guest/{init,pid1-init,stage2,scenarios.sh,matrix.sh,protocol.sh} "$root/e2e/"
	mv "$root/e2e/init" "$root/init"
	# The container prints what only a container in its own PID and UTS
	# namespaces can print.
	# shellcheck disable=SC2016 # expanded by the container's shell
	make_bundle "$root/bundle" "" /bin/sh -c 'echo CONTAINER pid=$$ host=$(hostname)'
	make_bundle "$root/bundle-probe" CAP_SYS_CHROOT /bin/probe
	cc_static "$root/bundle-probe/rootfs/bin/probe" "$here/probe.c"
	cc_static "$root/bin/pivot-probe" "$here/../pivot-probe.c"
	# What an escaped container would see, and a contained one never.
	echo "this file exists only in the initramfs" > "$root/initramfs-only-marker"
	if [ "$PW_ARCH" = amd64 ] && ! ldd "$prepare_root" >/dev/null 2>&1; then
		# A static prepare-root must not need a single shared library.
		if find "$root" -name 'libmount.so*' -o -name 'libblkid.so*' | grep -q .; then
			pw_fatal image "static prepare-root, yet libmount is in the image"
		fi
		pw_log "prepare-root is static: the image has no libmount or libblkid"
	fi
	pw_cpio "$root" "$work/initrd.gz"
	pw_log "initramfs: $(du -h "$work/initrd.gz" | cut -f1) in $((SECONDS - t_build))s"
}

# boot KERNEL_PATH LABEL CMDLINE EXPECTED...: boot once, judge the EXPECTED
# scenarios from the console.  Only an "E2E: PASS name" line from a guest
# that booted and reported every selected scenario counts as a pass.
boot() {
	local kernel=$1 label=$2 cmdline=$3 log status t0=$SECONDS
	shift 3
	log=$work/console-$label.log
	pw_log "booting $label: $*"
	status=0
	pw_boot "$kernel" "$work/initrd.gz" "pw.timeout=$scenario_timeout $cmdline" "$log" "$boot_timeout" || status=$?
	pw_log "$label: QEMU exited $status after $((SECONDS - t0))s"
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		cp "$log" "$keep/"
		cp "$work/initrd.gz" "$keep/initrd.gz"
	fi
	pw_judge_console "$label" "$log" "$status" "$@"
}

# readme_sample LOG LABEL: the README's --explain sample (between its
# "explain-sample" markers) against the report the guest printed, numbers
# aside (mount IDs and sizes follow the machine): the README cannot go
# stale.
readme_sample() {
	local readme=$here/../../README.md norm='s/[0-9][0-9]*/N/g'
	if ! grep -q '^E2E-LOG: SAMPLE ' "$1.txt"; then
		echo "FAIL readme-explain-sample [$2]: the guest printed no --explain report"
		failed=$((failed + 1))
		return
	fi
	sed -n 's/^E2E-LOG: SAMPLE //p' "$1.txt" | sed "$norm" > "$work/sample.guest"
	sed -n '/<!-- explain-sample: begin -->/,/<!-- explain-sample: end -->/p' "$readme" |
		sed '/^<!--/d; /^```/d' | sed "$norm" > "$work/sample.readme"
	if [ -s "$work/sample.readme" ] && cmp -s "$work/sample.guest" "$work/sample.readme"; then
		echo "PASS readme-explain-sample [$2]"
		passed=$((passed + 1))
	else
		echo "FAIL readme-explain-sample [$2]: README.md's sample is not what prepare-root prints (numbers as N):"
		diff "$work/sample.readme" "$work/sample.guest" | sed 's/^/  | /'
		failed=$((failed + 1))
	fi
}

t_build=$SECONDS
build_image
for k in $kernels; do
	t0=$SECONDS
	if ! kernel=$(pw_kernel "$k"); then
		echo "FAIL kernel-$k: could not get the $k kernel (see above); none of its scenarios ran"
		failed=$((failed + 1))
		continue
	fi
	pw_log "$k: $(cat "$(dirname "$kernel")/package" 2>/dev/null || echo "$kernel")"
	if [ ${#main[@]} -gt 0 ]; then
		boot "$kernel" "$k$pw_arch_tag" "pw.scenarios=$(IFS=,; echo "${main[*]}")" "${main[@]}"
		# The sample is the 6.1 rootfs's on x86-64 (README.md says so).
		if [ "$k$pw_arch_tag" = bookworm ] && [[ " ${main[*]} " == *" explain-sample "* ]]; then
			readme_sample "$work/console-$k.log" "$k"
		fi
	fi
	if $want_pid1; then
		boot "$kernel" "$k$pw_arch_tag-pid1" "rdinit=/e2e/pid1-init" pid1
	fi
	pw_log "$k: $((SECONDS - t0))s"
done
[ -n "$keep" ] && pw_log "kept the initramfs and the console logs in $keep"
pw_summary
