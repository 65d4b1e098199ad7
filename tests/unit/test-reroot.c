/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pw_reroot(): the exact sequence of calls, and every one of them failing.
 *
 * The property that matters after a failure is that the caller's mount
 * namespace was not touched: no mount(2) or chroot(2) may come before a
 * successful unshare(CLONE_NEWNS), and nothing may follow the failed call.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/reroot.h"
#include "fake-sys.h"

#define UNSHARE "unshare(0x20000)"

static const struct pw_root_info rootfs = {
	.method = PW_DETECT_LIBMOUNT, .mnt_id = 1, .parent_id = 1,
	.is_mount_root = true, .propagation_known = true,
};

static const struct pw_root_info chroot_dir = {
	.method = PW_DETECT_STATMOUNT, .mnt_id = 0x80000040ULL, .parent_id = 0x80000001ULL,
	.is_mount_root = false, .propagation_known = true, .shared = false,
};

/* Where a refusal must stop: in our own namespace, before any mount. */
static const char *const before_any_mount[] = { "getcwd", "statx(.)", UNSHARE };

static int setup(void **state)
{
	(void) state;
	fake_reset();
	fake.cwd = "/run/bundle";
	return 0;
}

static void assert_log(const char *const *expected, int n)
{
	for (int i = 0; i < n && i < fake.nlog; i++)
		assert_string_equal(fake.log[i], expected[i]);
	assert_int_equal(fake.nlog, n);
}

static void test_rootfs_sequence(void **state)
{
	static const char *const expected[] = {
		"getcwd", "statx(.)", UNSHARE, "mount(none,/,rprivate)", "mount(/,/,rbind)",
		"chdir(/..)", "chroot(.)", "statx(/)", "chdir(/run/bundle)", "statx(.)",
	};

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(24, false, true);
	assert_int_equal(pw_reroot(&rootfs), 0);
	assert_log(expected, sizeof(expected) / sizeof(expected[0]));
}

/* MS_PRIVATE needs a mount root, so for a chroot directory it comes after
 * the chroot, on the new root. */
static void test_chroot_directory_sequence(void **state)
{
	static const char *const expected[] = {
		"getcwd", "statx(.)", UNSHARE, "mount(/,/,rbind)", "chdir(/..)", "chroot(.)",
		"mount(none,/,rprivate)", "statx(/)", "chdir(/run/bundle)", "statx(.)",
	};

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000050ULL, true, true);
	assert_int_equal(pw_reroot(&chroot_dir), 0);
	assert_log(expected, sizeof(expected) / sizeof(expected[0]));
}

static void test_chroot_in_shared_mount_refused(void **state)
{
	struct pw_root_info info = chroot_dir;

	(void) state;
	info.shared = true;
	capture_stderr_start();
	assert_int_equal(pw_reroot(&info), -1);
	assert_string_equal(capture_stderr_end(),
		"prepare-root: the mount holding the root directory is shared: a bind mount on it "
		"would appear in the caller's mount namespace (make it private before the chroot, "
		"e.g. 'mount --make-rprivate /' or 'unshare --mount --propagation private')\n");
	assert_log(before_any_mount, 3);
}

static void test_chroot_with_unknown_propagation_refused(void **state)
{
	struct pw_root_info info = chroot_dir;

	(void) state;
	info.propagation_known = false;
	capture_stderr_start();
	assert_int_equal(pw_reroot(&info), -1);
	assert_non_null(strstr(capture_stderr_end(), "cannot tell whether the mount holding the root directory is shared"));
	assert_log(before_any_mount, 3);
}

/* The new root must be a different mount root, or the command would run
 * with the root pivot_root refuses. */
static void test_reroot_that_did_not_take(void **state)
{
	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(1, false, true);
	capture_stderr_start();
	assert_int_equal(pw_reroot(&rootfs), -1);
	assert_string_equal(capture_stderr_end(),
		"prepare-root: the re-root did not take effect: / is still mount 1 "
		"(please report this as a bug)\n");
	assert_string_equal(fake.log[fake.nlog - 1], "statx(/)");
}

struct fault {
	enum fake_syscall call;
	int nth;
	int err;
	const char *failed_entry;	/* the log entry of the failing call */
	const char *message;
};

