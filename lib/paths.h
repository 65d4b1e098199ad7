/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --explain's diagnostics of a runtime's own NEW_ROOT and PUT_OLD: the
 * facts pivot_root(2)'s rows read about them, as the kernel would find
 * them (its lookups, lock_mount()'s move onto the topmost mount at
 * PUT_OLD, is_path_reachable()'s walk up the mount tree, MNT_LOCKED).
 */
#ifndef PIVOTWRAP_PATHS_H
#define PIVOTWRAP_PATHS_H

#include "checks.h"

/* The facts of NEW_ROOT @new_root and PUT_OLD @put_old into @f, which
 * already holds the caller's and the root's (pw_root_gather). */
void pw_paths_gather(struct pw_facts *f, const char *new_root, const char *put_old);

#endif
