/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pw_explain_gather(): the facts --explain reports, taken from the (fake)
 * kernel: capget's effective set, statmount asked about the right mount,
 * and "PUT_OLD under NEW_ROOT" on path components, not string prefixes.
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmount.h>

#include "lib/explain.h"
#include "fake-sys.h"

/* Mount IDs no real mount table holds: only statmount knows them. */
#define ROOT_OLD 990001ULL
#define ROOT_ID 0x80000f10ULL
#define PARENT_ID 0x80000f01ULL

static char tmp[] = "/tmp/pw-test-gather.XXXXXX";

/* The two statx answers gather_mount asks for each path: the old-style
 * mount ID, then the unique one. */
static void answer_path(uint64_t old_id, uint64_t unique_id, bool mount_root)
{
	struct pw_statx a = fake_statx_answer(old_id, false, mount_root);
	struct pw_statx b = fake_statx_answer(unique_id, true, mount_root);

	a.stx_mode = b.stx_mode = S_IFDIR | 0755;
	fake.statx[fake.nstatx++] = a;
	fake.statx[fake.nstatx++] = b;
}

static int setup(void **state)
{
	(void) state;
	fake_reset();
	return 0;
}

/* CAP_SYS_ADMIN in the permitted set only: the kernel checks the effective
 * set, so pivot_root says EPERM. */
static void test_capability_is_the_effective_one(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	answer_path(ROOT_OLD, ROOT_ID, true);
	fake.cap_permitted_only = true;
	pw_explain_gather(NULL, NULL, &f);
	assert_int_equal(f.cap_sys_admin, PW_NO);

	fake_reset();
	answer_path(ROOT_OLD, ROOT_ID, true);
	pw_explain_gather(NULL, NULL, &f);
	assert_int_equal(f.cap_sys_admin, PW_YES);
}

/* The parent's propagation comes from statmount of the parent, not of the
 * mount itself: the two differ here both ways. */
static void test_parent_propagation_is_the_parents(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	answer_path(ROOT_OLD, ROOT_ID, true);
	fake_add_mount(ROOT_ID, PARENT_ID, MS_PRIVATE);
	fake_add_mount(PARENT_ID, PARENT_ID, MS_SHARED);
	pw_explain_gather(NULL, NULL, &f);
	assert_int_equal(f.root.has_parent, PW_YES);
	assert_int_equal(f.root.shared, PW_NO);
	assert_int_equal(f.root.parent_shared, PW_YES);

	fake_reset();
	answer_path(ROOT_OLD, ROOT_ID, true);
	fake_add_mount(ROOT_ID, PARENT_ID, MS_SHARED);
	fake_add_mount(PARENT_ID, PARENT_ID, MS_PRIVATE);
	pw_explain_gather(NULL, NULL, &f);
	assert_int_equal(f.root.shared, PW_YES);
	assert_int_equal(f.root.parent_shared, PW_NO);
}

/* "rootfs2" is not under "rootfs"; "rootfs/old" and "rootfs" itself are. */
static void test_put_old_under_new_root_by_component(void **state)
{
	char new_root[64], sibling[64], inside[64];
	struct pw_pivot_facts f;

	(void) state;
	snprintf(new_root, sizeof(new_root), "%s/rootfs", tmp);
	snprintf(sibling, sizeof(sibling), "%s/rootfs2", tmp);
	snprintf(inside, sizeof(inside), "%s/rootfs/old", tmp);
	assert_int_equal(mkdir(new_root, 0700), 0);
	assert_int_equal(mkdir(sibling, 0700), 0);
	assert_int_equal(mkdir(inside, 0700), 0);

	for (int i = 0; i < 3; i++)
		answer_path(ROOT_OLD, ROOT_ID, true);
	pw_explain_gather(new_root, sibling, &f);
	assert_int_equal(f.old_under_new, PW_NO);

	fake_reset();
	for (int i = 0; i < 3; i++)
		answer_path(ROOT_OLD, ROOT_ID, true);
	pw_explain_gather(new_root, inside, &f);
	assert_int_equal(f.old_under_new, PW_YES);

	fake_reset();
	for (int i = 0; i < 3; i++)
		answer_path(ROOT_OLD, ROOT_ID, true);
	pw_explain_gather(new_root, NULL, &f);
	assert_int_equal(f.old_under_new, PW_YES);

	rmdir(inside);
	rmdir(sibling);
	rmdir(new_root);
}

/* A kernel that does not say whether the path is a mount root: unknown,
 * not yes. */
static void test_mount_root_unknown_without_the_attribute(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	answer_path(ROOT_OLD, ROOT_ID, true);
	fake.statx[0].stx_attributes_mask = 0;
	fake.statx[0].stx_attributes = 0;
	fake.statx[1].stx_attributes_mask = 0;
	fake.statx[1].stx_attributes = 0;
	pw_explain_gather(NULL, NULL, &f);
	assert_int_equal(f.root.mount_root, PW_UNKNOWN);
}

