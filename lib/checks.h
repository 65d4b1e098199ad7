/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pivot_root(2)'s checks as data: one row per test the kernel makes
 * (fs/namespace.c), in the kernel's order for each generation of it, read
 * by one evaluator against one set of facts.  The first row that fails is
 * the error pivot_root(2) returns.  The run, --check and --explain all take
 * their verdict from here, so they cannot disagree.
 *
 * The facts are gathered once, yes/no/unknown, each with its evidence: the
 * caller's and the current root's by lib/root.c, NEW_ROOT's and PUT_OLD's
 * by lib/paths.c.  What user space cannot know stays unknown, never guessed.
 */
#ifndef PIVOTWRAP_CHECKS_H
#define PIVOTWRAP_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum pw_tri { PW_UNKNOWN, PW_NO, PW_YES };

static inline enum pw_tri pw_tri_of(bool b)
{
	return b ? PW_YES : PW_NO;
}

/* Whom a row is about. */
enum pw_subject {
	PW_CALLER,	/* the calling process */
	PW_ROOT,	/* the current root, "/" */
	PW_NEW,		/* NEW_ROOT */
	PW_OLD,		/* PUT_OLD, on the topmost mount there (lock_mount) */
	PW_SUBJECTS
};

/* What a row asks of its subject. */
enum pw_fact {
	PW_MAY_MOUNT,		/* CAP_SYS_ADMIN over the mount namespace */
	PW_RESOLVES,		/* the path names a directory (its errno otherwise) */
	PW_MOUNTABLE,		/* something may be mounted there: not removed */
	PW_SHARED,		/* its mount is shared */
	PW_PARENT_SHARED,	/* the parent of its mount is shared */
	PW_IN_NAMESPACE,	/* its mount is in the caller's mount namespace */
	PW_LOCKED,		/* its mount is locked to its parent */
	PW_UNLINKED,		/* it has been removed */
	PW_ON_ROOT_MOUNT,	/* it lies on the current root's mount */
	PW_MOUNT_ROOT,		/* it is the root of its mount */
	PW_HAS_PARENT,		/* its mount has a parent */
	PW_REACHABLE,		/* NEW_ROOT under the root, PUT_OLD under NEW_ROOT */
	PW_FACTS
};

/* What pivot_root(2) does first, by kernel generation. */
enum pw_generation {
	PW_GEN_6_1,	/* IS_MNT_SHARED() before check_mnt() */
	PW_GEN_6_12,	/* check_mnt() first: a detached mount's parent is not pinned */
	PW_GEN_7_0,	/* the path lookups before may_mount(): path_pivot_root() */
	PW_GENERATIONS
};

/* How the lock of NEW_ROOT's mount can be learnt (lib/paths.c). */
enum pw_lock_probe { PW_LOCK_NONE_LOCKED, PW_LOCK_PROBE, PW_LOCK_CANNOT_PROBE };

struct pw_facts {
	enum pw_tri value[PW_SUBJECTS][PW_FACTS];
	char evidence[PW_SUBJECTS][PW_FACTS][400];
	const char *fix[PW_SUBJECTS][PW_FACTS];	/* NULL: the row's own */
	bool settled[PW_SUBJECTS][PW_FACTS];	/* told by a trial, not seen */
	int lookup_errno[PW_SUBJECTS];		/* PW_RESOLVES failed with it */
	bool present[PW_SUBJECTS];		/* the subject was asked about */
	const char *path[PW_SUBJECTS];		/* NEW_ROOT's and PUT_OLD's, as given */
	enum pw_generation generation;
	/* Gathered with the root, used by paths.c and reroot.c: */
	uint64_t root_id;			/* the root's mount */
	enum pw_lock_probe lock_probe;
	bool no_libmount;			/* the table was needed, libmount did not load */
	char release[65];			/* uname -r */
};

/* Empty facts for the running kernel's generation. */
void pw_facts_init(struct pw_facts *f);
/* Set a fact and its evidence (printf-style; NULL: none). */
void pw_fact(struct pw_facts *f, enum pw_subject s, enum pw_fact fact, enum pw_tri value,
	     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The generation of kernel release @release ("6.12.0-1-amd64"). */
enum pw_generation pw_generation_of(const char *release);
/* Whether @release is older than Linux @major.@minor (PW_UNKNOWN: unreadable). */
enum pw_tri pw_release_before(const char *release, unsigned major, unsigned minor);

/* One test of pivot_root(2). */
struct pw_row {
	const char *check;		/* the test, as fs/namespace.c spells it */
	int error;			/* what pivot_root(2) returns; 0: the lookup's */
	enum pw_subject subject;
	enum pw_fact fact;
	enum pw_tri wanted;		/* the value with which the test passes */
	const char *text;		/* what must hold; NEW_ROOT, PUT_OLD get their paths */
	const char *fix;
};

/* The verdict of the rows of the subjects in @subjects (a bit per subject). */
struct pw_verdict {
	const struct pw_row *failed;	/* the first row that fails, or NULL */
	const struct pw_row *unknown;	/* the first row before it that cannot be told */
	int error;			/* what pivot_root(2) returns: the failed row's errno */
	bool unknown_same_error;	/* every row not told before it fails alike */
};

#define PW_SUBJECT_BIT(s) (1U << (s))
#define PW_ROOT_ROWS      (PW_SUBJECT_BIT(PW_ROOT))
#define PW_CALLER_ROWS    (PW_SUBJECT_BIT(PW_CALLER) | PW_SUBJECT_BIT(PW_ROOT))
#define PW_ALL_ROWS       (PW_CALLER_ROWS | PW_SUBJECT_BIT(PW_NEW) | PW_SUBJECT_BIT(PW_OLD))

/*
 * Evaluate the rows of @subjects in @f's kernel order; with @report, print
 * each (ok, FAIL, ??) there, one line each, and a closing "verdict:" line.
 */
void pw_checks_evaluate(const struct pw_facts *f, unsigned subjects, struct pw_verdict *v, FILE *report);

/*
 * Settle the rows of @subjects that cannot be told by the kernel's answer
 * to a trial: all of them pass (@passed), or the first one fails (each of
 * the root rows fails with EINVAL, so the answer cannot say which of them
 * did: its evidence says so).  @how is added to their evidence.
 */
void pw_checks_settle(struct pw_facts *f, unsigned subjects, bool passed, const char *how);

#define PW_ROW_MAX 8192

/* One row as --explain prints it, into @buf (not escaped: the printer
 * escapes), for --check's answer and --verbose. */
void pw_row_format(const struct pw_facts *f, const struct pw_row *row, char *buf, size_t size);

#endif
