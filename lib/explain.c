/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <libmount.h>

#include "explain.h"
#include "log.h"
#include "rootmount.h"
#include "sys.h"

static enum pw_tri tri(bool b)
{
	return b ? PW_YES : PW_NO;
}

static enum pw_tri fs_shared(struct libmnt_fs *fs)
{
	unsigned long flags = 0;

	if (mnt_fs_get_propagation(fs, &flags) < 0)
		return PW_UNKNOWN;
	return tri(flags & MS_SHARED);
}

/* The mountinfo line, rebuilt from what libmount parsed. */
static void format_mountinfo_line(struct libmnt_fs *fs, char *buf, size_t size)
{
	const char *optional = mnt_fs_get_optional_fields(fs);
	dev_t dev = mnt_fs_get_devno(fs);

	snprintf(buf, size, "%d %d %u:%u %s %s %s%s%s - %s %s %s",
		 mnt_fs_get_id(fs), mnt_fs_get_parent_id(fs), major(dev), minor(dev),
		 mnt_fs_get_root(fs) ?: "?", mnt_fs_get_target(fs) ?: "?",
		 mnt_fs_get_vfs_options(fs) ?: "",
		 optional && *optional ? " " : "", optional ?: "",
		 mnt_fs_get_fstype(fs) ?: "?", mnt_fs_get_source(fs) ?: "none",
		 mnt_fs_get_fs_options(fs) ?: "");
}

void pw_mount_facts_from_table(struct libmnt_table *tb, uint64_t id, enum pw_tri mount_root,
			       struct pw_mount_facts *f)
{
	struct libmnt_fs *fs, *parent;

	f->id = id;
	f->mount_root = mount_root;
	fs = pw_table_find_mount(tb, id);
	if (!fs) {
		snprintf(f->evidence, sizeof(f->evidence), "mount %llu is not in the mount table",
			 (unsigned long long) id);
		return;
	}
	format_mountinfo_line(fs, f->evidence, sizeof(f->evidence));
	f->has_parent = tri(mnt_fs_get_parent_id(fs) != mnt_fs_get_id(fs));
	f->shared = fs_shared(fs);
	if (f->has_parent == PW_NO) {
		/* The kernel's parent of a parentless mount is itself. */
		f->parent_shared = f->shared;
		return;
	}
	parent = pw_table_find_mount(tb, (uint64_t) mnt_fs_get_parent_id(fs));
	if (parent) {
		f->parent_shared = fs_shared(parent);
		format_mountinfo_line(parent, f->parent_evidence, sizeof(f->parent_evidence));
	}
}

static const char *propagation_name(uint64_t propagation)
{
	return propagation & MS_SHARED ? "shared" : propagation & MS_SLAVE ? "slave" : "private";
}

/* Fill what the table left unknown from statmount(2), which also sees
 * mounts outside the root (with CAP_SYS_ADMIN). */
static void complete_with_statmount(uint64_t unique_id, struct pw_mount_facts *f)
{
	union {
		struct pw_statmount sm;
		char buf[sizeof(struct pw_statmount) + 256];
	} u, p;
	memset(&u, 0, sizeof(u));
	if (pw_sys_statmount(unique_id, PW_STATMOUNT_MNT_BASIC, &u.sm, sizeof(u)) < 0 ||
	    !(u.sm.mask & PW_STATMOUNT_MNT_BASIC))
		return;
	if (f->has_parent == PW_UNKNOWN)
		f->has_parent = tri(u.sm.mnt_parent_id != u.sm.mnt_id);
	if (f->shared == PW_UNKNOWN)
		f->shared = tri(u.sm.mnt_propagation & MS_SHARED);
	if (f->parent_shared == PW_UNKNOWN) {
		memset(&p, 0, sizeof(p));
		if (f->has_parent == PW_NO) {
			f->parent_shared = f->shared;
		} else if (pw_sys_statmount(u.sm.mnt_parent_id, PW_STATMOUNT_MNT_BASIC, &p.sm, sizeof(p)) == 0 &&
			   (p.sm.mask & PW_STATMOUNT_MNT_BASIC)) {
			f->parent_shared = tri(p.sm.mnt_propagation & MS_SHARED);
			snprintf(f->parent_evidence, sizeof(f->parent_evidence),
				 "statmount: mount %u, propagation %s",
				 p.sm.mnt_id_old, propagation_name(p.sm.mnt_propagation));
		}
	}
	if (!*f->evidence || f->has_parent == PW_UNKNOWN) {
		snprintf(f->evidence, sizeof(f->evidence), "statmount: mount %u, parent %u, propagation %s",
			 u.sm.mnt_id_old, u.sm.mnt_parent_id_old, propagation_name(u.sm.mnt_propagation));
	}
}

