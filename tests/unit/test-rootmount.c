/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decision on real mount tables: each fixture in tests/data/ is read by
 * libmount exactly as /proc/self/mountinfo would be, for a process whose root
 * lies on the given mount.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libmount.h>

#include "lib/rootmount.h"

struct fixture_case {
	const char *file;
	uint64_t root_id;		/* mount ID statx would report for "/" */
	enum pw_verdict verdict;
	bool is_mount_root;
	uint64_t parent_id;
	bool propagation_known;
	bool shared;
};

static const struct fixture_case cases[] = {
	/* seed 000, state (1): the kernel's rootfs, ID 1 with parent 1 */
	{ "initramfs-1-boot.mountinfo",     1, PW_VERDICT_NO_PARENT,  true, 1,  true, false },
	/* (2): after unshare + rbind; the root is the new namespace's rootfs */
	{ "initramfs-2-rbind.mountinfo",   23, PW_VERDICT_NO_PARENT,  true, 23, true, false },
	/* (3): two mounts at "/"; the process root is still the bottom one ... */
	{ "initramfs-3-moved.mountinfo",   23, PW_VERDICT_NO_PARENT,  true, 23, true, false },
	/* ... and the one on top, once entered, has a parent */
	{ "initramfs-3-moved.mountinfo",   28, PW_VERDICT_PIVOTABLE,  true, 23, true, false },
	/* (4): after chroot; the parent 23 is no longer listed, so whether it
	 * is shared is for the kernel to say */
	{ "initramfs-4-chrooted.mountinfo", 28, PW_VERDICT_PARENT_HIDDEN, true, 23, true, false },
	/* (5): the caller's namespace, untouched */
	{ "initramfs-5-after.mountinfo",    1, PW_VERDICT_NO_PARENT,  true, 1,  true, false },
	/* a systemd-in-initrd style rootfs with shared propagation */
	{ "initramfs-shared.mountinfo",     1, PW_VERDICT_NO_PARENT,  true, 1,  true, true },
	/* seed 001: an LXC container, root a slave of the host */
	{ "lxc-container.mountinfo",       44, PW_VERDICT_PARENT_HIDDEN, true, 45, true, false },
	/* a plain host; its root's parent (the hidden rootfs) is not listed */
	{ "host-private.mountinfo",        27, PW_VERDICT_PARENT_HIDDEN, true, 1,  true, false },
	/* a systemd host: everything shared */
	{ "host-systemd-shared.mountinfo", 28, PW_VERDICT_PARENT_HIDDEN, true, 1,  true, true },
	/* inside "chroot DIR": the mount holding DIR is hidden from mountinfo */
	{ "chroot-directory.mountinfo",   533, PW_VERDICT_NOT_MOUNT_ROOT, false, 0, false, false },
	/* Linux 7.0: nullfs under the initramfs gives the rootfs a parent */
	{ "nullfs-7x.mountinfo",            2, PW_VERDICT_PARENT_HIDDEN, true, 1,  true, false },
};

static struct libmnt_table *load_fixture(const char *name)
{
	const char *dir = getenv("PW_TEST_DATA");
	char path[4096];
	struct libmnt_table *tb;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	tb = mnt_new_table();
	assert_non_null(tb);
	assert_int_equal(mnt_table_parse_file(tb, path), 0);
	return tb;
}

static void test_fixture(void **state)
{
	const struct fixture_case *c = *state;
	struct libmnt_table *tb = load_fixture(c->file);
	struct pw_root_info info;

	assert_int_equal(pw_root_from_table(tb, c->root_id, &info), 0);
	assert_int_equal(info.method, PW_DETECT_LIBMOUNT);
	assert_int_equal(info.mnt_id, c->root_id);
	assert_int_equal(info.is_mount_root, c->is_mount_root);
	assert_int_equal(info.parent_id, c->parent_id);
	assert_int_equal(info.propagation_known, c->propagation_known);
	assert_int_equal(info.shared, c->shared);
	assert_int_equal(pw_root_verdict(&info), c->verdict);
	mnt_unref_table(tb);
}

/* The first line whose target is "/" is not necessarily the root: state (3)
 * lists the rootfs first, and a root on the mount listed second is fine. */
static void test_stacked_roots_are_told_apart(void **state)
{
	struct libmnt_table *tb = load_fixture("initramfs-3-moved.mountinfo");
	struct pw_root_info bottom, top;

	(void) state;
	assert_int_equal(pw_root_from_table(tb, 23, &bottom), 0);
	assert_int_equal(pw_root_from_table(tb, 28, &top), 0);
	assert_int_not_equal(pw_root_verdict(&bottom), pw_root_verdict(&top));
	mnt_unref_table(tb);
}

static void test_verdict_reasons_differ(void **state)
{
	(void) state;
	assert_string_not_equal(pw_verdict_reason(PW_VERDICT_PIVOTABLE),
				pw_verdict_reason(PW_VERDICT_NO_PARENT));
	assert_string_not_equal(pw_verdict_reason(PW_VERDICT_NO_PARENT),
				pw_verdict_reason(PW_VERDICT_NOT_MOUNT_ROOT));
	assert_non_null(strstr(pw_verdict_reason(PW_VERDICT_NO_PARENT), "no parent"));
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 2];
	static char names[sizeof(cases) / sizeof(cases[0])][96];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(names[i], sizeof(names[i]), "%s root=%llu", cases[i].file,
			 (unsigned long long) cases[i].root_id);
		tests[n++] = (struct CMUnitTest) {
			.name = names[i],
			.test_func = test_fixture,
			.initial_state = (void *) &cases[i],
		};
	}
	tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_stacked_roots_are_told_apart);
	tests[n++] = (struct CMUnitTest) cmocka_unit_test(test_verdict_reasons_differ);
	return _cmocka_run_group_tests("rootmount", tests, n, NULL, NULL);
}
