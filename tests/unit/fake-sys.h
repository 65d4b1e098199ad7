/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake kernel behind lib/sys.h, linked in with -Wl,--wrap=pw_sys_*.
 *
 * Every call is appended to a log as one short string, so a test can assert
 * what happened and in which order; any call can be made to fail with any
 * errno on its n-th use.
 */
#ifndef PIVOTWRAP_FAKE_SYS_H
#define PIVOTWRAP_FAKE_SYS_H

#include <stdbool.h>

#include "lib/kernel-abi.h"

#define FAKE_LOG_MAX 64

enum fake_syscall {
	FAKE_NONE,
	FAKE_STATX,
	FAKE_STATMOUNT,
	FAKE_CAPGET,
	FAKE_UNSHARE,
	FAKE_MOUNT,
	FAKE_CHDIR,
	FAKE_CHROOT,
	FAKE_GETCWD,
	FAKE_EXECVP,
};

struct fake_kernel {
	enum fake_syscall fail_call;	/* which call fails ... */
	int fail_nth;			/* ... on its n-th use (1 = first) */
	int fail_errno;

	struct pw_statx statx[4];	/* successive answers for "/"; the last repeats */
	int nstatx;
	int root_statx_calls;
	struct pw_statx cwd_statx[2];	/* answers for "." (before, after); zero: same dir */
	int cwd_statx_calls;
	struct pw_statmount statmount;	/* the answer for statmount.mnt_id ... */
	struct pw_statmount statmount_other[4];	/* ... and for other mounts; any other ID: ENOENT */
	const char *cwd;
	bool no_cap_sys_admin;
	bool cap_permitted_only;	/* CAP_SYS_ADMIN permitted, not effective */

	char log[FAKE_LOG_MAX][96];
	int nlog;
	int uses[FAKE_EXECVP + 1];
};

extern struct fake_kernel fake;

void fake_reset(void);
/* Position of @entry in the log, or -1. */
int fake_log_index(const char *entry);
/* A statx answer for "/" on mount @mnt_id (old-style ID, or unique when
 * @unique), a mount root or not. */
struct pw_statx fake_statx_answer(unsigned long long mnt_id, bool unique, bool mount_root);

#endif
