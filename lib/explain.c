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

/* The inode number of the initial user namespace (PROC_USER_INIT_INO in
 * the kernel's include/linux/proc_ns.h, fixed since Linux 3.8). */
#define PROC_USER_INIT_INO 0xEFFFFFFDU

#ifndef MNT_EXPIRE
# define MNT_EXPIRE 4
#endif

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
	/* mountinfo lists only the mounts of this mount namespace */
	f->in_namespace = PW_YES;
	snprintf(f->ns_evidence, sizeof(f->ns_evidence), "/proc/self/mountinfo lists mount %llu",
		 (unsigned long long) id);
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
 * mounts outside the root (with CAP_SYS_ADMIN), and which looks a mount up
 * in the caller's mount namespace only: ENOENT is check_mnt() failing. */
static void complete_with_statmount(uint64_t unique_id, struct pw_mount_facts *f)
{
	union {
		struct pw_statmount sm;
		char buf[sizeof(struct pw_statmount) + 256];
	} u, p;
	memset(&u, 0, sizeof(u));
	if (pw_sys_statmount(unique_id, PW_STATMOUNT_MNT_BASIC, &u.sm, sizeof(u)) < 0) {
		f->statmount_errno = errno;
		if (errno == ENOENT) {
			f->in_namespace = PW_NO;
			snprintf(f->ns_evidence, sizeof(f->ns_evidence),
				 "statmount(2) of mount %llu: ENOENT, no such mount in this mount namespace",
				 (unsigned long long) unique_id);
		} else if (errno == EPERM && f->in_namespace == PW_UNKNOWN) {
			/* The lookup in our namespace came first and found it. */
			f->in_namespace = PW_YES;
			snprintf(f->ns_evidence, sizeof(f->ns_evidence),
				 "statmount(2) found mount %llu in this mount namespace, then said EPERM",
				 (unsigned long long) unique_id);
		}
		return;
	}
	if (!(u.sm.mask & PW_STATMOUNT_MNT_BASIC))
		return;
	if (f->in_namespace == PW_UNKNOWN) {
		f->in_namespace = PW_YES;
		snprintf(f->ns_evidence, sizeof(f->ns_evidence),
			 "statmount(2) found mount %u in this mount namespace", u.sm.mnt_id_old);
	}
	if (f->has_parent == PW_UNKNOWN)
		f->has_parent = tri(u.sm.mnt_parent_id != u.sm.mnt_id);
	if (f->shared == PW_UNKNOWN)
		f->shared = tri(u.sm.mnt_propagation & MS_SHARED);
	if (f->parent_shared == PW_UNKNOWN) {
		memset(&p, 0, sizeof(p));
		if (f->has_parent == PW_NO) {
			f->parent_shared = f->shared;
		} else if (pw_sys_statmount(u.sm.mnt_parent_id, PW_STATMOUNT_MNT_BASIC, &p.sm, sizeof(p)) < 0) {
			snprintf(f->parent_evidence, sizeof(f->parent_evidence),
				 "the parent lies outside the root: statmount(2) of it: %s (%s)",
				 strerror(errno), pw_statmount_hint(errno) ?: "");
		} else if (p.sm.mask & PW_STATMOUNT_MNT_BASIC) {
			f->parent_shared = tri(p.sm.mnt_propagation & MS_SHARED);
			snprintf(f->parent_evidence, sizeof(f->parent_evidence),
				 "statmount: mount %u, propagation %s",
				 p.sm.mnt_id_old, propagation_name(p.sm.mnt_propagation));
		}
	}
	if (!*f->evidence || f->has_parent == PW_UNKNOWN || !strncmp(f->evidence, "mount ", 6)) {
		snprintf(f->evidence, sizeof(f->evidence), "statmount: mount %u, parent %u, propagation %s",
			 u.sm.mnt_id_old, u.sm.mnt_parent_id_old, propagation_name(u.sm.mnt_propagation));
	}
}

static bool same_place(const struct pw_place *a, const struct pw_place *b)
{
	return a->known && b->known && a->mnt_id == b->mnt_id && a->ino == b->ino &&
	       a->dev_major == b->dev_major && a->dev_minor == b->dev_minor;
}

