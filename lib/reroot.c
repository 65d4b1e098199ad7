/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Why this way.  pivot_root(2) wants the current root to be the root of a
 * mount that has a parent, and that parent must not be shared
 * (path_mounted(&root), mnt_has_parent(root_mnt) and
 * IS_MNT_SHARED(root_parent) in fs/namespace.c).  The initramfs rootfs has
 * no parent, a chroot into a directory is no mount root, and a chroot into
 * a bind mount may sit on a shared mount that no path inside the chroot
 * reaches.  All three are fixed by putting one more mount under the
 * process: a recursive copy of exactly the caller's root, attached to a
 * mount that is not shared (the anchor), and entered.
 *
 * Every step happens after unshare(CLONE_NEWNS), on mounts of our own
 * namespace, and every decision is made there: the propagation a caller's
 * mount had before the unshare says nothing of our copy of it after
 * (kubelet makes mounts shared at start-up).  Every mount change is made on
 * a descriptor resolved once: the anchor is opened once (O_PATH), checked on
 * that descriptor (a mount root, the mount it was listed as), made not
 * shared through it (mount_setattr(2)) and the copy attached to it through
 * it (move_mount(2), MOVE_MOUNT_T_EMPTY_PATH).  A path looked up twice could
 * name two different mounts in between (a directory renamed inside the
 * chroot), and a copy attached to a shared mount would propagate to its
 * peers in the caller's namespace (propagate_mnt).  The copy itself is made
 * not shared before it is attached, so that nothing done to it later
 * (dropping what was stacked on it) propagates out either.
 *
 * The anchor: whatever is mounted topmost at the root ("/.." reaches it:
 * follow_dotdot stays at the root, then crosses into what is mounted
 * there), when that is a mount root (the root's own mount, or one stacked
 * on it); else, for a chroot into a directory of a mount whose root lies
 * outside, that directory itself when its mount is not shared (statmount
 * reads that in our namespace); else a mount inside the root (a chroot that
 * runs a runtime has /proc), listed by listmount(2) or the mount table.
 *
 * The copy is open_tree(OPEN_TREE_CLONE|AT_RECURSIVE) of "/", which names
 * the process root itself; mounts the copy carries stacked on its own root
 * (an overmount of "/") are dropped once it is entered: the caller's own
 * lookups never see them, so neither may a runtime that looks under its old
 * root after pivot_root.  It is entered with fchdir() on its descriptor and
 * chroot(".").  The working directory is then found again by its path and
 * checked to be the same directory.
 *
 * Alternatives that were not taken:
 *  - mount("/", "/", MS_BIND|MS_REC) + chdir("/..") + chroot("."): enters
 *    the topmost mount on "/", not the caller's root, when one is stacked;
 *  - busybox's "mount --rbind / D; cd D; mount --move . /; chroot ." needs a
 *    spare directory D, so a read-only root would need one created first;
 *  - MS_MOVE + chroot (runc/crun --no-pivot) leaves the old root reachable in
 *    the container's namespace, which is what pivot_root exists to avoid.
 *
 * Nothing here writes to any file system, so a read-only root works.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "log.h"
#include "mounts.h"
#include "reroot.h"
#include "sys.h"

#define O_ANCHOR (O_PATH | O_DIRECTORY | O_CLOEXEC)

static const char *propagation_name(unsigned long propagation)
{
	return propagation == MS_PRIVATE ? "MS_PRIVATE" : "MS_SLAVE";
}

/* The propagation of the mount @fd is the root of (recursively: every
 * mount on it too).  mount_setattr(2) from Linux 5.12, else mount(2) on
 * the descriptor's magic link. */
static int set_propagation(int fd, unsigned long propagation, bool recursive, const char *what)
{
	struct pw_mount_attr attr = { .propagation = propagation };
	char link[64];

	pw_verbose("mount_setattr(%s, %s%s)", what, recursive ? "AT_RECURSIVE, " : "", propagation_name(propagation));
	if (pw_sys_mount_setattr(fd, "", PW_AT_EMPTY_PATH | (recursive ? PW_AT_RECURSIVE : 0), &attr) == 0)
		return 0;
	if (errno == ENOSYS) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		pw_verbose("mount(none, %s, %s%s)", link, recursive ? "MS_REC|" : "", propagation_name(propagation));
		if (pw_sys_mount(NULL, link, NULL, propagation | (recursive ? MS_REC : 0), NULL) == 0)
			return 0;
	}
	pw_error(errno, pw_privilege_hint(errno), "cannot change the propagation of %s", what);
	return -1;
}

