/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one model of the root (lib/root.c): its facts from real mount tables
 * (tests/data, read by libmount exactly as /proc/self/mountinfo) and from
 * the fake kernel's statmount(2), and the judgement the run and --check
 * make of them: when a re-root is needed, when the kernel is asked (a trial
 * in a thread, never a child), and when it must not or cannot be.
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

#include "lib/root.h"
#include "fake-kernel.h"

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
	pw_mountinfo = "/nonexistent/mountinfo";
	return 0;
}

/* What a table says of the root, row by row (Y, N or ?): mount root,
 * in the namespace, has a parent, that parent is shared. */
struct fixture_case {
	const char *file;
	uint64_t root;
	bool root_is_dir;
	const char *facts;		/* MOUNT_ROOT IN_NAMESPACE HAS_PARENT PARENT_SHARED */
	enum pw_fact failed;		/* the row that fails first, or PW_FACTS */
};

static const struct fixture_case cases[] = {
	/* seed 000, state (1): the kernel's rootfs, ID 1 with parent 1 */
	{ "initramfs-1-boot.mountinfo",     1, false, "YYNN", PW_HAS_PARENT },
	/* (2): after unshare + rbind; the root is the new namespace's rootfs */
	{ "initramfs-2-rbind.mountinfo",   23, false, "YYNN", PW_HAS_PARENT },
	/* (3): two mounts at "/"; the process root is still the bottom one ... */
	{ "initramfs-3-moved.mountinfo",   23, false, "YYNN", PW_HAS_PARENT },
	/* ... and the one on top, once entered, has a parent, not shared */
	{ "initramfs-3-moved.mountinfo",   28, false, "YYYN", PW_FACTS },
	/* (4): after chroot; the parent 23 is no longer listed: only the
	 * kernel can say whether it is shared */
	{ "initramfs-4-chrooted.mountinfo", 28, false, "YYY?", PW_FACTS },
	/* (5): the caller's namespace, untouched */
	{ "initramfs-5-after.mountinfo",    1, false, "YYNN", PW_HAS_PARENT },
	/* a systemd-in-initrd rootfs, shared: its own parent is shared */
	{ "initramfs-shared.mountinfo",     1, false, "YYNY", PW_PARENT_SHARED },
	/* seed 001: an LXC container, root a slave of the host */
	{ "lxc-container.mountinfo",       44, false, "YYY?", PW_FACTS },
	/* a plain host; its root's parent (the hidden rootfs) is not listed */
	{ "host-private.mountinfo",        27, false, "YYY?", PW_FACTS },
	{ "host-systemd-shared.mountinfo", 28, false, "YYY?", PW_FACTS },
	/* inside "chroot DIR": the mount holding DIR is hidden from mountinfo */
	{ "chroot-directory.mountinfo",   533, true,  "N???", PW_MOUNT_ROOT },
	/* a mount root that is not listed: another mount namespace's */
	{ "host-private.mountinfo",       999, false, "YN??", PW_IN_NAMESPACE },
	/* Linux 7.0: nullfs under the initramfs gives the rootfs a parent */
	{ "nullfs-7x.mountinfo",            2, false, "YYY?", PW_FACTS },
};

static enum pw_tri tri_of(char c)
{
	return c == 'Y' ? PW_YES : c == 'N' ? PW_NO : PW_UNKNOWN;
}

