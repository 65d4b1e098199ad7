/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "log.h"
#include "mounts.h"
#include "paths.h"
#include "sys.h"

static enum pw_tri tri(bool b)
{
	return b ? PW_YES : PW_NO;
}

/* A path and the mount it lies on, as far as it can be told. */
struct place {
	struct pw_where w;
	struct pw_mount m;
	bool known;		/* m is filled */
	bool listed;		/* reachable from the root: mountinfo lists it, or
				 * statmount(2) gives it a mount point */
	int statmount_errno;
	char point[PATH_MAX];	/* its mount point, relative to the root */
};

/* The mount of @p->w: statmount(2), else the table (read once, in @t). */
static void mount_of(struct place *p, struct pw_table **t)
{
	const char *point;
	size_t cursor = 0;
	struct pw_mount m;

	if (pw_statmount(p->w.uid, &p->m, p->point, sizeof(p->point)) == 0) {
		p->known = true;
		p->listed = p->point[0] != '\0';
		return;
	}
	p->statmount_errno = errno;
	if (errno == ENOENT || errno == EPERM)
		return;
	if (!*t && !(*t = pw_table_read(pw_mountinfo)))
		return;
	while (pw_table_next(*t, &cursor, &m, &point) == 0) {
		if (m.id == p->w.id) {
			p->m = m;
			p->known = p->listed = true;
			snprintf(p->point, sizeof(p->point), "%s", point ?: "");
			return;
		}
	}
}

/* The parent of @m: 0, or -1 when it cannot be looked at. */
static int parent_of(const struct pw_mount *m, struct pw_table *t, struct pw_mount *parent)
{
	if (!m->from_table)
		return pw_statmount(m->parent_uid, parent, NULL, 0);
	return pw_table_find(t, m->parent_id, parent);
}

/* Why a mount's facts are not known. */
static const char *unknown_because(const struct place *p, char *buf, size_t size)
{
	snprintf(buf, size, "mount %llu is not in /proc/self/mountinfo: outside the root, or of another mount namespace; %s",
		 (unsigned long long) p->w.id, pw_statmount_hint(p->statmount_errno) ?: "statmount(2) could not tell");
	return buf;
}

static bool lookup(struct pw_facts *f, enum pw_subject s, const char *path, struct place *p)
{
	f->present[s] = true;
	f->path[s] = path;
	memset(p, 0, sizeof(*p));
	if (pw_where(AT_FDCWD, path, 0, &p->w) < 0) {
		f->lookup_errno[s] = errno;
		pw_fact(f, s, PW_RESOLVES, PW_NO, "%s", strerror(errno));
		f->fix[s][PW_RESOLVES] = errno == ENOENT ? "create it, or name an existing directory" :
			errno == EACCES ? "give search permission on every directory of the path" :
			errno == ELOOP ? "resolve the symbolic link loop" :
			errno == ENAMETOOLONG ? "use a shorter path (relative to a nearer working directory)" :
			"name an existing directory";
		return false;
	}
	if (!S_ISDIR(p->w.stx.stx_mode)) {
		f->lookup_errno[s] = ENOTDIR;
		pw_fact(f, s, PW_RESOLVES, PW_NO, NULL);
		return false;
	}
	pw_fact(f, s, PW_RESOLVES, PW_YES, NULL);
	return true;
}

/* d_unlinked(): rmdir(2) leaves a directory that is still in use with no
 * link (reached only through a working directory or /proc). */
static enum pw_tri removed(const struct pw_where *w)
{
	return (w->stx.stx_mask & PW_STATX_NLINK) ? tri(w->stx.stx_nlink == 0) : PW_UNKNOWN;
}

/*
 * lock_mount() moves PUT_OLD onto whatever is mounted topmost there.  A
 * lookup crosses into the topmost mount at each component it walks (and
 * at ".."), not where it starts: "/" alone and "." alone (with any more
 * "." and "/") stay on the root or the working directory itself.  There
 * "/.." reaches the topmost mount at the root (follow_dotdot stays, then
 * crosses), and "../NAME" the one at the working directory.
 */