/* statx for a mount ID and an inode: where @path lies. */
static int look(const char *path, struct pw_statx *stx, struct pw_place *pl)
{
	memset(stx, 0, sizeof(*stx));
	memset(pl, 0, sizeof(*pl));
	if (pw_sys_statx(path, PW_STATX_MNT_ID | PW_STATX_INO, stx) < 0)
		return -1;
	if ((stx->stx_mask & (PW_STATX_MNT_ID | PW_STATX_INO)) == (PW_STATX_MNT_ID | PW_STATX_INO)) {
		pl->known = true;
		pl->mnt_id = stx->stx_mnt_id;
		pl->ino = stx->stx_ino;
		pl->dev_major = stx->stx_dev_major;
		pl->dev_minor = stx->stx_dev_minor;
	}
	return 0;
}

enum walk_end { WALK_FAILED, WALK_MET_TARGET, WALK_MET_ROOT, WALK_MET_TOP, WALK_MET_MOUNT_ROOT };

/*
 * Climb from @path by "..", as the kernel resolves it: across mount points
 * to the parent mount, stopping at the process root (where ".." is "."),
 * and at the top of the mount tree (a directory that is its own parent).
 * That is is_path_reachable()'s walk, done by path lookups.  Stops at
 * @target when met; with @mount_root set, at the root of that mount, whose
 * path is then left in @where.
 */
static enum walk_end walk_up(const char *path, const struct pw_place *target, const struct pw_place *root,
			     const struct pw_place *mount_root, char *where, size_t size)
{
	char cur[PATH_MAX], up[PATH_MAX];
	struct pw_statx stx;
	struct pw_place here, above;

	if (snprintf(cur, sizeof(cur), "%s", path) >= (int) sizeof(cur) || look(cur, &stx, &here) < 0 || !here.known)
		return WALK_FAILED;
	for (;;) {
		if (target && same_place(&here, target))
			return WALK_MET_TARGET;
		if (mount_root) {
			if (here.mnt_id != mount_root->mnt_id)
				return WALK_FAILED;	/* something mounted on the way */
			if ((stx.stx_attributes_mask & PW_STATX_ATTR_MOUNT_ROOT) &&
			    (stx.stx_attributes & PW_STATX_ATTR_MOUNT_ROOT)) {
				snprintf(where, size, "%s", cur);
				return WALK_MET_MOUNT_ROOT;
			}
		}
		if (same_place(&here, root))
			return WALK_MET_ROOT;
		if (snprintf(up, sizeof(up), "%s/..", cur) >= (int) sizeof(up) || look(up, &stx, &above) < 0 || !above.known)
			return WALK_FAILED;
		if (same_place(&above, &here))
			return WALK_MET_TOP;
		memcpy(cur, up, sizeof(cur));
		here = above;
	}
}

static void gather_mount(struct libmnt_table *tb, const char *path, struct pw_mount_facts *f)
{
	struct pw_statx stx, ustx;

	memset(f, 0, sizeof(*f));
	if (look(path, &stx, &f->place) < 0) {
		f->stat_errno = errno;
		return;
	}
	f->is_dir = S_ISDIR(stx.stx_mode);
	f->id = stx.stx_mnt_id;
	f->nlink = stx.stx_nlink;
	/* rmdir(2) leaves a directory that is still in use with no link:
	 * d_unlinked() to the kernel (the lookup can only reach it through
	 * the working directory or /proc). */
	f->unlinked = (stx.stx_mask & 0x4U /* STATX_NLINK */) ? tri(f->is_dir && stx.stx_nlink == 0) : PW_UNKNOWN;
	f->mount_root = (stx.stx_attributes_mask & PW_STATX_ATTR_MOUNT_ROOT) ?
			tri(stx.stx_attributes & PW_STATX_ATTR_MOUNT_ROOT) : PW_UNKNOWN;
	if (tb)
		pw_mount_facts_from_table(tb, f->id, f->mount_root, f);

	memset(&ustx, 0, sizeof(ustx));
	if (pw_sys_statx(path, PW_STATX_MNT_ID_UNIQUE, &ustx) == 0 &&
	    (ustx.stx_mask & PW_STATX_MNT_ID_UNIQUE))
		complete_with_statmount(ustx.stx_mnt_id, f);
	else
		f->statmount_errno = ENOSYS;
	if (f->in_namespace == PW_UNKNOWN)
		snprintf(f->ns_evidence, sizeof(f->ns_evidence),
			 "mount %llu is not in /proc/self/mountinfo: outside the root, or of another mount namespace; %s",
			 (unsigned long long) f->id,
			 pw_statmount_hint(f->statmount_errno) ?: "statmount(2) could not tell");
}

