/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the mount that holds the process root, and judging whether
 * pivot_root(2) would accept it as the current root.
 */
#ifndef PIVOTWRAP_ROOTMOUNT_H
#define PIVOTWRAP_ROOTMOUNT_H

#include <stdbool.h>
#include <stdint.h>

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
};

enum pw_verdict {
	PW_VERDICT_PIVOTABLE,		/* pivot_root can take this root as it is */
	PW_VERDICT_NO_PARENT,		/* the root is the initramfs rootfs */
	PW_VERDICT_NOT_MOUNT_ROOT,	/* an earlier chroot into a plain directory */
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

enum pw_verdict pw_root_verdict(const struct pw_root_info *info);
const char *pw_verdict_reason(enum pw_verdict verdict);
const char *pw_detect_method_name(enum pw_detect_method method);

#endif
