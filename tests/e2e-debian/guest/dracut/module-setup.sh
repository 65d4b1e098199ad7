#!/bin/bash
# tests/e2e-debian: installed in the test's Debian root as
# /usr/lib/dracut/modules.d/99pw-e2e/module-setup.sh, added to every image
# by /etc/dracut.conf.d/pw-e2e.conf.  The same payload as the
# initramfs-tools hook (guest/initramfs-tools/hook): podman, conmon, crun,
# podman's helpers, their configuration, busybox in /e2e/bin and the staged
# /usr/local/share/pw-e2e/image; and a cmdline hook that runs the test
# before dracut looks for a root.  prepare-root itself is left to the
# package's module (dracut --add prepare-root).

# shellcheck disable=SC2154 # initdir and moddir: set by dracut
check() {
    return 255
}

depends() {
    return 0
}

install() {
    local f applet
    for f in /usr/bin/podman /usr/bin/conmon /usr/bin/crun /usr/sbin/runc /usr/bin/runc /usr/lib/podman/* /usr/libexec/podman/*; do
        [[ -f $f && -x $f ]] && inst_binary "$f"
    done
    inst_binary /usr/bin/busybox /e2e/bin/busybox
    for applet in $(/usr/bin/busybox --list); do
        [[ -e ${initdir}/e2e/bin/$applet ]] || ln -s busybox "${initdir}/e2e/bin/$applet"
    done
    mkdir -p "${initdir}/etc" "${initdir}/usr/share"
    cp -a /etc/containers "${initdir}/etc/"
    cp -a /usr/share/containers "${initdir}/usr/share/"
    cp /etc/passwd /etc/group "${initdir}/etc/"
    cp -a /usr/local/share/pw-e2e/image/. "${initdir}/"
    inst_hook cmdline 00 "$moddir/pw-e2e-hook.sh"
}