static void gather_mount(struct libmnt_table *tb, const char *path, struct pw_mount_facts *f)
{
	struct pw_statx stx, ustx;

	memset(f, 0, sizeof(*f));
	memset(&stx, 0, sizeof(stx));
	if (pw_sys_statx(path, PW_STATX_MNT_ID, &stx) < 0) {
		f->stat_errno = errno;
		return;
	}
	f->is_dir = S_ISDIR(stx.stx_mode);
	f->id = stx.stx_mnt_id;
	f->mount_root = (stx.stx_attributes_mask & PW_STATX_ATTR_MOUNT_ROOT) ?
			tri(stx.stx_attributes & PW_STATX_ATTR_MOUNT_ROOT) : PW_UNKNOWN;
	if (tb)
		pw_mount_facts_from_table(tb, f->id, f->mount_root, f);

	memset(&ustx, 0, sizeof(ustx));
	if (pw_sys_statx(path, PW_STATX_MNT_ID_UNIQUE, &ustx) == 0 &&
	    (ustx.stx_mask & PW_STATX_MNT_ID_UNIQUE))
		complete_with_statmount(ustx.stx_mnt_id, f);
}

static enum pw_tri has_cap_sys_admin(void)
{
	struct pw_cap_header header = { .version = PW_LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct pw_cap_data data[2];

	memset(data, 0, sizeof(data));
	if (pw_sys_capget(&header, data) < 0)
		return PW_UNKNOWN;
	return tri(data[PW_CAP_SYS_ADMIN / 32].effective & (1U << (PW_CAP_SYS_ADMIN % 32)));
}

static enum pw_tri path_under(const char *path, const char *dir)
{
	char p[PATH_MAX], d[PATH_MAX];
	size_t n;

