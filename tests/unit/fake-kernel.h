/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake kernel behind lib/sys.h, linked in with -Wl,--wrap=pw_sys_*: a
 * mount namespace described as data (its mounts, which of them lie outside
 * the root, the process root), answered as the real kernel answers.
 *
 *  - statx(2) of "/" names the root's mount (a unique ID from Linux 6.8,
 *    mountinfo's numbering before), with STATX_ATTR_MOUNT_ROOT;
 *  - statmount(2) looks the ID up in the caller's namespace (ENOENT for
 *    any other), refuses a mount outside the root without CAP_SYS_ADMIN
 *    (EPERM), and is ENOSYS before 6.8;
 *  - a thread runs its function at once, unless a PID namespace awaits
 *    its first process (copy_process(): EINVAL);
 *  - the trial's unshare(2) needs CAP_SYS_ADMIN; its pivot_root(2) gives
 *    the answer the test sets: the kernel's verdict on the mounts above;
 *  - what a thread does to mounts, its root or its working directory
 *    stays in the thread only once it has a mount namespace of its own
 *    (unshare(CLONE_NEWNS), which gives it its own fs too), and a mount
 *    stacked on a shared root there propagates back to the caller unless
 *    the root was made a recursive slave first: caller_changes counts what
 *    reached the caller.
 */
#ifndef PIVOTWRAP_FAKE_KERNEL_H
#define PIVOTWRAP_FAKE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/kernel-abi.h"

struct fake_mount {
	uint32_t id, parent_id;		/* mountinfo's numbering */
	uint64_t propagation;		/* MS_SHARED, ... */
	bool outside_root;		/* its root lies outside the process root */
};

struct fake_kernel {
	struct fake_mount mounts[8];
	int nmounts;
	uint32_t root;			/* the mount the process root lies on */
	bool root_is_dir;		/* a directory of it, not its root (a chroot) */
	bool before_6_8;		/* no statmount(2), no unique IDs */
	bool statmount_blocked;		/* 6.8, but statmount(2) ENOSYS (seccomp) */
	bool unprivileged;		/* no CAP_SYS_ADMIN */
	bool pending_pid_ns;		/* unshare(CLONE_NEWPID) without a fork */
	bool statmount_empty;		/* statmount(2) "succeeds" with nothing filled in
					 * (a seccomp filter returning 0) */
	bool no_mount_root_attr;	/* statx(2) without STATX_ATTR_MOUNT_ROOT (before 5.8) */
	bool cap_permitted_only;	/* CAP_SYS_ADMIN permitted, not effective */
	int pivot_root_errno;		/* the trial's answer */
	int execvp_errno;
	int threads, statmounts;	/* calls seen */
	int caller_changes;		/* mounts, chdir or pivot_root that reached the caller */
};

extern struct fake_kernel fake;

void fake_reset(void);
/* Add mount @id (parent @parent_id) with @propagation; returns it. */
struct fake_mount *fake_mount(uint32_t id, uint32_t parent_id, uint64_t propagation);

#endif