/*
 * The parent of the root's mount, when neither mountinfo nor statmount(2)
 * shows it: ask the kernel, as --check does, with a runtime's pivot_root
 * tried in a throwaway child.  Its success answers every check on the root
 * (IS_MNT_SHARED(root_parent), check_mnt(root_mnt), path_mounted(&root),
 * mnt_has_parent(root_mnt)); its EINVAL is this check only once the others
 * are known to pass (the child's NEW_ROOT is a fresh tmpfs of its own,
 * neither shared nor locked).
 */
static void ask_kernel_about_root_parent(struct pw_mount_facts *r)
{
	enum pw_probe_step step;
	char hidden[sizeof(r->parent_evidence)];

	if (r->parent_shared != PW_UNKNOWN || r->mount_root == PW_NO || r->has_parent == PW_NO ||
	    r->in_namespace == PW_NO)
		return;
	snprintf(hidden, sizeof(hidden), "%s", r->parent_evidence);
	if (pw_sys_pivot_probe(&step) == 0) {
		r->parent_shared = PW_NO;
		r->mount_root = r->has_parent = r->in_namespace = PW_YES;
		snprintf(r->parent_evidence, sizeof(r->parent_evidence),
			 "not visible; a trial pivot_root(\".\", \".\") in a child mount namespace succeeded");
		if (!*r->ns_evidence || !strncmp(r->ns_evidence, "mount ", 6))
			snprintf(r->ns_evidence, sizeof(r->ns_evidence),
				 "a trial pivot_root(\".\", \".\") in a child mount namespace succeeded");
	} else if (step == PW_PROBE_PIVOT_ROOT && errno == EINVAL && r->in_namespace == PW_YES &&
		   r->mount_root == PW_YES && r->has_parent == PW_YES) {
		r->parent_shared = PW_YES;
		snprintf(r->parent_evidence, sizeof(r->parent_evidence),
			 "not visible; a trial pivot_root(\".\", \".\") in a child mount namespace: EINVAL, "
			 "with the root a mount root with a parent");
	} else {
		int err = errno;

		if (!*hidden)
			snprintf(hidden, sizeof(hidden), "the parent lies outside the root, where mountinfo does not show it; %s",
				 pw_statmount_hint(r->statmount_errno) ?: "statmount(2) could not tell");
		snprintf(r->parent_evidence, sizeof(r->parent_evidence),
			 "%.300s; a trial pivot_root in a child could not tell: %s", hidden, strerror(err));
	}
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

/* What the locked-mount probe may conclude (see gather_locked). */
enum lock_probe { LOCK_NONE_LOCKED, LOCK_PROBE, LOCK_CANNOT_PROBE };

/*
 * may_mount(): CAP_SYS_ADMIN in the user namespace that owns the mount
 * namespace.  Asked of the kernel itself: mount(2) checks may_mount()
 * before anything else, and a propagation change with two propagation
 * flags is refused with EINVAL after it, changing nothing.
 */
static enum lock_probe gather_privilege(struct pw_pivot_facts *f)
{
	struct pw_statx own, owner;
	bool have_own, have_owner;
	int owner_err;

	f->cap_sys_admin = has_cap_sys_admin();
	if (pw_sys_mount(NULL, "/", NULL, MS_SHARED | MS_PRIVATE, NULL) == 0 || errno == EINVAL) {
		f->may_mount = PW_YES;
	} else if (errno == EPERM) {
		f->may_mount = PW_NO;
	} else {
		snprintf(f->may_mount_evidence, sizeof(f->may_mount_evidence),
			 "mount(2) probe: %s", strerror(errno));
	}

	memset(&own, 0, sizeof(own));
	memset(&owner, 0, sizeof(owner));
	have_own = pw_sys_statx("/proc/self/ns/user", PW_STATX_INO, &own) == 0 && (own.stx_mask & PW_STATX_INO);
	have_owner = pw_sys_userns_of("/proc/self/ns/mnt", &owner) == 0 && (owner.stx_mask & PW_STATX_INO);
	/* NS_GET_USERNS says EPERM of a user namespace above ours. */
	owner_err = have_owner ? 0 : errno;
	if (f->may_mount == PW_NO && f->cap_sys_admin == PW_YES)
		snprintf(f->may_mount_evidence, sizeof(f->may_mount_evidence),
			 "CAP_SYS_ADMIN is effective, but in user namespace %llu, and the mount namespace belongs to %s",
			 have_own ? (unsigned long long) own.stx_ino : 0ULL,
			 have_owner ? (owner.stx_ino == PROC_USER_INIT_INO ? "the initial one" : "another") :
			 owner_err == EPERM ? "one above it" : "another");
	else if (f->may_mount == PW_NO)
		snprintf(f->may_mount_evidence, sizeof(f->may_mount_evidence), "CAP_SYS_ADMIN is not effective");

	if (have_owner && owner.stx_ino == PROC_USER_INIT_INO)
		return LOCK_NONE_LOCKED;
	/* Outside the initial user namespace capable(CAP_SYS_ADMIN) is
	 * false, which the umount probe needs (gather_locked). */
	if (have_own && own.stx_ino != PROC_USER_INIT_INO && f->may_mount == PW_YES)
		return LOCK_PROBE;
	return LOCK_CANNOT_PROBE;
}

/*
 * MNT_LOCKED: a mount copied into a mount namespace of a less privileged
 * user namespace (unshare -U -m), or propagated into one, is locked to its
 * parent.  Neither mountinfo nor statmount(2) shows the flag.  But
 * umount(2) tests it in can_umount(), after may_mount(), path_mounted()
 * and check_mnt() and before "MNT_FORCE needs capable(CAP_SYS_ADMIN)",
 * which outside the initial user namespace always fails; and with
 * MNT_EXPIRE and MNT_DETACH together do_umount() refuses with EINVAL
 * before touching anything.  So umount2(MNT_FORCE|MNT_DETACH|MNT_EXPIRE)
 * on the mount's root says EINVAL if it is locked, EPERM if not, and
 * changes nothing either way.
 */
/*
 * A mount without a parent (the absolute root: the initramfs rootfs, and
 * its copies in new mount namespaces) carried MNT_LOCKED from boot until
 * Linux 6.17 ("don't set MNT_LOCKED on parentless mounts"): init_mount_tree()
 * set it and clone_mnt() copied it.  No call tells the two apart for a
 * process that umount(2) finds capable(), so the kernel's release decides.
 */
static enum pw_tri parentless_locked(char *why, size_t size)
{
	char release[65];
	unsigned major = 0, minor = 0;

	if (pw_sys_kernel_release(release, sizeof(release)) < 0 ||
	    sscanf(release, "%u.%u", &major, &minor) != 2) {
		snprintf(why, size, "a mount without a parent is locked before Linux 6.17, and the kernel's release is unknown");
		return PW_UNKNOWN;
	}
	if (major > 6 || (major == 6 && minor >= 17)) {
		snprintf(why, size, "a mount without a parent is never locked from Linux 6.17 (this is %.64s)", release);
		return PW_NO;
	}
	snprintf(why, size, "a mount without a parent is locked before Linux 6.17 (this is %.64s): init_mount_tree() locks the absolute root, and copies keep it",
		 release);
	return PW_YES;
}

static void gather_locked(const char *new_root, const struct pw_place *root, enum lock_probe how,
			  struct pw_mount_facts *f)
{
	char top[PATH_MAX];

	if (how != LOCK_PROBE && f->has_parent == PW_NO) {
		f->locked = parentless_locked(f->locked_evidence, sizeof(f->locked_evidence));
		return;
	}
	if (how == LOCK_NONE_LOCKED) {
		f->locked = PW_NO;
		snprintf(f->locked_evidence, sizeof(f->locked_evidence),
			 "the mount namespace belongs to the initial user namespace: only copies into a namespace of "
			 "another user namespace are locked");
		return;
	}
	if (how == LOCK_CANNOT_PROBE) {
		snprintf(f->locked_evidence, sizeof(f->locked_evidence),
			 "the mount namespace belongs to another user namespace; mountinfo and statmount(2) do not show the lock, "
			 "and only a process of that user namespace can ask umount(2): run --explain there (nsenter -U -m)");
		return;
	}
	if (f->in_namespace != PW_YES) {
		snprintf(f->locked_evidence, sizeof(f->locked_evidence), "the mount is not known to be in this mount namespace");
		return;
	}
	switch (walk_up(new_root, NULL, root, &f->place, top, sizeof(top))) {
	case WALK_MET_MOUNT_ROOT:
		break;
	case WALK_MET_ROOT:
		snprintf(f->locked_evidence, sizeof(f->locked_evidence),
			 "the root of the mount lies outside the root directory, where umount(2) cannot name it");
		return;
	default:
		snprintf(f->locked_evidence, sizeof(f->locked_evidence), "the root of the mount cannot be found by path");
		return;
	}
	if (pw_sys_umount2(top, MNT_FORCE | MNT_DETACH | MNT_EXPIRE) == 0) {
		snprintf(f->locked_evidence, sizeof(f->locked_evidence), "umount(2) probe: unexpected success");
	} else if (errno == EPERM) {
		f->locked = PW_NO;
		snprintf(f->locked_evidence, sizeof(f->locked_evidence),
			 "umount(2) probe of %.160s got past the lock test: EPERM", top);
	} else if (errno == EINVAL) {
		f->locked = PW_YES;
		snprintf(f->locked_evidence, sizeof(f->locked_evidence),
			 "umount(2) probe of %.160s: EINVAL, a mount inherited from a more privileged mount namespace", top);
	} else {
		snprintf(f->locked_evidence, sizeof(f->locked_evidence), "umount(2) probe of %.160s: %s", top, strerror(errno));
	}
}

static enum pw_tri reachable_from(const char *path, const struct pw_place *target, const struct pw_place *root)
{
	switch (walk_up(path, target, root, NULL, NULL, 0)) {
	case WALK_MET_TARGET:
		return PW_YES;
	case WALK_MET_ROOT:
	case WALK_MET_TOP:
		return PW_NO;
	default:
		return PW_UNKNOWN;
	}
}

void pw_explain_gather(const char *new_root, const char *put_old, struct pw_pivot_facts *facts)
{
	struct libmnt_table *tb = mnt_new_table();
	enum lock_probe how;

	memset(facts, 0, sizeof(*facts));
	if (tb && mnt_table_parse_file(tb, "/proc/self/mountinfo") != 0) {
		mnt_unref_table(tb);
		tb = NULL;	/* statmount may still answer */
	}
	how = gather_privilege(facts);
	gather_mount(tb, "/", &facts->root);
	ask_kernel_about_root_parent(&facts->root);
	if (new_root) {
		facts->new_root = new_root;
		facts->put_old = put_old ? put_old : new_root;
		gather_mount(tb, facts->new_root, &facts->new_mnt);
		gather_mount(tb, facts->put_old, &facts->old_mnt);
		if (!facts->new_mnt.stat_errno) {
			facts->new_mnt.under_root = reachable_from(facts->new_root, &facts->root.place,
								    &facts->root.place);
			gather_locked(facts->new_root, &facts->root.place, how, &facts->new_mnt);
		}
		if (!facts->new_mnt.stat_errno && !facts->old_mnt.stat_errno) {
			/* Met at the root: NEW_ROOT is above it only when it
			 * is not under it, and then it cannot be told. */
			switch (walk_up(facts->put_old, &facts->new_mnt.place, &facts->root.place, NULL, NULL, 0)) {
			case WALK_MET_TARGET:
				facts->old_under_new = PW_YES;
				break;
			case WALK_MET_ROOT:
				facts->old_under_new = facts->new_mnt.under_root == PW_YES ? PW_NO : PW_UNKNOWN;
				break;
			case WALK_MET_TOP:
				facts->old_under_new = PW_NO;
				break;
			default:
				break;
			}
		}
	}
	mnt_unref_table(tb);
}

/*
 * The report: pivot_root(2)'s checks, one table, in the order of
 * fs/namespace.c (the same from Linux 6.1 to 6.18), so that the first that
 * fails is the error the kernel returns.  Each names the kernel's test.
 */
struct line {
	enum pw_tri failed;
	int error;
	char what[PATH_MAX + 160];
	char evidence[1024];
	const char *fix;
};

struct pivot_check {
	const char *kernel;	/* the test in fs/namespace.c */
	int error;		/* what pivot_root(2) returns when it fails */
	bool (*eval)(const struct pw_pivot_facts *f, struct line *l);	/* false: not asked */
};

static enum pw_tri not(enum pw_tri t)
{
	return t == PW_YES ? PW_NO : t == PW_NO ? PW_YES : PW_UNKNOWN;
}

#define EVIDENCE(l, ...) snprintf((l)->evidence, sizeof((l)->evidence), __VA_ARGS__)
#define WHAT(l, ...) snprintf((l)->what, sizeof((l)->what), __VA_ARGS__)

static const char *const FIX_PREPARE_ROOT = "run the command through prepare-root: prepare-root -- <command>";

static bool have_new(const struct pw_pivot_facts *f)
{
	return f->new_root && !f->new_mnt.stat_errno && f->new_mnt.is_dir;
}

static bool have_old(const struct pw_pivot_facts *f)
{
	return have_new(f) && !f->old_mnt.stat_errno && f->old_mnt.is_dir;
}

static bool eval_may_mount(const struct pw_pivot_facts *f, struct line *l)
{
	WHAT(l, "CAP_SYS_ADMIN in the user namespace that owns the mount namespace");
	l->failed = not(f->may_mount);
	EVIDENCE(l, "%s", f->may_mount_evidence);
	l->fix = f->cap_sys_admin == PW_YES ?
		 "work in a mount namespace of this user namespace (unshare -m), or as root of the namespace that owns it" :
		 "run as root";
	return true;
}

static bool eval_lookup(const char *name, const char *path, const struct pw_mount_facts *m, struct line *l)
{
	WHAT(l, "%s %s is a directory", name, path);
	if (m->stat_errno) {
		l->failed = PW_YES;
		l->error = m->stat_errno;
		EVIDENCE(l, "%s", strerror(m->stat_errno));
		l->fix = m->stat_errno == ENOENT ? "create it, or name an existing directory" :
			 m->stat_errno == EACCES ? "give search permission on every directory of the path" :
			 m->stat_errno == ELOOP ? "resolve the symbolic link loop" :
			 m->stat_errno == ENAMETOOLONG ? "use a shorter path (relative to a nearer working directory)" :
			 "name an existing directory";
		return true;
	}
	l->failed = tri(!m->is_dir);
	l->error = ENOTDIR;
	l->fix = "name a directory";
	return true;
}

static bool eval_lookup_new(const struct pw_pivot_facts *f, struct line *l)
{
	return f->new_root && eval_lookup("NEW_ROOT", f->new_root, &f->new_mnt, l);
}

static bool eval_lookup_old(const struct pw_pivot_facts *f, struct line *l)
{
	return have_new(f) && eval_lookup("PUT_OLD", f->put_old, &f->old_mnt, l);
}

static bool eval_old_mountable(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_old(f))
		return false;
	WHAT(l, "PUT_OLD %s has not been removed", f->put_old);
	l->failed = f->old_mnt.unlinked;
	EVIDENCE(l, "%u links", f->old_mnt.nlink);
	l->fix = "name a directory that exists";
	return true;
}

