# shellcheck shell=bash
# Shared by tests/e2e/run.sh, tests/e2e-engines (run.sh, lxc/run.sh),
# tests/e2e-systemd, tests/e2e-debian/run.sh, tests/cli and bench/vm.sh:
# fetch a Debian cloud kernel or packages, build an initramfs, boot it
# under QEMU and collect the console.

PW_CACHE=${PIVOTWRAP_CACHE:-$HOME/.cache/pivotwrap}
# The guest's Debian architecture, PW_ARCH: amd64 (QEMU q35), or arm64
# (QEMU virt, cross: Debian's arm64 packages through apt's multiarch
# support).  Kernels, packages and apt state of arm64 are kept apart from
# amd64's.  amd64 unless a script asks (tests/e2e/run.sh --arch).
# pw_set_arch ARCH: switch to ARCH.
pw_set_arch() {
	case $1 in
	amd64) pw_arch_tag="" ;;
	arm64) pw_arch_tag=-arm64 ;;
	*) echo "e2e: architecture $1: amd64 or arm64" >&2; exit 2 ;;
	esac
	PW_ARCH=$1
}
pw_set_arch amd64
# The mirror (looked up only when a kernel must be downloaded): see there.
# shellcheck source=tools/debian-mirror.sh
. "$(dirname "${BASH_SOURCE[0]}")/../../tools/debian-mirror.sh"

pw_die() { echo "e2e: $*" >&2; exit 1; }
pw_log() { echo "e2e: $*" >&2; }

