#!/usr/bin/env bash
# The rows only a real initramfs root can give: boots Debian's cloud kernel
# under QEMU (TCG) and times, from the rootfs, prepare-root's re-root
# against `env true`, the busybox dance and the floor (a wrapper that only
# executes, built the same way: dynamic glibc and static musl), in a small
# image and in one 50 times larger; then, on a root moved over the rootfs
# and entered (a switch_root: its parent lies outside it), prepare-root's
# pass-through, which before Linux 6.8 asks the kernel with a trial.
# Called by bench.sh --vm, or alone:
#
#   bench/vm.sh --build DIR [--static-build DIR] [--packaged FILE] [--kernel SUITE] [--runs N] [--rounds R]
#
# --packaged names the dynamic binary to time as "packaged" (the one a .deb
# installs; default DIR/prepare-root); it goes into the image as the
# initramfs-tools hook puts it there: with the libraries it loads and
# libmount, which it dlopen()s.  The guest also says, from LD_DEBUG=libs,
# which libraries the packaged binary loaded.
#
# The rows are interleaved: R rounds (default 7), each running every row
# N/R times; a row's figure is the median of its R round medians, so a
# drift in the guest's speed (QEMU sharing the machine) falls on every row
# alike instead of on whichever ran last.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../tests/e2e/lib.sh"

build=$here/../build
static_build=""
packaged=""
suite=bookworm
runs=280
rounds=7
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--static-build) static_build=$2; shift 2 ;;
	--packaged) packaged=$2; shift 2 ;;
	--kernel) suite=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	*) echo "usage: $0 --build DIR [--static-build DIR] [--packaged FILE] [--kernel SUITE] [--runs N] [--rounds R]" >&2; exit 2 ;;
	esac
done
packaged=${packaged:-$build/prepare-root}
runloop=$build/bench/runloop
[ -x "$runloop" ] || pw_die "$runloop missing: build first"
ldd "$runloop" >/dev/null 2>&1 && pw_die "$runloop is not static"
{ [ "$rounds" -ge 1 ] && [ "$runs" -ge "$rounds" ]; } || pw_die "--rounds must be between 1 and --runs"
per_round=$((runs / rounds))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The floor, static: musl, as the static prepare-root is built.
command -v musl-gcc >/dev/null || pw_die "musl-gcc missing (apt-get install musl-tools)"
musl-gcc -static -O2 -o "$work/floor-static" "$here/floor.c" || pw_die "cannot build the static floor"