	if (!realpath(path, p) || !realpath(dir, d))
		return PW_UNKNOWN;
	n = strlen(d);
	if (strcmp(d, "/") == 0)
		return PW_YES;
	return tri(strncmp(p, d, n) == 0 && (p[n] == '\0' || p[n] == '/'));
}

void pw_explain_gather(const char *new_root, const char *put_old, struct pw_pivot_facts *facts)
{
	struct libmnt_table *tb = mnt_new_table();

	memset(facts, 0, sizeof(*facts));
	if (tb && mnt_table_parse_file(tb, "/proc/self/mountinfo") != 0) {
		mnt_unref_table(tb);
		tb = NULL;	/* statmount may still answer */
	}
	facts->cap_sys_admin = has_cap_sys_admin();
	gather_mount(tb, "/", &facts->root);
	if (new_root) {
		facts->new_root = new_root;
		facts->put_old = put_old ? put_old : new_root;
		gather_mount(tb, facts->new_root, &facts->new_mnt);
		gather_mount(tb, facts->put_old, &facts->old_mnt);
		facts->old_under_new = path_under(facts->put_old, facts->new_root);
	}
	mnt_unref_table(tb);
}

/* The report: the checks in the kernel's order, so the first FAIL is the
 * error pivot_root(2) itself returns. */
struct report {
	FILE *out;
	const char *first_error;
	bool unknown;
};

static void check(struct report *r, enum pw_tri failed, const char *error, const char *what,
		  const char *evidence, const char *fix)
{
	const char *tag = failed == PW_NO ? "ok" : failed == PW_YES ? "FAIL" : "??";

	fprintf(r->out, "%-4s  ", tag);
	pw_put_escaped(r->out, what);
	if (evidence && *evidence) {
		fputs(" [", r->out);
		pw_put_escaped(r->out, evidence);
		fputc(']', r->out);
	}
	if (failed == PW_YES) {
		fprintf(r->out, " -> %s; fix: %s", error, fix);
		if (!r->first_error)
			r->first_error = error;
	} else if (failed == PW_UNKNOWN) {
		fputs(" -> cannot tell", r->out);
		r->unknown = true;
	}
	fputc('\n', r->out);
}

static enum pw_tri not(enum pw_tri t)
{
	return t == PW_YES ? PW_NO : t == PW_NO ? PW_YES : PW_UNKNOWN;
}

static bool lookup_check(struct report *r, const char *name, const char *path,
			 const struct pw_mount_facts *f)
{
	char what[PATH_MAX + 64];

	snprintf(what, sizeof(what), "%s %s is a directory", name, path);
	if (f->stat_errno) {
		check(r, PW_YES, f->stat_errno == ENOTDIR ? "ENOTDIR" : "ENOENT", what,
		      strerror(f->stat_errno), "create it, or name an existing directory");
		return false;
	}
	check(r, tri(!f->is_dir), "ENOTDIR", what, NULL, "name a directory");
	return f->is_dir;
}

int pw_explain_report(const struct pw_pivot_facts *f, FILE *out)
{
	struct report r = { .out = out };
	bool have_new = f->new_root != NULL, new_ok = false, old_ok = false;
	char what[PATH_MAX + 128];

	check(&r, not(f->cap_sys_admin), "EPERM", "CAP_SYS_ADMIN is effective", NULL,
	      "run as root (in the user namespace that owns the mount namespace)");
	if (f->root.stat_errno)
		check(&r, PW_UNKNOWN, NULL, "the current root / can be looked at",
		      strerror(f->root.stat_errno), NULL);
	if (have_new) {
		new_ok = lookup_check(&r, "NEW_ROOT", f->new_root, &f->new_mnt);
		old_ok = lookup_check(&r, "PUT_OLD", f->put_old, &f->old_mnt);
	}

	/* EINVAL: shared propagation where the kernel refuses it */
	if (have_new && old_ok) {
		snprintf(what, sizeof(what), "the mount at PUT_OLD %s is not shared", f->put_old);
		check(&r, f->old_mnt.shared, "EINVAL", what, f->old_mnt.evidence,
		      "mount --make-rprivate / (or run in a new mount namespace: unshare --mount)");
	}
	if (have_new && new_ok) {
		snprintf(what, sizeof(what), "the parent of NEW_ROOT %s's mount is not shared", f->new_root);
		check(&r, f->new_mnt.parent_shared, "EINVAL", what, f->new_mnt.parent_evidence,
		      "mount --make-rprivate / (or run in a new mount namespace: unshare --mount)");
	}
	check(&r, f->root.parent_shared, "EINVAL", "the parent of the current root's mount is not shared",
	      f->root.has_parent == PW_NO ? f->root.evidence :
	      f->root.parent_shared == PW_UNKNOWN ? "the parent lies outside the root: only statmount(2), Linux 6.8+, sees it" :
	      f->root.parent_evidence, "mount --make-rprivate / (or run in a new mount namespace: unshare --mount)");

	/* EBUSY: new or put_old on the current root's mount */
	if (have_new && new_ok) {
		snprintf(what, sizeof(what), "NEW_ROOT %s is not on the current root's mount", f->new_root);
		check(&r, tri(f->new_mnt.id == f->root.id), "EBUSY", what, NULL,
		      "make NEW_ROOT a mount of its own: mount --bind NEW_ROOT NEW_ROOT");
	}
	if (have_new && old_ok) {
		snprintf(what, sizeof(what), "PUT_OLD %s is not on the current root's mount", f->put_old);
		check(&r, tri(f->old_mnt.id == f->root.id), "EBUSY", what, NULL,
		      "put PUT_OLD at or under NEW_ROOT, on NEW_ROOT's mount");
	}

	/* EINVAL: the current root */
	check(&r, not(f->root.mount_root), "EINVAL", "the current root is the root of a mount",
	      f->root.mount_root == PW_NO ? "an earlier chroot into a directory" : f->root.evidence,
	      "run the command through prepare-root");
	check(&r, not(f->root.has_parent), "EINVAL", "the current root's mount has a parent",
	      f->root.has_parent == PW_NO ? "the initramfs rootfs: mount ID equals parent ID" : NULL,
	      "run the command through prepare-root");

	/* EINVAL: the new root and put_old */
	if (have_new && new_ok) {
		snprintf(what, sizeof(what), "NEW_ROOT %s is a mount point", f->new_root);
		check(&r, not(f->new_mnt.mount_root), "EINVAL", what, f->new_mnt.evidence,
		      "mount --bind NEW_ROOT NEW_ROOT");
		snprintf(what, sizeof(what), "NEW_ROOT %s's mount has a parent", f->new_root);
		check(&r, not(f->new_mnt.has_parent), "EINVAL", what, NULL,
		      "mount --bind NEW_ROOT NEW_ROOT");
	}
	if (have_new && new_ok && old_ok) {
		snprintf(what, sizeof(what), "PUT_OLD %s is at or under NEW_ROOT %s", f->put_old, f->new_root);
		check(&r, not(f->old_under_new), "EINVAL", what, NULL,
		      "name a directory inside NEW_ROOT, or NEW_ROOT itself");
	}

	if (r.first_error) {
		fprintf(out, "verdict: pivot_root would fail with %s\n", r.first_error);
		return PW_EXPLAIN_FAIL;
	}
	if (r.unknown) {
		fputs("verdict: cannot tell\n", out);
		return PW_EXPLAIN_UNKNOWN;
	}
	fprintf(out, "verdict: pivot_root would succeed%s\n",
		have_new ? "" : " as far as the current root is concerned");
	return PW_EXPLAIN_OK;
}
