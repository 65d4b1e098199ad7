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
int pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize);
int pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2]);
int pw_sys_unshare(int flags);
int pw_sys_mount(const char *source, const char *target, const char *fstype,
		 unsigned long flags, const void *data);
int pw_sys_chdir(const char *path);
int pw_sys_chroot(const char *path);
char *pw_sys_getcwd(char *buf, size_t size);
int pw_sys_execvp(const char *file, char *const argv[]);

/* For lib/masquerade.c: getauxval(3) cannot fail, 0 is "no such entry". */
unsigned long pw_sys_getauxval(unsigned long type);
int pw_sys_access(const char *path, int mode);

#endif
