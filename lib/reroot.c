/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Why this way.  pivot_root(2) wants the current root to be the root of a
 * mount that has a parent, and that parent must not be shared (the checks
 * path_mounted(&root), mnt_has_parent(root_mnt) and
 * IS_MNT_SHARED(root_mnt->mnt_parent) in fs/namespace.c).  The initramfs
 * rootfs has no parent, a chroot into a directory is no mount root at all,
 * and a chroot into a bind mount may sit on a shared mount that no path
 * inside the chroot reaches.  All three are fixed by putting one more mount
 * under the process: a recursive copy of exactly the caller's root, attached
 * to a mount that is not shared, and entered.
 *
 * The copy is made with open_tree(OPEN_TREE_CLONE|AT_RECURSIVE) of "/",
 * which names the process root itself: mounts that were stacked on "/"
 * later (an overmount the caller's own lookups never see) are not what the
 * copy's root is.  It is entered with fchdir() on the tree's descriptor, not
 * by a path: chdir("/..") would land on whatever is mounted topmost on "/".
 * move_mount() attaches it to the topmost mount at the anchor, so that mount
 * and everything on it is made non-shared first: a mount attached to a
 * shared mount would propagate to its peers in the caller's namespace
 * (propagate_mnt), which is also why all of this happens after
 * unshare(CLONE_NEWNS).
 *
 * Where "/" is a mount root, "/" is the anchor.  Where it is a directory in
 * a mount that lies outside the root, that mount cannot be reached by any
 * path to change its propagation; so the anchor is a mount stacked on "/",
 * else "/" itself if statmount(2) showed its mount is not shared, else any
 * mount inside the root (a chroot that runs a runtime has /proc).
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
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <libmount.h>

#include "log.h"
#include "reroot.h"
#include "sys.h"

/* The mount the copy of "/" is attached to, and the path that names it. */
struct anchor {
	char path[PATH_MAX];	/* the move_mount() target */
	const char *id_path;	/* a path whose statx() names the topmost mount there */
	uint64_t id;		/* that mount, in mountinfo's numbering ... */
	uint64_t unique_id;	/* ... and statmount's (0: kernel before 6.8) */
};

static const char *propagation_name(unsigned long propagation)
{
	return propagation == MS_PRIVATE ? "MS_PRIVATE" : "MS_SLAVE";
}

/* MS_REC, so that every mount stacked on @path is covered as well. */
static int set_propagation(const char *path, unsigned long propagation)
{
	pw_verbose("mount(none, %s, MS_REC|%s)", path, propagation_name(propagation));
	if (pw_sys_mount("none", path, NULL, MS_REC | propagation, NULL) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot change the propagation of the mounts at %s", path);
		return -1;
	}
	return 0;
}

static int statx_mount_id(const char *path, unsigned int mask, uint64_t *id)
{
	struct pw_statx stx;

	memset(&stx, 0, sizeof(stx));
	if (pw_sys_statx(path, mask, &stx) < 0) {
		pw_error(errno, NULL, "cannot stat %s", path);
		return -1;
	}
	*id = (stx.stx_mask & mask) ? stx.stx_mnt_id : 0;
	return 0;
}

/* True when a mount is stacked on the root directory: "/.." crosses into
 * it (follow_dotdot stops at the root, then follows what is mounted there),
 * while "/" stays on the root's own mount. */
static int root_is_covered(bool *covered)
{
	uint64_t root, top;

	if (statx_mount_id("/", PW_STATX_MNT_ID, &root) < 0 ||
	    statx_mount_id("/..", PW_STATX_MNT_ID, &top) < 0)
		return -1;
	*covered = root != top;
	return 0;
}

/* The first directory mount inside the root, as the mount table lists it
 * (only mounts whose root is inside ours are listed). */
static int find_mount_inside(char *path, size_t size)
{
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int found = 0;

	if (!tb || !itr || mnt_table_parse_file(tb, PW_MOUNTINFO) != 0)
		goto out;
	while (!found && mnt_table_next_fs(tb, itr, &fs) == 0) {
		const char *target = mnt_fs_get_target(fs);
		struct pw_statx stx;

		if (!target || strcmp(target, "/") == 0 || strlen(target) >= size)
			continue;
		memset(&stx, 0, sizeof(stx));
		if (pw_sys_statx(target, PW_STATX_TYPE, &stx) < 0 || !S_ISDIR(stx.stx_mode))
			continue;
		strcpy(path, target);
		found = 1;
	}
out:
	mnt_free_iter(itr);
	mnt_unref_table(tb);
	return found;
}

/*
 * Where the copy can go, without changing anything: fills @a and tells
 * whether the mounts there must be made non-shared first.  Returns 0, or
 * -1 after one error line when there is no such place.
 */
static int find_anchor(const struct pw_root_info *info, struct anchor *a, bool *set_it)
{
	bool covered;

	memset(a, 0, sizeof(*a));
	strcpy(a->path, "/");
	a->id_path = "/..";
	*set_it = true;
	if (info->is_mount_root)
		return 0;

	if (root_is_covered(&covered) < 0)
		return -1;
	if (covered) {
		strcpy(a->path, "/..");
		return 0;
	}
	if (info->propagation_known && !info->shared) {
		*set_it = false;
		return 0;
	}
	if (find_mount_inside(a->path, sizeof(a->path))) {
		a->id_path = a->path;
		return 0;
	}
	pw_error(0, "mount something inside the root first, e.g. 'mount -t proc proc /proc', or make the directory a mount before the chroot: 'mount --bind DIR DIR'",
		 info->propagation_known ?
		 "cannot re-root: the mount holding the root directory is shared and no mount inside the root can take the copy" :
		 "cannot re-root: the mount holding the root directory lies outside it and may be shared, and no mount inside the root can take the copy");
	return -1;
}

/*
 * open_tree(OPEN_TREE_CLONE) of an unbindable mount is EINVAL (__do_loopback).
 * A mount root can be made private, which clears the flag (MS_SLAVE keeps
 * it on some kernels); the hidden mount holding a chroot directory cannot,
 * and whether its copy in a new namespace is still unbindable depends on
 * the kernel: only a copy made in one tells.
 */
#define UNBINDABLE_HINT "make that mount private before the chroot: 'mount --make-private' on its mount point"
#define UNBINDABLE_WHY "cannot re-root: the mount holding the root directory is unbindable, so no copy of it can be made"

int pw_reroot_possible(const struct pw_root_info *info)
{
	struct anchor a;
	bool set_it;

	if (find_anchor(info, &a, &set_it) < 0)
		return -1;
	if (!info->is_mount_root && pw_sys_copy_probe() < 0 && errno == EINVAL) {
		pw_error(0, UNBINDABLE_HINT, UNBINDABLE_WHY);
		return -1;
	}
	return 0;
}

static int choose_anchor(const struct pw_root_info *info, unsigned long propagation, struct anchor *a)
{
	bool set_it;

	if (find_anchor(info, a, &set_it) < 0)
		return -1;
	if (info->is_mount_root && info->unbindable) {
		pw_verbose("mount(none, /, MS_PRIVATE)");
		if (pw_sys_mount("none", "/", NULL, MS_PRIVATE, NULL) < 0) {
			pw_error(errno, pw_privilege_hint(errno), "cannot make the unbindable root mount private");
			return -1;
		}
	}
	if (!set_it) {
		pw_verbose("the mount holding the root directory is not shared: the copy goes on it");
		return 0;
	}
	return set_propagation(a->path, propagation);
}

static int record_anchor(struct anchor *a)
{
	if (statx_mount_id(a->id_path, PW_STATX_MNT_ID, &a->id) < 0 ||
	    statx_mount_id(a->id_path, PW_STATX_MNT_ID_UNIQUE, &a->unique_id) < 0)
		return -1;
	return 0;
}

/*
 * The post-condition, checked on the kernel's word: "/" is the root of the
 * copy (same mount ID as the tree's descriptor), and detection run afresh
 * says pivot_root accepts it.  Where the parent cannot be seen, it must be
 * the anchor, whose propagation was set above.
 */
static int check_new_root(uint64_t tree_id, const struct anchor *a)
{
	struct pw_root_info now;
	enum pw_verdict verdict;
	struct pw_statx stx;
	uint64_t anchor_id;

	memset(&stx, 0, sizeof(stx));
	if (pw_sys_statx("/", PW_STATX_MNT_ID, &stx) < 0) {
		pw_error(errno, NULL, "cannot stat the new root directory /");
		return -1;
	}
	/* (Whether "/" is that mount's root, detection below checks.) */
	if (!(stx.stx_mask & PW_STATX_MNT_ID) || stx.stx_mnt_id != tree_id) {
		pw_error(0, "please report this as a bug",
			 "the re-root did not take effect: / is mount %llu, not the copy %llu",
			 (unsigned long long) stx.stx_mnt_id, (unsigned long long) tree_id);
		return -1;
	}
	if (pw_root_detect(PW_MOUNTINFO, &now) < 0)
		return -1;
	verdict = pw_root_verdict(&now);
	anchor_id = now.method == PW_DETECT_STATMOUNT ? a->unique_id : a->id;
	if (verdict == PW_VERDICT_PARENT_HIDDEN && now.parent_id == anchor_id)
		verdict = PW_VERDICT_PIVOTABLE;
	if (verdict != PW_VERDICT_PIVOTABLE) {
		pw_error(0, "please report this as a bug",
			 "the new root would not be accepted by pivot_root: %s", pw_verdict_reason(verdict));
		return -1;
	}
	pw_verbose("new root: mount %llu", (unsigned long long) tree_id);
	return 0;
}

/* The identity of the working directory: device and inode. */
static int stat_cwd(struct pw_statx *stx)
{
	memset(stx, 0, sizeof(*stx));
	if (pw_sys_statx(".", PW_STATX_INO, stx) < 0) {
		pw_error(errno, NULL, "cannot stat the working directory");
		return -1;
	}
	return 0;
}

static bool same_file(const struct pw_statx *a, const struct pw_statx *b)
{
	return a->stx_dev_major == b->stx_dev_major && a->stx_dev_minor == b->stx_dev_minor &&
	       a->stx_ino == b->stx_ino;
}

/* Copy "/" onto the anchor and make the copy the root.  Returns the copy's
 * mount ID through @tree_id. */
static int enter_copy(const struct pw_root_info *info, const struct anchor *a, uint64_t *tree_id)
{
	struct pw_statx stx;
	int fd, rc = -1;

	pw_verbose("open_tree(/, OPEN_TREE_CLONE|AT_RECURSIVE)");
	fd = pw_sys_open_tree("/", PW_OPEN_TREE_CLONE | PW_AT_RECURSIVE | O_CLOEXEC);
	if (fd < 0 && errno == EINVAL && !info->is_mount_root) {
		pw_error(0, UNBINDABLE_HINT, UNBINDABLE_WHY);
		return -1;
	}
	if (fd < 0) {
		pw_error(errno, errno == ENOSYS ? "prepare-root needs Linux 5.2 or later" : pw_privilege_hint(errno),
			 "cannot copy the mounts of /: open_tree");
		return -1;
	}
	memset(&stx, 0, sizeof(stx));
	if (pw_sys_fstatx(fd, PW_STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & PW_STATX_MNT_ID)) {
		pw_error(errno, NULL, "cannot stat the copy of /");
		goto out;
	}
	*tree_id = stx.stx_mnt_id;
	pw_verbose("move_mount(copy, %s)", a->path);
	if (pw_sys_move_mount(fd, a->path) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot attach the copy of / at %s: move_mount", a->path);
		goto out;
	}
	pw_verbose("fchdir(copy)");
	if (pw_sys_fchdir(fd) < 0) {
		pw_error(errno, NULL, "cannot enter the copy of /: fchdir");
		goto out;
	}
	pw_verbose("chroot(.)");
	if (pw_sys_chroot(".") < 0) {
		pw_error(errno, errno == EPERM ? "prepare-root needs CAP_SYS_CHROOT" : NULL,
			 "cannot change root to the copy of /: chroot .");
		goto out;
	}
	rc = 0;
out:
	pw_sys_close(fd);
	return rc;
}

int pw_reroot(const struct pw_root_info *info, unsigned long propagation)
{
	char cwd[PATH_MAX];
	struct pw_statx before, after;
	struct anchor anchor;
	uint64_t tree_id = 0;

	/* The old working directory lies on the old root; the same path in the
	 * new root names the same directory of the copy. */
	if (!pw_sys_getcwd(cwd, sizeof(cwd))) {
		pw_error(errno, errno == ENOENT ? "it was removed, or lies outside the root directory" : NULL,
			 "cannot get the current working directory");
		return -1;
	}
	if (stat_cwd(&before) < 0)
		return -1;
	if (!info->is_mount_root || info->parent_id != info->mnt_id)
		pw_verbose("note: / is a chroot; a container started from here can still climb with '..' "
			   "into the file system that holds it (only a root with no parent stops '..')");

	pw_verbose("unshare(CLONE_NEWNS)");
	if (pw_sys_unshare(CLONE_NEWNS) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot create a mount namespace: unshare(CLONE_NEWNS)");
		return -1;
	}
	/* From here on only our own namespace changes: any failure leaves
	 * the caller's as it was, and it goes away when we exit. */
	if (choose_anchor(info, propagation, &anchor) < 0 || record_anchor(&anchor) < 0)
		return -1;
	if (enter_copy(info, &anchor, &tree_id) < 0)
		return -1;
	/* A copy of a directory's mount keeps that mount's sharing: set it on
	 * the new tree before anything could be mounted on it. */
	if (!info->is_mount_root && set_propagation("/", propagation) < 0)
		return -1;
	if (check_new_root(tree_id, &anchor) < 0)
		return -1;

	pw_verbose("chdir(%s)", cwd);
	if (pw_sys_chdir(cwd) < 0) {
		pw_error(errno, NULL, "cannot return to the working directory %s", cwd);
		return -1;
	}
	/* The path can name another directory than the one we were in: a
	 * mount may have been put on top of it since.  Running the command
	 * elsewhere than it was started is worse than not running it. */
	if (stat_cwd(&after) < 0)
		return -1;
	if (!same_file(&before, &after)) {
		pw_error(0, "a mount covers it; change to a directory that is not covered",
			 "the working directory %s cannot be reached in the new root", cwd);
		return -1;
	}
	return 0;
}
