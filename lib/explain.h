/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --explain: every condition under which pivot_root(2) fails, checked for
 * the calling process, in the order the kernel checks them
 * (fs/namespace.c, pivot_root), each with its evidence and its fix.
 */
#ifndef PIVOTWRAP_EXPLAIN_H
#define PIVOTWRAP_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct libmnt_table;

enum pw_tri { PW_UNKNOWN, PW_NO, PW_YES };

/* What is known of the mount a path lies on. */
struct pw_mount_facts {
	int stat_errno;			/* nonzero: the path could not be looked at */
	bool is_dir;
	uint64_t id;			/* the ID mountinfo shows */
	enum pw_tri mount_root;		/* the path is the root of that mount */
	enum pw_tri has_parent;
	enum pw_tri shared;
	enum pw_tri parent_shared;
	char evidence[512];		/* its mountinfo line, or statmount's answer */
	char parent_evidence[512];	/* the same for its parent */
};

struct pw_pivot_facts {
	enum pw_tri cap_sys_admin;
	struct pw_mount_facts root;
	const char *new_root;		/* NULL: only the current root is judged */
	struct pw_mount_facts new_mnt;
	const char *put_old;
	struct pw_mount_facts old_mnt;
	enum pw_tri old_under_new;	/* PUT_OLD is at or under NEW_ROOT */
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
