/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Giving the process a root that pivot_root(2) accepts: a recursive copy of
 * exactly the caller's root, attached to a mount that is not shared, and
 * entered, in a new mount namespace.
 */
#ifndef PIVOTWRAP_REROOT_H
#define PIVOTWRAP_REROOT_H

/*
 * Re-root the calling process.  On success the process root is the root of
 * a copy of the caller's root that pivot_root(2) accepts, the copy's mounts
 * have @propagation (MS_SLAVE: the caller's later mounts reach it where the
 * mounts were shared, nothing flows back; MS_PRIVATE: nothing flows either
 * way), the working directory is the same directory as before, and the
 * caller's mount namespace is as it was.  Returns 0, or -1 after printing
 * one error line; then the caller's mount namespace is still as it was and
 * the process should exit.
 */
int pw_reroot(unsigned long propagation);

#endif
