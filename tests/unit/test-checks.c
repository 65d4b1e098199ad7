/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pivot_root(2)'s checks as data (lib/checks.c): one evaluator over the
 * facts, in each kernel generation's order.  The facts are set by hand
 * here; tests/cli compares the whole with the real pivot_root(2).
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

#include "lib/checks.h"

/* Facts under which every row passes, for @gen, NEW_ROOT and PUT_OLD
 * given. */
static void all_pass(struct pw_facts *f, enum pw_generation gen)
{
	static const struct { enum pw_subject s; enum pw_fact fact; enum pw_tri v; } good[] = {
		{ PW_CALLER, PW_MAY_MOUNT, PW_YES },
		{ PW_ROOT, PW_PARENT_SHARED, PW_NO }, { PW_ROOT, PW_IN_NAMESPACE, PW_YES },
		{ PW_ROOT, PW_MOUNT_ROOT, PW_YES }, { PW_ROOT, PW_HAS_PARENT, PW_YES },
		{ PW_NEW, PW_RESOLVES, PW_YES }, { PW_NEW, PW_PARENT_SHARED, PW_NO },
		{ PW_NEW, PW_IN_NAMESPACE, PW_YES }, { PW_NEW, PW_LOCKED, PW_NO }, { PW_NEW, PW_UNLINKED, PW_NO },
		{ PW_NEW, PW_ON_ROOT_MOUNT, PW_NO }, { PW_NEW, PW_MOUNT_ROOT, PW_YES },
		{ PW_NEW, PW_HAS_PARENT, PW_YES }, { PW_NEW, PW_REACHABLE, PW_YES },
		{ PW_OLD, PW_RESOLVES, PW_YES }, { PW_OLD, PW_MOUNTABLE, PW_YES }, { PW_OLD, PW_SHARED, PW_NO },
		{ PW_OLD, PW_ON_ROOT_MOUNT, PW_NO }, { PW_OLD, PW_REACHABLE, PW_YES },
	};

	memset(f, 0, sizeof(*f));
	f->generation = gen;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		pw_fact(f, good[i].s, good[i].fact, good[i].v, NULL);
	for (int s = 0; s < PW_SUBJECTS; s++)
		f->present[s] = true;
	f->path[PW_NEW] = "/new";
	f->path[PW_OLD] = "/new/old";
}

/* The report of @f, all rows. */
static char *report(const struct pw_facts *f, struct pw_verdict *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	pw_checks_evaluate(f, PW_ALL_ROWS, v, out);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static const char *last_line(const char *text)
{
	const char *end = text + strlen(text) - 1, *p = end;

	while (p > text && p[-1] != '\n')
		p--;
	return p;
}

static void test_all_pass(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;
	char *r;

	(void) state;
	for (int gen = 0; gen < PW_GENERATIONS; gen++) {
		all_pass(&f, gen);
		r = report(&f, &v);
		assert_null(v.failed);
		assert_null(v.unknown);
		assert_string_equal(last_line(r), "verdict: pivot_root would succeed\n");
		free(r);
	}
}

/* Each row fails alone with its own errno, as the kernel's test returns,
 * in every generation's order. */
static void test_each_row_alone(void **state)
{
	static const struct { enum pw_subject s; enum pw_fact fact; enum pw_tri bad; int err; } rows[] = {
		{ PW_CALLER, PW_MAY_MOUNT, PW_NO, EPERM }, { PW_OLD, PW_MOUNTABLE, PW_NO, ENOENT },
		{ PW_OLD, PW_SHARED, PW_YES, EINVAL }, { PW_NEW, PW_PARENT_SHARED, PW_YES, EINVAL },
		{ PW_ROOT, PW_PARENT_SHARED, PW_YES, EINVAL }, { PW_ROOT, PW_IN_NAMESPACE, PW_NO, EINVAL },
		{ PW_NEW, PW_IN_NAMESPACE, PW_NO, EINVAL }, { PW_NEW, PW_LOCKED, PW_YES, EINVAL },
		{ PW_NEW, PW_UNLINKED, PW_YES, ENOENT }, { PW_NEW, PW_ON_ROOT_MOUNT, PW_YES, EBUSY },
		{ PW_OLD, PW_ON_ROOT_MOUNT, PW_YES, EBUSY }, { PW_ROOT, PW_MOUNT_ROOT, PW_NO, EINVAL },
		{ PW_ROOT, PW_HAS_PARENT, PW_NO, EINVAL }, { PW_NEW, PW_MOUNT_ROOT, PW_NO, EINVAL },
		{ PW_NEW, PW_HAS_PARENT, PW_NO, EINVAL }, { PW_OLD, PW_REACHABLE, PW_NO, EINVAL },
		{ PW_NEW, PW_REACHABLE, PW_NO, EINVAL },
	};
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	for (int gen = 0; gen < PW_GENERATIONS; gen++) {
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
			all_pass(&f, gen);
			pw_fact(&f, rows[i].s, rows[i].fact, rows[i].bad, NULL);
			pw_checks_evaluate(&f, PW_ALL_ROWS, &v, NULL);
			if (!v.failed || v.failed->subject != rows[i].s || v.failed->fact != rows[i].fact ||
			    v.error != rows[i].err)
				fail_msg("generation %d, row %zu: %s with errno %d, not %d", gen, i,
					 v.failed ? "another row fails" : "nothing fails", v.error, rows[i].err);
		}
	}
}