static const struct fault rootfs_faults[] = {
	{ FAKE_GETCWD, 1, ENOENT, "getcwd",
	  "prepare-root: cannot get the current working directory: No such file or directory "
	  "(it was removed, or lies outside the root directory)\n" },
	{ FAKE_STATX, 1, EACCES, "statx(.)",
	  "prepare-root: cannot stat the working directory: Permission denied\n" },
	{ FAKE_UNSHARE, 1, EPERM, UNSHARE,
	  "prepare-root: cannot create a mount namespace: unshare(CLONE_NEWNS): Operation not permitted "
	  "(prepare-root needs CAP_SYS_ADMIN: run it as root)\n" },
	{ FAKE_MOUNT, 1, EINVAL, "mount(none,/,rprivate)",
	  "prepare-root: cannot make the mounts under / private: Invalid argument\n" },
	{ FAKE_MOUNT, 2, ENOMEM, "mount(/,/,rbind)",
	  "prepare-root: cannot bind-mount / onto itself: Cannot allocate memory\n" },
	{ FAKE_CHDIR, 1, EACCES, "chdir(/..)",
	  "prepare-root: cannot enter the new root: chdir /..: Permission denied\n" },
	{ FAKE_CHROOT, 1, EPERM, "chroot(.)",
	  "prepare-root: cannot change root to the new root: chroot .: Operation not permitted "
	  "(prepare-root needs CAP_SYS_CHROOT)\n" },
	{ FAKE_STATX, 2, EIO, "statx(/)",
	  "prepare-root: cannot stat the new root directory /: Input/output error\n" },
	{ FAKE_CHDIR, 2, ENOENT, "chdir(/run/bundle)",
	  "prepare-root: cannot return to the working directory /run/bundle: No such file or directory\n" },
};

static void test_fault(void **state)
{
	const struct fault *f = *state;
	int unshared, failed;

	fake_reset();
	fake.cwd = "/run/bundle";
	fake.statx[fake.nstatx++] = fake_statx_answer(24, false, true);
	fake.fail_call = f->call;
	fake.fail_nth = f->nth;
	fake.fail_errno = f->err;

	capture_stderr_start();
	assert_int_equal(pw_reroot(&rootfs), -1);
	assert_string_equal(capture_stderr_end(), f->message);

	/* It stopped at the failed call ... */
	failed = fake_log_index(f->failed_entry);
	assert_int_equal(failed, fake.nlog - 1);
	/* ... and changed no mount before it had its own namespace. */
	unshared = fake_log_index(UNSHARE);
	for (int i = 0; i < fake.nlog; i++) {
		if (strncmp(fake.log[i], "mount(", 6) == 0 || strncmp(fake.log[i], "chroot(", 7) == 0 ||
		    strncmp(fake.log[i], "chdir(", 6) == 0)
		{
			assert_int_not_equal(f->call, FAKE_UNSHARE);
			assert_in_range(unshared, 0, i - 1);
		}
	}
}

/* A mount put on the working directory since: the same path now names
 * another directory, and the command must not run there. */
static void test_covered_working_directory(void **state)
{
	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(24, false, true);
	fake.cwd_statx[0].stx_ino = 292;
	fake.cwd_statx[1].stx_ino = 1;
	capture_stderr_start();
	assert_int_equal(pw_reroot(&rootfs), -1);
	assert_string_equal(capture_stderr_end(),
		"prepare-root: the working directory /run/bundle cannot be reached in the new root "
		"(a mount covers it; change to a directory that is not covered)\n");
	assert_string_equal(fake.log[fake.nlog - 1], "statx(.)");
}

/* The chroot-directory order has its own private step to fail. */
static void test_chroot_directory_private_fault(void **state)
{
	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000050ULL, true, true);
	fake.fail_call = FAKE_MOUNT;
	fake.fail_nth = 2;
	fake.fail_errno = EINVAL;
	capture_stderr_start();
	assert_int_equal(pw_reroot(&chroot_dir), -1);
	assert_string_equal(capture_stderr_end(),
		"prepare-root: cannot make the mounts under / private: Invalid argument\n");
	assert_string_equal(fake.log[fake.nlog - 1], "mount(none,/,rprivate)");
	assert_true(fake_log_index("chroot(.)") < fake.nlog - 1);
}

int main(void)
{
	enum { NFAULTS = sizeof(rootfs_faults) / sizeof(rootfs_faults[0]) };
	static char names[NFAULTS][64];
	struct CMUnitTest tests[NFAULTS + 7] = {
		cmocka_unit_test_setup(test_rootfs_sequence, setup),
		cmocka_unit_test_setup(test_chroot_directory_sequence, setup),
		cmocka_unit_test_setup(test_chroot_in_shared_mount_refused, setup),
		cmocka_unit_test_setup(test_chroot_with_unknown_propagation_refused, setup),
		cmocka_unit_test_setup(test_reroot_that_did_not_take, setup),
		cmocka_unit_test_setup(test_chroot_directory_private_fault, setup),
		cmocka_unit_test_setup(test_covered_working_directory, setup),
	};

	for (size_t i = 0; i < NFAULTS; i++) {
		snprintf(names[i], sizeof(names[i]), "fault: %s fails", rootfs_faults[i].failed_entry);
		tests[7 + i] = (struct CMUnitTest) {
			.name = names[i],
			.test_func = test_fault,
			.initial_state = (void *) &rootfs_faults[i],
		};
	}
	return _cmocka_run_group_tests("reroot", tests, NFAULTS + 7, NULL, NULL);
}
