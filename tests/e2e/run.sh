#!/usr/bin/env bash
# End-to-end suite: boots Debian cloud kernels under QEMU from an initramfs
# this script builds, and runs crun, runc and bwrap from the initramfs
# root with and without prepare-root.  See tests/e2e/README.md.
#
#   tests/e2e/run.sh [--kernel bookworm|trixie|sid|all] [--scenario NAME]...
#                    [--keep DIR] [--prepare-root PATH]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"

kernels=bookworm
scenarios=()
keep=""
prepare_root=""
boot_timeout=${PW_E2E_BOOT_TIMEOUT:-600}

usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels=$2; shift 2 ;;
	--scenario) scenarios+=("$2"); shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--prepare-root) prepare_root=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "e2e: unknown argument $1" >&2; usage ;;
	esac
done
[ "$kernels" = all ] && kernels="bookworm trixie sid"
[ "$(id -u)" -eq 0 ] || pw_die "run as root (the image holds root-owned device nodes and setuid-free binaries)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -z "$prepare_root" ]; then
	pw_log "building prepare-root"
	meson setup "$work/build" "$here/../.." -Dtests=false -Dman=disabled >/dev/null
	ninja -C "$work/build" prepare-root >/dev/null
	prepare_root=$work/build/prepare-root
fi
[ -x "$prepare_root" ] || pw_die "no prepare-root binary at $prepare_root"
for tool in crun runc bwrap cpio gcc busybox; do
	command -v "$tool" >/dev/null || pw_die "$tool missing: apt-get install crun runc bubblewrap cpio gcc busybox-static"
done

# A bundle whose container prints what only a container in its own PID and
# UTS namespaces can print: PID 1 and the configured hostname.
make_bundle() {
	local dir=$1 caps_extra=$2
	shift 2
	mkdir -p "$dir/rootfs"
	pw_busybox "$dir/rootfs" /bin
	(cd "$dir" && crun spec)
	python3 - "$dir/config.json" "$caps_extra" "$@" <<'PY'
import json, sys
path, caps_extra, args = sys.argv[1], sys.argv[2], sys.argv[3:]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = args
c["hostname"] = "inside"
c["root"]["readonly"] = False
# No network namespace setup in the guest: keep it simple and fast.
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
if caps_extra:
    for k in ("bounding", "effective", "permitted"):
        c["process"]["capabilities"][k].append(caps_extra)
json.dump(c, open(path, "w"), indent=1)
PY
}

build_image() {
	local root=$work/root
	pw_log "building the initramfs"
	rm -rf "$root"
	mkdir -p "$root"/{proc,sys,dev,tmp,run,etc,e2e}
	pw_busybox "$root" /bin
	pw_copy_binary "$root" "$prepare_root" /bin/prepare-root
	pw_copy_binary "$root" "$(command -v crun)" /bin/crun
	pw_copy_binary "$root" "$(command -v runc)" /bin/runc
	pw_copy_binary "$root" "$(command -v bwrap)" /bin/bwrap
	cp "$here"/guest/{init,pid1-init,stage2,scenarios.sh} "$root/e2e/"
	mv "$root/e2e/init" "$root/init"
	# shellcheck disable=SC2016 # expanded by the container's shell
	make_bundle "$root/bundle" "" /bin/sh -c 'echo CONTAINER pid=$$ host=$(hostname)'
	make_bundle "$root/bundle-probe" CAP_SYS_CHROOT /bin/probe
	gcc -static -O2 -o "$root/bundle-probe/rootfs/bin/probe" "$here/probe.c"
	echo "this file exists only in the initramfs" > "$root/initramfs-only-marker"
	if ! ldd "$prepare_root" >/dev/null 2>&1; then
		# A static prepare-root must not need a single shared library.
		if find "$root" -name 'libmount.so*' -o -name 'libblkid.so*' | grep -q .; then
			pw_die "static prepare-root, yet libmount is in the image"
		fi
		pw_log "prepare-root is static: the image has no libmount or libblkid"
	fi
	pw_cpio "$root" "$work/initrd.gz"
	pw_log "initramfs: $(du -h "$work/initrd.gz" | cut -f1)"
}

