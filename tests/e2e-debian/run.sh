#!/usr/bin/env bash
# The Debian user's path, booted: builds the .deb and installs it into a
# minimal Debian 12 and 13 root with the README's own commands (section
# "Installing on Debian"), builds the initramfs there with update-initramfs
# and the package's hook (and, on bookworm, with dracut --add prepare-root),
# and boots each image under QEMU with that release's own kernel: from the
# initramfs root crun, runc and podman fail unaided and work through the
# package's prepare-root and masquerade links.  See README.md.
#
#   tests/e2e-debian/run.sh [--release bookworm|trixie|all] [--scenario NAME]...
#                           [--keep DIR]
#
# Ends with "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

releases=all
scenarios=()
keep=""
# Per boot, on the host; the guest limits each scenario itself.  Under TCG
# podman takes seconds per command, so both are generous.
boot_timeout=${PW_E2E_BOOT_TIMEOUT:-600}
scenario_timeout=${PW_E2E_SCENARIO_TIMEOUT:-180}
# The images hold ~100 MB (podman, its libraries), unpacked into the
# rootfs, i.e. RAM, next to podman's vfs store.
export PW_QEMU_MEM=${PW_QEMU_MEM:-2048}

# What each release's root holds besides the essential set: the release's
# own kernel and initramfs-tools (zstd: the default codec), busybox (the
# test's scripts in the image run on it), the runtimes and the engine.
# dracut-core, unlike dracut, does not conflict with initramfs-tools: the
# bookworm root builds its second image with it.
ROOT_PACKAGES="linux-image-cloud-amd64 initramfs-tools zstd busybox crun runc podman"
# shellcheck disable=SC2034 # read as ${!extra}
EXTRA_PACKAGES_bookworm="dracut-core"
# The README's section and the blocks this suite runs as written.
README=$top/README.md

while [ $# -gt 0 ]; do
	case $1 in
	--release) [ $# -ge 2 ] || pw_usage; releases=$2; shift 2 ;;
	--scenario) [ $# -ge 2 ] || pw_usage; scenarios+=("$2"); shift 2 ;;
	--keep) [ $# -ge 2 ] || pw_usage; keep=$2; shift 2 ;;
	-h|--help) pw_usage ;;
	*) echo "e2e-debian: unknown argument $1" >&2; pw_usage ;;
	esac