static bool eval_old_shared(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_old(f))
		return false;
	WHAT(l, "the mount at PUT_OLD %s is not shared", f->put_old);
	l->failed = f->old_mnt.shared;
	EVIDENCE(l, "%s", f->old_mnt.evidence);
	l->fix = "make it private: mount --make-private PUT_OLD's mount point (or work in a mount namespace of "
		 "its own: unshare --mount --propagation private)";
	return true;
}

static bool eval_new_parent_shared(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_new(f))
		return false;
	WHAT(l, "the parent of NEW_ROOT %s's mount is not shared", f->new_root);
	l->failed = f->new_mnt.parent_shared;
	EVIDENCE(l, "%s", f->new_mnt.has_parent == PW_NO ? f->new_mnt.evidence : f->new_mnt.parent_evidence);
	l->fix = "make the parent mount private: mount --make-private on its mount point (or work in a mount "
		 "namespace of its own: unshare --mount --propagation private)";
	return true;
}

static bool eval_root_parent_shared(const struct pw_pivot_facts *f, struct line *l)
{
	const struct pw_mount_facts *r = &f->root;

	WHAT(l, "the parent of the current root's mount is not shared");
	l->failed = r->parent_shared;
	if (r->has_parent == PW_NO)
		EVIDENCE(l, "%s", r->evidence);
	else if (*r->parent_evidence)
		EVIDENCE(l, "%s", r->parent_evidence);
	else
		EVIDENCE(l, "the parent lies outside the root, where mountinfo does not show it; %s",
			 pw_statmount_hint(r->statmount_errno) ?: "statmount(2) could not tell");
	/* The parent of the root mount lies under it, or outside the root:
	 * no path from inside names it ("/" is the root mount), so only a
	 * re-root, or a change made from outside, helps.  A parentless mount
	 * is its own parent. */
	l->fix = r->has_parent == PW_NO ?
		 "make it private: mount --make-rprivate / (or prepare-root -- <command>)" :
		 "prepare-root -- <command>; or make the parent mount private from outside the root "
		 "(mount --make-private on it, before the chroot)";
	return true;
}

