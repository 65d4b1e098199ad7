/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages, --check's and --explain's lines escape every byte a terminal or a reader of
 * the output would take for structure: all control characters (\n, \r,
 * ESC...), DEL, and the backslash that starts an escape.  Everything else,
 * UTF-8 included, passes unchanged.
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

#include "lib/log.h"
#include "capture.h"

static char *escaped(const char *s)
{
	char *buf = malloc(PW_ESCAPED_MAX(strlen(s)));

	assert_non_null(buf);
	return pw_escape(buf, PW_ESCAPED_MAX(strlen(s)), s);
}

/* Every byte, one at a time, against the rule stated above. */
static void test_every_byte(void **state)
{
	(void) state;
	for (int c = 1; c < 256; c++) {
		char in[2] = { (char) c, '\0' }, expected[8];
		char *got;

		if (c < 0x20 || c == 0x7f || c == '\\')
			snprintf(expected, sizeof(expected), "\\%03o", c);
		else
			snprintf(expected, sizeof(expected), "%c", c);
		got = escaped(in);
		if (strcmp(got, expected) != 0)
			fail_msg("byte %#04x: expected \"%s\", got \"%s\"", c, expected, got);
		free(got);
	}
}

/* A path that tries to forge a line, a carriage return, a colour and a
 * fake escape: one line, and the escapes can be told from the original. */
static void test_forged_line(void **state)
{
	char *got;

	(void) state;
	got = escaped("/a\nverdict: ok\r\x1b[31m\\012\x7f");
	assert_string_equal(got, "/a\\012verdict: ok\\015\\033[31m\\134012\\177");
	free(got);
}

/* pw_error: message, strerror, hint, on one line, escaped. */
static void test_error_line(void **state)
{
	(void) state;
	capture_stderr_start();
	pw_error(EPERM, pw_privilege_hint(EPERM), "cannot do %s", "x\ny");
	assert_string_equal(capture_stderr_end(),
		"prepare-root: cannot do x\\012y: Operation not permitted "
		"(prepare-root needs CAP_SYS_ADMIN: run it as root)\n");
	assert_null(pw_privilege_hint(EACCES));
	assert_string_equal(pw_privilege_hint(ENOSYS), "the kernel lacks this system call");
}

/* Cut short, never in the middle of an escape. */
static void test_escape_cut_short(void **state)
{
	char buf[7];

	(void) state;
	assert_string_equal(pw_escape(buf, sizeof(buf), "ab\ncd"), "ab\\012");
	assert_string_equal(pw_escape(buf, 4, "ab\ncd"), "ab");
	assert_string_equal(pw_escape(buf, 1, "abc"), "");
}

/* --verbose only when asked. */
static void test_verbose_only_when_enabled(void **state)
{
	(void) state;
	pw_log_set_verbose(false);
	capture_stderr_start();
	pw_verbose("step %d", 1);
	assert_string_equal(capture_stderr_end(), "");
	pw_log_set_verbose(true);
	capture_stderr_start();
	pw_verbose("step %d", 2);
	assert_string_equal(capture_stderr_end(), "prepare-root: step 2\n");
	pw_log_set_verbose(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_forged_line),
		cmocka_unit_test(test_escape_cut_short),
		cmocka_unit_test(test_error_line),
		cmocka_unit_test(test_verbose_only_when_enabled),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
