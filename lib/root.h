/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one model of the current root: the facts pivot_root(2)'s checks read
 * about the calling process and its root, gathered once, and the judgement
 * the run and --check make from them.
 */
#ifndef PIVOTWRAP_ROOT_H
#define PIVOTWRAP_ROOT_H

#include <stdbool.h>

#include "checks.h"
#include "mounts.h"

/*
 * The current root's facts (PW_ROOT), and with @caller the caller's
 * (PW_CALLER: may_mount(), and how NEW_ROOT's lock can be learnt).
 * statmount(2) where the kernel has it, else the mount table.
 */
void pw_root_gather(struct pw_facts *f, bool caller);

/*
 * What the kernel says of the mount at @p (pw_place_mount(), with @t the
 * table it may have read) as @s's facts: on the root's mount (f->root_id),
 * in this namespace, shared, has a parent, the parent shared.  The root's,
 * NEW_ROOT's and PUT_OLD's alike.
 */
void pw_mount_facts(struct pw_facts *f, enum pw_subject s, const struct pw_place *p, struct pw_table *t);

/* What the root needs before a runtime's pivot_root(2) can work. */
enum pw_need {
	PW_NEED_NOTHING,	/* it works as it is: exec the command */
	PW_NEED_REROOT,		/* a root row fails, and a re-root fixes it */
	PW_NEED_UNTOLD,		/* cannot be told, nor a re-root made: run it as it is */
	PW_NEED_IMPOSSIBLE,	/* a root row fails that no re-root can fix */
	PW_NEED_LIBMOUNT,	/* the mount table is needed, libmount cannot be loaded */
};

/*
 * Gather the root's facts (with @caller the caller's too) and judge them by the table's root rows.  Where
 * a row cannot be told from the facts, the kernel is asked: a trial
 * pivot_root(2) in a thread with a mount namespace of its own (never a
 * child process).  @v is the verdict of the root rows after that; *@why
 * says why a trial could not be made, when that decided, or (with
 * PW_NEED_LIBMOUNT) why libmount could not be loaded: a broken
 * installation, said as such rather than worked around.
 */
enum pw_need pw_root_judge(struct pw_facts *f, bool caller, struct pw_verdict *v, const char **why);

#endif
