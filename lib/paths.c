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
#include "root.h"
#include "sys.h"

static bool lookup(struct pw_facts *f, enum pw_subject s, const char *path, struct pw_place *p)
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
	return (w->stx.stx_mask & PW_STATX_NLINK) ? pw_tri_of(w->stx.stx_nlink == 0) : PW_UNKNOWN;
}

/* The mount stacked at @at on @p's mount, into @child: 0, or -1 if none.
 * The kernel names a mount point the same way whether a lookup of that
 * path would reach it or not (d_path()), as getcwd(2) names a directory. */
static int stacked_on(const struct pw_place *p, const char *at, struct pw_table *t, struct pw_place *child)
{
	struct pw_mount_list l;
	int found = -1;

	memset(child, 0, sizeof(*child));
	child->known = child->listed = child->w.mount_root = child->w.mount_root_known = true;
	if (pw_mounts_list(&l, p->m.uid, p->m.from_table ? t : NULL) < 0)
		return -1;
	while (found < 0 && pw_mounts_next(&l, &child->m, child->point, sizeof(child->point)) == 0)
		if (child->m.parent_id == p->m.id && strcmp(child->point, at) == 0)
			found = 0;
	pw_mounts_end(&l);
	child->w.id = child->m.id;
	child->w.uid = child->m.uid;
	return found;
}

/*
 * lock_mount() moves PUT_OLD onto whatever is mounted topmost there.  A
 * lookup crosses into the topmost mount at each component it walks, not
 * where it starts: "/" alone and "." alone (with any more "." and "/")
 * stay on the root or the working directory itself.  There the stack is
 * found in the mount table: the mount whose parent is the one below and
 * whose mount point is that directory, then the one on that, and so on.
 * Returns -1 when that cannot be told.
 */
static int topmost(const char *path, struct pw_place *p, struct pw_table *t)
{
	char at[PATH_MAX];
	const char *s = path;
	struct pw_place child;

	while (*s == '/' || (*s == '.' && (s[1] == '/' || s[1] == '\0')))
		s++;
	if (*s != '\0')
		return 0;
	if (!p->known)
		return -1;
	if (path[0] == '/')
		snprintf(at, sizeof(at), "/");
	else if (!pw_sys_getcwd(at, sizeof(at)))
		/* A removed working directory has no path, and nothing can
		 * be mounted on it (cant_mount): it is the topmost itself. */
		return errno == ENOENT && removed(&p->w) == PW_YES ? 0 : -1;
	for (int depth = 0; depth < 64 && stacked_on(p, at, t, &child) == 0; depth++)
		*p = child;
	return 0;
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
static void locked(struct pw_facts *f, const char *new_root, const struct pw_place *p)
{
	const char *probe = p->w.mount_root ? new_root : p->point;
	struct pw_where again;

	if (f->lock_probe != PW_LOCK_PROBE && p->known && p->m.parent_uid == p->m.uid && p->m.parent_id == p->m.id) {
		pw_fact(f, PW_NEW, PW_LOCKED, pw_release_before(f->release, 6, 17), "a mount without a parent is locked "
			"before Linux 6.17, never from it (this is %.64s)", f->release);
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

/*
 * is_path_reachable(old_mnt, old.dentry, &new): the walk up the mount tree,
 * mnt_parent after mnt_parent, from PUT_OLD's mount meets NEW_ROOT's (any
 * directory of a mount lies under its root, which NEW_ROOT is once
 * path_mounted(&new) passed).  Not by ".." lookups, which cross into
 * whatever is mounted on each step.
 */
static void old_under_new(struct pw_facts *f, const struct pw_place *old, const struct pw_place *new, struct pw_table *t)
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
		if (pw_mount_parent(&m, t, &m) < 0) {
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
	struct pw_place new, old;
	uint64_t below;
	/* (PUT_OLD is looked up whether NEW_ROOT was found or not: the
	 * table shows PUT_OLD's rows only where the kernel gets to them.) */
	bool new_ok = lookup(f, PW_NEW, new_root, &new), old_ok = lookup(f, PW_OLD, put_old, &old);

	if (!new_ok || !old_ok)
		return;
	pw_place_mount(&new, &t);
	pw_fact(f, PW_NEW, PW_MOUNT_ROOT, pw_tri_of(new.w.mount_root), "%s",
		!new.w.mount_root && new.known ? new.m.evidence : "");
	pw_fact(f, PW_NEW, PW_UNLINKED, removed(&new.w), "%u links", new.w.stx.stx_nlink);
	pw_mount_facts(f, PW_NEW, &new, t);
	/* is_path_reachable(new_mnt, new.dentry, &root), with NEW_ROOT the
	 * root of its mount: exactly what decides whether mountinfo lists a
	 * mount, and statmount(2) gives it a mount point. */
	pw_fact(f, PW_NEW, PW_REACHABLE, new.known ? pw_tri_of(new.listed) : PW_UNKNOWN, "%s", new.known && !new.listed ?
		"reached through a working directory or /proc outside the root" : "");
	locked(f, new_root, &new);

	pw_place_mount(&old, &t);
	below = old.w.id;
	if (topmost(put_old, &old, t) < 0) {
		pw_fact(f, PW_OLD, PW_MOUNTABLE, PW_UNKNOWN, "what is mounted on the working directory cannot be told "
			"(it has no path here, or its mount cannot be seen)");
		pw_table_free(t);
		return;
	}
	if (old.w.id != below)
		pw_fact(f, PW_OLD, PW_MOUNTABLE, PW_YES, "lock_mount() moves it onto mount %llu, mounted there",
			(unsigned long long) old.w.id);
	else
		pw_fact(f, PW_OLD, PW_MOUNTABLE, removed(&old.w) == PW_UNKNOWN ? PW_UNKNOWN : pw_tri_of(removed(&old.w) == PW_NO),
			"%u links", old.w.stx.stx_nlink);
	pw_mount_facts(f, PW_OLD, &old, t);
	old_under_new(f, &old, &new, t);
	pw_table_free(t);
}
