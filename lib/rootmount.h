/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the mount that holds the process root, and judging whether
 * pivot_root(2) would accept it as the current root.
 */
#ifndef PIVOTWRAP_ROOTMOUNT_H
#define PIVOTWRAP_ROOTMOUNT_H

#include <stdbool.h>
#include <stdint.h>

/* The mount table libmount reads when statmount(2) cannot answer. */
#define PW_MOUNTINFO "/proc/self/mountinfo"

struct libmnt_table;
struct libmnt_fs;

enum pw_detect_method {
	PW_DETECT_STATMOUNT,	/* statx + statmount(2): no /proc, no parsing */
	PW_DETECT_LIBMOUNT,	/* statx + libmount's /proc/self/mountinfo */
};

struct pw_root_info {
	enum pw_detect_method method;
	uint64_t mnt_id;	/* the mount holding "/", as statx(2) names it */
	uint64_t parent_id;	/* equal to mnt_id: no parent (rootfs) */
	bool is_mount_root;	/* "/" is that mount's root, not a directory in it */
	bool propagation_known;
	bool shared;		/* that mount has MS_SHARED propagation */
	bool parent_known;	/* the parent mount could be looked at ... */
	bool parent_shared;	/* ... and has MS_SHARED propagation */
};

enum pw_verdict {
	PW_VERDICT_PIVOTABLE,		/* pivot_root can take this root as it is */
	PW_VERDICT_NO_PARENT,		/* the root is the initramfs rootfs */
	PW_VERDICT_NOT_MOUNT_ROOT,	/* an earlier chroot into a plain directory */
	PW_VERDICT_PARENT_SHARED,	/* the mount under the root is shared */
	PW_VERDICT_PARENT_HIDDEN,	/* that mount cannot be seen: ask the kernel */
	PW_VERDICT_REFUSED,		/* the kernel refused a trial pivot_root */
	PW_VERDICT_UNKNOWN,		/* the kernel could not be asked */
};

/* The entry of mount @id in @tb, or NULL.  (libmount 2.38 has no public
 * lookup by ID.) */
struct libmnt_fs *pw_table_find_mount(struct libmnt_table *tb, uint64_t id);

/*
 * Fill @info from a parsed mount table, for the process whose root lies on
 * mount @root_id.  A root mount that the table does not list is a mount whose
 * root lies outside the process root: the kernel hides those from mountinfo,
 * so the process root is a directory inside it.  Returns 0, or a negative
 * errno from libmount.
 */
int pw_root_from_table(struct libmnt_table *tb, uint64_t root_id, struct pw_root_info *info);

/*
 * Look at the running process: statmount(2) when the kernel has it, else
 * @mountinfo (normally /proc/self/mountinfo) through libmount.  Prints one
 * error line and returns -1 when neither can tell.
 */
int pw_root_detect(const char *mountinfo, struct pw_root_info *info);

/*
 * The verdict from what @info shows.  The kernel's own checks
 * (fs/namespace.c, pivot_root) on the current root, in its order:
 * IS_MNT_SHARED(root_mnt->mnt_parent), path_mounted(&root),
 * mnt_has_parent(root_mnt).  PW_VERDICT_PARENT_HIDDEN when the parent's
 * propagation cannot be seen (no statmount(2), parent outside the root).
 */
enum pw_verdict pw_root_verdict(const struct pw_root_info *info);

/*
 * pw_root_verdict(), with PW_VERDICT_PARENT_HIDDEN settled by the kernel:
 * pw_sys_pivot_probe() tries pivot_root(2) in a throwaway child.  Gives
 * PW_VERDICT_PIVOTABLE, PW_VERDICT_REFUSED, or PW_VERDICT_UNKNOWN with
 * *@err set to the errno of the step that could not be done.
 */
enum pw_verdict pw_root_judge(const struct pw_root_info *info, int *err);

/* True when the verdict calls for a re-root. */
bool pw_verdict_needs_reroot(enum pw_verdict verdict);
const char *pw_verdict_reason(enum pw_verdict verdict);
const char *pw_detect_method_name(enum pw_detect_method method);

#endif