static bool eval_ns(const char *name, const struct pw_mount_facts *m, struct line *l)
{
	WHAT(l, "%s's mount is in this mount namespace", name);
	l->failed = not(m->in_namespace);
	EVIDENCE(l, "%s", m->ns_evidence);
	l->fix = "name a directory of this mount namespace, not one reached through another's /proc/PID/root";
	return true;
}

static bool eval_root_ns(const struct pw_pivot_facts *f, struct line *l)
{
	if (f->root.stat_errno)
		return false;
	return eval_ns("the current root", &f->root, l);
}

static bool eval_new_ns(const struct pw_pivot_facts *f, struct line *l)
{
	char name[PATH_MAX + 16];

	if (!have_new(f))
		return false;
	snprintf(name, sizeof(name), "NEW_ROOT %s", f->new_root);
	return eval_ns(name, &f->new_mnt, l);
}

static bool eval_new_locked(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_new(f))
		return false;
	WHAT(l, "NEW_ROOT %s's mount is not locked to its parent", f->new_root);
	l->failed = f->new_mnt.locked;
	EVIDENCE(l, "%s", f->new_mnt.locked_evidence);
	l->fix = "bind-mount it onto itself first (mount --bind NEW_ROOT NEW_ROOT): a new mount is not locked";
	return true;
}

