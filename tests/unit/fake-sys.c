/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/sys.h"
#include "fake-sys.h"

struct fake_kernel fake;

/* The --wrap'ed entry points have no other declaration. */
int __wrap_pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx);
int __wrap_pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize);
int __wrap_pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2]);
int __wrap_pw_sys_unshare(int flags);
int __wrap_pw_sys_mount(const char *source, const char *target, const char *fstype,
			unsigned long flags, const void *data);
int __wrap_pw_sys_chdir(const char *path);
int __wrap_pw_sys_chroot(const char *path);
char *__wrap_pw_sys_getcwd(char *buf, size_t size);
int __wrap_pw_sys_execvp(const char *file, char *const argv[]);
int __wrap_pw_sys_fstatx(int fd, unsigned int mask, struct pw_statx *stx);
int __wrap_pw_sys_open_tree(const char *path, unsigned int flags);
int __wrap_pw_sys_move_mount(int from_fd, const char *to_path);
int __wrap_pw_sys_fchdir(int fd);
int __wrap_pw_sys_close(int fd);
int __wrap_pw_sys_pivot_probe(enum pw_probe_step *step);

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	fake.cwd = "/";
}

static void log_call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_call(const char *fmt, ...)
{
	va_list ap;

	if (fake.nlog >= FAKE_LOG_MAX)
		abort();
	va_start(ap, fmt);
	vsnprintf(fake.log[fake.nlog++], sizeof(fake.log[0]), fmt, ap);
	va_end(ap);
}

/* Count a use of @call; true when this use is the one to fail. */
static bool should_fail(enum fake_syscall call)
{
	fake.uses[call]++;
	if (fake.fail_call == call && fake.uses[call] == fake.fail_nth) {
		errno = fake.fail_errno;
		return true;
	}
	return false;
}

int fake_log_index(const char *entry)
{
	for (int i = 0; i < fake.nlog; i++)
		if (strcmp(fake.log[i], entry) == 0)
			return i;
	return -1;
}

struct pw_statx fake_statx_answer(unsigned long long mnt_id, bool unique, bool mount_root)
{
	struct pw_statx stx;

	memset(&stx, 0, sizeof(stx));
	stx.stx_mask = unique ? PW_STATX_MNT_ID_UNIQUE : PW_STATX_MNT_ID;
	stx.stx_mnt_id = mnt_id;
	stx.stx_attributes_mask = PW_STATX_ATTR_MOUNT_ROOT;
	stx.stx_attributes = mount_root ? PW_STATX_ATTR_MOUNT_ROOT : 0;
	return stx;
}

int __wrap_pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx)
{
	int i;

	log_call("statx(%s)", path);
	if (should_fail(FAKE_STATX))
		return -1;
	if (strcmp(path, ".") == 0) {
		i = fake.cwd_statx_calls++;
		*stx = fake.cwd_statx[i < 2 ? i : 1];
		stx->stx_mask |= PW_STATX_INO;
		return 0;
	}
	i = fake.root_statx_calls++;
	if (fake.nstatx == 0)
		abort();
	*stx = fake.statx[i < fake.nstatx ? i : fake.nstatx - 1];
	/* A kernel fills only one of the two ID kinds, and the unique one
	 * only on request. */
	if ((stx->stx_mask & PW_STATX_MNT_ID_UNIQUE) && !(mask & PW_STATX_MNT_ID_UNIQUE))
		abort();
	return 0;
}

int __wrap_pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize)
{
	log_call("statmount(%llu)", (unsigned long long) mnt_id);
	if (should_fail(FAKE_STATMOUNT))
		return -1;
	if (bufsize < sizeof(*buf) || mask != PW_STATMOUNT_MNT_BASIC)
		abort();
	if (fake.statmount.mnt_id == mnt_id) {
		*buf = fake.statmount;
		return 0;
	}
	for (size_t i = 0; i < sizeof(fake.statmount_other) / sizeof(fake.statmount_other[0]); i++)
		if (fake.statmount_other[i].mnt_id == mnt_id) {
			*buf = fake.statmount_other[i];
			return 0;
		}
	errno = ENOENT;
	return -1;
}

int __wrap_pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2])
{
	log_call("capget");
	if (should_fail(FAKE_CAPGET))
		return -1;
	if (header->version != PW_LINUX_CAPABILITY_VERSION_3)
		abort();
	memset(data, 0, 2 * sizeof(*data));
	if (fake.cap_permitted_only)
		data[0].permitted = 1U << PW_CAP_SYS_ADMIN;
	else if (!fake.no_cap_sys_admin)
		data[0].effective = data[0].permitted = 1U << PW_CAP_SYS_ADMIN;
	return 0;
}

int __wrap_pw_sys_unshare(int flags)
{
	log_call("unshare(%#x)", flags);
	return should_fail(FAKE_UNSHARE) ? -1 : 0;
}

int __wrap_pw_sys_mount(const char *source, const char *target, const char *fstype,
			unsigned long flags, const void *data)
{
	const char *what = flags == (MS_REC | MS_PRIVATE) ? "rprivate" :
			   flags == (MS_BIND | MS_REC) ? "rbind" : "other";

	(void) fstype;
	(void) data;
	log_call("mount(%s,%s,%s)", source ? source : "NULL", target, what);
	return should_fail(FAKE_MOUNT) ? -1 : 0;
}

int __wrap_pw_sys_chdir(const char *path)
{
	log_call("chdir(%s)", path);
	return should_fail(FAKE_CHDIR) ? -1 : 0;
}

int __wrap_pw_sys_chroot(const char *path)
{
	log_call("chroot(%s)", path);
	return should_fail(FAKE_CHROOT) ? -1 : 0;
}

char *__wrap_pw_sys_getcwd(char *buf, size_t size)
{
	log_call("getcwd");
	if (should_fail(FAKE_GETCWD))
		return NULL;
	if (strlen(fake.cwd) + 1 > size) {
		errno = ERANGE;
		return NULL;
	}
	strcpy(buf, fake.cwd);
	return buf;
}

int __wrap_pw_sys_execvp(const char *file, char *const argv[])
{
	(void) argv;
	log_call("execvp(%s)", file);
	if (!should_fail(FAKE_EXECVP))
		errno = ENOEXEC;	/* a fake cannot replace the process */
	return -1;
}

/* Calls the tests of this fake do not model yet: any use is a test bug,
 * never a real system call. */
int __wrap_pw_sys_fstatx(int fd, unsigned int mask, struct pw_statx *stx)
{
	(void) fd; (void) mask; (void) stx;
	abort();
}

int __wrap_pw_sys_open_tree(const char *path, unsigned int flags)
{
	(void) path; (void) flags;
	abort();
}

int __wrap_pw_sys_move_mount(int from_fd, const char *to_path)
{
	(void) from_fd; (void) to_path;
	abort();
}

int __wrap_pw_sys_fchdir(int fd)
{
	(void) fd;
	abort();
}

int __wrap_pw_sys_close(int fd)
{
	(void) fd;
	abort();
}

int __wrap_pw_sys_pivot_probe(enum pw_probe_step *step)
{
	(void) step;
	abort();
}
