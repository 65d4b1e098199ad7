#!/usr/bin/env bash
# See the problem and the fix in one command:
#
#   examples/initramfs-demo/run.sh
#
# Installs what it needs from Debian (as root), builds prepare-root, builds a
# tiny initramfs with busybox, crun and a container bundle, boots it with
# Debian's cloud kernel under QEMU, and shows, from the initramfs root:
#   1. crun run failing with "pivot_root: Invalid argument";
#   2. prepare-root -- crun run starting the same container.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$top/tests/e2e/lib.sh"

[ "$(id -u)" -eq 0 ] || pw_die "run it as root (it installs packages and builds an image with device nodes)"
need=()
for p in meson:meson ninja:ninja-build pkg-config:pkg-config gcc:gcc cpio:cpio crun:crun \
	busybox:busybox-static qemu-system-x86_64:qemu-system-x86 python3:python3; do
	command -v "${p%%:*}" >/dev/null || need+=("${p#*:}")
done
dpkg -s libmount-dev >/dev/null 2>&1 || need+=(libmount-dev)
if [ ${#need[@]} -gt 0 ]; then
	echo "demo: installing ${need[*]}"
	apt-get update -q >/dev/null || true
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "demo: building prepare-root"
meson setup "$work/build" "$top" -Dtests=disabled -Dman=disabled >/dev/null
ninja -C "$work/build" prepare-root >/dev/null

echo "demo: building the initramfs"
root=$work/root
mkdir -p "$root"/{proc,sys,dev,tmp,run,bundle/rootfs}
pw_busybox "$root" /bin
pw_copy_binary "$root" "$work/build/prepare-root" /bin/prepare-root
pw_copy_binary "$root" "$(command -v crun)" /bin/crun
pw_busybox "$root/bundle/rootfs" /bin
(cd "$root/bundle" && crun spec && python3 - <<'PY'
import json
c = json.load(open("config.json"))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/sh", "-c", "echo \"hello from a container: PID $$, hostname $(hostname)\""]
c["hostname"] = "demo-container"
c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
json.dump(c, open("config.json", "w"), indent=1)
PY
)
cat > "$root/init" <<'INIT'
#!/bin/sh
export PATH=/bin
mount -t proc proc /proc; mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev; mount -t cgroup2 cgroup2 /sys/fs/cgroup
show() { echo "DEMO:"; echo "DEMO: # $*"; "$@" 2>&1 | sed 's/^/DEMO: /'; }
echo "DEMO: Linux $(uname -r), running from its initramfs. The root mount:"
awk '$5 == "/"' /proc/self/mountinfo | sed 's/^/DEMO:   /'
cd /bundle
show crun run demo1
show prepare-root --check
show prepare-root -- crun run demo2
echo "DEMO-END"
poweroff -f
INIT
chmod +x "$root/init"
pw_cpio "$root" "$work/initrd.gz"

kernel=$(pw_kernel bookworm)
echo "demo: booting $(basename "$(dirname "$kernel")") under QEMU (no KVM needed; a few seconds)"
pw_boot "$kernel" "$work/initrd.gz" "" "$work/console.log" 300 || true
if ! grep -q DEMO-END "$work/console.log"; then
	tail -n 30 "$work/console.log"
	pw_die "the guest did not finish"
fi
echo
tr -d '\r' < "$work/console.log" | sed -n 's/^.*DEMO: \{0,1\}//p' | tee "$work/demo.txt"
grep -q "pivot_root: Invalid argument" "$work/demo.txt" || pw_die "crun did not fail as expected"
grep -q "hello from a container: PID 1, hostname demo-container" "$work/demo.txt" ||
	pw_die "the container did not start through prepare-root"