# image PAD_MB: an initramfs with the binaries under test, plus PAD_MB of
# incompressible files to make it larger.
image() {
	local pad=$1 root=$work/root-$1
	mkdir -p "$root"/{proc,sys,dev,tmp,mnt}
	pw_busybox "$root" /bin
	cp "$runloop" "$root/bin/runloop"
	pw_copy_binary "$root" "$packaged" /bin/prepare-root-packaged
	pw_copy_binary "$root" "$build/bench/floor" /bin/floor-dynamic
	cp "$work/floor-static" "$root/bin/floor-static"
	if [ -n "$static_build" ]; then
		cp "$static_build/prepare-root" "$root/bin/prepare-root-static"
		# (ninja -C DIR bench/floor-reroot bench/floor-parse)
		for part in floor-reroot floor-parse; do
			[ -x "$static_build/bench/$part" ] || pw_die "$static_build/bench/$part missing: ninja -C $static_build"
			cp "$static_build/bench/$part" "$root/bin/$part"
		done
	fi
	cat > "$root/bin/dance" <<'DANCE'
#!/bin/sh
exec unshare -m sh -c 'mount --rbind / /mnt && cd /mnt && mount --move . / && exec chroot . /bin/true'
DANCE
	chmod +x "$root/bin/dance"
	if [ "$pad" -gt 0 ]; then
		mkdir -p "$root/pad"
		for i in $(seq 1 "$pad"); do head -c 1048576 /dev/urandom > "$root/pad/$i"; done
	fi
	cat > "$root/init" <<INIT
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t devtmpfs devtmpfs /dev
echo "BENCH-START"
row() { name=\$1; shift; echo "BENCH: \$name|\$(runloop $per_round "\$@" | cut -d' ' -f1)"; }
# Which libraries the packaged binary loads, from the rootfs (a re-root).
LD_DEBUG=libs prepare-root-packaged -- true 2>&1 | sed -n 's/.*calling init: /BENCH-LIBS: /p'
r=0
while [ \$r -lt $rounds ]; do
	row "env true (baseline)" env true
	row "floor (dynamic glibc)" floor-dynamic true
	row "floor (static musl)" floor-static true
	if [ -x /bin/prepare-root-static ]; then
		row "floor + the re-root's system calls (static musl)" floor-reroot true
		row "floor + the mount-table read (static musl)" floor-parse true
		row "prepare-root -- true (static, re-root)" prepare-root-static -- true
	fi
	row "prepare-root -- true (packaged dynamic, re-root)" prepare-root-packaged -- true
	row "busybox dance (unshare, rbind, move, chroot) true" dance
	r=\$((r + 1))
done
echo "BENCH: image|\$(du -sk / 2>/dev/null | cut -f1)"
# A switch_root: the same files on a tmpfs moved over the rootfs and
# entered; its parent lies outside it (no statmount before 6.8: a trial).
mkdir -p /sw && mount -t tmpfs sw /sw && cp -a /bin /lib* /usr /sw/ 2>/dev/null
mkdir -p /sw/proc /sw/dev /sw/mnt && cd /sw && mount --move . / && exec chroot . /bin/sh -c '
	mount -t proc proc /proc
	row() { name=\$1; shift; echo "BENCH: \$name|\$(runloop $per_round "\$@" | cut -d" " -f1)"; }
	r=0
	while [ \$r -lt $rounds ]; do
		row "switch_root: env true" env true
		[ -x /bin/prepare-root-static ] && row "switch_root: prepare-root -- true (static, pass-through)" prepare-root-static -- true
		row "switch_root: prepare-root -- true (packaged dynamic, pass-through)" prepare-root-packaged -- true
		r=\$((r + 1))
	done
	echo "BENCH-END"
	poweroff -f'
INIT
	chmod +x "$root/init"
	pw_cpio "$root" "$work/initrd-$pad.gz"
}

kernel=$(pw_kernel "$suite")
# The large image lives in RAM twice while it unpacks.
export PW_QEMU_MEM=2048
image 0
# 50 times the small image's unpacked size, in MiB.
small_kb=$(du -sk "$work/root-0" | cut -f1)
large=$(( small_kb * 50 / 1024 ))
image "$large"