# --- the host side of a suite -------------------------------------------
# Its verdicts are "PASS NAME" and "FAIL NAME: WHY" lines, and it ends with
# "N passed, N failed" (pw_summary: true when all passed, and some did).
passed=0
failed=0
pw_summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
# pw_result PASS|FAIL NAME[: WHY]: one host-side verdict.
pw_result() {
	echo "$1 $2"
	if [ "$1" = PASS ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
# pw_fatal NAME WHY: the suite cannot go on; a failure, never a skip.
pw_fatal() {
	pw_result FAIL "$1: $2"
	pw_summary || exit 1
}
# pw_usage: the script's "#   " header lines, and exit 2.
pw_usage() {
	sed -n 's/^#   //p' "$0" >&2
	exit 2
}
# pw_require WHY TOOL:PACKAGE...: root (WHY says what for), each TOOL (apt
# installs PACKAGE), and a static /bin/busybox (the images run it without
# a C library); pw_fatal otherwise.
pw_require() {
	local why=$1 tool
	shift
	[ "$(id -u)" -eq 0 ] || pw_fatal setup "run as root ($why)"
	for tool in "$@"; do
		command -v "${tool%%:*}" >/dev/null || pw_fatal setup "${tool%%:*} missing (apt-get install ${tool#*:})"
	done
	if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
		pw_fatal setup "/bin/busybox is not static (apt-get install busybox-static)"
	fi
}
# pw_names KNOWN LIST: LIST ("all", or names separated by spaces or
# commas), space-separated, each checked to be one of KNOWN; pw_usage
# otherwise (in "$(...)": follow it with "|| exit 2").
pw_names() {
	local known=$1 list=$2 n out=""
	[ "$list" = all ] && list=$known
	for n in ${list//,/ }; do
		[[ " $known " == *" $n "* ]] || { echo "$0: unknown name $n (known: $known, all)" >&2; pw_usage; }
		out+="${out:+ }$n"
	done
	echo "$out"
}
# pw_guest_scenarios FILE: the names in FILE's ALL_SCENARIOS="..." list.
pw_guest_scenarios() {
	sed -n '/^ALL_SCENARIOS="/,/"$/p' "$1" | tr -d '"' | sed 's/ALL_SCENARIOS=//' | tr '\n' ' '
}

# pw_locked FUNCTION ARG...: FUNCTION in a subshell holding the cache's
# lock: the QEMU suites run side by side (two TCG guests on two cores) and
# share the apt state and the caches under PW_CACHE.  The functions below
# that download take it; nothing under it takes it again.
pw_locked() {
	mkdir -p "$PW_CACHE" || pw_die "cannot create $PW_CACHE"
	( flock 9 && "$@" ) 9>"$PW_CACHE/.lock"
}

# pw_apt_opts APT_DIR: set the caller's opts to apt-get's options for the
# private state in APT_DIR (sources list, lists, cache; no lock), for
# PW_ARCH's packages.
pw_apt_opts() {
	opts=(-o "Dir::Etc::SourceList=$1/sources.list" -o Dir::Etc::SourceParts=/dev/null
		-o "Dir::State::Lists=$1/lists" -o "Dir::Cache=$1/cache"
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root -q)
	[ "$PW_ARCH" = amd64 ] || opts+=(-o "APT::Architecture=$PW_ARCH" -o "APT::Architectures=$PW_ARCH")
}

# pw_kernel SUITE: print the path of a cached vmlinuz of Debian's cloud
# kernel for SUITE (bookworm, trixie, sid) and PW_ARCH, downloading it the
# first time.  The machine's apt configuration is not changed: a private
# sources list, state and cache live under the cache directory.
pw_kernel() { pw_locked pw_kernel_unlocked "$@"; }
pw_kernel_unlocked() {
	local suite=$1 dir=$PW_CACHE/kernels/$1$pw_arch_tag apt_dir meta image binary pkg deb vmlinuz
	if [ -s "$dir/vmlinuz" ]; then
		echo "$dir/vmlinuz"
		return
	fi
	command -v apt-get >/dev/null || pw_die "apt-get missing: cannot fetch the $suite kernel"
	local mirror
	mirror=$(pw_debian_mirror) || pw_die "no mirror to fetch the $suite kernel from"
	apt_dir=$PW_CACHE/apt/$suite$pw_arch_tag
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$dir" || pw_die "cannot create $apt_dir"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		> "$apt_dir/sources.list"
	local opts
	pw_apt_opts "$apt_dir"
	pw_log "fetching the $suite cloud kernel ($PW_ARCH)"
	# --error-on=any: an unreachable mirror is an error, not a warning
	# followed by an empty package list.
	apt-get "${opts[@]}" --error-on=any update >"$apt_dir/update.log" 2>&1 ||
		{ pw_hide_mirror "$mirror" <"$apt_dir/update.log" >&2; pw_die "apt-get update for $suite failed"; }
	meta=$(apt-cache "${opts[@]}" show "linux-image-cloud-$PW_ARCH" | sed -n 's/^Depends: //p' | head -n1)
	image=$(tr ',' '\n' <<<"$meta" | grep -o 'linux-image-[0-9][^ ]*' | head -n1)
	[ -n "$image" ] || pw_die "no linux-image dependency of linux-image-cloud-$PW_ARCH in $suite"
	# From 7.x on the kernel itself is in linux-binary-VERSION.
	binary=$(apt-cache "${opts[@]}" show "$image" | sed -n 's/^Depends: //p' | head -n1 |
		tr ',' '\n' | grep -o 'linux-binary-[0-9][^ ]*' | head -n1 || true)
	pkg=${binary:-$image}
	(cd "$apt_dir" && rm -f ./*.deb && apt-get "${opts[@]}" download "$pkg" >"$apt_dir/download.log" 2>&1) ||
		{ pw_hide_mirror "$mirror" <"$apt_dir/download.log" >&2; pw_die "apt-get download $pkg failed"; }
	deb=$(ls "$apt_dir"/*.deb) || pw_die "no .deb downloaded for $pkg"
	rm -rf "$dir/x"
	dpkg-deb -x "$deb" "$dir/x" || pw_die "cannot unpack $deb"
	# /boot/vmlinuz-* up to 6.x; /usr/lib/modules/*/vmlinuz from 7.x on.
	vmlinuz=$(find "$dir/x" -name 'vmlinuz*' -type f | head -n1)
	[ -n "$vmlinuz" ] || pw_die "no vmlinuz in $pkg"
	cp "$vmlinuz" "$dir/vmlinuz.tmp" || pw_die "cannot copy $vmlinuz"
	echo "$pkg $(basename "$deb")" > "$dir/package"
	rm -rf "$dir/x" "$deb"
	mv "$dir/vmlinuz.tmp" "$dir/vmlinuz" || pw_die "cannot store the $suite kernel"
	echo "$dir/vmlinuz"
}

# pw_dlopen_sonames FILE: the libraries FILE may dlopen(), as its ELF
# .note.dlopen (systemd's format, read by image builders) names them.
pw_dlopen_sonames() {
	grep -ao '"soname":\[[^]]*\]' "$1" | grep -o '"[^"]*"' | grep -v '"soname"' | tr -d '"'
}

# pw_copy_binary ROOT FILE [DEST]: copy FILE into ROOT with every shared
# library it loads (and the ELF interpreter), found with ldd, and those it
# may dlopen() (pw_dlopen_sonames: prepare-root's libmount) with theirs.
pw_copy_binary() {
	local root=$1 file=$2 dest=${3:-$2} lib so
	mkdir -p "$root$(dirname "$dest")"
	cp -L "$file" "$root$dest"
	for lib in $(ldd "$file" 2>/dev/null | awk '/=> \//{print $3} /^\t\//{print $1}') \
		$(for so in $(pw_dlopen_sonames "$file"); do
			so=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
			[ -n "$so" ] && echo "$so" && ldd "$so" | awk '/=> \//{print $3} /^\t\//{print $1}'
		done); do
		[ -e "$root$lib" ] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
}

# pw_busybox ROOT DIR [BUSYBOX]: busybox-static (this machine's, or the
# static BUSYBOX of another architecture) in ROOT/DIR with relative applet
# links (the applets this machine's busybox lists: the same Debian package).
pw_busybox() {
	local root=$1 dir=$2 busybox=${3:-/bin/busybox} applet
	mkdir -p "$root$dir"
	cp "$busybox" "$root$dir/busybox"
	for applet in $(/bin/busybox --list); do
		[ "$applet" = busybox ] || [ -e "$root$dir/$applet" ] || ln -s busybox "$root$dir/$applet"
	done
}

# pw_cpio ROOT OUT: pack ROOT as a newc initramfs (gzip -1: packing time
# matters more than size here).
pw_cpio() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet) | gzip -1 > "$2"
}

# pw_boot VMLINUZ INITRD CMDLINE LOG TIMEOUT: boot under QEMU (TCG) with the
# console on stdio captured in LOG; returns QEMU's status, 124 on timeout.
pw_boot() {
	# TCG unless told otherwise: a /dev/kvm that exists need not work
	# (nested virtualisation refuses it on these machines).
	local kernel=$1 initrd=$2 cmdline=$3 log=$4 limit=$5 accel=${PW_E2E_ACCEL:-tcg} qemu
	if [ "$PW_ARCH" = arm64 ]; then
		# virt's PL011 UART is ttyAMA0.  pauth-impdef: QEMU's own pointer
		# authentication algorithm, several times faster under TCG than
		# the architected QARMA one (the guest cannot tell).
		qemu=(qemu-system-aarch64 -machine "virt,accel=$accel" -cpu "max,pauth-impdef=on")
		cmdline="console=ttyAMA0 $cmdline"
	else
		qemu=(qemu-system-x86_64 -machine "q35,accel=$accel" -cpu max)
		cmdline="console=ttyS0 $cmdline"
	fi
	command -v "${qemu[0]}" >/dev/null ||
		pw_die "${qemu[0]} missing (apt-get install $([ "$PW_ARCH" = arm64 ] && echo qemu-system-arm || echo qemu-system-x86))"
	timeout --foreground -k 5 "$limit" "${qemu[@]}" -smp 1 -m "${PW_QEMU_MEM:-1024}" \
		-nodefaults -no-user-config -nographic -no-reboot \
		-serial stdio -kernel "$kernel" -initrd "$initrd" \
		-append "panic=-1 quiet loglevel=3 $cmdline" </dev/null >"$log" 2>&1
}

# pw_debs SUITE DIR PACKAGE...: download PACKAGE... of SUITE and everything
# they depend on (not what they recommend) as .debs into DIR, resolved as
# if nothing were installed (an empty dpkg status), through the same
# private apt state as pw_kernel: the machine's apt configuration is not
# changed and its installed packages do not matter.
pw_debs() { pw_locked pw_debs_unlocked "$@"; }
pw_debs_unlocked() {
	local suite=$1 out=$2 apt_dir=$PW_CACHE/apt/$1$pw_arch_tag mirror
	shift 2
	mirror=$(pw_debian_mirror) || pw_die "no mirror to fetch $* from"
	mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache" "$out/partial" || pw_die "cannot create $apt_dir or $out"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
		> "$apt_dir/sources.list"
	: > "$apt_dir/empty-status"
	local opts
	pw_apt_opts "$apt_dir"
	opts+=(-o "Dir::State::status=$apt_dir/empty-status" -o "Dir::Cache::archives=$out")
	apt-get "${opts[@]}" --error-on=any update >"$apt_dir/update.log" 2>&1 ||
		{ pw_hide_mirror "$mirror" <"$apt_dir/update.log" >&2; pw_die "apt-get update for $suite failed"; }
	apt-get "${opts[@]}" install -y --download-only --no-install-recommends "$@" >"$out/download.log" 2>&1 ||
		{ pw_hide_mirror "$mirror" <"$out/download.log" >&2; pw_die "apt-get download of $* ($suite) failed"; }
}

# pw_build_prepare_root DIR: build prepare-root alone (no tests, no man
# page) from this checkout into DIR and print its path; on failure show the
# end of the build log on stderr and return 1.
pw_build_prepare_root() {
	local dir=$1 top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	pw_log "building prepare-root"
	if ! { meson setup "$dir" "$top" -Dtests=disabled -Dman=disabled &&
		ninja -C "$dir" prepare-root; } > "$dir.log" 2>&1; then
		tail -n 40 "$dir.log" | sed 's/^/  | /' >&2
		return 1
	fi
	echo "$dir/prepare-root"
}

# pw_deb_tree NAME LEFT_PACKED PACKAGE...: print a directory holding
# bookworm's PACKAGE... (of PW_ARCH) and their dependency closure (pw_debs) unpacked
# with dpkg-deb -x, except the packages whose name matches the regular
# expression LEFT_PACKED; documentation, translations, shell completions,
# init scripts and systemd units left out; "name version" of each unpacked
# package in its .packages.  Downloaded and unpacked once, cached under
# $PW_CACHE/NAME, made anew when the package list changes.
pw_deb_tree() { pw_locked pw_deb_tree_unlocked "$@"; }
pw_deb_tree_unlocked() {
	local cache=$PW_CACHE/$1 left_packed=$2 key tree deb name
	shift 2
	key=$(echo "$*|$left_packed|1$pw_arch_tag" | md5sum | cut -c1-12)
	tree=$cache/tree-$key
	if [ -f "$tree/.complete" ]; then
		echo "$tree"
		return
	fi
	pw_log "downloading bookworm's $* and their dependencies"
	rm -rf "$cache/debs" "$cache"/tree-*
	pw_debs_unlocked bookworm "$cache/debs" "$@"
	mkdir -p "$tree"
	for deb in "$cache"/debs/*.deb; do
		name=$(dpkg-deb -f "$deb" Package)
		[[ $name =~ $left_packed ]] && continue
		dpkg-deb -x "$deb" "$tree" || pw_die "cannot unpack $deb"
		echo "$name $(dpkg-deb -f "$deb" Version)" >> "$tree/.packages"
	done
	rm -rf "$tree"/usr/share/{doc,man,info,locale,lintian,bash-completion,zsh,fish} \
		"$tree"/etc/{init.d,default,cron.daily,logrotate.d} "$tree"/lib/systemd "$tree"/usr/lib/systemd
	rm -rf "$cache/debs"
	touch "$tree/.complete"
	echo "$tree"
}

# pw_docker_archive DIR OUT: a "docker save" tarball (manifest.json, config,
# one layer) of the rootfs DIR, tagged localhost/bb:latest; podman load,
# ctr image import and docker load all read it
# (tests/e2e-engines, tests/e2e-systemd, tests/e2e-debian).
pw_docker_archive() {
	python3 - "$1" "$2" <<'PY'
import hashlib, io, json, sys, tarfile
src, out = sys.argv[1], sys.argv[2]
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    t.add(src, arcname=".")
layer = buf.getvalue()
diff = hashlib.sha256(layer).hexdigest()
config = json.dumps({
    "architecture": "amd64", "os": "linux",
    "config": {"Env": ["PATH=/bin"], "Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff]},
    "history": [{"created_by": "pivotwrap tests/e2e/lib.sh"}],
}).encode()
cdig = hashlib.sha256(config).hexdigest()
manifest = json.dumps([{"Config": cdig + ".json", "RepoTags": ["localhost/bb:latest"],
                        "Layers": [diff + "/layer.tar"]}]).encode()
with tarfile.open(out, "w") as t:
    for name, data in ((diff + "/layer.tar", layer), (cdig + ".json", config), ("manifest.json", manifest)):
        info = tarfile.TarInfo(name)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
}

# pw_show_tail LOG: the end of the console, for a guest that hung or died.
pw_show_tail() {
	echo "  | last 40 console lines:"
	tail -n 40 "$1" | sed 's/^/  | /'
}

# pw_judge_console LABEL LOG STATUS SCENARIO...: judge one boot from its
# console LOG (a copy without carriage returns is left in LOG.txt) and
# QEMU's exit STATUS: a "PASS|FAIL name [LABEL]" line per SCENARIO, added
# to the caller's passed and failed counters.  Only an "E2E: PASS name"
# line from a guest that printed "E2E: BOOTED" counts, and the guest must
# finish with "E2E: DONE n" for exactly the scenarios selected: a guest
# that ran fewer, or hung, fails.
pw_judge_console() {
	local label=$1 log=$2 status=$3 s tail_shown=false done_line
	shift 3
	tr -d '\r' < "$log" > "$log.txt"
	grep '^E2E: \(INFO\|REPORT\)' "$log.txt" | sed "s/^E2E: /  [$label] /" || true
	[ "$status" -eq 124 ] && echo "  [$label] QEMU killed at its time limit: the guest hung"
	# (unanchored: the firmware's escape sequences share the first line)
	if ! grep -q 'E2E: BOOTED' "$log.txt"; then
		echo "FAIL $label: the guest never reached /init (QEMU status $status)"
		pw_show_tail "$log.txt"
		failed=$((failed + $#))
		return
	fi
	for s in "$@"; do
		if grep -qx "E2E: PASS $s" "$log.txt"; then
			echo "PASS $s [$label]"
			passed=$((passed + 1))
			continue
		fi
		echo "FAIL $s [$label]"
		failed=$((failed + 1))
		if grep -qx "E2E: FAIL $s" "$log.txt"; then
			# The scenario's evidence, as the guest printed it.
			awk -v s="$s" '$0 == "E2E: START " s {on=1; next} on && /^E2E: (PASS|FAIL) / {exit} on' "$log.txt" |
				sed 's/^E2E-LOG: //; s/^/  | /' | tail -n 80
		else
			echo "  | no result: the guest hung or died in or before it (QEMU status $status)"
			$tail_shown || pw_show_tail "$log.txt"
			tail_shown=true
		fi
	done
	done_line=$(grep -o '^E2E: DONE [0-9]*' "$log.txt" || true)
	if [ "$done_line" != "E2E: DONE $#" ]; then
		echo "FAIL $label: the guest did not finish with 'E2E: DONE $#' (got '${done_line:-nothing}')"
		$tail_shown || pw_show_tail "$log.txt"
		failed=$((failed + 1))
	fi
}
