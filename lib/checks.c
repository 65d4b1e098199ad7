/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "log.h"
#include "sys.h"

#define FIX_PREPARE_ROOT "run the command through prepare-root: prepare-root -- <command>"
#define FIX_PRIVATE_NS "(or work in a mount namespace of its own: unshare --mount --propagation private)"

/*
 * Every test of pivot_root(2), once.  The three orders below arrange them
 * as each generation of fs/namespace.c makes them; read against
 * SYSCALL_DEFINE2(pivot_root) (and path_pivot_root() from 7.0), row by row.
 */
enum row_id {
	R_MAY_MOUNT, R_LOOKUP_NEW, R_LOOKUP_OLD, R_OLD_MOUNTABLE,
	R_OLD_SHARED, R_EX_PARENT_SHARED, R_ROOT_PARENT_SHARED,
	R_ROOT_IN_NS, R_NEW_IN_NS, R_NEW_LOCKED, R_NEW_UNLINKED,
	R_NEW_IS_ROOT_MNT, R_OLD_IS_ROOT_MNT, R_ROOT_MOUNTED, R_ROOT_HAS_PARENT,
	R_NEW_MOUNTED, R_NEW_HAS_PARENT, R_OLD_UNDER_NEW, R_NEW_UNDER_ROOT,
	R_COUNT
};

static const struct pw_row rows[R_COUNT] = {
	[R_MAY_MOUNT] = { "may_mount()", EPERM, PW_CALLER, PW_MAY_MOUNT, PW_YES,
		"CAP_SYS_ADMIN in the user namespace that owns the mount namespace", "run as root" },
	[R_LOOKUP_NEW] = { "user_path_at(new_root, LOOKUP_DIRECTORY)", 0, PW_NEW, PW_RESOLVES, PW_YES,
		"NEW_ROOT is a directory", "name a directory" },
	[R_LOOKUP_OLD] = { "user_path_at(put_old, LOOKUP_DIRECTORY)", 0, PW_OLD, PW_RESOLVES, PW_YES,
		"PUT_OLD is a directory", "name a directory" },
	/* lock_mount() moves PUT_OLD onto whatever is mounted topmost there:
	 * from here on PUT_OLD's facts are that mount's. */
	[R_OLD_MOUNTABLE] = { "lock_mount(&old): cant_mount()", ENOENT, PW_OLD, PW_MOUNTABLE, PW_YES,
		"PUT_OLD has not been removed", "name a directory that exists" },
	[R_OLD_SHARED] = { "IS_MNT_SHARED(old_mnt)", EINVAL, PW_OLD, PW_SHARED, PW_NO,
		"the mount at PUT_OLD is not shared",
		"make it private: mount --make-private on PUT_OLD's mount point " FIX_PRIVATE_NS },
	[R_EX_PARENT_SHARED] = { "IS_MNT_SHARED(ex_parent)", EINVAL, PW_NEW, PW_PARENT_SHARED, PW_NO,
		"the parent of NEW_ROOT's mount is not shared",
		"make the parent mount private: mount --make-private on its mount point " FIX_PRIVATE_NS },
	[R_ROOT_PARENT_SHARED] = { "IS_MNT_SHARED(root_parent)", EINVAL, PW_ROOT, PW_PARENT_SHARED, PW_NO,
		"the parent of the current root's mount is not shared",
		"prepare-root -- <command>; or make the parent mount private from outside the root "
		"(mount --make-private on it, before the chroot)" },
	[R_ROOT_IN_NS] = { "check_mnt(root_mnt)", EINVAL, PW_ROOT, PW_IN_NAMESPACE, PW_YES,
		"the current root's mount is in this mount namespace",
		"run it in the mount namespace the root belongs to: nsenter --mount=/proc/PID/ns/mnt" },
	[R_NEW_IN_NS] = { "check_mnt(new_mnt)", EINVAL, PW_NEW, PW_IN_NAMESPACE, PW_YES,
		"NEW_ROOT's mount is in this mount namespace",
		"name a directory of this mount namespace, not one reached through another's /proc/PID/root" },
	[R_NEW_LOCKED] = { "new_mnt->mnt.mnt_flags & MNT_LOCKED", EINVAL, PW_NEW, PW_LOCKED, PW_NO,
		"NEW_ROOT's mount is not locked to its parent",
		"bind-mount it onto itself first (mount --bind NEW_ROOT NEW_ROOT): a new mount is not locked" },
	[R_NEW_UNLINKED] = { "d_unlinked(new.dentry)", ENOENT, PW_NEW, PW_UNLINKED, PW_NO,
		"NEW_ROOT has not been removed", "name a directory that exists" },
	[R_NEW_IS_ROOT_MNT] = { "new_mnt == root_mnt", EBUSY, PW_NEW, PW_ON_ROOT_MOUNT, PW_NO,
		"NEW_ROOT is not on the current root's mount",
		"make NEW_ROOT a mount of its own: mount --bind NEW_ROOT NEW_ROOT" },
	[R_OLD_IS_ROOT_MNT] = { "old_mnt == root_mnt", EBUSY, PW_OLD, PW_ON_ROOT_MOUNT, PW_NO,
		"PUT_OLD is not on the current root's mount", "put PUT_OLD at or under NEW_ROOT, on NEW_ROOT's mount" },
	[R_ROOT_MOUNTED] = { "path_mounted(&root)", EINVAL, PW_ROOT, PW_MOUNT_ROOT, PW_YES,
		"the current root is the root of a mount", FIX_PREPARE_ROOT },
	[R_ROOT_HAS_PARENT] = { "mnt_has_parent(root_mnt)", EINVAL, PW_ROOT, PW_HAS_PARENT, PW_YES,
		"the current root's mount has a parent", FIX_PREPARE_ROOT },
	[R_NEW_MOUNTED] = { "path_mounted(&new)", EINVAL, PW_NEW, PW_MOUNT_ROOT, PW_YES,
		"NEW_ROOT is a mount point", "mount --bind NEW_ROOT NEW_ROOT" },
	[R_NEW_HAS_PARENT] = { "mnt_has_parent(new_mnt)", EINVAL, PW_NEW, PW_HAS_PARENT, PW_YES,
		"NEW_ROOT's mount has a parent", "mount --bind NEW_ROOT NEW_ROOT" },
	[R_OLD_UNDER_NEW] = { "is_path_reachable(old_mnt, old.dentry, &new)", EINVAL, PW_OLD, PW_REACHABLE, PW_YES,
		"PUT_OLD is at or under NEW_ROOT", "name a directory inside NEW_ROOT, or NEW_ROOT itself" },
	[R_NEW_UNDER_ROOT] = { "is_path_reachable(new_mnt, new.dentry, &root)", EINVAL, PW_NEW, PW_REACHABLE, PW_YES,
		"NEW_ROOT is under the current root", "name a directory under the root directory" },
};

