/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --explain: the checks on facts taken from real mount tables, and the
 * verdict naming the error pivot_root(2) returns first.
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

#include <cmocka.h>
#include <libmount.h>

#include "lib/explain.h"

static char report[8192];

static void load_root(const char *fixture, uint64_t id, enum pw_tri mount_root,
		      struct pw_pivot_facts *f)
{
	char path[4096];
	struct libmnt_table *tb = mnt_new_table();

	memset(f, 0, sizeof(*f));
	f->cap_sys_admin = PW_YES;
	snprintf(path, sizeof(path), "%s/%s", getenv("PW_TEST_DATA"), fixture);
	assert_int_equal(mnt_table_parse_file(tb, path), 0);
	f->root.is_dir = true;
	pw_mount_facts_from_table(tb, id, mount_root, &f->root);
	mnt_unref_table(tb);
}

static int run_report(const struct pw_pivot_facts *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int status;

	assert_non_null(out);
	status = pw_explain_report(f, out);
	fclose(out);
	snprintf(report, sizeof(report), "%s", buf);
	free(buf);
	return status;
}

/* The line of the check named @what, which must be there. */
static const char *line_of(const char *what)
{
	static char line[1024];
	const char *p = strstr(report, what), *start, *end;

	if (!p)
		fail_msg("no check \"%s\" in:\n%s", what, report);
	for (start = p; start > report && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int) (end - start), start);
	return line;
}

static void assert_check(const char *tag, const char *what)
{
	const char *line = line_of(what);

	if (strncmp(line, tag, strlen(tag)) != 0 || line[strlen(tag)] != ' ')
		fail_msg("expected %s for \"%s\", got: %s", tag, what, line);
}

static void test_initramfs_rootfs(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-1-boot.mountinfo", 1, PW_YES, &f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("ok", "the current root is the root of a mount");
	assert_check("FAIL", "the current root's mount has a parent");
	assert_non_null(strstr(line_of("has a parent"), "fix: run the command through prepare-root"));
	assert_non_null(strstr(line_of("has a parent"), "mount ID equals parent ID"));
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EINVAL\n"));
}

/* Seed 000 state (4): after the busybox dance the root has a parent. */
static void test_after_the_dance(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-4-chrooted.mountinfo", 28, PW_YES, &f);
	/* The parent (23) is outside the chroot: the table cannot tell its
	 * propagation, statmount would. */
	f.root.parent_shared = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_OK);
	assert_check("ok", "the current root's mount has a parent");
	assert_non_null(strstr(report, "verdict: pivot_root would succeed"));
}

static void test_shared_rootfs(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-shared.mountinfo", 1, PW_YES, &f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the parent of the current root's mount is not shared");
	assert_non_null(strstr(line_of("is not shared"), "shared:1"));
	assert_non_null(strstr(line_of("is not shared"), "fix: mount --make-rprivate /"));
}

static void test_shared_parent_in_the_table(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	/* State (3), root on the top mount 28: its parent 23 is listed. */
	load_root("initramfs-3-moved.mountinfo", 28, PW_YES, &f);
	assert_int_equal(f.root.parent_shared, PW_NO);
	assert_int_equal(run_report(&f), PW_EXPLAIN_OK);
}

static void test_chroot_directory(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("chroot-directory.mountinfo", 533, PW_NO, &f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the current root is the root of a mount");
	assert_non_null(strstr(line_of("root of a mount"), "an earlier chroot"));
	/* the hidden mount's parent and propagation cannot be read here */
	assert_check("??", "the current root's mount has a parent");
}

/* A systemd host whose root's parent is hidden, without statmount. */
static void test_cannot_tell(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("host-systemd-shared.mountinfo", 28, PW_YES, &f);
	assert_int_equal(f.root.shared, PW_YES);
	assert_int_equal(run_report(&f), PW_EXPLAIN_UNKNOWN);
	assert_check("??", "the parent of the current root's mount is not shared");
	assert_non_null(strstr(report, "verdict: cannot tell\n"));
}

static void with_new_root(struct pw_pivot_facts *f)
{
	load_root("lxc-container.mountinfo", 44, PW_YES, f);
	f->root.parent_shared = PW_NO;
	f->new_root = "/run/bundle/rootfs";
	f->put_old = "/run/bundle/rootfs";
	f->new_mnt = (struct pw_mount_facts) {
		.is_dir = true, .id = 47, .mount_root = PW_YES, .has_parent = PW_YES,
		.shared = PW_NO, .parent_shared = PW_NO,
	};
	f->old_mnt = f->new_mnt;
	f->old_under_new = PW_YES;
}

static void test_new_root_fine(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_OK);
	assert_non_null(strstr(report, "verdict: pivot_root would succeed\n"));
}

