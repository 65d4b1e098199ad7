/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pw_root_detect(): which path answers (statmount or libmount), when it
 * falls back, and the one-line errors when nothing can tell.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "lib/rootmount.h"
#include "capture.h"
#include "fake-sys.h"

static char fixture_path[4096];

static const char *fixture(const char *name)
{
	snprintf(fixture_path, sizeof(fixture_path), "%s/%s", getenv("PW_TEST_DATA"), name);
	return fixture_path;
}

static int setup(void **state)
{
	(void) state;
	fake_reset();
	return 0;
}

static void set_statmount(uint64_t id, uint64_t parent, uint64_t propagation)
{
	memset(&fake.statmount, 0, sizeof(fake.statmount));
	fake.statmount.mask = PW_STATMOUNT_MNT_BASIC;
	fake.statmount.mnt_id = id;
	fake.statmount.mnt_parent_id = parent;
	fake.statmount.mnt_propagation = propagation;
}

/* With statmount, the mount table is never read: the path given for it
 * does not even exist. */
static void test_statmount_rootfs(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000001ULL, true, true);
	set_statmount(0x80000001ULL, 0x80000001ULL, MS_PRIVATE);
	assert_int_equal(pw_root_detect("/nonexistent/mountinfo", &info), 0);
	assert_int_equal(info.method, PW_DETECT_STATMOUNT);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_NO_PARENT);
	assert_false(info.shared);
	assert_int_equal(fake_log_index("statmount(2147483649)"), 1);
}

static void test_statmount_host_root(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000020ULL, true, true);
	set_statmount(0x80000020ULL, 0x80000001ULL, MS_SHARED);
	fake.statmount_other[0] = (struct pw_statmount) {
		.mask = PW_STATMOUNT_MNT_BASIC, .mnt_id = 0x80000001ULL,
		.mnt_parent_id = 0x80000001ULL, .mnt_propagation = MS_PRIVATE,
	};
	assert_int_equal(pw_root_detect("/nonexistent/mountinfo", &info), 0);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_PIVOTABLE);
	assert_true(info.shared);
	assert_int_equal(fake_log_index("statmount(2147483649)"), 2);
}

/* A slave receives, it does not send: not shared, for the root's mount or
 * its parent (runc's MS_REC|MS_SLAVE leaves exactly this). */
static void test_statmount_slave_is_not_shared(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000040ULL, true, true);
	set_statmount(0x80000040ULL, 0x80000020ULL, MS_SLAVE);
	fake.statmount_other[0] = (struct pw_statmount) {
		.mask = PW_STATMOUNT_MNT_BASIC, .mnt_id = 0x80000020ULL,
		.mnt_parent_id = 0x80000001ULL, .mnt_propagation = MS_SLAVE,
	};
	assert_int_equal(pw_root_detect("/nonexistent/mountinfo", &info), 0);
	assert_false(info.shared);
	assert_true(info.parent_known);
	assert_false(info.parent_shared);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_PIVOTABLE);
}

/* "mount --bind D D; chroot D" on a systemd host: the root is a mount root
 * with a parent, but that parent is shared, and pivot_root refuses it. */
static void test_statmount_parent_shared(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000040ULL, true, true);
	set_statmount(0x80000040ULL, 0x80000020ULL, MS_SHARED);
	fake.statmount_other[0] = (struct pw_statmount) {
		.mask = PW_STATMOUNT_MNT_BASIC, .mnt_id = 0x80000020ULL,
		.mnt_parent_id = 0x80000001ULL, .mnt_propagation = MS_SHARED,
	};
	assert_int_equal(pw_root_detect("/nonexistent/mountinfo", &info), 0);
	assert_true(info.parent_known);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_PARENT_SHARED);
}

/* Without CAP_SYS_ADMIN in the initial user namespace statmount refuses a
 * parent outside the root: that must not be taken for "not shared". */
static void test_statmount_parent_refused(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000040ULL, true, true);
	set_statmount(0x80000040ULL, 0x80000020ULL, MS_PRIVATE);
	fake.fail_call = FAKE_STATMOUNT;
	fake.fail_nth = 2;
	fake.fail_errno = EPERM;
	assert_int_equal(pw_root_detect("/nonexistent/mountinfo", &info), 0);
	assert_false(info.parent_known);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_PARENT_HIDDEN);
}

/* Inside "chroot DIR" the mount holding DIR is invisible to mountinfo, but
 * statmount still reports its propagation. */