#define TAIL R_NEW_IS_ROOT_MNT, R_OLD_IS_ROOT_MNT, R_ROOT_MOUNTED, R_ROOT_HAS_PARENT, \
	R_NEW_MOUNTED, R_NEW_HAS_PARENT, R_OLD_UNDER_NEW, R_NEW_UNDER_ROOT

static const enum row_id orders[PW_GENERATIONS][R_COUNT] = {
	/* Linux 6.1 (Debian's 6.1.176): may_mount(), the two lookups,
	 * lock_mount(&old), then IS_MNT_SHARED of old_mnt, ex_parent and
	 * root_parent in one test, check_mnt() of root and new after it. */
	[PW_GEN_6_1] = { R_MAY_MOUNT, R_LOOKUP_NEW, R_LOOKUP_OLD, R_OLD_MOUNTABLE,
		R_OLD_SHARED, R_EX_PARENT_SHARED, R_ROOT_PARENT_SHARED, R_ROOT_IN_NS, R_NEW_IN_NS,
		R_NEW_LOCKED, R_NEW_UNLINKED, TAIL },
	/* Linux 6.12 (6.12.117): check_mnt() moved before the parents are
	 * looked at ("only a mounted mount has a parent that namespace_sem
	 * pins"); the same errno either way. */
	[PW_GEN_6_12] = { R_MAY_MOUNT, R_LOOKUP_NEW, R_LOOKUP_OLD, R_OLD_MOUNTABLE,
		R_ROOT_IN_NS, R_NEW_IN_NS, R_OLD_SHARED, R_EX_PARENT_SHARED, R_ROOT_PARENT_SHARED,
		R_NEW_LOCKED, R_NEW_UNLINKED, TAIL },
	/* Linux 7.0: the syscall looks both paths up, then calls
	 * path_pivot_root(), which checks may_mount() first: a missing path
	 * is ENOENT, not EPERM, for an unprivileged caller. */
	[PW_GEN_7_0] = { R_LOOKUP_NEW, R_LOOKUP_OLD, R_MAY_MOUNT, R_OLD_MOUNTABLE,
		R_ROOT_IN_NS, R_NEW_IN_NS, R_OLD_SHARED, R_EX_PARENT_SHARED, R_ROOT_PARENT_SHARED,
		R_NEW_LOCKED, R_NEW_UNLINKED, TAIL },
};

