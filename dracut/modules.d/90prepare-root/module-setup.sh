#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# dracut module for prepare-root(8): installs prepare-root, and the shared
# libraries it needs, into the image as /usr/sbin/prepare-root.  Included
# only when asked for: dracut --add prepare-root, or
# add_dracutmodules+=" prepare-root " in dracut.conf.d.
#
# PREPARE_ROOT_BINARY, if set, names the binary to install instead (the
# tests use a freshly built one).  The build system rewrites the default
# below to <prefix>/<sbindir>/prepare-root.

check() {
    require_binaries "${PREPARE_ROOT_BINARY:-/usr/sbin/prepare-root}" || return 1
    return 255
}

depends() {
    return 0
}

install() {
    inst_binary "${PREPARE_ROOT_BINARY:-/usr/sbin/prepare-root}" /usr/sbin/prepare-root
}