/*
 * A mount inside the root, as the anchor: the first one listed that, opened
 * by its mount point, is that very mount's root (a mount covered since by
 * another, or a path renamed since, is passed over), made not shared.
 * Returns its descriptor, or -1 (with *@why when none could be found).
 */
static int anchor_inside(unsigned long propagation, char *why, size_t size)
{
	struct pw_mount_list l;
	char point[PATH_MAX];
	struct pw_mount m;
	struct pw_where w;
	int fd = -1;

	/* listmount(2) and statmount(2) from Linux 6.8: no /proc needed. */
	if (pw_mounts_list(&l, PW_LSMT_ROOT, NULL) < 0) {
		snprintf(why, size, "no mount inside the root can be found: %s%s", pw_table_error(),
			 errno == ENOENT ? " (before Linux 6.8 only /proc/self/mountinfo lists mounts: "
					   "mount -t proc proc /proc)" : "");
		return -1;
	}
	snprintf(why, size, "no mount inside the root can take the copy");
	while (pw_mounts_next(&l, &m, point, sizeof(point)) == 0) {
		if (point[0] != '/' || point[1] == '\0')
			continue;	/* the root itself, or outside it */
		fd = pw_sys_openat(AT_FDCWD, point, O_ANCHOR | O_NOFOLLOW);
		if (fd < 0)
			continue;
		if (pw_where(fd, "", PW_AT_EMPTY_PATH, &w) == 0 && w.mount_root &&
		    (m.from_table ? w.id == m.id : w.uid == m.uid)) {
			pw_verbose("anchor: mount %llu at %s", (unsigned long long) m.id, point);
			if (set_propagation(fd, propagation, true, "the anchor") < 0) {
				pw_sys_close(fd);
				fd = -2;	/* said why already */
			}
			break;
		}
		pw_sys_close(fd);
		fd = -1;
	}
	pw_mounts_end(&l);
	return fd;
}

/*
 * The mount the copy is attached to, opened: see the top of this file.
 * Returns its descriptor, or -1 after one error line.
 */
static int open_anchor(unsigned long propagation)
{
	char why[PATH_MAX + 200];
	struct pw_mount m;
	struct pw_where w;
	bool told;
	int fd;

	fd = pw_sys_openat(AT_FDCWD, "/..", O_ANCHOR);
	if (fd < 0 || pw_where(fd, "", PW_AT_EMPTY_PATH, &w) < 0) {
		pw_error(errno, NULL, "cannot open the root directory /..");
		if (fd >= 0)
			pw_sys_close(fd);
		return -1;
	}
	if (w.mount_root) {
		pw_verbose("anchor: mount %llu, topmost at the root", (unsigned long long) w.id);
		if (set_propagation(fd, propagation, true, "the anchor") < 0) {
			pw_sys_close(fd);
			return -1;
		}
		return fd;
	}
	/* A directory of a mount whose root lies outside the root: its
	 * propagation cannot be changed from here (do_change_type,
	 * mount_setattr: path_mounted), only read. */
	told = pw_statmount(w.uid, &m, NULL, 0) == 0;
	if (told && !(m.propagation & MS_SHARED)) {
		pw_verbose("anchor: the root directory; its mount %llu is not shared", (unsigned long long) m.id);
		return fd;
	}
	pw_sys_close(fd);
	fd = anchor_inside(propagation, why, sizeof(why));
	if (fd == -1)
		pw_error(0, "mount something inside the root first, e.g. 'mount -t proc proc /proc', or make the "
			 "directory a mount before the chroot: 'mount --bind DIR DIR'",
			 "cannot re-root: the mount holding the root directory lies outside it and %s, and %s",
			 told ? "is shared" : "may be shared", why);
	return fd < 0 ? -1 : fd;
}

