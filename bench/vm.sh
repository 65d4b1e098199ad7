#!/usr/bin/env bash
# The rows only a real initramfs root can give: boots Debian's cloud kernel
# under QEMU (TCG) and times, from the rootfs, prepare-root's re-root
# against `env true` and the busybox dance, in a small image and in one
# 50 times larger.  Called by bench.sh --vm, or alone:
#
#   bench/vm.sh --build DIR [--static-build DIR] [--kernel SUITE] [--runs N] [--rounds R]
#
# The rows are interleaved: R rounds (default 5), each running every row
# N/R times; a row's figure is the median of its R round medians, so a
# drift in the guest's speed (QEMU sharing the machine) falls on every row
# alike instead of on whichever ran last.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../tests/e2e/lib.sh"

build=$here/../build
static_build=""
suite=bookworm
runs=300
rounds=5
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--static-build) static_build=$2; shift 2 ;;
	--kernel) suite=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	*) echo "usage: $0 --build DIR [--static-build DIR] [--kernel SUITE] [--runs N] [--rounds R]" >&2; exit 2 ;;
	esac
done
runloop=$build/bench/runloop
[ -x "$runloop" ] || pw_die "$runloop missing: build first"
ldd "$runloop" >/dev/null 2>&1 && pw_die "$runloop is not static"
{ [ "$rounds" -ge 1 ] && [ "$runs" -ge "$rounds" ]; } || pw_die "--rounds must be between 1 and --runs"
per_round=$((runs / rounds))

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# image PAD_MB: an initramfs with the binaries under test, plus PAD_MB of
# incompressible files to make it larger.
image() {
	local pad=$1 root=$work/root-$1
	mkdir -p "$root"/{proc,sys,dev,tmp,mnt}
	pw_busybox "$root" /bin
	cp "$runloop" "$root/bin/runloop"
	pw_copy_binary "$root" "$build/prepare-root" /bin/prepare-root-dynamic
	[ -n "$static_build" ] && cp "$static_build/prepare-root" "$root/bin/prepare-root-static"
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
r=0
while [ \$r -lt $rounds ]; do
	row "env true (baseline)" env true
	[ -x /bin/prepare-root-static ] && row "prepare-root -- true (static, re-root)" prepare-root-static -- true
	row "prepare-root -- true (dynamic, re-root)" prepare-root-dynamic -- true
	row "busybox dance (unshare, rbind, move, chroot) true" dance
	r=\$((r + 1))
done
echo "BENCH: image|\$(du -sk / 2>/dev/null | cut -f1)"
echo "BENCH-END"
poweroff -f
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
large_rows=$(results "$large")

base=$(sed -n 's/^env true (baseline)|//p' <<<"$small_rows")
printf '\nRe-root from a real initramfs root (%s kernel, QEMU TCG, baseline: env true)\n\n' "$suite"
printf '| %-52s | %9s | %7s |\n|%s|%s|%s|\n' command "median us" ratio \
	"$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..9})"
grep -v '^image|' <<<"$small_rows" | while IFS='|' read -r name us; do
	printf '| %-52s | %9.1f | %6.2fx |\n' "$name" "$us" "$(echo "$us / $base" | bc -l)"
done
s_kb=$(sed -n 's/^image|//p' <<<"$small_rows"); l_kb=$(sed -n 's/^image|//p' <<<"$large_rows")
printf '\nImage size: %s KiB vs %s KiB unpacked (%.0fx); ratio: the same row in the small image;\n' \
	"$s_kb" "$l_kb" "$(echo "$l_kb / $s_kb" | bc -l)"
printf 'vs env true: that ratio over env true'"'"'s (a larger image slows every exec alike)\n\n'
printf '| %-52s | %9s | %9s | %7s | %11s |\n|%s|%s|%s|%s|%s|\n' command "small us" "large us" ratio "vs env true" \
	"$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..11})" \
	"$(printf -- '-%.0s' {1..9})" "$(printf -- '-%.0s' {1..13})"
l_base=$(sed -n 's/^env true (baseline)|//p' <<<"$large_rows")
grep -v '^image|' <<<"$small_rows" | while IFS='|' read -r name us; do
	l=$(grep -F "$name|" <<<"$large_rows" | cut -d'|' -f2)
	printf '| %-52s | %9.1f | %9.1f | %6.2fx | %10.2fx |\n' "$name" "$us" "$l" "$(echo "$l / $us" | bc -l)" \
		"$(echo "($l / $us) / ($l_base / $base)" | bc -l)"
done
