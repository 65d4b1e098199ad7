#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module for prepare-root(8): installs prepare-root, the shared
# libraries it needs (libmount too, which it may only dlopen), and its
# masquerade links into the image as /usr/sbin/prepare-root.  Included
# only when asked for: dracut --add prepare-root, or
# add_dracutmodules+=" prepare-root " in dracut.conf.d.
#
# PREPARE_ROOT_BINARY, if set, names the binary to install instead (the
# tests use a freshly built one), PREPARE_ROOT_MASQUERADE_DIR the directory
# of masquerade links.  The build system rewrites the defaults below to
# <prefix>/<sbindir>/prepare-root and <prefix>/<libexecdir>/pivotwrap/bin.

# shellcheck disable=SC2154 # initdir and moddir: set by dracut
check() {
    require_binaries "${PREPARE_ROOT_BINARY:-/usr/sbin/prepare-root}" || return 1
    return 255
}

depends() {
    return 0
}

install() {
    local binary=${PREPARE_ROOT_BINARY:-/usr/sbin/prepare-root}
    local masquerade_dir=${PREPARE_ROOT_MASQUERADE_DIR:-/usr/libexec/pivotwrap/bin}
    local libc_dir dir lib link

    inst_binary "$binary" /usr/sbin/prepare-root

    # libmount: a dynamic prepare-root may load it with dlopen(3) only (on
    # kernels without statmount(2), before 6.8), so inst_binary, which
    # follows ldd, need not bring it.  It is looked for where the binary's
    # own C library is, as ldd finds that: the right directory for the
    # binary's architecture on any Debian.  Its own libraries (libblkid,
    # libselinux, libpcre2-8) are installed by name: dracut resolves the
    # libraries of executable files only, and a library is not one.  A
    # static prepare-root has libmount built in.
    libc_dir=$(ldd "$binary" 2>/dev/null |
        sed -n 's|^[[:space:]]*libc\.so\.[0-9.]* => \(/.*\)/libc\.so\.[0-9.]* (0x[0-9a-f]*)$|\1|p')
    if [[ $libc_dir ]]; then
        for dir in "$libc_dir" "/usr${libc_dir#/usr}" "${libc_dir#/usr}"; do
            if [[ -e $dir/libmount.so.1 ]]; then
                inst_library "$dir/libmount.so.1"
                for lib in $(ldd "$dir/libmount.so.1" | sed -n 's|^[[:space:]]*[^ ]* => \(/[^ ]*\) (0x[0-9a-f]*)$|\1|p'); do
                    inst_library "$lib"
                done
                break
            fi
        done
        [[ -e $dir/libmount.so.1 ]] ||
            dwarn "prepare-root: no libmount.so.1 beside $libc_dir/libc.so.*: prepare-root will fail before Linux 6.8 (install libmount1)"
    fi

    # The masquerade links (prepare-root run as runc or crun), at the same
    # path as on the system, so that an engine configuration copied into
    # the image finds them: each a link to /usr/sbin/prepare-root.
    if [[ -d $masquerade_dir ]]; then
        for link in "$masquerade_dir"/*; do
            [[ -L $link ]] || continue
            inst_dir "$masquerade_dir"
            ln -sfn /usr/sbin/prepare-root "${initdir}${masquerade_dir}/${link##*/}"
        done
    fi
}