#define UNBINDABLE "cannot re-root: the mount holding the root directory is unbindable, or of another mount " \
		   "namespace: no copy of it can be made here (open_tree: __do_loopback)"
#define UNBINDABLE_HINT "make that mount private before the chroot: 'mount --make-private' on its mount point"

/* A detached copy of "/" and everything under it, not shared: its
 * descriptor, or -1 after one error line. */
static int copy_root(unsigned long propagation)
{
	struct pw_where w;
	int fd, root;

	for (int again = 0;; again++) {
		pw_verbose("open_tree(/, OPEN_TREE_CLONE|AT_RECURSIVE)");
		fd = pw_sys_open_tree(AT_FDCWD, "/", PW_OPEN_TREE_CLONE | PW_AT_RECURSIVE | O_CLOEXEC);
		if (fd >= 0 || errno != EINVAL || again || pw_where(AT_FDCWD, "/", 0, &w) < 0 || !w.mount_root)
			break;
		/* An unbindable root mount: making it private clears that
		 * (MS_SLAVE keeps it before Linux 6.18). */
		root = pw_sys_openat(AT_FDCWD, "/", O_ANCHOR);
		if (root < 0 || set_propagation(root, MS_PRIVATE, false, "the root's mount") < 0) {
			if (root >= 0)
				pw_sys_close(root);
			return -1;
		}
		pw_sys_close(root);
	}
	if (fd < 0) {
		if (errno == EINVAL)
			pw_error(0, UNBINDABLE_HINT, UNBINDABLE);
		else
			pw_error(errno, errno == ENOSYS ? "prepare-root needs Linux 5.2 or later" : pw_privilege_hint(errno),
				 "cannot copy the mounts of /: open_tree");
		return -1;
	}
	if (set_propagation(fd, propagation, true, "the copy") < 0) {
		pw_sys_close(fd);
		return -1;
	}
	return fd;
}

/*
 * Mounts stacked on the copy's own root came with it; the caller's lookups
 * never saw them.  "/.." crosses into the topmost of them.  Locked ones (a
 * less privileged user namespace) cannot be dropped, and stay.
 */
static int drop_stacked(const struct pw_where *root)
{
	struct pw_where top;

	for (int i = 0; i < 64; i++) {
		if (pw_where(AT_FDCWD, "/..", 0, &top) < 0) {
			pw_error(errno, NULL, "cannot stat the new root directory");
			return -1;
		}
		if (top.id == root->id)
			return 0;
		pw_verbose("umount2(/.., MNT_DETACH): mount %llu, stacked on the copy's root", (unsigned long long) top.id);
		if (pw_sys_umount2("/..", MNT_DETACH) < 0) {
			if (errno == EINVAL) {
				pw_verbose("mount %llu is locked to the copy: it stays", (unsigned long long) top.id);
				return 0;
			}
			pw_error(errno, NULL, "cannot drop a mount stacked on the copy's root");
			return -1;
		}
	}
	return 0;
}

/*
 * The post-condition, on the kernel's word about the copy's descriptor:
 * "/" (@now, as statx(2) saw it after the chroot) is the root of the copy,
 * and (statmount(2), from Linux 6.8) the copy has a parent that is not
 * shared.
 */
static int check_new_root(int tree, const struct pw_where *now)
{
	struct pw_where copy;
	struct pw_mount m, parent;

	if (pw_where(tree, "", PW_AT_EMPTY_PATH, &copy) < 0) {
		pw_error(errno, NULL, "cannot stat the copy of /");
		return -1;
	}
	if (now->id != copy.id || !now->mount_root) {
		pw_error(0, "please report this as a bug", "the re-root did not take effect: / is mount %llu, the copy %llu",
			 (unsigned long long) now->id, (unsigned long long) copy.id);
		return -1;
	}
	if (pw_statmount(copy.uid, &m, NULL, 0) < 0) {
		pw_verbose("new root: mount %llu (its parent not checked: %s)", (unsigned long long) copy.id, strerror(errno));
		return 0;
	}
	if (m.parent_uid == m.uid || pw_statmount(m.parent_uid, &parent, NULL, 0) < 0 ||
	    (parent.propagation & MS_SHARED)) {
		pw_error(0, "please report this as a bug", "the new root would not be accepted by pivot_root: %s%s%s",
			 m.evidence, m.parent_uid == m.uid ? "" : "; its parent: ",
			 m.parent_uid == m.uid ? "" : parent.evidence);
		return -1;
	}
	pw_verbose("new root: mount %llu, parent %llu, not shared", (unsigned long long) m.id,
		   (unsigned long long) m.parent_id);
	return 0;
}