/* A failed lookup is its own errno; nothing after it is asked. */
static void test_lookup_errno(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;
	char *r;

	(void) state;
	all_pass(&f, PW_GEN_6_1);
	pw_fact(&f, PW_NEW, PW_RESOLVES, PW_NO, "No such file or directory");
	f.lookup_errno[PW_NEW] = ENOENT;
	pw_fact(&f, PW_NEW, PW_LOCKED, PW_YES, NULL);	/* never reached */
	r = report(&f, &v);
	assert_int_equal(v.error, ENOENT);
	assert_null(strstr(r, "MNT_LOCKED"));
	assert_null(strstr(r, "PUT_OLD"));
	assert_string_equal(last_line(r), "verdict: pivot_root would fail with ENOENT\n");
	free(r);

	/* Each path's own errno: a file is ENOTDIR, a loop at PUT_OLD ELOOP. */
	all_pass(&f, PW_GEN_6_12);
	pw_fact(&f, PW_NEW, PW_RESOLVES, PW_NO, NULL);
	f.lookup_errno[PW_NEW] = ENOTDIR;
	pw_checks_evaluate(&f, PW_ALL_ROWS, &v, NULL);
	assert_int_equal(v.error, ENOTDIR);
	all_pass(&f, PW_GEN_6_12);
	pw_fact(&f, PW_OLD, PW_RESOLVES, PW_NO, "Too many levels of symbolic links");
	f.lookup_errno[PW_OLD] = ELOOP;
	pw_checks_evaluate(&f, PW_ALL_ROWS, &v, NULL);
	assert_int_equal(v.failed->subject, PW_OLD);
	assert_int_equal(v.error, ELOOP);
	all_pass(&f, PW_GEN_6_12);
	pw_fact(&f, PW_OLD, PW_RESOLVES, PW_NO, "No such file or directory");
	f.lookup_errno[PW_OLD] = ENOENT;
	pw_checks_evaluate(&f, PW_ALL_ROWS, &v, NULL);
	assert_int_equal(v.error, ENOENT);
}

/* new_mnt == root_mnt and old_mnt == root_mnt (EBUSY) come before the
 * tests of the current root (EINVAL): in a chroot directory a NEW_ROOT
 * on the root's mount is EBUSY. */
static void test_ebusy_before_root_einval(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	for (int gen = 0; gen < PW_GENERATIONS; gen++) {
		all_pass(&f, gen);
		pw_fact(&f, PW_ROOT, PW_MOUNT_ROOT, PW_NO, NULL);
		pw_fact(&f, PW_ROOT, PW_HAS_PARENT, PW_NO, NULL);
		pw_fact(&f, PW_OLD, PW_ON_ROOT_MOUNT, PW_YES, NULL);
		pw_checks_evaluate(&f, PW_ALL_ROWS, &v, NULL);
		assert_int_equal(v.error, EBUSY);
		assert_int_equal(v.failed->subject, PW_OLD);
	}
}

