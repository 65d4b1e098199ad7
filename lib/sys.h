/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Every system call prepare-root makes goes through these wrappers, and
 * nothing else in lib/ calls the kernel directly.  That gives the unit tests
 * one seam (-Wl,--wrap=pw_sys_*) to fail any step with any errno, and gives
 * the musl build one place that knows which calls libc lacks.
 *
 * All return -1 with errno set on failure, like the calls they wrap.
 */
#ifndef PIVOTWRAP_SYS_H
#define PIVOTWRAP_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "kernel-abi.h"

int pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx);
/* statx(2) of what @fd refers to (AT_EMPTY_PATH). */
int pw_sys_fstatx(int fd, unsigned int mask, struct pw_statx *stx);
int pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize);
int pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2]);
int pw_sys_unshare(int flags);
int pw_sys_mount(const char *source, const char *target, const char *fstype,
		 unsigned long flags, const void *data);
/* open_tree(AT_FDCWD, path, flags): with PW_OPEN_TREE_CLONE a detached copy. */
int pw_sys_open_tree(const char *path, unsigned int flags);
/* move_mount(from_fd, "", AT_FDCWD, to_path, MOVE_MOUNT_F_EMPTY_PATH) */
int pw_sys_move_mount(int from_fd, const char *to_path);
int pw_sys_chdir(const char *path);
int pw_sys_fchdir(int fd);
int pw_sys_close(int fd);
int pw_sys_chroot(const char *path);
int pw_sys_umount2(const char *path, int flags);
/* uname(2)'s release string, into @buf. */
int pw_sys_kernel_release(char *buf, size_t size);
/* statx(2) of the user namespace that owns the namespace @ns_file names
 * (open, ioctl NS_GET_USERNS, statx of the answer, close). */
int pw_sys_userns_of(const char *ns_file, struct pw_statx *stx);
char *pw_sys_getcwd(char *buf, size_t size);
int pw_sys_execvp(const char *file, char *const argv[]);

/* The steps of pw_sys_pivot_probe(), in order. */
enum pw_probe_step {
	PW_PROBE_FORK,		/* pipe(2), fork(2) */
	PW_PROBE_UNSHARE,	/* unshare(CLONE_NEWNS) */
	PW_PROBE_MAKE_SLAVE,	/* mount(NULL, "/", MS_REC|MS_SLAVE) */
	PW_PROBE_NEW_MOUNT,	/* a tmpfs mounted over "/" */
	PW_PROBE_ENTER,		/* chdir("/..") onto it */
	PW_PROBE_PIVOT_ROOT,	/* pivot_root(".", ".") */
};

/*
 * Ask the kernel whether pivot_root(2) accepts the current root, the way a
 * container runtime would find out: in a throwaway child with a mount
 * namespace of its own, make "/" a recursive slave, put a new mount over
 * "/", enter it and pivot_root(".", ".").  Nothing changes for the caller.
 * Returns 0 when pivot_root succeeded; else -1 with errno set and *@step
 * naming the step that failed (only PW_PROBE_PIVOT_ROOT is the kernel's
 * verdict on the root; the others mean it could not be asked).
 */
int pw_sys_pivot_probe(enum pw_probe_step *step);

/* For lib/masquerade.c: getauxval(3) cannot fail, 0 is "no such entry". */
unsigned long pw_sys_getauxval(unsigned long type);
int pw_sys_access(const char *path, int mode);

#endif