enum pw_tri pw_release_before(const char *release, unsigned major, unsigned minor)
{
	unsigned ma, mi;

	if (sscanf(release, "%u.%u", &ma, &mi) != 2)
		return PW_UNKNOWN;
	return pw_tri_of(ma < major || (ma == major && mi < minor));
}

enum pw_generation pw_generation_of(const char *release)
{
	/* An unreadable release: the newest order. */
	if (pw_release_before(release, 6, 12) == PW_YES)
		return PW_GEN_6_1;
	return pw_release_before(release, 7, 0) == PW_YES ? PW_GEN_6_12 : PW_GEN_7_0;
}

void pw_facts_init(struct pw_facts *f)
{
	memset(f, 0, sizeof(*f));
	if (pw_sys_kernel_release(f->release, sizeof(f->release)) < 0)
		snprintf(f->release, sizeof(f->release), "unknown");
	f->generation = pw_generation_of(f->release);
}

void pw_fact(struct pw_facts *f, enum pw_subject s, enum pw_fact fact, enum pw_tri value, const char *fmt, ...)
{
	va_list ap;

	f->value[s][fact] = value;
	f->evidence[s][fact][0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(f->evidence[s][fact], sizeof(f->evidence[s][fact]), fmt, ap);
		va_end(ap);
	}
}

/* A row is asked when its subject was; NEW_ROOT's and PUT_OLD's only as
 * far as their lookups got (the kernel returns at a failed lookup, and
 * PUT_OLD is looked up after NEW_ROOT). */
static bool asked(const struct pw_facts *f, const struct pw_row *row)
{
	enum pw_subject s = row->subject;

	if (!f->present[s])
		return false;
	if ((s == PW_OLD || (s == PW_NEW && row->fact != PW_RESOLVES)) && f->value[PW_NEW][PW_RESOLVES] != PW_YES)
		return false;
	if (s == PW_OLD && row->fact != PW_RESOLVES && f->value[PW_OLD][PW_RESOLVES] != PW_YES)
		return false;
	return true;
}

static enum pw_tri failed(const struct pw_facts *f, const struct pw_row *row)
{
	enum pw_tri v = f->value[row->subject][row->fact];

	if (v == PW_UNKNOWN)
		return PW_UNKNOWN;
	return v == row->wanted ? PW_NO : PW_YES;
}

static int error_of(const struct pw_facts *f, const struct pw_row *row)
{
	return row->error ? row->error : f->lookup_errno[row->subject] ?: ENOTDIR;
}

/* @text with NEW_ROOT and PUT_OLD followed by the paths given for them. */
static void expand(const struct pw_facts *f, const char *text, char *out, size_t size)
{
	static const struct { const char *word; enum pw_subject s; } words[] = {
		{ "NEW_ROOT", PW_NEW }, { "PUT_OLD", PW_OLD },
	};
	size_t len = 0;

	*out = '\0';
	while (*text && len + 1 < size) {
		size_t i, n = 1;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			n = strlen(words[i].word);
			if (strncmp(text, words[i].word, n) == 0 && f->path[words[i].s])
				break;
		}
		if (i < sizeof(words) / sizeof(words[0])) {
			len += (size_t) snprintf(out + len, size - len, "%s %s", words[i].word, f->path[words[i].s]);
			text += n;
		} else {
			out[len++] = *text++;
			out[len] = '\0';
		}
		if (len >= size)
			len = size - 1;
	}
}

