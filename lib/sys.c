/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sys.h"

int pw_sys_statx(int dirfd, const char *path, int flags, unsigned int mask, struct pw_statx *stx)
{
	/* No automount, no sync with a remote server: only identity and
	 * mount facts are wanted. */
	return (int) syscall(SYS_statx, dirfd, path, flags | PW_AT_NO_AUTOMOUNT | PW_AT_STATX_DONT_SYNC,
			     mask, stx);
}

int pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize)
{
	struct pw_mnt_id_req req = { .size = PW_MNT_ID_REQ_SIZE_VER0, .mnt_id = mnt_id, .param = mask };

	return (int) syscall(SYS_statmount, &req, buf, bufsize, 0);
}

ssize_t pw_sys_listmount(uint64_t mnt_id, uint64_t last, uint64_t *ids, size_t nids)
{
	struct pw_mnt_id_req req = { .size = PW_MNT_ID_REQ_SIZE_VER0, .mnt_id = mnt_id, .param = last };

	return syscall(SYS_listmount, &req, ids, nids, 0);
}

int pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2])
{
	return (int) syscall(SYS_capget, header, data);
}

int pw_sys_unshare(int flags)
{
	return unshare(flags);
}

int pw_sys_mount(const char *source, const char *target, const char *fstype,
		 unsigned long flags, const void *data)
{
	return mount(source, target, fstype, flags, data);
}

int pw_sys_umount2(const char *target, int flags)
{
	return umount2(target, flags);
}

int pw_sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int) syscall(SYS_open_tree, dirfd, path, flags);
}

int pw_sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
		      unsigned int flags)
{
	return (int) syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

int pw_sys_mount_setattr(int dirfd, const char *path, unsigned int flags, struct pw_mount_attr *attr)
{
	return (int) syscall(SYS_mount_setattr, dirfd, path, flags, attr, sizeof(*attr));
}

int pw_sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int) syscall(SYS_pivot_root, new_root, put_old);
}

int pw_sys_openat(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, flags);
}

ssize_t pw_sys_pread(int fd, void *buf, size_t count, off_t offset)
{
	return pread(fd, buf, count, offset);
}

int pw_sys_ioctl(int fd, unsigned long request)
{
	return ioctl(fd, request);
}

int pw_sys_close(int fd)
{
	return close(fd);
}

int pw_sys_chdir(const char *path)
{
	return chdir(path);
}

int pw_sys_fchdir(int fd)
{
	return fchdir(fd);
}

int pw_sys_chroot(const char *path)
{
	return chroot(path);
}

char *pw_sys_getcwd(char *buf, size_t size)
{
	return getcwd(buf, size);
}

int pw_sys_access(const char *path, int mode)
{
	return access(path, mode);
}

int pw_sys_kernel_release(char *buf, size_t size)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -1;
	snprintf(buf, size, "%s", u.release);
	return 0;
}

int pw_sys_execvp(const char *file, char *const argv[])
{
	return execvp(file, argv);
}

int pw_sys_run_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	pthread_t thread;
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	if ((rc = pthread_attr_init(&attr)) != 0) {
		errno = rc;
		return -1;
	}
	/* It makes a few system calls: a small stack is enough. */
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&thread, &attr, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	pthread_join(thread, NULL);
	return 0;
}