static bool same_file(const struct pw_statx *a, const struct pw_statx *b)
{
	return a->stx_dev_major == b->stx_dev_major && a->stx_dev_minor == b->stx_dev_minor &&
	       a->stx_ino == b->stx_ino;
}

int pw_reroot(unsigned long propagation)
{
	char cwd[PATH_MAX];
	struct pw_where before, root, after;
	int anchor = -1, tree = -1, rc = -1;

	/* The old working directory lies on the old root; the same path in the
	 * new root names the same directory of the copy. */
	if (!pw_sys_getcwd(cwd, sizeof(cwd))) {
		pw_error(errno, errno == ENOENT ? "it was removed, or lies outside the root directory" : NULL,
			 "cannot get the current working directory");
		return -1;
	}
	if (pw_where(AT_FDCWD, ".", 0, &before) < 0) {
		pw_error(errno, NULL, "cannot stat the working directory");
		return -1;
	}
	pw_verbose("unshare(CLONE_NEWNS)");
	if (pw_sys_unshare(CLONE_NEWNS) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot create a mount namespace: unshare(CLONE_NEWNS)");
		return -1;
	}
	/* From here on only our own namespace changes: any failure leaves
	 * the caller's as it was, and it goes away when we exit. */
	if ((anchor = open_anchor(propagation)) < 0 || (tree = copy_root(propagation)) < 0)
		goto out;
	pw_verbose("move_mount(copy, anchor)");
	if (pw_sys_move_mount(tree, "", anchor, "", PW_MOVE_MOUNT_F_EMPTY_PATH | PW_MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot attach the copy of /: move_mount");
		goto out;
	}
	pw_verbose("fchdir(copy), chroot(.)");
	if (pw_sys_fchdir(tree) < 0 || pw_sys_chroot(".") < 0) {
		pw_error(errno, errno == EPERM ? "prepare-root needs CAP_SYS_CHROOT" : NULL,
			 "cannot enter the copy of /");
		goto out;
	}
	/* The process root stays the copy's root whatever is unmounted
	 * above it: one look at it serves both checks. */
	if (pw_where(AT_FDCWD, "/", 0, &root) < 0) {
		pw_error(errno, NULL, "cannot stat the new root directory /");
		goto out;
	}
	if (drop_stacked(&root) < 0 || check_new_root(tree, &root) < 0)
		goto out;
	/* fchdir() left us in the new root: a working directory "/" is
	 * reached already (an init, a runtime started from /). */
	if (strcmp(cwd, "/") == 0) {
		after = root;
	} else {
		pw_verbose("chdir(%s)", cwd);
		if (pw_sys_chdir(cwd) < 0) {
			pw_error(errno, NULL, "cannot return to the working directory %s", cwd);
			goto out;
		}
		if (pw_where(AT_FDCWD, ".", 0, &after) < 0) {
			pw_error(errno, NULL, "cannot stat the working directory");
			goto out;
		}
	}
	/* The path can name another directory than the one we were in: a
	 * mount may have been put on top of it since.  Running the command
	 * elsewhere than it was started is worse than not running it. */
	if (!same_file(&before.stx, &after.stx)) {
		pw_error(0, "a mount covers it; change to a directory that is not covered",
			 "the working directory %s cannot be reached in the new root", cwd);
		goto out;
	}
	rc = 0;
out:
	if (anchor >= 0)
		pw_sys_close(anchor);
	if (tree >= 0)
		pw_sys_close(tree);
	return rc;
}