static int topmost(const char *path, const struct place *p, struct pw_where *top)
{
	char cwd[PATH_MAX], again[PATH_MAX + 4];
	const char *s = path, *name;
	struct pw_where root;

	while (*s == '/' || (*s == '.' && (s[1] == '/' || s[1] == '\0')))
		s++;
	*top = p->w;
	if (*s != '\0')
		return 0;
	if (path[0] == '/' || (pw_where(AT_FDCWD, "/", 0, &root) == 0 && root.id == p->w.id &&
			       root.stx.stx_ino == p->w.stx.stx_ino))
		return pw_where(AT_FDCWD, "/..", 0, top);
	/* A removed working directory has no path, and nothing can be
	 * mounted on it (cant_mount): it is the topmost itself. */
	if (!pw_sys_getcwd(cwd, sizeof(cwd)))
		return errno == ENOENT && removed(&p->w) == PW_YES ? 0 : -1;
	if (!(name = strrchr(cwd, '/')) || !name[1])
		return -1;
	snprintf(again, sizeof(again), "..%s", name);
	return pw_where(AT_FDCWD, again, 0, top);
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
 *
 * A mount without a parent (the absolute root: the initramfs rootfs, and
 * its copies in new mount namespaces) carried MNT_LOCKED from boot until
 * Linux 6.17 ("don't set MNT_LOCKED on parentless mounts"): no call tells
 * the two apart for a process that umount(2) finds capable(), so the
 * kernel's release decides.
 */
static void locked(struct pw_facts *f, const char *new_root, const struct place *p)
{
	unsigned major = 0, minor = 0;
	const char *probe = p->w.mount_root ? new_root : p->point;
	struct pw_where again;

	if (f->lock_probe != PW_LOCK_PROBE && p->known && p->m.parent_uid == p->m.uid && p->m.parent_id == p->m.id) {
		if (sscanf(f->release, "%u.%u", &major, &minor) != 2)
			pw_fact(f, PW_NEW, PW_LOCKED, PW_UNKNOWN,
				"a mount without a parent is locked before Linux 6.17, and the kernel's release is unknown");
		else
			pw_fact(f, PW_NEW, PW_LOCKED, tri(major < 6 || (major == 6 && minor < 17)),
				"a mount without a parent is %s from Linux 6.17 (this is %.64s)",
				major < 6 || (major == 6 && minor < 17) ? "locked before, never" : "never locked", f->release);
		return;
	}
	if (f->lock_probe == PW_LOCK_NONE_LOCKED) {
		pw_fact(f, PW_NEW, PW_LOCKED, PW_NO, "the mount namespace belongs to the initial user namespace: only "
			"copies into a namespace of another user namespace are locked");
		return;
	}
	if (f->lock_probe == PW_LOCK_CANNOT_PROBE) {
		pw_fact(f, PW_NEW, PW_LOCKED, PW_UNKNOWN, "the mount namespace belongs to another user namespace; mountinfo "
			"and statmount(2) do not show the lock, and only a process of that user namespace can ask umount(2): "
			"run --explain there (nsenter -U -m)");
		return;
	}
	/* The probe names the mount's root: NEW_ROOT itself, or its mount
	 * point, checked to reach that very mount. */
	if (!probe[0] || pw_where(AT_FDCWD, probe, 0, &again) < 0 || again.id != p->w.id || !again.mount_root) {
		pw_fact(f, PW_NEW, PW_LOCKED, PW_UNKNOWN, "the root of the mount cannot be named by a path for umount(2)");
		return;
	}
	if (pw_sys_umount2(probe, MNT_FORCE | MNT_DETACH | PW_MNT_EXPIRE) == 0)
		pw_fact(f, PW_NEW, PW_LOCKED, PW_UNKNOWN, "umount(2) probe: unexpected success");
	else if (errno == EPERM)
		pw_fact(f, PW_NEW, PW_LOCKED, PW_NO, "umount(2) probe of %.160s got past the lock test: EPERM", probe);
	else if (errno == EINVAL)
		pw_fact(f, PW_NEW, PW_LOCKED, PW_YES, "umount(2) probe of %.160s: EINVAL, a mount inherited from a more "
			"privileged mount namespace", probe);
	else
		pw_fact(f, PW_NEW, PW_LOCKED, PW_UNKNOWN, "umount(2) probe of %.160s: %s", probe, strerror(errno));
}

/* The facts of NEW_ROOT's or PUT_OLD's mount that both have. */
static void mount_facts(struct pw_facts *f, enum pw_subject s, const struct place *p, struct pw_table *t)
{
	char why[600];
	struct pw_mount parent;

	pw_fact(f, s, PW_ON_ROOT_MOUNT, tri(p->w.id == f->root_id), "mount %llu", (unsigned long long) p->w.id);
	if (!p->known) {
		pw_fact(f, s, PW_IN_NAMESPACE, p->statmount_errno == ENOENT ? PW_NO : PW_UNKNOWN, "%s",
			p->statmount_errno == ENOENT ? "statmount(2) of the mount: ENOENT, no such mount in this mount namespace" :
			unknown_because(p, why, sizeof(why)));
		return;
	}
	pw_fact(f, s, PW_IN_NAMESPACE, PW_YES, "%s lists mount %llu", p->m.from_table ? "/proc/self/mountinfo" :
		"statmount(2)", (unsigned long long) p->m.id);
	pw_fact(f, s, PW_SHARED, tri(p->m.propagation & MS_SHARED), "%s", p->m.evidence);
	pw_fact(f, s, PW_HAS_PARENT, tri(p->m.parent_id != p->m.id), "%s", p->m.evidence);
	/* ex_parent: the parent of a parentless mount is itself. */
	if (p->m.parent_id == p->m.id)
		pw_fact(f, s, PW_PARENT_SHARED, tri(p->m.propagation & MS_SHARED), "%s", p->m.evidence);
	else if (parent_of(&p->m, t, &parent) == 0)
		pw_fact(f, s, PW_PARENT_SHARED, tri(parent.propagation & MS_SHARED), "%s", parent.evidence);
	else
		pw_fact(f, s, PW_PARENT_SHARED, PW_UNKNOWN, "the parent, mount %llu, lies outside the root; %s",
			(unsigned long long) p->m.parent_id, pw_statmount_hint(p->m.from_table ? ENOSYS : errno) ?: "");
}

/*
 * is_path_reachable(old_mnt, old.dentry, &new): the walk up the mount tree,
 * mnt_parent after mnt_parent, from PUT_OLD's mount meets NEW_ROOT's (any
 * directory of a mount lies under its root, which NEW_ROOT is once
 * path_mounted(&new) passed).  Not by ".." lookups, which cross into
 * whatever is mounted on each step.
 */
static void old_under_new(struct pw_facts *f, const struct place *old, const struct place *new, struct pw_table *t)
{
	struct pw_mount m = old->m;

	if (!old->known || !new->known) {
		pw_fact(f, PW_OLD, PW_REACHABLE, PW_UNKNOWN, "the mounts cannot all be looked at");
		return;
	}
	for (int depth = 0; depth < 256; depth++) {
		if (m.id == new->m.id) {
			pw_fact(f, PW_OLD, PW_REACHABLE, PW_YES, "the mount tree leads from mount %llu up to mount %llu",
				(unsigned long long) old->m.id, (unsigned long long) new->m.id);
			return;
		}
		if (m.parent_id == m.id)
			break;
		if (parent_of(&m, t, &m) < 0) {
			/* Every mount above one under the root is listed: the
			 * walk left the root, where NEW_ROOT (listed) is not. */
			if (old->m.from_table && new->listed)
				break;
			pw_fact(f, PW_OLD, PW_REACHABLE, PW_UNKNOWN, "the walk up from mount %llu leaves what can be seen",
				(unsigned long long) old->m.id);
			return;
		}
	}
	pw_fact(f, PW_OLD, PW_REACHABLE, PW_NO, "the mount tree leads up from mount %llu without meeting mount %llu",
		(unsigned long long) old->m.id, (unsigned long long) new->m.id);
}

void pw_paths_gather(struct pw_facts *f, const char *new_root, const char *put_old)
{
	struct pw_table *t = NULL;
	struct place new, old;
	struct pw_where top;
	bool moved;
	/* (PUT_OLD is looked up whether NEW_ROOT was found or not: the
	 * table shows PUT_OLD's rows only where the kernel gets to them.) */
	bool new_ok = lookup(f, PW_NEW, new_root, &new), old_ok = lookup(f, PW_OLD, put_old, &old);

	if (!new_ok || !old_ok)
		return;
	mount_of(&new, &t);
	pw_fact(f, PW_NEW, PW_MOUNT_ROOT, tri(new.w.mount_root), "%s",
		!new.w.mount_root && new.known ? new.m.evidence : "");
	pw_fact(f, PW_NEW, PW_UNLINKED, removed(&new.w), "%u links", new.w.stx.stx_nlink);
	mount_facts(f, PW_NEW, &new, t);
	/* is_path_reachable(new_mnt, new.dentry, &root), with NEW_ROOT the
	 * root of its mount: exactly what decides whether mountinfo lists a
	 * mount, and statmount(2) gives it a mount point. */
	pw_fact(f, PW_NEW, PW_REACHABLE, new.known ? tri(new.listed) : PW_UNKNOWN, "%s", new.known && !new.listed ?
		"reached through a working directory or /proc outside the root" : "");
	locked(f, new_root, &new);

	if (topmost(put_old, &old, &top) < 0) {
		pw_fact(f, PW_OLD, PW_MOUNTABLE, PW_UNKNOWN, "the working directory has no path here, so what "
			"is mounted on it cannot be looked up");
		pw_table_free(t);
		return;
	}
	moved = top.id != old.w.id;
	if (moved)
		pw_fact(f, PW_OLD, PW_MOUNTABLE, PW_YES, "lock_mount() moves it onto mount %llu, mounted there",
			(unsigned long long) top.id);
	else
		pw_fact(f, PW_OLD, PW_MOUNTABLE, removed(&old.w) == PW_UNKNOWN ? PW_UNKNOWN : tri(removed(&old.w) == PW_NO),
			"%u links", old.w.stx.stx_nlink);
	old.w = top;
	mount_of(&old, &t);
	mount_facts(f, PW_OLD, &old, t);
	old_under_new(f, &old, &new, t);
	pw_table_free(t);
}
