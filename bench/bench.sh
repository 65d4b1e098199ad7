#!/usr/bin/env bash
# Benchmarks of prepare-root, each row a ratio against a baseline measured
# in the same run (never an absolute claim).  Run as root:
#
#   bench/bench.sh [--build DIR] [--static-build DIR] [--runs N] [--vm]
#
# DIR is a meson build directory (default: build), holding prepare-root and
# bench/runloop; --static-build names a -Dstatic=true build (README.md) whose
# prepare-root gets rows of its own.  --vm adds the rows measured inside the
# end-to-end QEMU guest, booted from an initramfs (see bench/vm.sh).
# shellcheck disable=SC2016 # scripts for inner shells are single-quoted on purpose
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$here/../build
runs=300
vm=false
static_build=""
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--static-build) static_build=$(cd "$2" && pwd); shift 2 ;;
	--vm) vm=true; shift ;;
	*) echo "usage: $0 [--build DIR] [--static-build DIR] [--runs N] [--vm]" >&2; exit 2 ;;
	esac
done
build=$(cd "$build" && pwd)
pr=$build/prepare-root
runloop=$build/bench/runloop
no_statmount=$build/bench/no-statmount
for f in "$pr" "$runloop" "$no_statmount"; do
	[ -x "$f" ] || { echo "bench: $f missing: build first (meson compile -C $build)" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "bench: run as root" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# median_us N command...: the median of N runs, in microseconds.  runloop
# fails when a run of the command fails: so does this, and the bench.
median_us() {
	local n=$1 out; shift
	out=$("$runloop" "$n" "$@") || { echo "bench: '$*' failed" >&2; return 1; }
	echo "${out%% *}"
}

# print_row NAME US BASELINE_US: one table row with the ratio; a missing or
# zero time (a row whose command failed) stops the bench.
print_row() {
	local name=$1 us=$2 base=$3
	for v in "$us" "$base"; do
		if ! [[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || [ "$(echo "$v > 0" | bc)" != 1 ]; then
			echo "bench: no time for '$name' (got '$us', baseline '$base')" >&2
			exit 1
		fi
	done
	printf '| %-52s | %9.1f | %6.2fx |\n' "$name" "$us" "$(echo "$us / $base" | bc -l)"
}

# row NAME BASELINE_US command...: one table row with the ratio.
row() {
	local name=$1 base=$2 us; shift 2
	us=$(median_us "$runs" "$@") || exit 1
	print_row "$name" "$us" "$base"
}

header() {
	printf '\n%s\n\n| %-52s | %9s | %7s |\n|%s|%s|%s|\n' "$1" "command" "median us" "ratio" \
		"$(printf -- '-%.0s' {1..54})" "$(printf -- '-%.0s' {1..11})" "$(printf -- '-%.0s' {1..9})"
}

echo "# prepare-root benchmarks: $(uname -srm), $(nproc) cpus, $(date -u +%F), $runs runs a row"
echo "# binary: $pr ($(file -b "$pr" | cut -d, -f1-2 | tr -d '\n'))"

# 1. Pass-through on this host's root: the cost of being one more exec.
header "Pass-through on a normal root (baseline: env true)"
base=$(median_us "$runs" env true) || exit 1
row "true" "$base" true
row "env true (baseline)" "$base" env true
row "prepare-root -- true" "$base" "$pr" -- true
[ -n "$static_build" ] && row "prepare-root -- true (static)" "$base" "$static_build/prepare-root" -- true
# Both through the seccomp wrapper, so both pay its exec:
row "wrapper, prepare-root -- true (statmount path)" "$base" "$no_statmount" --allow "$pr" -- true
row "wrapper, prepare-root -- true (libmount path)" "$base" "$no_statmount" "$pr" -- true

# 2. The re-root, on the root a host can make: a chroot into a directory.
chroot_dir=$work/chroot
mkdir -p "$chroot_dir"/{bin,proc,mnt,dev}
cp /bin/busybox "$chroot_dir/bin/busybox"
for a in sh true env mount chroot; do ln -s busybox "$chroot_dir/bin/$a"; done
# util-linux's unshare: busybox's cannot leave propagation unchanged, and
# in a chroot directory "/" cannot be made private.
cp "$pr" "$runloop" "$(command -v unshare)" "$chroot_dir/bin/"
for lib in $(ldd "$pr" "$(command -v unshare)" 2>/dev/null | awk '/=> \//{print $3} /^\t\//{print $1}' | sort -u); do
	mkdir -p "$chroot_dir$(dirname "$lib")"; cp -L "$lib" "$chroot_dir$lib"
done
touch "$chroot_dir/dev/null"	# /dev/null is bound over it in the namespace below
cat > "$chroot_dir/bin/dance" <<'DANCE'
#!/bin/sh
# The busybox sequence, ending in true (the spare directory is /mnt).
exec unshare --mount --propagation unchanged sh -c 'mount --rbind / /mnt && cd /mnt && mount --move . / && exec chroot . /bin/true'
DANCE
chmod +x "$chroot_dir/bin/dance"
header "Re-root of a chroot directory (baseline: env true, in the chroot)"
unshare --mount --propagation private -- sh -c 'mount --bind /dev/null "$1/dev/null" && exec chroot "$1" /bin/sh -c "$2" sh "$3"' sh "$chroot_dir" '
	runs=$1
	# runloop fails when the command does: so does the row, and the bench.
	row() {
		name=$1; base=$2; shift 2
		out=$(runloop "$runs" "$@") || { echo "bench: $name failed" >&2; exit 1; }
		echo "$name|${out%% *}|$base"
	}
	base=$(runloop "$runs" env true) || exit 1
	base=${base%% *}
	row "env true (baseline)" "$base" env true
	row "prepare-root -- true (re-root)" "$base" prepare-root -- true
	row "busybox dance (unshare, rbind, move, chroot) true" "$base" dance
' "$runs" | while IFS='|' read -r name us base; do
	print_row "$name" "$us" "$base"
done

# 3. Detection as the mount table grows: statmount is one lookup, the
# mountinfo parse reads every line.
header "Detection with N mounts, both through the seccomp wrapper (baseline: statmount path, 10 mounts)"
unshare --mount --propagation private -- bash -c '
	set -e
	runs=$1 pr=$2 runloop=$3 nsm=$4 work=$5
	mkdir -p "$work/m"
	mount -t tmpfs -o size=1M tmpfs "$work/m"
	have=$(wc -l < /proc/self/mountinfo)
	base=""
	for n in 10 1000 10000; do
		while [ "$have" -lt "$n" ]; do
			mkdir -p "$work/m/$have" && mount -t tmpfs -o size=4k tmpfs "$work/m/$have"
			have=$((have + 1))
		done
		sm=$("$runloop" "$runs" "$nsm" --allow "$pr" --check) && sm=${sm%% *}
		lm=$("$runloop" "$runs" "$nsm" "$pr" --check) && lm=${lm%% *}
		[ -n "$base" ] || base=$sm
		echo "prepare-root --check, $n mounts, statmount|$sm|$base"
		echo "prepare-root --check, $n mounts, libmount|$lm|$base"
	done
' sh "$((runs / 3 + 1))" "$pr" "$runloop" "$no_statmount" "$work" | while IFS='|' read -r name us base; do
	print_row "$name" "$us" "$base"
done

if $vm; then
	"$here/vm.sh" --build "$build" ${static_build:+--static-build "$static_build"} --runs "$runs"
fi