/* NEW_ROOT's mount without a parent (a detached or rootfs-like mount) is
 * the kernel's "not attached" EINVAL, named in the verdict. */
static void test_new_root_without_parent_fails(void **state)
{
	struct pw_pivot_facts f;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int status;

	(void) state;
	assert_non_null(out);
	memset(&f, 0, sizeof(f));
	f.cap_sys_admin = PW_YES;
	f.root = (struct pw_mount_facts) { .id = 1, .is_dir = true, .mount_root = PW_YES,
					   .has_parent = PW_YES, .shared = PW_NO, .parent_shared = PW_NO };
	f.new_root = "/new";
	f.put_old = "/new";
	f.new_mnt = (struct pw_mount_facts) { .id = 2, .is_dir = true, .mount_root = PW_YES,
					      .has_parent = PW_NO, .shared = PW_NO, .parent_shared = PW_NO };
	f.old_mnt = f.new_mnt;
	f.old_under_new = PW_YES;
	status = pw_explain_report(&f, out);
	fclose(out);
	assert_int_equal(status, PW_EXPLAIN_FAIL);
	assert_non_null(strstr(buf, "FAIL  NEW_ROOT /new's mount has a parent"));
	assert_non_null(strstr(buf, "verdict: pivot_root would fail with EINVAL\n"));
	free(buf);
}

/* The mount table's propagation: "shared:N" is shared, with or without a
 * master; "master:N" alone (a slave) is not. */
static void test_slave_is_not_shared(void **state)
{
	static const char table[] =
		"20 1 0:20 / / rw - tmpfs a rw\n"
		"21 20 0:21 / /slave rw master:7 - tmpfs b rw\n"
		"22 20 0:22 / /both rw shared:8 master:7 - tmpfs c rw\n"
		"23 20 0:23 / /private rw - tmpfs d rw\n";
	char path[64];
	struct libmnt_table *tb;
	struct pw_mount_facts f;
	FILE *fp;

	(void) state;
	snprintf(path, sizeof(path), "%s/mountinfo", tmp);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(table, fp);
	fclose(fp);
	tb = mnt_new_table();
	assert_int_equal(mnt_table_parse_file(tb, path), 0);
	memset(&f, 0, sizeof(f));
	pw_mount_facts_from_table(tb, 21, PW_YES, &f);
	assert_int_equal(f.shared, PW_NO);
	memset(&f, 0, sizeof(f));
	pw_mount_facts_from_table(tb, 22, PW_YES, &f);
	assert_int_equal(f.shared, PW_YES);
	memset(&f, 0, sizeof(f));
	pw_mount_facts_from_table(tb, 23, PW_YES, &f);
	assert_int_equal(f.shared, PW_NO);
	mnt_unref_table(tb);
	unlink(path);
}

/* PUT_OLD on the current root's mount: EBUSY, which the kernel checks
 * before the current root's own EINVAL checks. */
static void test_put_old_on_the_root_mount_is_ebusy(void **state)
{
	struct pw_pivot_facts f;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void) state;
	assert_non_null(out);
	memset(&f, 0, sizeof(f));
	f.cap_sys_admin = PW_YES;
	f.root = (struct pw_mount_facts) { .id = 1, .is_dir = true, .mount_root = PW_NO,
					   .has_parent = PW_YES, .shared = PW_NO, .parent_shared = PW_NO };
	f.new_root = "/new";
	f.put_old = "/old";
	f.new_mnt = (struct pw_mount_facts) { .id = 2, .is_dir = true, .mount_root = PW_YES,
					      .has_parent = PW_YES, .shared = PW_NO, .parent_shared = PW_NO };
	f.old_mnt = f.root;
	f.old_under_new = PW_NO;
	assert_int_equal(pw_explain_report(&f, out), PW_EXPLAIN_FAIL);
	fclose(out);
	assert_non_null(strstr(buf, "FAIL  PUT_OLD /old is not on the current root's mount"));
	assert_non_null(strstr(buf, "ok    NEW_ROOT /new is not on the current root's mount"));
	assert_non_null(strstr(buf, "verdict: pivot_root would fail with EBUSY\n"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_capability_is_the_effective_one, setup),
		cmocka_unit_test_setup(test_parent_propagation_is_the_parents, setup),
		cmocka_unit_test_setup(test_put_old_under_new_root_by_component, setup),
		cmocka_unit_test_setup(test_mount_root_unknown_without_the_attribute, setup),
		cmocka_unit_test_setup(test_new_root_without_parent_fails, setup),
		cmocka_unit_test_setup(test_slave_is_not_shared, setup),
		cmocka_unit_test_setup(test_put_old_on_the_root_mount_is_ebusy, setup),
	};
	int rc;

	if (!mkdtemp(tmp))
		return 1;
	rc = cmocka_run_group_tests_name("gather", tests, NULL, NULL);
	rmdir(tmp);
	return rc;
}