void pw_checks_settle(struct pw_facts *f, unsigned subjects, bool passed, const char *how)
{
	const struct pw_row *untold[R_COUNT];
	size_t n = 0;

	for (size_t i = 0; i < R_COUNT; i++) {
		const struct pw_row *row = &rows[orders[f->generation][i]];

		if ((subjects & PW_SUBJECT_BIT(row->subject)) && asked(f, row) && failed(f, row) == PW_UNKNOWN)
			untold[n++] = row;
	}
	for (size_t i = 0; i < (passed ? n : n > 0); i++) {
		char *evidence = f->evidence[untold[i]->subject][untold[i]->fact];
		size_t len = strlen(evidence);

		f->value[untold[i]->subject][untold[i]->fact] = passed ? untold[i]->wanted :
			untold[i]->wanted == PW_YES ? PW_NO : PW_YES;
		f->settled[untold[i]->subject][untold[i]->fact] = true;
		snprintf(evidence + len, sizeof(f->evidence[0][0]) - len, "%s%s%s", len ? "; " : "", how,
			 !passed && n > 1 ? " (this check or a later one not told: the trial cannot say which)" : "");
	}
}

void pw_row_format(const struct pw_facts *f, const struct pw_row *row, char *buf, size_t size)
{
	char text[PATH_MAX * 2 + 256];
	enum pw_tri fails = failed(f, row);
	const char *evidence = f->evidence[row->subject][row->fact];
	const char *fix = f->fix[row->subject][row->fact] ?: row->fix;
	size_t len;

	/* (The fixes are commands: NEW_ROOT and PUT_OLD stay words there.) */
	expand(f, row->text, text, sizeof(text));
	len = (size_t) snprintf(buf, size, "%-4s  %s {%s}", fails == PW_NO ? "ok" : fails == PW_YES ? "FAIL" : "??",
				text, row->check);
	if (*evidence && len < size)
		len += (size_t) snprintf(buf + len, size - len, " [%s]", evidence);
	if (fails == PW_YES && len < size)
		snprintf(buf + len, size - len, " -> %s; fix: %s", pw_errno_name(error_of(f, row)), fix);
	else if (fails == PW_UNKNOWN && len < size)
		snprintf(buf + len, size - len, " -> cannot tell (%s if it fails)", pw_errno_name(error_of(f, row)));
}

void pw_checks_evaluate(const struct pw_facts *f, unsigned subjects, struct pw_verdict *v, FILE *report)
{
	int unknown_errors[R_COUNT], nunknown = 0;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < R_COUNT; i++) {
		const struct pw_row *row = &rows[orders[f->generation][i]];
		enum pw_tri fails;

		if (!(subjects & PW_SUBJECT_BIT(row->subject)) || !asked(f, row))
			continue;
		fails = failed(f, row);
		if (report) {
			char line[PW_ROW_MAX], esc[PW_ESCAPED_MAX(PW_ROW_MAX)];

			pw_row_format(f, row, line, sizeof(line));
			fprintf(report, "%s\n", pw_escape(esc, sizeof(esc), line));
		}
		if (v->failed)
			continue;
		if (fails == PW_YES) {
			v->failed = row;
			v->error = error_of(f, row);
		} else if (fails == PW_UNKNOWN) {
			if (!v->unknown)
				v->unknown = row;
			unknown_errors[nunknown++] = error_of(f, row);
		}
	}
	/* An earlier row that cannot be told does not matter when it would
	 * fail with the same error. */
	v->unknown_same_error = true;
	for (int i = 0; i < nunknown; i++)
		if (!v->failed || unknown_errors[i] != v->error)
			v->unknown_same_error = false;
	if (!report)
		return;
	if (v->failed) {
		fprintf(report, "verdict: pivot_root would fail with %s", pw_errno_name(v->error));
		if (!v->unknown_same_error) {
			const char *sep = ", or before that with ";

			for (int i = 0; i < nunknown; i++) {
				if (unknown_errors[i] == v->error)
					continue;
				fprintf(report, "%s%s", sep, pw_errno_name(unknown_errors[i]));
				sep = " or ";
			}
			fputs(" (an earlier check cannot be told)", report);
		}
		fputc('\n', report);
	} else if (v->unknown) {
		fputs("verdict: cannot tell\n", report);
	} else {
		fprintf(report, "verdict: pivot_root would succeed%s\n",
			f->present[PW_NEW] ? "" : " as far as the current root is concerned");
	}
}