static bool eval_new_unlinked(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_new(f))
		return false;
	WHAT(l, "NEW_ROOT %s has not been removed", f->new_root);
	l->failed = f->new_mnt.unlinked;
	EVIDENCE(l, "%u links", f->new_mnt.nlink);
	l->fix = "name a directory that exists";
	return true;
}

static bool eval_new_on_root(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_new(f))
		return false;
	WHAT(l, "NEW_ROOT %s is not on the current root's mount", f->new_root);
	l->failed = tri(f->new_mnt.id == f->root.id);
	EVIDENCE(l, "mount %llu", (unsigned long long) f->new_mnt.id);
	l->fix = "make NEW_ROOT a mount of its own: mount --bind NEW_ROOT NEW_ROOT";
	return true;
}

static bool eval_old_on_root(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_old(f))
		return false;
	WHAT(l, "PUT_OLD %s is not on the current root's mount", f->put_old);
	l->failed = tri(f->old_mnt.id == f->root.id);
	EVIDENCE(l, "mount %llu", (unsigned long long) f->old_mnt.id);
	l->fix = "put PUT_OLD at or under NEW_ROOT, on NEW_ROOT's mount";
	return true;
}

static bool eval_root_mounted(const struct pw_pivot_facts *f, struct line *l)
{
	WHAT(l, "the current root is the root of a mount");
	l->failed = not(f->root.mount_root);
	EVIDENCE(l, "%s", f->root.mount_root == PW_NO ? "an earlier chroot into a directory" : f->root.evidence);
	l->fix = FIX_PREPARE_ROOT;
	return true;
}

