/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Giving the process a root that pivot_root(2) accepts: a recursive bind
 * mount of "/" onto itself, entered, in a new private mount namespace.
 */
#ifndef PIVOTWRAP_REROOT_H
#define PIVOTWRAP_REROOT_H

#include "rootmount.h"

/*
 * Re-root the calling process, as judged by @info.  On success the process
 * root is the root of a mount that has a parent, the working directory is the
 * same path as before, and the caller's mount namespace is as it was.
 * Returns 0, or -1 after printing one error line; then the caller's mount
 * namespace is still as it was and the process should exit.
 */
int pw_reroot(const struct pw_root_info *info);

#endif