# median: the median of the numbers on standard input, one a line.
median() {
	sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

results() {	# PAD: boot and print "name|us" lines, us the median over the rounds
	local log=$work/console-$1.log lines name
	pw_boot "$kernel" "$work/initrd-$1.gz" "" "$log" 900 || true
	grep -q BENCH-END "$log" || { tail -n 30 "$log" >&2; pw_die "the benchmark guest did not finish"; }
	grep -q 'BENCH: .*|$' "$log" && { grep 'BENCH: .*|$' "$log" >&2; pw_die "a benchmark row failed"; }
	lines=$(tr -d '\r' < "$log" | sed -n 's/^BENCH: //p')
	# (first-seen order: the rows as the guest ran them)
	cut -d'|' -f1 <<<"$lines" | awk '!seen[$0]++' | while IFS= read -r name; do
		echo "$name|$(grep -F "$name|" <<<"$lines" | cut -d'|' -f2 | median)"
	done
}
small_rows=$(results 0)
libs=$(tr -d '\r' < "$work/console-0.log" | sed -n 's/^BENCH-LIBS: //p')
large_rows=$(results "$large")

# row_us ROWS NAME: the figure of the row named exactly NAME in ROWS
row_us() { awk -F'|' -v name="$2" '$1 == name { print $2; exit }' <<<"$1"; }
base=$(row_us "$small_rows" "env true (baseline)")
printf '\nThe packaged binary, from the rootfs of the %s kernel, LD_DEBUG=libs: it loaded\n\n' "$suite"
while IFS= read -r lib; do printf '    %s\n' "$lib"; done <<<"$libs"
printf '\nRe-root from a real initramfs root (%s kernel, QEMU TCG, baseline: env true)\n\n' "$suite"
printf '| %-52s | %9s | %7s |\n|%s|%s|%s|\n' command "median us" ratio \
	"$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..9})"
grep -v '^image|' <<<"$small_rows" | grep -v '^switch_root: ' | while IFS='|' read -r name us; do
	printf '| %-52s | %9.1f | %6.2fx |\n' "$name" "$us" "$(echo "$us / $base" | bc -l)"
done
printf '\nThe packaged re-root against the dynamic floor: %.2fx; the static re-root against the static floor: %s\n' \
	"$(echo "$(row_us "$small_rows" "prepare-root -- true (packaged dynamic, re-root)") / $(row_us "$small_rows" "floor (dynamic glibc)")" | bc -l)" \
	"$([ -n "$static_build" ] && printf '%.2fx' "$(echo "$(row_us "$small_rows" "prepare-root -- true (static, re-root)") / $(row_us "$small_rows" "floor (static musl)")" | bc -l)")"
if [ -n "$static_build" ]; then
	fs=$(row_us "$small_rows" "floor (static musl)"); fr=$(row_us "$small_rows" "floor + the re-root's system calls (static musl)")
	fp=$(row_us "$small_rows" "floor + the mount-table read (static musl)"); pr=$(row_us "$small_rows" "prepare-root -- true (static, re-root)")
	dance=$(row_us "$small_rows" "busybox dance (unshare, rbind, move, chroot) true")
	printf '\nThe static re-root taken apart (in env true units): the floor %.2f, the re-root'"'"'s system calls +%.2f,\n' \
		"$(echo "$fs / $base" | bc -l)" "$(echo "($fr - $fs) / $base" | bc -l)"
	printf 'the mount-table read +%.2f (prepare-root reads it only without statmount(2), before Linux 6.8), prepare-root %.2f.\n' \
		"$(echo "($fp - $fs) / $base" | bc -l)" "$(echo "$pr / $base" | bc -l)"
	printf 'The busybox sequence costs %.2fx the static re-root, %.2fx the floor with the re-root'"'"'s system calls,\n' \
		"$(echo "$dance / $pr" | bc -l)" "$(echo "$dance / $fr" | bc -l)"
	printf '%.2fx the floor with both (what any re-root that reads the mount table through libmount costs at least)\n' \
		"$(echo "$dance / ($fr + $fp - $fs)" | bc -l)"
fi
sw_base=$(row_us "$small_rows" "switch_root: env true")
printf '\nPass-through on a switch_root root (its parent outside it; %s kernel; baseline: env true there)\n\n' "$suite"
printf '| %-52s | %9s | %7s |\n|%s|%s|%s|\n' command "median us" ratio \
	"$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..9})"
grep '^switch_root: ' <<<"$small_rows" | while IFS='|' read -r name us; do
	printf '| %-52s | %9.1f | %6.2fx |\n' "${name#switch_root: }" "$us" "$(echo "$us / $sw_base" | bc -l)"
done
s_kb=$(row_us "$small_rows" image); l_kb=$(row_us "$large_rows" image)
printf '\nImage size: %s KiB vs %s KiB unpacked (%.0fx); ratio: the same row in the small image;\n' \
	"$s_kb" "$l_kb" "$(echo "$l_kb / $s_kb" | bc -l)"
printf 'vs env true: that ratio over env true'"'"'s (a larger image slows every exec alike)\n\n'
printf '| %-52s | %9s | %9s | %7s | %11s |\n|%s|%s|%s|%s|%s|\n' command "small us" "large us" ratio "vs env true" \
	"$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})" \
	"$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..13})"
l_base=$(row_us "$large_rows" "env true (baseline)")
grep -v '^image|' <<<"$small_rows" | grep -v '^switch_root: ' | while IFS='|' read -r name us; do
	l=$(row_us "$large_rows" "$name")
	printf '| %-52s | %9.1f | %9.1f | %6.2fx | %10.2fx |\n' "$name" "$us" "$l" "$(echo "$l / $us" | bc -l)" \
		"$(echo "($l / $us) / ($l_base / $base)" | bc -l)"
done