static bool eval_root_parent(const struct pw_pivot_facts *f, struct line *l)
{
	WHAT(l, "the current root's mount has a parent");
	l->failed = not(f->root.has_parent);
	EVIDENCE(l, "%s", f->root.has_parent == PW_NO ? "the initramfs rootfs: mount ID equals parent ID" : "");
	l->fix = FIX_PREPARE_ROOT;
	return true;
}

static bool eval_new_mounted(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_new(f))
		return false;
	WHAT(l, "NEW_ROOT %s is a mount point", f->new_root);
	l->failed = not(f->new_mnt.mount_root);
	EVIDENCE(l, "%s", f->new_mnt.evidence);
	l->fix = "mount --bind NEW_ROOT NEW_ROOT";
	return true;
}

static bool eval_new_parent(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_new(f))
		return false;
	WHAT(l, "NEW_ROOT %s's mount has a parent", f->new_root);
	l->failed = not(f->new_mnt.has_parent);
	l->fix = "mount --bind NEW_ROOT NEW_ROOT";
	return true;
}

static bool eval_old_under_new(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_old(f))
		return false;
	WHAT(l, "PUT_OLD %s is at or under NEW_ROOT %s", f->put_old, f->new_root);
	l->failed = not(f->old_under_new);
	if (f->old_under_new == PW_UNKNOWN)
		EVIDENCE(l, "the way up from PUT_OLD meets the root first, and NEW_ROOT is not under the root");
	l->fix = "name a directory inside NEW_ROOT, or NEW_ROOT itself";
	return true;
}

static bool eval_new_under_root(const struct pw_pivot_facts *f, struct line *l)
{
	if (!have_new(f))
		return false;
	WHAT(l, "NEW_ROOT %s is under the current root", f->new_root);
	l->failed = not(f->new_mnt.under_root);
	if (f->new_mnt.under_root == PW_NO)
		EVIDENCE(l, "reached through a working directory or /proc outside the root");
	l->fix = "name a directory under the root directory";
	return true;
}

