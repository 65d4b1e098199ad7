/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>

#include <libmount.h>

#include "log.h"
#include "rootmount.h"
#include "sys.h"

static int match_mount_id(struct libmnt_fs *fs, void *data)
{
	return (uint64_t) mnt_fs_get_id(fs) == *(const uint64_t *) data;
}

struct libmnt_fs *pw_table_find_mount(struct libmnt_table *tb, uint64_t id)
{
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs = NULL;
	int rc;

	if (!itr)
		return NULL;
	rc = mnt_table_find_next_fs(tb, itr, match_mount_id, &id, &fs);
	mnt_free_iter(itr);
	return rc == 0 ? fs : NULL;
}

int pw_root_from_table(struct libmnt_table *tb, uint64_t root_id, struct pw_root_info *info)
{
	struct libmnt_fs *fs, *parent;
	unsigned long propagation = 0;
	int rc;

	memset(info, 0, sizeof(*info));
	info->method = PW_DETECT_LIBMOUNT;
	info->mnt_id = root_id;

	fs = pw_table_find_mount(tb, root_id);
	if (!fs) {
		/* Hidden: its root is above ours.  Its parent and
		 * propagation cannot be seen from here. */
		info->parent_id = 0;
		info->is_mount_root = false;
		return 0;
	}

	info->parent_id = (uint64_t) mnt_fs_get_parent_id(fs);
	info->is_mount_root = true;
	rc = mnt_fs_get_propagation(fs, &propagation);
	if (rc < 0)
		return rc;
	info->propagation_known = true;
	info->shared = (propagation & MS_SHARED) != 0;

	/* mountinfo lists a mount only when its root is inside ours, and the
	 * parent of the root's mount lies under it: it is practically never
	 * listed, and then only the kernel can say whether it is shared. */
	parent = info->parent_id != root_id ? pw_table_find_mount(tb, info->parent_id) : NULL;
	if (parent) {
		rc = mnt_fs_get_propagation(parent, &propagation);
		if (rc < 0)
			return rc;
		info->parent_known = true;
		info->parent_shared = (propagation & MS_SHARED) != 0;
	}
	return 0;
}

static int detect_with_libmount(const char *mountinfo, uint64_t root_id, struct pw_root_info *info)
{
	struct libmnt_table *tb;
	int rc;

	tb = mnt_new_table();
	if (!tb) {
		pw_error(ENOMEM, NULL, "cannot allocate a mount table");
		return -1;
	}
	rc = mnt_table_parse_file(tb, mountinfo);
	if (rc == 0)
		rc = pw_root_from_table(tb, root_id, info);
	mnt_unref_table(tb);
	if (rc < 0) {
		pw_error(-rc, rc == -ENOENT ? "is /proc mounted? mount -t proc proc /proc" : NULL,
			 "cannot read the mount table %s", mountinfo);
		return -1;
	}
	return 0;
}

/* statmount(2) answers in constant time and needs no /proc: it is tried
 * first.  Any failure only means "ask libmount instead". */
static bool detect_with_statmount(const struct pw_statx *stx, struct pw_root_info *info)
{
	union {
		struct pw_statmount sm;
		char buf[sizeof(struct pw_statmount) + 256];
	} u;

	if (!(stx->stx_mask & PW_STATX_MNT_ID_UNIQUE) ||
	    !(stx->stx_attributes_mask & PW_STATX_ATTR_MOUNT_ROOT))
		return false;

	memset(&u, 0, sizeof(u));
	if (pw_sys_statmount(stx->stx_mnt_id, PW_STATMOUNT_MNT_BASIC, &u.sm, sizeof(u)) < 0) {
		pw_verbose("statmount(%llu): %s; falling back to libmount",
			   (unsigned long long) stx->stx_mnt_id, strerror(errno));
		return false;
	}
	if (!(u.sm.mask & PW_STATMOUNT_MNT_BASIC)) {
		pw_verbose("statmount(%llu) returned no basic mount data; falling back to libmount",
			   (unsigned long long) stx->stx_mnt_id);
		return false;
	}

	memset(info, 0, sizeof(*info));
	info->method = PW_DETECT_STATMOUNT;
	info->mnt_id = u.sm.mnt_id;
	info->parent_id = u.sm.mnt_parent_id;
	info->is_mount_root = (stx->stx_attributes & PW_STATX_ATTR_MOUNT_ROOT) != 0;
	info->propagation_known = true;
	info->shared = (u.sm.mnt_propagation & MS_SHARED) != 0;

	if (info->parent_id == info->mnt_id)
		return true;
	/* A parent outside the root is refused (EPERM) without
	 * CAP_SYS_ADMIN in the initial user namespace. */
	memset(&u, 0, sizeof(u));
	if (pw_sys_statmount(info->parent_id, PW_STATMOUNT_MNT_BASIC, &u.sm, sizeof(u)) < 0) {
		pw_verbose("statmount(%llu), the parent: %s", (unsigned long long) info->parent_id,
			   strerror(errno));
	} else if (u.sm.mask & PW_STATMOUNT_MNT_BASIC) {
		info->parent_known = true;
		info->parent_shared = (u.sm.mnt_propagation & MS_SHARED) != 0;
	}
	return true;
}

