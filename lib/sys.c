/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <unistd.h>

#include "sys.h"

int pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx)
{
	/* No automount, no sync with a remote server: only mount
	 * identity is wanted. */
	return (int) syscall(SYS_statx, AT_FDCWD, path,
			     PW_AT_NO_AUTOMOUNT | PW_AT_STATX_DONT_SYNC, mask, stx);
}

int pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize)
{
	struct pw_mnt_id_req req = {
		.size = PW_MNT_ID_REQ_SIZE_VER0,
		.mnt_id = mnt_id,
		.param = mask,
	};

	return (int) syscall(SYS_statmount, &req, buf, bufsize, 0);
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

int pw_sys_chdir(const char *path)
{
	return chdir(path);
}

int pw_sys_chroot(const char *path)
{
	return chroot(path);
}

char *pw_sys_getcwd(char *buf, size_t size)
{
	return getcwd(buf, size);
}

int pw_sys_execvp(const char *file, char *const argv[])
{
	return execvp(file, argv);
}

unsigned long pw_sys_getauxval(unsigned long type)
{
	return getauxval(type);
}

int pw_sys_access(const char *path, int mode)
{
	return access(path, mode);
}