static void test_fixture(void **state)
{
	const struct fixture_case *c = *state;
	static const enum pw_fact order[] = { PW_MOUNT_ROOT, PW_IN_NAMESPACE, PW_HAS_PARENT, PW_PARENT_SHARED };
	struct pw_place p = { .w = { .id = c->root, .mount_root = !c->root_is_dir, .mount_root_known = true } };
	struct pw_table *t = NULL;
	struct pw_facts f;
	struct pw_verdict v;

	/* (no unique ID, as before Linux 6.8: the table answers) */
	pw_mountinfo = fixture(c->file);
	pw_facts_init(&f);
	f.present[PW_ROOT] = true;
	pw_fact(&f, PW_ROOT, PW_MOUNT_ROOT, p.w.mount_root ? PW_YES : PW_NO, NULL);
	pw_place_mount(&p, &t);
	assert_non_null(t);
	pw_mount_facts(&f, PW_ROOT, &p, t);
	pw_table_free(t);
	for (size_t i = 0; i < 4; i++)
		if (f.value[PW_ROOT][order[i]] != tri_of(c->facts[i]))
			fail_msg("%s, root %llu: fact %zu is %d, not %c (%s)", c->file, (unsigned long long) c->root,
				 i, f.value[PW_ROOT][order[i]], c->facts[i], f.evidence[PW_ROOT][order[i]]);
	pw_checks_evaluate(&f, PW_ROOT_ROWS, &v, NULL);
	if (c->failed == PW_FACTS) {
		assert_null(v.failed);
	} else {
		assert_non_null(v.failed);
		assert_int_equal(v.failed->fact, c->failed);
		assert_int_equal(v.error, EINVAL);
	}
	/* A parent the table does not list is never taken for "not shared". */
	if (c->facts[3] == '?')
		assert_int_equal(f.value[PW_ROOT][PW_PARENT_SHARED], PW_UNKNOWN);
}

static enum pw_need judge(struct pw_facts *f, struct pw_verdict *v)
{
	const char *why;

	pw_facts_init(f);
	return pw_root_judge(f, false, v, &why);
}

/* The initramfs rootfs, seen by statmount(2): no parent, re-root, and no
 * thread was needed to tell. */
static void test_statmount_rootfs(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake_mount(1, 1, 0);
	fake.root = 1;
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_int_equal(v.failed->fact, PW_HAS_PARENT);
	assert_int_equal(fake.threads, 0);
}

/* A host's root, its parent (outside it) private: statmount(2) answers
 * as root, so a pass-through starts no thread and asks nothing more. */
static void test_statmount_host_passes_through_without_trial(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake_mount(1, 1, 0)->outside_root = true;
	fake_mount(26, 1, MS_SHARED);
	fake.root = 26;
	assert_int_equal(judge(&f, &v), PW_NEED_NOTHING);
	assert_null(v.failed);
	assert_null(v.unknown);
	assert_int_equal(fake.threads, 0);
	assert_int_equal(fake.statmounts, 2);
}

/* A bind-mounted chroot on a shared mount: the kernel's check reads the
 * parent, which no path inside reaches; statmount(2) does. */
static void test_statmount_shared_parent(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake_mount(40, 40, MS_SHARED)->outside_root = true;
	fake_mount(45, 40, 0);
	fake.root = 45;
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_int_equal(v.failed->fact, PW_PARENT_SHARED);
	assert_int_equal(fake.threads, 0);
}

/* A plain directory chroot: path_mounted(&root) fails, whatever else. */
static void test_directory_root(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake_mount(40, 40, 0);
	fake.root = 40;
	fake.root_is_dir = true;
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_int_equal(v.failed->fact, PW_MOUNT_ROOT);
}

/* statmount(2) does not know the root's mount: another namespace's
 * (chroot /proc/PID/root).  No re-root can copy it: check_mnt. */
static void test_root_of_another_namespace(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake_mount(1, 1, 0);
	fake.root = 77;
	assert_int_equal(judge(&f, &v), PW_NEED_IMPOSSIBLE);
	assert_int_equal(v.failed->fact, PW_IN_NAMESPACE);
	assert_int_equal(fake.threads, 0);
}

/* Without statmount(2) (before 6.8), a host's root has a parent the table
 * does not list: the kernel is asked, in a thread, and its yes is a
 * pass-through. */
static void test_table_hidden_parent_trial_accepts(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.before_6_8 = true;
	fake.root = 27;
	pw_mountinfo = fixture("host-private.mountinfo");
	assert_int_equal(judge(&f, &v), PW_NEED_NOTHING);
	assert_int_equal(fake.threads, 1);
	/* The trial's mounts and pivot_root stayed in its own namespace. */
	assert_int_equal(fake.caller_changes, 0);
	assert_int_equal(f.value[PW_ROOT][PW_PARENT_SHARED], PW_NO);
	assert_true(f.settled[PW_ROOT][PW_PARENT_SHARED]);
	assert_non_null(strstr(f.evidence[PW_ROOT][PW_PARENT_SHARED], "succeeded"));
}