int pw_root_detect(const char *mountinfo, struct pw_root_info *info)
{
	struct pw_statx stx;
	int rc;

	memset(&stx, 0, sizeof(stx));
	if (pw_sys_statx("/", PW_STATX_MNT_ID | PW_STATX_MNT_ID_UNIQUE, &stx) < 0) {
		pw_error(errno, NULL, "cannot stat the root directory /");
		return -1;
	}
	if (!(stx.stx_mask & (PW_STATX_MNT_ID | PW_STATX_MNT_ID_UNIQUE))) {
		pw_error(0, "prepare-root needs Linux 5.8 or later",
			 "the kernel does not report mount IDs through statx");
		return -1;
	}

	if (detect_with_statmount(&stx, info))
		rc = 0;
	else if (stx.stx_mask & PW_STATX_MNT_ID)
		rc = detect_with_libmount(mountinfo, stx.stx_mnt_id, info);
	else {
		/* A kernel that hands out only unique IDs but refused statmount:
		 * mountinfo speaks the other numbering.  Ask again for it. */
		if (pw_sys_statx("/", PW_STATX_MNT_ID, &stx) < 0) {
			pw_error(errno, NULL, "cannot stat the root directory /");
			return -1;
		}
		rc = detect_with_libmount(mountinfo, stx.stx_mnt_id, info);
	}
	if (rc < 0)
		return -1;

	pw_verbose("root: mount %llu, parent %llu, %s, propagation %s, parent's %s (via %s)",
		   (unsigned long long) info->mnt_id,
		   (unsigned long long) info->parent_id,
		   info->is_mount_root ? "root of the mount" : "a directory inside the mount",
		   !info->propagation_known ? "unknown" : info->shared ? "shared" : "not shared",
		   !info->parent_known ? "unknown" : info->parent_shared ? "shared" : "not shared",
		   pw_detect_method_name(info->method));
	return 0;
}

enum pw_verdict pw_root_verdict(const struct pw_root_info *info)
{
	/* Kernel order: IS_MNT_SHARED(root_mnt->mnt_parent) comes first, but
	 * a root that is no mount root has no parent of its own to judge. */
	if (!info->is_mount_root)
		return PW_VERDICT_NOT_MOUNT_ROOT;
	if (info->parent_id == info->mnt_id)
		return PW_VERDICT_NO_PARENT;
	if (!info->parent_known)
		return PW_VERDICT_PARENT_HIDDEN;
	if (info->parent_shared)
		return PW_VERDICT_PARENT_SHARED;
	return PW_VERDICT_PIVOTABLE;
}

static const char *probe_step_name(enum pw_probe_step step)
{
	switch (step) {
	case PW_PROBE_FORK:
		return "fork";
	case PW_PROBE_UNSHARE:
		return "unshare(CLONE_NEWNS)";
	case PW_PROBE_MAKE_SLAVE:
		return "mount(none, /, MS_REC|MS_SLAVE)";
	case PW_PROBE_NEW_MOUNT:
		return "mount(tmpfs, /)";
	case PW_PROBE_ENTER:
		return "chdir(/..)";
	case PW_PROBE_PIVOT_ROOT:
		return "pivot_root(., .)";
	}
	return "?";
}

enum pw_verdict pw_root_judge(const struct pw_root_info *info, int *err)
{
	enum pw_verdict verdict = pw_root_verdict(info);
	enum pw_probe_step step;

	*err = 0;
	if (verdict != PW_VERDICT_PARENT_HIDDEN)
		return verdict;
	/* Whether the hidden parent is shared decides, and only the kernel
	 * can see it: a runtime's own pivot_root, tried in a child. */
	pw_verbose("the parent of the root mount is not visible: trying pivot_root in a child");
	if (pw_sys_pivot_probe(&step) == 0) {
		pw_verbose("trial pivot_root: accepted");
		return PW_VERDICT_PIVOTABLE;
	}
	*err = errno;
	pw_verbose("trial pivot_root: %s: %s", probe_step_name(step), strerror(*err));
	if (step == PW_PROBE_PIVOT_ROOT && *err == EINVAL)
		return PW_VERDICT_REFUSED;
	return PW_VERDICT_UNKNOWN;
}

bool pw_verdict_needs_reroot(enum pw_verdict verdict)
{
	switch (verdict) {
	case PW_VERDICT_NO_PARENT:
	case PW_VERDICT_NOT_MOUNT_ROOT:
	case PW_VERDICT_PARENT_SHARED:
	case PW_VERDICT_REFUSED:
		return true;
	case PW_VERDICT_PIVOTABLE:
	case PW_VERDICT_PARENT_HIDDEN:
	case PW_VERDICT_UNKNOWN:
		break;
	}
	return false;
}

const char *pw_verdict_reason(enum pw_verdict verdict)
{
	switch (verdict) {
	case PW_VERDICT_PIVOTABLE:
		return "the root is a mount with a parent that is not shared";
	case PW_VERDICT_NO_PARENT:
		return "the root is a mount with no parent (the initramfs rootfs)";
	case PW_VERDICT_NOT_MOUNT_ROOT:
		return "the root is a directory, not the root of a mount (an earlier chroot)";
	case PW_VERDICT_PARENT_SHARED:
		return "the mount under the root is shared (a bind-mounted chroot on a shared mount)";
	case PW_VERDICT_PARENT_HIDDEN:
		return "the mount under the root lies outside it and cannot be seen";
	case PW_VERDICT_REFUSED:
		return "the kernel refused a trial pivot_root with EINVAL: the mount under the root, outside it, is shared";
	case PW_VERDICT_UNKNOWN:
		return "cannot tell: the mount under the root lies outside it, and a trial pivot_root could not be made";
	}
	return "unknown";
}

const char *pw_detect_method_name(enum pw_detect_method method)
{
	return method == PW_DETECT_STATMOUNT ? "statmount" : "libmount";
}
