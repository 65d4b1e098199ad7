/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel says of a mount, from its one of two readers:
 * statmount(2) (Linux 6.8: constant time, no /proc, sees mounts outside the
 * root when privileged), else the mount table, /proc/self/mountinfo, parsed
 * by libmount (which is loaded only then: dlopen() in the dynamic build).
 *
 * Mount IDs are shown to users in one numbering only: mountinfo's (the one
 * findmnt and /proc/self/mountinfo print).  statmount(2) takes the 64-bit
 * unique IDs and reports both.
 */
#ifndef PIVOTWRAP_MOUNTS_H
#define PIVOTWRAP_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel-abi.h"

#define PW_MOUNTINFO "/proc/self/mountinfo"

/* The mount table every reader reads: PW_MOUNTINFO, but for the unit tests
 * and the fuzzing harness, which give a file of their own. */
extern const char *pw_mountinfo;

struct pw_mount {
	uint64_t id, parent_id;		/* mountinfo's numbering */
	uint64_t uid, parent_uid;	/* statmount's; 0 when read from the table */
	uint64_t propagation;		/* MS_SHARED, MS_SLAVE, MS_UNBINDABLE bits; 0: private */
	bool from_table;
	char evidence[512];		/* its mountinfo line, or statmount's answer */
};

/* Where a path lies: statx(2) of it, with both mount numberings asked for. */
struct pw_where {
	struct pw_statx stx;
	uint64_t id;			/* mountinfo's numbering, 0 if not told */
	uint64_t uid;			/* statmount's, 0 before Linux 6.8 */
	bool mount_root;		/* STATX_ATTR_MOUNT_ROOT: the root of that mount */
	bool mount_root_known;
};

/* statx(2) of @path relative to @dirfd (AT_EMPTY_PATH in @flags: @dirfd
 * itself), both numberings: 0, or -1 with errno. */
int pw_where(int dirfd, const char *path, int flags, struct pw_where *w);

/*
 * statmount(2) of mount @uid into @m; with @point (of @size) also its mount
 * point relative to the caller's root ("" when it lies outside the root).
 * 0, or -1 with errno: ENOSYS before Linux 6.8 (or under a seccomp policy
 * that does not know it), EPERM for a mount outside the root without
 * CAP_SYS_ADMIN, ENOENT for a mount of another mount namespace.
 */
int pw_statmount(uint64_t uid, struct pw_mount *m, char *point, size_t size);

/* What a failed statmount(2) means for the caller, or NULL. */
const char *pw_statmount_hint(int errnum);

/* The mount table, read once. */
struct pw_table;

/* Where a path lies and what its mount is, as far as it can be told. */
struct pw_place {
	struct pw_where w;
	struct pw_mount m;
	bool known;		/* m is filled */
	bool listed;		/* its root lies under the caller's root: mountinfo
				 * lists it, statmount(2) gives it a mount point */
	bool via_table;		/* the answer (or its absence) is the table's */
	int err;		/* why not known: statmount's errno, or the table's */
	char point[4096];	/* its mount point, relative to the root */
};

/* The mount of @p->w: statmount(2), else the mount table, read into *@t
 * at the first need (the caller frees it). */
void pw_place_mount(struct pw_place *p, struct pw_table **t);
/* The parent of @m (told by @t, or statmount): 0, or -1 when unseen. */
int pw_mount_parent(const struct pw_mount *m, struct pw_table *t, struct pw_mount *parent);

/*
 * Read the mount table at @path (pw_mountinfo) through libmount.  NULL and
 * errno when it cannot be read (ENOENT: no /proc), or when libmount cannot
 * be loaded (ELIBACC; pw_table_error() says why).
 */
struct pw_table *pw_table_read(const char *path);
void pw_table_free(struct pw_table *t);
/* The reason the last pw_table_read() failed, for an error line. */
const char *pw_table_error(void);

/* Mount @id as the table lists it: its place in the table's order, or -1
 * when it is not listed (its root lies outside the caller's root, or it
 * is of another namespace). */
int pw_table_find(struct pw_table *t, uint64_t id, struct pw_mount *m);

/*
 * The mounts under mount @uid (PW_LSMT_ROOT: all under the caller's root),
 * the first 64, by listmount(2) and statmount(2); with @t, or before Linux
 * 6.8, every mount the table lists instead (@t, or the table read now).
 * pw_mounts_list() returns 0, or -1 with errno when the table cannot be
 * read; pw_mounts_next() gives each mount and its mount point (relative to
 * the root) in turn, 0, then -1 at the end; pw_mounts_end() frees.
 */
struct pw_mount_list {
	struct pw_table *t, *own;	/* the table listed; the one read for it */
	uint64_t uids[64];
	size_t n, next;
};
int pw_mounts_list(struct pw_mount_list *l, uint64_t uid, struct pw_table *t);
int pw_mounts_next(struct pw_mount_list *l, struct pw_mount *m, char *point, size_t size);
void pw_mounts_end(struct pw_mount_list *l);

#endif