/* ... and its EINVAL is a re-root, the unknown row failing. */
static void test_table_hidden_parent_trial_refuses(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.before_6_8 = true;
	fake.root = 28;
	/* (the root's mount is shared, as the table says: the trial's tmpfs
	 * on it must not reach the caller's namespace through its peers) */
	fake_mount(28, 1, MS_SHARED);
	fake.pivot_root_errno = EINVAL;
	pw_mountinfo = fixture("host-systemd-shared.mountinfo");
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_int_equal(fake.threads, 1);
	assert_int_equal(fake.caller_changes, 0);
	assert_int_equal(v.failed->fact, PW_PARENT_SHARED);
	assert_non_null(strstr(f.evidence[PW_ROOT][PW_PARENT_SHARED], "EINVAL"));
}

/* A PID namespace that awaits its first process takes no thread, and a
 * child would become its init: no trial.  A re-root gives a root
 * pivot_root accepts whatever the answer would have been. */
static void test_pending_pid_namespace_no_trial(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.before_6_8 = true;
	fake.pending_pid_ns = true;
	fake.root = 27;
	pw_mountinfo = fixture("host-private.mountinfo");
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_int_equal(fake.threads, 0);
	assert_null(v.failed);
}

/* Without CAP_SYS_ADMIN neither a trial nor a re-root can be made: the
 * command runs as it would have. */
static void test_unprivileged_untold(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.unprivileged = true;
	fake_mount(1, 1, 0)->outside_root = true;
	fake_mount(26, 1, 0);
	fake.root = 26;
	assert_int_equal(judge(&f, &v), PW_NEED_UNTOLD);
	assert_int_equal(f.value[PW_ROOT][PW_PARENT_SHARED], PW_UNKNOWN);
}

/* A trial's EINVAL when two rows were not told cannot say which failed:
 * the evidence says so, and a check_mnt it only infers is no reason to
 * give up (the re-root will find out). */
static void test_trial_cannot_say_which(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.before_6_8 = true;
	fake.root = 27;
	fake.pivot_root_errno = EINVAL;
	pw_mountinfo = "/nonexistent/mountinfo";
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_non_null(v.failed);
	assert_non_null(strstr(f.evidence[v.failed->subject][v.failed->fact],
			       "the trial cannot say which"));
}

/* --check and --explain ask may_mount() of the kernel: a mount(2) that
 * changes nothing (two propagation flags). */
static void test_caller_may_mount(void **state)
{
	struct pw_facts f;

	(void) state;
	fake_mount(1, 1, 0);
	fake.root = 1;
	pw_facts_init(&f);
	pw_root_gather(&f, true);
	assert_int_equal(f.value[PW_CALLER][PW_MAY_MOUNT], PW_YES);
	fake.unprivileged = true;
	pw_facts_init(&f);
	pw_root_gather(&f, true);
	assert_int_equal(f.value[PW_CALLER][PW_MAY_MOUNT], PW_NO);
	assert_string_equal(f.evidence[PW_CALLER][PW_MAY_MOUNT], "CAP_SYS_ADMIN is not effective");
}

/* A container's root whose parent (outside it) is a slave of the host's
 * mounts: a slave is not shared, and pivot_root accepts it. */
static void test_statmount_slave_parent(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake_mount(1, 1, MS_SLAVE)->outside_root = true;
	fake_mount(26, 1, MS_SLAVE);
	fake.root = 26;
	assert_int_equal(judge(&f, &v), PW_NEED_NOTHING);
	assert_int_equal(f.value[PW_ROOT][PW_PARENT_SHARED], PW_NO);
	assert_int_equal(fake.threads, 0);
}

/* Linux 6.8 with statmount(2) refused (a seccomp policy that does not know
 * it): statx(2) still gives unique IDs, but the table speaks mountinfo's
 * numbering; the root is found there, and the hidden parent asked of the
 * kernel. */
