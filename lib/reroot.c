/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Why this way.  pivot_root(2) wants the current root to be the root of a
 * mount that has a parent.  The initramfs rootfs has none, and a chroot into a
 * directory is no mount root at all.  Both are fixed by putting one more mount
 * under the process: bind "/" recursively onto "/" and enter it.
 *
 * After mount("/", "/", MS_BIND|MS_REC) the copy is stacked on top of the
 * process root, but the process root still names the mount underneath: a
 * lookup of "/" starts at the root itself and never crosses the mount on top
 * of it.  ".." from the root stays at the root and then does cross mounts, so
 * chdir("/..") lands on the root of the copy, and chroot(".") makes it the
 * root.  (Al Viro's suggestion on LKML; see also bubblewrap.)
 *
 * Alternatives that were not taken:
 *  - busybox's "mount --rbind / D; cd D; mount --move . /; chroot ." needs a
 *    spare directory D to exist, so it cannot work on a read-only root
 *    without creating one first;
 *  - open_tree(OPEN_TREE_CLONE|AT_RECURSIVE) + move_mount() does the same in
 *    more calls and only from Linux 5.2, and the musl build has no wrappers;
 *  - MS_MOVE + chroot (runc/crun --no-pivot) leaves the old root reachable in
 *    the container's namespace, which is what pivot_root exists to avoid.
 *
 * Nothing here writes to any file system, so a read-only root works.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#include "log.h"
#include "reroot.h"
#include "sys.h"

/*
 * The kernel refuses MS_PRIVATE on a path that is not the root of a mount, so
 * this can only run where "/" is one: before the bind when the root is the
 * rootfs, after the chroot when the root was a plain directory.
 */
static int make_tree_private(void)
{
	pw_verbose("mount(none, /, MS_REC|MS_PRIVATE)");
	if (pw_sys_mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot make the mounts under / private");
		return -1;
	}
	return 0;
}

/*
 * A bind onto a mount that is shared also appears on every peer of that
 * mount, and after unshare(CLONE_NEWNS) the caller's namespace holds peers of
 * ours.  When "/" is a mount root it is made private first; when it is a
 * directory inside a mount, that mount cannot be changed from here (it is not
 * reachable by any path), so it has to be private already.
 */
static int check_chroot_propagation(const struct pw_root_info *info)
{
	if (info->is_mount_root)
		return 0;
	if (!info->propagation_known) {
		pw_error(0, "Linux 6.8 or later can tell; or make the directory a mount before the chroot, 'mount --bind DIR DIR', and no re-root is needed",
			 "cannot tell whether the mount holding the root directory is shared: it is outside the root and only statmount(2) can see it");
		return -1;
	}
	if (info->shared) {
		pw_error(0, "make it private before the chroot, e.g. 'mount --make-rprivate /' or 'unshare --mount --propagation private'",
			 "the mount holding the root directory is shared: a bind mount on it would appear in the caller's mount namespace");
		return -1;
	}
	return 0;
}

/* Only a different mount root at "/" proves that the chroot took. */
static int check_new_root(const struct pw_root_info *old)
{
	struct pw_statx stx;
	unsigned int mask = old->method == PW_DETECT_STATMOUNT ? PW_STATX_MNT_ID_UNIQUE : PW_STATX_MNT_ID;

	memset(&stx, 0, sizeof(stx));
	if (pw_sys_statx("/", mask, &stx) < 0) {
		pw_error(errno, NULL, "cannot stat the new root directory /");
		return -1;
	}
	if (!(stx.stx_mask & mask) || stx.stx_mnt_id == old->mnt_id ||
	    !(stx.stx_attributes & PW_STATX_ATTR_MOUNT_ROOT)) {
		pw_error(0, "please report this as a bug",
			 "the re-root did not take effect: / is still mount %llu",
			 (unsigned long long) stx.stx_mnt_id);
		return -1;
	}
	pw_verbose("new root: mount %llu", (unsigned long long) stx.stx_mnt_id);
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

int pw_reroot(const struct pw_root_info *info)
{
	char cwd[PATH_MAX];
	struct pw_statx before, after;

	/* The old working directory lies on the old root; the same path in the
	 * new root names the same directory of the bound copy. */
	if (!pw_sys_getcwd(cwd, sizeof(cwd))) {
		pw_error(errno, errno == ENOENT ? "it was removed, or lies outside the root directory" : NULL,
			 "cannot get the current working directory");
		return -1;
	}
	if (stat_cwd(&before) < 0)
		return -1;

	pw_verbose("unshare(CLONE_NEWNS)");
	if (pw_sys_unshare(CLONE_NEWNS) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot create a mount namespace: unshare(CLONE_NEWNS)");
		return -1;
	}
	/* From here on only our own namespace changes: any failure leaves
	 * the caller's as it was, and it goes away when we exit.  (The check
	 * below could come first, but without privileges the missing
	 * CAP_SYS_ADMIN is the error worth reporting.) */
	if (check_chroot_propagation(info) < 0)
		return -1;

	if (info->is_mount_root && make_tree_private() < 0)
		return -1;

	pw_verbose("mount(/, /, MS_BIND|MS_REC)");
	if (pw_sys_mount("/", "/", NULL, MS_BIND | MS_REC, NULL) < 0) {
		pw_error(errno, pw_privilege_hint(errno), "cannot bind-mount / onto itself");
		return -1;
	}

	pw_verbose("chdir(/..)");
	if (pw_sys_chdir("/..") < 0) {
		pw_error(errno, NULL, "cannot enter the new root: chdir /..");
		return -1;
	}
	pw_verbose("chroot(.)");
	if (pw_sys_chroot(".") < 0) {
		pw_error(errno, errno == EPERM ? "prepare-root needs CAP_SYS_CHROOT" : NULL,
			 "cannot change root to the new root: chroot .");
		return -1;
	}

	if (!info->is_mount_root && make_tree_private() < 0)
		return -1;

	if (check_new_root(info) < 0)
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
	if (after.stx_dev_major != before.stx_dev_major || after.stx_dev_minor != before.stx_dev_minor ||
	    after.stx_ino != before.stx_ino) {
		pw_error(0, "a mount covers it; change to a directory that is not covered",
			 "the working directory %s cannot be reached in the new root", cwd);
		return -1;
	}
	return 0;
}