/* The classic bundle mistake: the rootfs directory is no mount point, so
 * it lies on the current root's mount, and the kernel says EBUSY first. */
static void test_new_root_not_a_mount_point(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.new_mnt.id = f.old_mnt.id = f.root.id;
	f.new_mnt.mount_root = f.old_mnt.mount_root = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "NEW_ROOT /run/bundle/rootfs is not on the current root's mount");
	assert_check("FAIL", "NEW_ROOT /run/bundle/rootfs is a mount point");
	assert_non_null(strstr(line_of("is a mount point"), "mount --bind NEW_ROOT NEW_ROOT"));
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EBUSY\n"));
}

static void test_new_root_parent_shared(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.new_mnt.parent_shared = PW_YES;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the parent of NEW_ROOT /run/bundle/rootfs's mount is not shared");
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EINVAL\n"));
}

static void test_put_old_outside(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.put_old = "/tmp";
	f.old_under_new = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "PUT_OLD /tmp is at or under NEW_ROOT /run/bundle/rootfs");
}

static void test_put_old_shared(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.old_mnt.shared = PW_YES;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the mount at PUT_OLD /run/bundle/rootfs is not shared");
}

static void test_not_a_directory(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.new_mnt.is_dir = false;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "NEW_ROOT /run/bundle/rootfs is a directory");
	assert_non_null(strstr(report, "verdict: pivot_root would fail with ENOTDIR\n"));

	with_new_root(&f);
	f.old_mnt.stat_errno = ENOENT;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_non_null(strstr(report, "verdict: pivot_root would fail with ENOENT\n"));
}

static void test_no_privilege_comes_first(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-1-boot.mountinfo", 1, PW_YES, &f);
	f.cap_sys_admin = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "CAP_SYS_ADMIN is effective");
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EPERM\n"));
}

/* A mount root holding a newline (mountinfo's \\012) must not start a line
 * of its own: here it would forge a verdict. */
static void test_newline_in_a_path_is_escaped(void **state)
{
	struct pw_pivot_facts f;
	const char *line;
	int verdicts = 0;

	(void) state;
	load_root("newline-in-path.mountinfo", 22, PW_YES, &f);
	f.new_root = "/new\nroot";
	f.put_old = f.new_root;
	f.new_mnt = f.root;
	f.old_mnt = f.root;
	f.old_under_new = PW_YES;
	run_report(&f);
	assert_non_null(strstr(report, "/srv/ct\\012verdict: pivot_root would succeed"));
	assert_non_null(strstr(report, "NEW_ROOT /new\\012root is a directory"));
	for (line = report; *line; line = strchr(line, '\n') + 1) {
		if (strncmp(line, "verdict: ", 9) == 0)
			verdicts++;
		else if (strncmp(line, "ok    ", 6) != 0 && strncmp(line, "FAIL  ", 6) != 0 &&
			 strncmp(line, "??    ", 6) != 0)
			fail_msg("a line that is no check: %.40s", line);
	}
	assert_int_equal(verdicts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initramfs_rootfs),
		cmocka_unit_test(test_after_the_dance),
		cmocka_unit_test(test_shared_rootfs),
		cmocka_unit_test(test_shared_parent_in_the_table),
		cmocka_unit_test(test_chroot_directory),
		cmocka_unit_test(test_cannot_tell),
		cmocka_unit_test(test_new_root_fine),
		cmocka_unit_test(test_new_root_not_a_mount_point),
		cmocka_unit_test(test_new_root_parent_shared),
		cmocka_unit_test(test_put_old_outside),
		cmocka_unit_test(test_put_old_shared),
		cmocka_unit_test(test_not_a_directory),
		cmocka_unit_test(test_no_privilege_comes_first),
		cmocka_unit_test(test_newline_in_a_path_is_escaped),
	};

	return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