passed=0
failed=0

# boot KERNEL_PATH LABEL CMDLINE EXPECTED...: boot once, judge the results
# of the EXPECTED scenarios.
boot() {
	local kernel=$1 label=$2 cmdline=$3 log status s
	shift 3
	log=$work/console-$label.log
	pw_log "booting $label: $*"
	local t0=$SECONDS
	status=0
	pw_boot "$kernel" "$work/initrd.gz" "$cmdline" "$log" "$boot_timeout" || status=$?
	pw_log "$label: QEMU exited $status after $((SECONDS - t0))s"
	[ -n "$keep" ] && { mkdir -p "$keep"; cp "$log" "$keep/"; cp "$work/initrd.gz" "$keep/initrd.gz"; }
	tr -d '\r' < "$log" > "$log.txt"
	grep '^E2E: \(INFO\|REPORT\)' "$log.txt" | sed "s/^E2E: /  [$label] /" || true
	# (unanchored: the firmware's escape sequences share the first line)
	if ! grep -q 'E2E: BOOTED' "$log.txt"; then
		echo "FAIL $label: the guest never reached /init (QEMU status $status); last console lines:"
		tail -n 40 "$log.txt" | sed 's/^/  | /'
		failed=$((failed + $#))
		return
	fi
	for s in "$@"; do
		if grep -qx "E2E: PASS $s" "$log.txt"; then
			echo "PASS $s [$label]"
			passed=$((passed + 1))
		else
			echo "FAIL $s [$label]"
			failed=$((failed + 1))
			# The scenario's evidence, or the end of the console if it never finished.
			if grep -qx "E2E: FAIL $s" "$log.txt"; then
				awk -v s="$s" '$0 == "E2E: START " s {on=1; next} on && /^E2E: (PASS|FAIL) / {exit} on' "$log.txt" |
					sed 's/^E2E-LOG: //; s/^/  | /' | tail -n 60
			else
				echo "  | no result: the guest hung or crashed (QEMU status $status); last console lines:"
				tail -n 40 "$log.txt" | sed 's/^/  | /'
			fi
		fi
	done
	grep -q '^E2E: DONE' "$log.txt" || { echo "FAIL $label: the guest did not finish"; failed=$((failed + 1)); }
}

all_scenarios=$(sed -n '/^ALL_SCENARIOS="/,/"$/p' "$here/guest/scenarios.sh" | tr -d '"' | sed 's/ALL_SCENARIOS=//' | tr '\n' ' ')
[ ${#scenarios[@]} -gt 0 ] || read -r -a scenarios <<<"$all_scenarios pid1"
main=()
want_pid1=false
for s in "${scenarios[@]}"; do
	if [ "$s" = pid1 ]; then want_pid1=true
	elif [[ " $all_scenarios " == *" $s "* ]]; then main+=("$s")
	else pw_die "unknown scenario $s (known: $all_scenarios pid1)"; fi
done

build_image
for k in $kernels; do
	case $k in bookworm|trixie|sid) ;; *) pw_die "unknown kernel $k (bookworm, trixie, sid, all)" ;; esac
	kernel=$(pw_kernel "$k") || { echo "FAIL kernel-$k: could not get the $k kernel"; failed=$((failed + 1)); continue; }
	t0=$SECONDS
	if [ ${#main[@]} -gt 0 ]; then
		boot "$kernel" "$k" "pw.scenarios=$(IFS=,; echo "${main[*]}")" "${main[@]}"
	fi
	if $want_pid1; then
		boot "$kernel" "$k-pid1" "rdinit=/e2e/pid1-init" pid1
	fi
	pw_log "$k: $((SECONDS - t0))s"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