/* Linux 7.0 looks both paths up before may_mount(): an unprivileged
 * caller naming a missing NEW_ROOT gets ENOENT there, EPERM before. */
static void test_generation_lookup_before_may_mount(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	for (int gen = 0; gen < PW_GENERATIONS; gen++) {
		all_pass(&f, gen);
		pw_fact(&f, PW_CALLER, PW_MAY_MOUNT, PW_NO, NULL);
		pw_fact(&f, PW_NEW, PW_RESOLVES, PW_NO, NULL);
		f.lookup_errno[PW_NEW] = ENOENT;
		pw_checks_evaluate(&f, PW_ALL_ROWS, &v, NULL);
		assert_int_equal(v.error, gen == PW_GEN_7_0 ? ENOENT : EPERM);
	}
}

/* From 6.12 check_mnt() is tested before the parents' propagation: the
 * same EINVAL, another row first. */
static void test_generation_check_mnt_first(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	for (int gen = 0; gen < PW_GENERATIONS; gen++) {
		all_pass(&f, gen);
		pw_fact(&f, PW_ROOT, PW_PARENT_SHARED, PW_YES, NULL);
		pw_fact(&f, PW_ROOT, PW_IN_NAMESPACE, PW_NO, NULL);
		pw_checks_evaluate(&f, PW_ALL_ROWS, &v, NULL);
		assert_int_equal(v.error, EINVAL);
		assert_int_equal(v.failed->fact, gen == PW_GEN_6_1 ? PW_PARENT_SHARED : PW_IN_NAMESPACE);
	}
}

static void test_generation_of_release(void **state)
{
	(void) state;
	assert_int_equal(pw_generation_of("6.1.0-37-cloud-amd64"), PW_GEN_6_1);
	assert_int_equal(pw_generation_of("5.10.0-30-amd64"), PW_GEN_6_1);
	assert_int_equal(pw_generation_of("6.11.9"), PW_GEN_6_1);
	assert_int_equal(pw_generation_of("6.12.57+deb13-cloud-amd64"), PW_GEN_6_12);
	assert_int_equal(pw_generation_of("6.18.44-fc-v1272"), PW_GEN_6_12);
	assert_int_equal(pw_generation_of("7.0.0"), PW_GEN_7_0);
	assert_int_equal(pw_generation_of("7.2.13+deb14-cloud-amd64"), PW_GEN_7_0);
	assert_int_equal(pw_generation_of("nonsense"), PW_GEN_7_0);
}

/* An earlier row that cannot be told with another errno makes the
 * verdict uncertain, and says so; with the same errno it does not. */
static void test_unknown_before_failure(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;
	char *r;

	(void) state;
	all_pass(&f, PW_GEN_6_1);
	pw_fact(&f, PW_CALLER, PW_MAY_MOUNT, PW_UNKNOWN, NULL);
	pw_fact(&f, PW_ROOT, PW_HAS_PARENT, PW_NO, NULL);
	r = report(&f, &v);
	assert_false(v.unknown_same_error);
	assert_string_equal(last_line(r), "verdict: pivot_root would fail with EINVAL, or before that with EPERM "
			    "(an earlier check cannot be told)\n");
	free(r);

	all_pass(&f, PW_GEN_6_1);
	pw_fact(&f, PW_ROOT, PW_PARENT_SHARED, PW_UNKNOWN, NULL);
	pw_fact(&f, PW_ROOT, PW_HAS_PARENT, PW_NO, NULL);
	r = report(&f, &v);
	assert_true(v.unknown_same_error);
	assert_string_equal(last_line(r), "verdict: pivot_root would fail with EINVAL\n");
	free(r);

	all_pass(&f, PW_GEN_6_1);
	pw_fact(&f, PW_ROOT, PW_PARENT_SHARED, PW_UNKNOWN, NULL);
	r = report(&f, &v);
	assert_null(v.failed);
	assert_string_equal(last_line(r), "verdict: cannot tell\n");
	assert_non_null(strstr(r, "??    the parent of the current root's mount is not shared "
			       "{IS_MNT_SHARED(root_parent)} -> cannot tell (EINVAL if it fails)\n"));
	free(r);
}