static void test_statmount_chroot_directory(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000040ULL, true, false);
	set_statmount(0x80000040ULL, 0x80000001ULL, MS_SHARED);
	assert_int_equal(pw_root_detect("/nonexistent/mountinfo", &info), 0);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_NOT_MOUNT_ROOT);
	assert_true(info.propagation_known);
	assert_true(info.shared);
}

/* Linux before 6.8: statx reports the old ID only; no statmount call. */
static void test_old_kernel_uses_libmount(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(1, false, true);
	assert_int_equal(pw_root_detect(fixture("initramfs-1-boot.mountinfo"), &info), 0);
	assert_int_equal(info.method, PW_DETECT_LIBMOUNT);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_NO_PARENT);
	assert_int_equal(fake.uses[FAKE_STATMOUNT], 0);
}

/* statmount refused (seccomp, an odd kernel): ask statx for the ID that
 * mountinfo uses and read the table. */
static void test_statmount_failure_falls_back(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000017ULL, true, true);
	fake.statx[fake.nstatx++] = fake_statx_answer(23, false, true);
	fake.fail_call = FAKE_STATMOUNT;
	fake.fail_nth = 1;
	fake.fail_errno = ENOSYS;
	assert_int_equal(pw_root_detect(fixture("initramfs-2-rbind.mountinfo"), &info), 0);
	assert_int_equal(info.method, PW_DETECT_LIBMOUNT);
	assert_int_equal(info.mnt_id, 23);
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_NO_PARENT);
	assert_int_equal(fake.uses[FAKE_STATX], 2);
}

static void test_statmount_without_basic_data_falls_back(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(0x80000017ULL, true, true);
	fake.statx[fake.nstatx++] = fake_statx_answer(27, false, true);
	set_statmount(0x80000017ULL, 0x80000017ULL, 0);
	fake.statmount.mask = 0;
	assert_int_equal(pw_root_detect(fixture("host-private.mountinfo"), &info), 0);
	assert_int_equal(info.method, PW_DETECT_LIBMOUNT);
	/* The rootfs under a host's root is not listed: only the kernel can
	 * tell whether it is shared. */
	assert_int_equal(pw_root_verdict(&info), PW_VERDICT_PARENT_HIDDEN);
}

static void test_statx_failure(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(1, false, true);
	fake.fail_call = FAKE_STATX;
	fake.fail_nth = 1;
	fake.fail_errno = EACCES;
	capture_stderr_start();
	assert_int_equal(pw_root_detect(fixture("initramfs-1-boot.mountinfo"), &info), -1);
	assert_string_equal(capture_stderr_end(),
		"prepare-root: cannot stat the root directory /: Permission denied\n");
}

static void test_kernel_without_mount_ids(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(1, false, true);
	fake.statx[0].stx_mask = 0;
	capture_stderr_start();
	assert_int_equal(pw_root_detect(fixture("initramfs-1-boot.mountinfo"), &info), -1);
	assert_string_equal(capture_stderr_end(),
		"prepare-root: the kernel does not report mount IDs through statx "
		"(prepare-root needs Linux 5.8 or later)\n");
}

static void test_no_proc(void **state)
{
	struct pw_root_info info;

	(void) state;
	fake.statx[fake.nstatx++] = fake_statx_answer(1, false, true);
	capture_stderr_start();
	assert_int_equal(pw_root_detect("/nonexistent/mountinfo", &info), -1);
	assert_string_equal(capture_stderr_end(),
		"prepare-root: cannot read the mount table /nonexistent/mountinfo: "
		"No such file or directory (is /proc mounted? mount -t proc proc /proc)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_statmount_rootfs, setup),
		cmocka_unit_test_setup(test_statmount_host_root, setup),
		cmocka_unit_test_setup(test_statmount_parent_shared, setup),
		cmocka_unit_test_setup(test_statmount_slave_is_not_shared, setup),
		cmocka_unit_test_setup(test_statmount_parent_refused, setup),
		cmocka_unit_test_setup(test_statmount_chroot_directory, setup),
		cmocka_unit_test_setup(test_old_kernel_uses_libmount, setup),
		cmocka_unit_test_setup(test_statmount_failure_falls_back, setup),
		cmocka_unit_test_setup(test_statmount_without_basic_data_falls_back, setup),
		cmocka_unit_test_setup(test_statx_failure, setup),
		cmocka_unit_test_setup(test_kernel_without_mount_ids, setup),
		cmocka_unit_test_setup(test_no_proc, setup),
	};

	return cmocka_run_group_tests_name("detect", tests, NULL, NULL);
}
