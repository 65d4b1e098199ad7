/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pw_exec(): the exit statuses and messages of env(1) and chroot(1). */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "lib/exec.h"
#include "capture.h"
#include "fake-kernel.h"

static void expect_exec_failure(int err, int status, const char *message)
{
	char *argv[] = { "some-command", "arg", NULL };

	fake_reset();
	fake.execvp_errno = err;
	capture_stderr_start();
	assert_int_equal(pw_exec(argv[0], argv), status);
	assert_string_equal(capture_stderr_end(), message);
}

static void test_not_found(void **state)
{
	(void) state;
	expect_exec_failure(ENOENT, PW_EXIT_ENOENT,
		"prepare-root: failed to execute 'some-command': No such file or directory\n");
}

static void test_not_executable(void **state)
{
	(void) state;
	expect_exec_failure(EACCES, PW_EXIT_CANNOT_INVOKE,
		"prepare-root: failed to execute 'some-command': Permission denied\n");
}

static void test_bad_format(void **state)
{
	(void) state;
	expect_exec_failure(ENOEXEC, PW_EXIT_CANNOT_INVOKE,
		"prepare-root: failed to execute 'some-command': Exec format error\n");
}

static void test_exit_codes_are_envs(void **state)
{
	(void) state;
	assert_int_equal(PW_EXIT_YES, 0);
	assert_int_equal(PW_EXIT_NO, 1);
	assert_int_equal(PW_EXIT_FAILURE, 125);
	assert_int_equal(PW_EXIT_CANNOT_INVOKE, 126);
	assert_int_equal(PW_EXIT_ENOENT, 127);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_not_executable),
		cmocka_unit_test(test_bad_format),
		cmocka_unit_test(test_exit_codes_are_envs),
	};

	return cmocka_run_group_tests_name("exec", tests, NULL, NULL);
}
