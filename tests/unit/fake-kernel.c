/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "lib/sys.h"
#include "fake-kernel.h"

struct fake_kernel fake;

/* The running thread's view: a mount namespace of its own (unshared), and
 * its root made a recursive slave there. */
static bool own_namespace, root_slave;

/* The --wrap'ed entry points have no other declaration. */
int __wrap_pw_sys_statx(int dirfd, const char *path, int flags, unsigned int mask, struct pw_statx *stx);
int __wrap_pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize);
int __wrap_pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2]);
int __wrap_pw_sys_run_thread(void *(*fn)(void *), void *arg);
int __wrap_pw_sys_unshare(int flags);
int __wrap_pw_sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
			const void *data);
int __wrap_pw_sys_chdir(const char *path);
int __wrap_pw_sys_pivot_root(const char *new_root, const char *put_old);
int __wrap_pw_sys_openat(int dirfd, const char *path, int flags);
int __wrap_pw_sys_kernel_release(char *buf, size_t size);
int __wrap_pw_sys_execvp(const char *file, char *const argv[]);

/* statmount's numbering: far above mountinfo's, as the kernel's is. */
#define UNIQUE(id) (0x80000000ULL + (id))

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	own_namespace = root_slave = false;
}

struct fake_mount *fake_mount(uint32_t id, uint32_t parent_id, uint64_t propagation)
{
	struct fake_mount *m = &fake.mounts[fake.nmounts++];

	m->id = id;
	m->parent_id = parent_id;
	m->propagation = propagation;
	return m;
}

static const struct fake_mount *find(uint64_t unique)
{
	for (int i = 0; i < fake.nmounts; i++)
		if (UNIQUE(fake.mounts[i].id) == unique)
			return &fake.mounts[i];
	return NULL;
}

int __wrap_pw_sys_statx(int dirfd, const char *path, int flags, unsigned int mask, struct pw_statx *stx)
{
	(void) dirfd;
	(void) flags;
	memset(stx, 0, sizeof(*stx));
	if (strcmp(path, "/") != 0) {
		errno = ENOENT;
		return -1;
	}
	stx->stx_mask = PW_STATX_TYPE | PW_STATX_MODE | PW_STATX_INO;
	stx->stx_mode = 040755;
	stx->stx_ino = 2;
	/* Asked for both, a 6.8 kernel gives the unique ID. */
	if ((mask & PW_STATX_MNT_ID_UNIQUE) && !fake.before_6_8) {
		stx->stx_mask |= PW_STATX_MNT_ID_UNIQUE;
		stx->stx_mnt_id = UNIQUE(fake.root);
	} else if (mask & PW_STATX_MNT_ID) {
		stx->stx_mask |= PW_STATX_MNT_ID;
		stx->stx_mnt_id = fake.root;
	}
	if (!fake.no_mount_root_attr) {
		stx->stx_attributes_mask = PW_STATX_ATTR_MOUNT_ROOT;
		stx->stx_attributes = fake.root_is_dir ? 0 : PW_STATX_ATTR_MOUNT_ROOT;
	}
	return 0;
}

int __wrap_pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize)
{
	const struct fake_mount *m = find(mnt_id);

	(void) bufsize;
	fake.statmounts++;
	if (fake.before_6_8 || fake.statmount_blocked) {
		errno = ENOSYS;
		return -1;
	}
	if (!m) {
		errno = ENOENT;
		return -1;
	}
	if (m->outside_root && fake.unprivileged) {
		errno = EPERM;
		return -1;
	}
	memset(buf, 0, sizeof(*buf));
	if (fake.statmount_empty)
		return 0;
	buf->mask = mask & PW_STATMOUNT_MNT_BASIC;
	buf->mnt_id = UNIQUE(m->id);
	buf->mnt_parent_id = UNIQUE(m->parent_id);
	buf->mnt_id_old = m->id;
	buf->mnt_parent_id_old = m->parent_id;
	buf->mnt_propagation = m->propagation;
	return 0;
}

int __wrap_pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2])
{
	(void) header;
	memset(data, 0, 2 * sizeof(*data));
	if (!fake.unprivileged || fake.cap_permitted_only)
		data[0].permitted = 1U << PW_CAP_SYS_ADMIN;
	if (!fake.unprivileged)
		data[0].effective = 1U << PW_CAP_SYS_ADMIN;
	return 0;
}

int __wrap_pw_sys_run_thread(void *(*fn)(void *), void *arg)
{
	if (fake.pending_pid_ns) {
		errno = EINVAL;
		return -1;
	}
	fake.threads++;
	own_namespace = root_slave = false;
	fn(arg);
	/* The thread's namespace goes with it. */
	own_namespace = root_slave = false;
	return 0;
}

int __wrap_pw_sys_unshare(int flags)
{
	if (fake.unprivileged) {
		errno = EPERM;
		return -1;
	}
	if (flags & CLONE_NEWNS)
		own_namespace = true;
	return 0;
}

static bool root_shared(void)
{
	for (int i = 0; i < fake.nmounts; i++)
		if (fake.mounts[i].id == fake.root)
			return (fake.mounts[i].propagation & MS_SHARED) != 0;
	return false;
}

int __wrap_pw_sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
			const void *data)
{
	(void) source;
	(void) target;
	(void) fstype;
	(void) data;
	/* may_mount() first, then two propagation flags at once: EINVAL. */
	if (fake.unprivileged) {
		errno = EPERM;
		return -1;
	}
	if ((flags & MS_SHARED) && (flags & MS_PRIVATE)) {
		errno = EINVAL;
		return -1;
	}
	if (!own_namespace)
		fake.caller_changes++;
	else if ((flags & MS_REC) && (flags & MS_SLAVE))
		root_slave = true;
	else if (fstype && !root_slave && root_shared())
		fake.caller_changes++;	/* propagated to the root's peers */
	return 0;
}

int __wrap_pw_sys_chdir(const char *path)
{
	(void) path;
	if (!own_namespace)
		fake.caller_changes++;
	return 0;
}

int __wrap_pw_sys_pivot_root(const char *new_root, const char *put_old)
{
	(void) new_root;
	(void) put_old;
	errno = fake.pivot_root_errno;
	if (!errno && !own_namespace)
		fake.caller_changes++;
	return errno ? -1 : 0;
}

/* No /proc: the user namespaces cannot be looked at. */
int __wrap_pw_sys_openat(int dirfd, const char *path, int flags)
{
	(void) dirfd;
	(void) path;
	(void) flags;
	errno = ENOENT;
	return -1;
}

int __wrap_pw_sys_kernel_release(char *buf, size_t size)
{
	snprintf(buf, size, "%s", fake.before_6_8 ? "6.1.0-fake" : "6.12.0-fake");
	return 0;
}

int __wrap_pw_sys_execvp(const char *file, char *const argv[])
{
	(void) file;
	(void) argv;
	errno = fake.execvp_errno;
	return -1;
}