static void test_statmount_blocked_table_numbering(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.statmount_blocked = true;
	fake.root = 27;
	pw_mountinfo = fixture("host-private.mountinfo");
	assert_int_equal(judge(&f, &v), PW_NEED_NOTHING);
	assert_int_equal(f.value[PW_ROOT][PW_IN_NAMESPACE], PW_YES);
	assert_int_equal(f.value[PW_ROOT][PW_HAS_PARENT], PW_YES);
	assert_int_equal(fake.threads, 1);
}

/* statmount(2) that returns 0 with nothing filled in (a seccomp filter
 * that fakes success) is not believed: the table answers instead, and a
 * host's root passes through. */
static void test_statmount_without_basic_facts(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.statmount_empty = true;
	fake_mount(1, 1, 0)->outside_root = true;
	fake_mount(27, 1, 0);
	fake.root = 27;
	pw_mountinfo = fixture("host-private.mountinfo");
	assert_int_equal(judge(&f, &v), PW_NEED_NOTHING);
	assert_null(v.failed);
	assert_int_equal(f.value[PW_ROOT][PW_HAS_PARENT], PW_YES);
}

/* A kernel that does not report STATX_ATTR_MOUNT_ROOT (before Linux 5.8):
 * whether the root is a mount root is not assumed, it is asked of the
 * kernel; its EINVAL then falls on that row. */
static void test_mount_root_attribute_unreported(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.no_mount_root_attr = true;
	fake_mount(1, 1, 0)->outside_root = true;
	fake_mount(26, 1, 0);
	fake.root = 26;
	fake.pivot_root_errno = EINVAL;
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_int_equal(fake.threads, 1);
	assert_non_null(v.failed);
	assert_int_equal(v.failed->fact, PW_MOUNT_ROOT);
	assert_true(f.settled[PW_ROOT][PW_MOUNT_ROOT]);
}

/* Linux 6.12's order asks check_mnt(root_mnt) first: where nothing about
 * the root can be seen (statmount(2) refused, no mount table), the
 * trial's EINVAL falls on it.  Only inferred, it is no reason to give up:
 * the re-root is tried. */
static void test_trial_einval_on_check_mnt(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	fake.statmount_blocked = true;
	fake.root = 27;
	fake.pivot_root_errno = EINVAL;
	pw_mountinfo = "/nonexistent/mountinfo";
	assert_int_equal(judge(&f, &v), PW_NEED_REROOT);
	assert_non_null(v.failed);
	assert_int_equal(v.failed->fact, PW_IN_NAMESPACE);
	assert_true(f.settled[PW_ROOT][PW_IN_NAMESPACE]);
}

/* CAP_SYS_ADMIN permitted but not effective (dropped from the effective
 * set): mount(2) says EPERM, and the reason given is that, not another
 * user namespace. */
static void test_caller_cap_permitted_only(void **state)
{
	struct pw_facts f;

	(void) state;
	fake_mount(1, 1, 0);
	fake.root = 1;
	fake.unprivileged = true;
	fake.cap_permitted_only = true;
	pw_facts_init(&f);
	pw_root_gather(&f, true);
	assert_int_equal(f.value[PW_CALLER][PW_MAY_MOUNT], PW_NO);
	assert_string_equal(f.evidence[PW_CALLER][PW_MAY_MOUNT], "CAP_SYS_ADMIN is not effective");
	assert_null(f.fix[PW_CALLER][PW_MAY_MOUNT]);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 17];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tests[n] = (struct CMUnitTest) cmocka_unit_test_prestate_setup_teardown(test_fixture, setup, NULL,
											  (void *) &cases[i]);
		tests[n++].name = cases[i].file;
	}
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_statmount_rootfs, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_statmount_host_passes_through_without_trial, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_statmount_shared_parent, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_directory_root, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_root_of_another_namespace, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_table_hidden_parent_trial_accepts, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_table_hidden_parent_trial_refuses, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_pending_pid_namespace_no_trial, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_unprivileged_untold, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_trial_cannot_say_which, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_caller_may_mount, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_statmount_slave_parent, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_statmount_blocked_table_numbering, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_statmount_without_basic_facts, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_mount_root_attribute_unreported, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_trial_einval_on_check_mnt, setup);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test_setup(test_caller_cap_permitted_only, setup);
	return _cmocka_run_group_tests("root", tests, n, NULL, NULL);
}