done
releases=$(pw_names "bookworm trixie" "$releases") || exit 2
all_scenarios=$(pw_guest_scenarios "$here/guest/scenarios.sh")
[ ${#scenarios[@]} -gt 0 ] || read -r -a scenarios <<<"$all_scenarios"
for s in "${scenarios[@]}"; do
	[[ " $all_scenarios " == *" $s "* ]] || { echo "e2e-debian: unknown scenario $s (known: $all_scenarios)" >&2; exit 2; }
done

# fail_with NAME WHY LOG: a failed step, with the end of its log (the
# mirror's host hidden).
fail_with() {
	pw_result FAIL "$1: $2"
	[ -z "${3:-}" ] || tail -n 40 "$3" | pw_hide_mirror "$mirror" | sed 's/^/  | /'
}
pw_require "mmdebstrap, chroot, the images hold root-owned files" mmdebstrap:mmdebstrap \
	qemu-system-x86_64:qemu-system-x86 dpkg-buildpackage:dpkg-dev dpkg-deb:dpkg gcc:gcc python3:python3 \
	unshare:util-linux
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] ||
	pw_fatal setup "no Debian archive keyring (apt-get install debian-archive-keyring)"
mirror=$(pw_debian_mirror) || pw_fatal setup "no Debian mirror to build the roots from"

# The roots are ~500 MB each: on disk (/var/tmp), not in a /tmp that may be
# a tmpfs.
work=$(mktemp -d /var/tmp/pw-e2e-debian.XXXXXX)
jobs_to_kill=()
cleanup() {
	local pid
	for pid in "${jobs_to_kill[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# Nothing is mounted under $work (every mount lives in a private mount
	# namespace that ends with its command); --one-file-system all the same.
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT
t_start=$SECONDS
step_time() { pw_log "$1: $((SECONDS - $2)) s"; }

# readme_block NAME: the commands of the README's fenced block between
# "<!-- install-debian:NAME -->" and "<!-- /install-debian:NAME -->", as
# written (the fence lines left out).  Fails when the block is missing or
# empty: the README and this suite must not drift apart.
readme_block() {
	local block
	block=$(awk -v first="<!-- install-debian:$1 -->" -v last="<!-- /install-debian:$1 -->" '
		$0 == first { on = 1; next }
		$0 == last { on = 0 }
		on && !/^```/' "$README")
	[ -n "$block" ] || { echo "README.md has no block install-debian:$1" >&2; return 1; }
	printf '%s\n' "$block"
}

# in_root ROOT CMD...: CMD chrooted into ROOT, with /proc, /sys (and
# cgroup2, which "crun spec" looks at), /dev and a /tmp of its own, in a
# private mount namespace (nothing stays mounted when it ends, even if
# killed), and the environment of a root shell.
in_root() {
	local root=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --mount --propagation private -- sh -ec '
		root=$1; shift
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
		mount --rbind /dev "$root/dev"
		mount -t tmpfs tmpfs "$root/tmp"
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive "$@"' sh "$root" "$@"
}

# make_root RELEASE: the release's minimal root (mmdebstrap's minbase: the
# essential and required packages every Debian has; dracut's init needs
# mount, which the smaller "apt" variant lacks), with ROOT_PACKAGES and no
# recommends, in $work/root-RELEASE.  The test's
# initramfs-tools configuration is in place before the kernel's postinst
# builds its first image.  The .debs are kept in $PW_CACHE/debian-roots:
# a second run downloads only what changed (the archive's lists are always
# fetched anew).  The archive's key is named (signed-by), as for the
# kernels (tests/e2e/lib.sh), rather than inferred, which would take gpg.
make_root() {
	local release=$1 cache=$PW_CACHE/debian-roots/$1 extra packages
	extra=EXTRA_PACKAGES_$release
	packages="$ROOT_PACKAGES ${!extra:-}"
	mkdir -p "$cache"
	# shellcheck disable=SC2016 # "$1", the root, is mmdebstrap's to expand
	unshare --mount --propagation private -- mmdebstrap --variant=minbase \
		--aptopt='APT::Install-Recommends "false"' \
		--include="$(echo "$packages" | xargs | tr ' ' ,)" \
		--skip=essential/unlink \
		--setup-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/var/cache/apt/archives"' \
		--setup-hook="upload $here/guest/initramfs-tools/conf /etc/initramfs-tools/conf.d/pw-e2e" \
		--setup-hook="sync-in $cache /var/cache/apt/archives/" \
		--customize-hook='chroot "$1" apt-get -q autoclean' \
		--customize-hook="sync-out /var/cache/apt/archives $cache" \
		"$release" "$work/root-$release" \
		"deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $release main"
}

# build_deb: the README's build block, run in a copy of the tree as a
# release tarball holds it (what git tracks and files not yet added, as in
# tests/packaging's copy_tree; outside git, all but build directories);
# the .deb ends up in $work/src.
build_deb() {
	local version upstream src block
	version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
	upstream=${version%-*}
	src=$work/src/pivotwrap-$upstream
	mkdir -p "$src"
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		(cd "$top" && git ls-files -co --exclude-standard -z |
			while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
			xargs -0 cp --parents -t "$src/")
	else
		tar -C "$top" --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
			--exclude=./debian/.debhelper --exclude=./debian/pivotwrap --exclude=./debian/files \
			--exclude=./debian/debhelper-build-stamp --exclude='./debian/*.substvars' -cf - . |
			tar -C "$src" -xf -
	fi
	block=$(readme_block build) || return 1
	(cd "$src" && env -u DEB_BUILD_OPTIONS -u DEB_BUILD_PROFILES sh -e -x -c "$block")
}

# make_container_image: busybox-static and the escape probe (tests/e2e),
# as a rootfs and as a "docker save" tarball for podman load.
make_container_image() {
	mkdir -p "$work/bb"
	pw_busybox "$work/bb" /bin
	gcc -static -O2 -Wall -o "$work/bb/bin/probe" "$top/tests/e2e/probe.c"
	pw_docker_archive "$work/bb" "$work/bb.tar"
}

# stage_payload RELEASE: what the test's hook and module put into every
# image, staged in the root as /usr/local/share/pw-e2e/image (copied over the
# image's root): the guest scripts, podman's configuration for the guest
# (the engines suite's: vfs, cgroupfs, and the masquerade's
# [engine.runtimes]), the container image, a bundle for crun made with this
# release's "crun spec", and the marker only the initramfs has.  And the
# test's hook and init-premount script for initramfs-tools, and for dracut
# its module and configuration.
stage_payload() {
	local root=$work/root-$1 image
	image=$root/usr/local/share/pw-e2e/image
	# (called as a condition, where set -e does not hold: every step checked)
	mkdir -p "$image"/{e2e/bundle,images,etc/containers} &&
		cp "$here/guest/run" "$here/guest/scenarios.sh" "$image/e2e/" &&
		cp "$top/tests/e2e-engines/guest/scenarios.sh" "$image/e2e/engines-scenarios.sh" &&
		cp "$top/tests/e2e/guest/protocol.sh" "$image/e2e/" &&
		cp "$top"/tests/e2e-engines/guest/etc/containers/{storage,containers,masquerade}.conf "$image/etc/containers/" &&
		cp "$work/bb.tar" "$image/images/bb.tar" &&
		cp -a "$work/bb" "$image/images/rootfs" &&
		echo "this file exists only in the initramfs" > "$image/initramfs-only-marker" &&
		in_root "$root" sh -c 'cd /usr/local/share/pw-e2e/image/e2e/bundle && crun spec' || return 1
	# The same command the engines run (tests/e2e-engines/guest/scenarios.sh).
	# shellcheck disable=SC2016 # expanded by the container's shell
	python3 - "$image/e2e/bundle/config.json" 'echo CONTAINER pid=$$ host=$(hostname); /bin/probe' <<'PY' || return 1
import json, sys
path, cmd = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", cmd]
c["hostname"] = "inside"
c["root"] = {"path": "/images/rootfs", "readonly": False}
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
for k in ("bounding", "effective", "permitted"):
    c["process"]["capabilities"][k].append("CAP_SYS_CHROOT")
json.dump(c, open(path, "w"), indent=1)
PY
	install -D -m 755 "$here/guest/initramfs-tools/hook" "$root/etc/initramfs-tools/hooks/pw-e2e" &&
		install -D -m 755 "$here/guest/initramfs-tools/init-premount" \
			"$root/etc/initramfs-tools/scripts/init-premount/pw-e2e" || return 1
	if [ -x "$root/usr/bin/dracut" ]; then
		install -D -m 755 "$here/guest/dracut/module-setup.sh" "$root/usr/lib/dracut/modules.d/99pw-e2e/module-setup.sh" &&
			install -D -m 755 "$here/guest/dracut/pw-e2e-hook.sh" "$root/usr/lib/dracut/modules.d/99pw-e2e/pw-e2e-hook.sh" &&
			install -D -m 644 "$here/guest/dracut/conf" "$root/etc/dracut.conf.d/pw-e2e.conf" || return 1
	fi
}

# run_readme_block NAME RELEASE: the README's block NAME run as written, as
# root in the release's root, in the directory holding the .deb; its trace
# (sh -x) and output in $work/NAME-RELEASE.log.
run_readme_block() {
	local block root=$work/root-$2
	block=$(readme_block "$1") || return 1
	in_root "$root" sh -e -x -c "cd /root/pivotwrap && $block" >"$work/$1-$2.log" 2>&1
}

# take_image RELEASE LABEL: the kernel and the initramfs the root's /boot
# now holds, copied out as $work/LABEL.vmlinuz and $work/LABEL.img.
take_image() {
	local root=$work/root-$1 label=$2 vmlinuz initrd
	vmlinuz=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
	initrd=$root/boot/initrd.img-${vmlinuz##*/vmlinuz-}
	[ -f "$vmlinuz" ] && [ -f "$initrd" ] || return 1
	cp "$vmlinuz" "$work/$label.vmlinuz"
	cp "$initrd" "$work/$label.img"
	pw_log "$label: $(basename "$vmlinuz"), $(basename "$initrd") ($(du -h "$initrd" | cut -f1))"
}

# check_image RELEASE LABEL: the image holds the package's prepare-root byte
# for byte, libmount.so.1, and the masquerade links to prepare-root.
# Unpacked with the root's own unmkinitramfs (it reads dracut's images too).
check_image() {
	local root=$work/root-$1 label=$2 dir why="" link
	dir=/root/unpacked-$label
	if ! in_root "$root" unmkinitramfs "/root/$label.img" "$dir" 2>"$work/unpack-$label.log"; then
		fail_with "image [$label]" "unmkinitramfs failed" "$work/unpack-$label.log"
		return
	fi
	dir=$root$dir
	[ -d "$dir/main" ] && dir=$dir/main
	cmp -s "$work/deb/usr/sbin/prepare-root" "$dir/usr/sbin/prepare-root" ||
		why+=" /usr/sbin/prepare-root is not the package's;"
	find "$dir" -name 'libmount.so.1' | grep -q . || why+=" no libmount.so.1;"
	for link in crun runc; do
		[ "$(readlink "$dir/usr/libexec/pivotwrap/bin/$link")" = /usr/sbin/prepare-root ] ||
			why+=" /usr/libexec/pivotwrap/bin/$link is not a link to /usr/sbin/prepare-root;"
	done
	[ -x "$dir/e2e/run" ] || why+=" the test's payload is missing;"
	if [ -z "$why" ]; then
		pw_result PASS "image [$label]: the package's prepare-root, libmount.so.1, the crun and runc links"
	else
		echo "FAIL image [$label]:$why"
		failed=$((failed + 1))
	fi
	rm -rf --one-file-system "$dir"
}

# boot LABEL: boot $work/LABEL.img with its release's kernel; only an
# "E2E: PASS name" line from a guest that booted and reported every
# selected scenario counts.
boot() {
	local label=$1 log status t0=$SECONDS
	log=$work/console-$label.log
	pw_log "booting $label: ${scenarios[*]}"
	status=0
	pw_boot "$work/$label.vmlinuz" "$work/$label.img" \
		"pw.image=${label#*-} pw.timeout=$scenario_timeout pw.scenarios=$(IFS=,; echo "${scenarios[*]}")" \
		"$log" "$boot_timeout" || status=$?
	pw_log "$label: QEMU exited $status after $((SECONDS - t0)) s"
	[ -z "$keep" ] || cp "$log" "$keep/"
	pw_judge_console "$label" "$log" "$status" "${scenarios[@]}"
}

# prepare_release RELEASE: everything up to the boots, in a job of its own
# (stdout and stderr to $work/release-RELEASE.out, replayed by the main
# loop, which counts its PASS and FAIL lines): the root, then, once the
# .deb is there, the README's install block (and on bookworm its dracut
# block), each image taken from /boot and checked, and its label added to
# $work/images-RELEASE as soon as it is ready to boot.
prepare_release() {
	local r=$1 root=$work/root-$1 t0=$SECONDS deb extra
	if ! make_root "$r" >"$work/mmdebstrap-$r.log" 2>&1; then
		fail_with "root-$r" "mmdebstrap failed; none of its images was built" "$work/mmdebstrap-$r.log"
		return
	fi
	pw_log "root-$r (mmdebstrap): $((SECONDS - t0)) s"
	extra=EXTRA_PACKAGES_$r
	# shellcheck disable=SC2016,SC2086 # dpkg-query's format; a word list
	pw_log "$r: $(in_root "$root" dpkg-query -W -f '${Package} ${Version}; ' \
		linux-image-cloud-amd64 initramfs-tools podman crun runc ${!extra:-} 2>/dev/null || true)"
	# The main loop writes deb-status once the build ended.
	while [ ! -s "$work/deb-status" ]; do sleep 1; done
	deb=$(cat "$work/deb-status")
	if [ "$deb" = failed ]; then
		echo "FAIL $r: no package to install; none of its images was built"
		return
	fi
	t0=$SECONDS
	stage_payload "$r" || { echo "FAIL $r: the test's payload could not be staged"; return; }
	mkdir -p "$root/root/pivotwrap"
	cp "$deb" "$root/root/pivotwrap/"
	if run_readme_block install "$r"; then
		pw_result PASS "readme-install [$r]: apt install ./pivotwrap_*.deb, update-initramfs -u ($((SECONDS - t0)) s)"
		ready_image "$r" "$r-initramfs-tools"
	else
		fail_with "readme-install [$r]" "the README's install block failed" "$work/install-$r.log"
	fi
	if [ "$r" = bookworm ]; then
		t0=$SECONDS
		if run_readme_block dracut "$r"; then
			pw_result PASS "readme-dracut [$r]: dracut --add prepare-root ($((SECONDS - t0)) s)"
			ready_image "$r" "$r-dracut"
		else
			fail_with "readme-dracut [$r]" "the README's dracut block failed" "$work/dracut-$r.log"
		fi
	fi
}

# ready_image RELEASE LABEL: the image /boot now holds, taken out and
# checked, and named in $work/images-RELEASE for the main loop to boot.
ready_image() {
	take_image "$1" "$2" || { echo "FAIL image [$2]: no kernel and image in /boot"; return; }
	cp "$work/$2.img" "$work/root-$1/root/"
	check_image "$1" "$2"
	echo "$2" >> "$work/images-$1"
}

[ -z "$keep" ] || mkdir -p "$keep"

# The package build and each release's root and images run side by side:
# apt downloads while dpkg works, and one release's images are made while
# the other's boot (QEMU takes one core).  set -m: each job in a process
# group of its own, which cleanup ends as a whole.
pw_log "building the .deb (README, install-debian:build) and the roots of: $releases"
declare -A release_pid
set -m
( build_deb ) >"$work/build.log" 2>&1 &
build_pid=$!
jobs_to_kill+=("$build_pid")
for r in $releases; do
	: > "$work/images-$r"
	# shellcheck disable=SC2016 # expanded when the job ends
	( trap 'echo $? > "$work/release-$r.done"' EXIT; prepare_release "$r" ) >"$work/release-$r.out" 2>&1 &
	release_pid[$r]=$!
	jobs_to_kill+=("${release_pid[$r]}")
done
set +m
# Before deb-status is written: the release jobs stage it once that is there.
make_container_image

if wait "$build_pid" && deb=$(find "$work/src" -maxdepth 1 -name 'pivotwrap_*.deb' | grep .); then
	pw_result PASS "readme-build: $(basename "$deb") ($((SECONDS - t_start)) s)"
	dpkg-deb -x "$deb" "$work/deb"
	[ -z "$keep" ] || cp "$deb" "$keep/"
	echo "$deb" > "$work/deb-status"
else
	fail_with readme-build "the README's build block failed, or made no pivotwrap_*.deb" "$work/build.log"
	echo failed > "$work/deb-status"
fi
[ -z "$keep" ] || cp "$work/build.log" "$keep/"

# replay RELEASE: print the lines its job wrote since the last call (whole
# lines only), counting its PASS and FAIL lines.
declare -A replayed
replay() {
	local out=$work/release-$1.out n new
	n=$(wc -l < "$out")
	[ "$n" -gt "${replayed[$1]:-0}" ] || return 0
	new=$(sed -n "$((${replayed[$1]:-0} + 1)),${n}p" "$out")
	replayed[$1]=$n
	printf '%s\n' "$new"
	passed=$((passed + $(grep -c '^PASS ' <<<"$new" || true)))
	failed=$((failed + $(grep -c '^FAIL ' <<<"$new" || true)))
}

# Each image boots as soon as its job has checked it (bookworm's
# initramfs-tools image while dracut makes the next).
for r in $releases; do
	t0=$SECONDS booted=0
	while :; do
		ended=false
		[ -s "$work/release-$r.done" ] && ended=true
		replay "$r"
		if [ "$(wc -l < "$work/images-$r")" -gt "$booted" ]; then
			booted=$((booted + 1))
			label=$(sed -n "${booted}p" "$work/images-$r")
			[ -z "$keep" ] || cp "$work/$label.img" "$work/$label.vmlinuz" "$keep/"
			boot "$label"
			continue
		fi
		$ended && break
		sleep 1
	done
	wait "${release_pid[$r]}" || true
	status=$(cat "$work/release-$r.done" 2>/dev/null || echo 1)
	if [ "$status" -ne 0 ]; then
		echo "FAIL $r: its preparation ended with status $status"
		failed=$((failed + 1))
	fi
	if [ -n "$keep" ]; then
		cp "$work/release-$r.out" "$work/mmdebstrap-$r.log" "$keep/"
		cp "$work"/{install,dracut}-"$r".log "$keep/" 2>/dev/null || true
	fi
	step_time "$r: from the end of the previous release's boots to its own last" "$t0"
done
step_time "whole run" "$t_start"
[ -z "$keep" ] || pw_log "kept the .deb, the logs, the images, their kernels and the consoles in $keep"
pw_summary
