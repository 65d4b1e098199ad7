/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --explain: every check pivot_root(2) makes (fs/namespace.c), in the
 * kernel's order, evaluated for the calling process, each with its
 * evidence and its fix.  The first that fails is the error pivot_root(2)
 * returns.  What user space cannot know is said to be unknown, with the
 * reason, never guessed.
 */
#ifndef PIVOTWRAP_EXPLAIN_H
#define PIVOTWRAP_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct libmnt_table;

enum pw_tri { PW_UNKNOWN, PW_NO, PW_YES };

/* Where a path lies, as the kernel's ".." walk finds it. */
struct pw_place {
	bool known;
	uint64_t mnt_id;	/* statx STATX_MNT_ID */
	uint64_t ino;
	uint32_t dev_major, dev_minor;
};

/* What is known of a path and the mount it lies on. */
struct pw_mount_facts {
	int stat_errno;			/* nonzero: the lookup failed with it */
	bool is_dir;
	uint64_t id;			/* the ID mountinfo shows */
	struct pw_place place;
	uint32_t nlink;
	enum pw_tri mount_root;		/* the path is the root of that mount (path_mounted) */
	enum pw_tri has_parent;		/* mnt_has_parent */
	enum pw_tri shared;		/* IS_MNT_SHARED of the mount ... */
	enum pw_tri parent_shared;	/* ... and of its parent */
	enum pw_tri in_namespace;	/* check_mnt */
	enum pw_tri locked;		/* MNT_LOCKED */
	enum pw_tri unlinked;		/* d_unlinked, cant_mount */
	enum pw_tri under_root;		/* is_path_reachable(mnt, dentry, &root) */
	int statmount_errno;		/* why statmount(2) did not answer, or 0 */
	char evidence[512];		/* its mountinfo line, or statmount's answer */
	char parent_evidence[512];	/* the same for its parent */
	char ns_evidence[160];		/* how in_namespace was told */
	char locked_evidence[256];	/* how locked was told */
};

struct pw_pivot_facts {
	enum pw_tri cap_sys_admin;	/* effective, in the current user namespace */
	enum pw_tri may_mount;		/* in the user namespace owning the mount namespace */
	char may_mount_evidence[256];
	struct pw_mount_facts root;
	const char *new_root;		/* NULL: only the current root is judged */
	struct pw_mount_facts new_mnt;
	const char *put_old;
	struct pw_mount_facts old_mnt;
	enum pw_tri old_under_new;	/* is_path_reachable(old_mnt, old.dentry, &new) */
};

/* Exit statuses of --explain. */
#define PW_EXPLAIN_OK       0
#define PW_EXPLAIN_FAIL     1
#define PW_EXPLAIN_UNKNOWN  125

/*
 * Fill in what @tb says of mount @id (mount_root is what statx said of the
 * path).  A mount the table does not list leaves everything unknown.
 */
void pw_mount_facts_from_table(struct libmnt_table *tb, uint64_t id, enum pw_tri mount_root,
			       struct pw_mount_facts *f);

/* Look at the running process, and at NEW_ROOT and PUT_OLD when not NULL
 * (PUT_OLD defaults to NEW_ROOT, as in "pivot_root . ."). */
void pw_explain_gather(const char *new_root, const char *put_old, struct pw_pivot_facts *facts);

/* One line per check on @out, then the verdict; returns PW_EXPLAIN_*. */
int pw_explain_report(const struct pw_pivot_facts *facts, FILE *out);

#endif