static const struct pivot_check checks[] = {
	{ "may_mount()",                                  EPERM,   eval_may_mount },
	{ "user_path_at(new_root, LOOKUP_DIRECTORY)",     0,       eval_lookup_new },
	{ "user_path_at(put_old, LOOKUP_DIRECTORY)",      0,       eval_lookup_old },
	{ "lock_mount(&old): cant_mount()",               ENOENT,  eval_old_mountable },
	{ "IS_MNT_SHARED(old_mnt)",                       EINVAL,  eval_old_shared },
	{ "IS_MNT_SHARED(ex_parent)",                     EINVAL,  eval_new_parent_shared },
	{ "IS_MNT_SHARED(root_parent)",                   EINVAL,  eval_root_parent_shared },
	{ "check_mnt(root_mnt)",                          EINVAL,  eval_root_ns },
	{ "check_mnt(new_mnt)",                           EINVAL,  eval_new_ns },
	{ "new_mnt->mnt.mnt_flags & MNT_LOCKED",          EINVAL,  eval_new_locked },
	{ "d_unlinked(new.dentry)",                       ENOENT,  eval_new_unlinked },
	{ "new_mnt == root_mnt",                          EBUSY,   eval_new_on_root },
	{ "old_mnt == root_mnt",                          EBUSY,   eval_old_on_root },
	{ "path_mounted(&root)",                          EINVAL,  eval_root_mounted },
	{ "mnt_has_parent(root_mnt)",                     EINVAL,  eval_root_parent },
	{ "path_mounted(&new)",                           EINVAL,  eval_new_mounted },
	{ "mnt_has_parent(new_mnt)",                      EINVAL,  eval_new_parent },
	{ "is_path_reachable(old_mnt, old.dentry, &new)", EINVAL,  eval_old_under_new },
	{ "is_path_reachable(new_mnt, new.dentry, &root)", EINVAL, eval_new_under_root },
};

static void print_line(FILE *out, const struct pivot_check *c, const struct line *l)
{
	const char *tag = l->failed == PW_NO ? "ok" : l->failed == PW_YES ? "FAIL" : "??";

	fprintf(out, "%-4s  ", tag);
	pw_put_escaped(out, l->what);
	fprintf(out, " {%s}", c->kernel);
	if (*l->evidence) {
		fputs(" [", out);
		pw_put_escaped(out, l->evidence);
		fputc(']', out);
	}
	if (l->failed == PW_YES) {
		fprintf(out, " -> %s; fix: ", pw_errno_name(l->error));
		pw_put_escaped(out, l->fix);
	} else if (l->failed == PW_UNKNOWN) {
		fprintf(out, " -> cannot tell (%s if it fails)", pw_errno_name(l->error));
	}
	fputc('\n', out);
}

int pw_explain_report(const struct pw_pivot_facts *f, FILE *out)
{
	int first_error = 0, unknown_errors[sizeof(checks) / sizeof(checks[0])];
	size_t nunknown = 0;
	bool exact = true;

	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct line l;

		memset(&l, 0, sizeof(l));
		l.error = checks[i].error;
		if (!checks[i].eval(f, &l))
			continue;
		print_line(out, &checks[i], &l);
		if (first_error)
			continue;
		if (l.failed == PW_YES)
			first_error = l.error;
		else if (l.failed == PW_UNKNOWN)
			unknown_errors[nunknown++] = l.error;
	}

	if (first_error) {
		/* An earlier check that cannot be told is harmless when it
		 * would fail with the same error. */
		fprintf(out, "verdict: pivot_root would fail with %s", pw_errno_name(first_error));
		for (size_t i = 0; i < nunknown; i++) {
			if (unknown_errors[i] != first_error) {
				fprintf(out, "%s%s", exact ? ", or before that with " : " or ",
					pw_errno_name(unknown_errors[i]));
				exact = false;
			}
		}
		fputs(exact ? "\n" : " (an earlier check cannot be told)\n", out);
		return PW_EXPLAIN_FAIL;
	}
	if (nunknown) {
		fputs("verdict: cannot tell\n", out);
		return PW_EXPLAIN_UNKNOWN;
	}
	fprintf(out, "verdict: pivot_root would succeed%s\n",
		f->new_root ? "" : " as far as the current root is concerned");
	return PW_EXPLAIN_OK;
}
