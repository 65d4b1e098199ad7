/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every system call prepare-root makes goes through these wrappers, and
 * nothing else in lib/ calls the kernel directly.  They are thin: one call
 * each, no logic.  That gives the unit tests one seam (-Wl,--wrap=pw_sys_*)
 * to answer or fail any call, and the musl build one place that knows which
 * calls libc lacks.
 *
 * All return -1 with errno set on failure, like the calls they wrap.
 */
#ifndef PIVOTWRAP_SYS_H
#define PIVOTWRAP_SYS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "kernel-abi.h"

/* statx(dirfd, path, flags | AT_NO_AUTOMOUNT | AT_STATX_DONT_SYNC, mask) */
int pw_sys_statx(int dirfd, const char *path, int flags, unsigned int mask, struct pw_statx *stx);
int pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize);
/* listmount(2) of the mounts under @mnt_id (PW_LSMT_ROOT: the caller's
 * root), after @last (0: from the first); returns how many IDs it wrote. */
ssize_t pw_sys_listmount(uint64_t mnt_id, uint64_t last, uint64_t *ids, size_t nids);
int pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2]);
int pw_sys_unshare(int flags);
int pw_sys_mount(const char *source, const char *target, const char *fstype,
		 unsigned long flags, const void *data);
int pw_sys_umount2(const char *target, int flags);
int pw_sys_open_tree(int dirfd, const char *path, unsigned int flags);
int pw_sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
		      unsigned int flags);
int pw_sys_mount_setattr(int dirfd, const char *path, unsigned int flags, struct pw_mount_attr *attr);
int pw_sys_pivot_root(const char *new_root, const char *put_old);
int pw_sys_openat(int dirfd, const char *path, int flags);
ssize_t pw_sys_pread(int fd, void *buf, size_t count, off_t offset);
int pw_sys_ioctl(int fd, unsigned long request);
int pw_sys_close(int fd);
int pw_sys_chdir(const char *path);
int pw_sys_fchdir(int fd);
int pw_sys_chroot(const char *path);
char *pw_sys_getcwd(char *buf, size_t size);
int pw_sys_access(const char *path, int mode);
/* uname(2)'s release string, into @buf. */
int pw_sys_kernel_release(char *buf, size_t size);
int pw_sys_execvp(const char *file, char *const argv[]);
/* Run @fn(@arg) in a thread of this process, with every signal blocked
 * there, and wait for it to end: 0, or -1 with errno when no thread could
 * be started (EINVAL, EAGAIN: a PID namespace that awaits its first
 * process takes no thread, copy_process()). */
int pw_sys_run_thread(void *(*fn)(void *), void *arg);

#endif