/* The rows say what must hold, NEW_ROOT and PUT_OLD with their paths; a
 * fix keeps them as words; every byte a terminal or reader would take
 * for structure is escaped. */
static void test_row_text(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;
	char *r;

	(void) state;
	all_pass(&f, PW_GEN_6_12);
	f.path[PW_NEW] = "/a\nverdict: pivot_root would succeed";
	pw_fact(&f, PW_NEW, PW_MOUNT_ROOT, PW_NO, "mount 7");
	r = report(&f, &v);
	assert_non_null(strstr(r, "FAIL  NEW_ROOT /a\\012verdict: pivot_root would succeed is a mount point "
			       "{path_mounted(&new)} [mount 7] -> EINVAL; fix: mount --bind NEW_ROOT NEW_ROOT\n"));
	assert_string_equal(last_line(r), "verdict: pivot_root would fail with EINVAL\n");
	free(r);
}

/* Only the subjects asked about: the root's rows alone for the run. */
static void test_subjects(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	all_pass(&f, PW_GEN_6_1);
	pw_fact(&f, PW_CALLER, PW_MAY_MOUNT, PW_NO, NULL);
	pw_fact(&f, PW_NEW, PW_LOCKED, PW_YES, NULL);
	pw_checks_evaluate(&f, PW_ROOT_ROWS, &v, NULL);
	assert_null(v.failed);
	pw_checks_evaluate(&f, PW_CALLER_ROWS, &v, NULL);
	assert_int_equal(v.error, EPERM);
}

/* The kernel's answer to a trial settles what could not be told: all of
 * it on a yes; on EINVAL only the first, saying the trial cannot tell
 * which of them failed. */
static void test_settle(void **state)
{
	struct pw_facts f;
	struct pw_verdict v;

	(void) state;
	all_pass(&f, PW_GEN_6_1);
	pw_fact(&f, PW_ROOT, PW_PARENT_SHARED, PW_UNKNOWN, "hidden");
	pw_fact(&f, PW_ROOT, PW_HAS_PARENT, PW_UNKNOWN, NULL);
	pw_checks_settle(&f, PW_ROOT_ROWS, true, "trial: yes");
	assert_int_equal(f.value[PW_ROOT][PW_PARENT_SHARED], PW_NO);
	assert_int_equal(f.value[PW_ROOT][PW_HAS_PARENT], PW_YES);
	assert_string_equal(f.evidence[PW_ROOT][PW_PARENT_SHARED], "hidden; trial: yes");
	assert_string_equal(f.evidence[PW_ROOT][PW_HAS_PARENT], "trial: yes");

	all_pass(&f, PW_GEN_6_1);
	pw_fact(&f, PW_ROOT, PW_PARENT_SHARED, PW_UNKNOWN, NULL);
	pw_fact(&f, PW_ROOT, PW_HAS_PARENT, PW_UNKNOWN, NULL);
	pw_checks_settle(&f, PW_ROOT_ROWS, false, "trial: EINVAL");
	pw_checks_evaluate(&f, PW_ROOT_ROWS, &v, NULL);
	assert_int_equal(v.failed->fact, PW_PARENT_SHARED);
	assert_true(f.settled[PW_ROOT][PW_PARENT_SHARED]);
	assert_int_equal(f.value[PW_ROOT][PW_HAS_PARENT], PW_UNKNOWN);
	assert_non_null(strstr(f.evidence[PW_ROOT][PW_PARENT_SHARED], "the trial cannot say which"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_pass),
		cmocka_unit_test(test_each_row_alone),
		cmocka_unit_test(test_lookup_errno),
		cmocka_unit_test(test_ebusy_before_root_einval),
		cmocka_unit_test(test_generation_lookup_before_may_mount),
		cmocka_unit_test(test_generation_check_mnt_first),
		cmocka_unit_test(test_generation_of_release),
		cmocka_unit_test(test_unknown_before_failure),
		cmocka_unit_test(test_row_text),
		cmocka_unit_test(test_subjects),
		cmocka_unit_test(test_settle),
	};

	return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
