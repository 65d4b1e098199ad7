/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static bool verbose_enabled;

void pw_log_set_verbose(bool verbose)
{
	verbose_enabled = verbose;
}

bool pw_log_verbose_enabled(void)
{
	return verbose_enabled;
}

void pw_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!verbose_enabled)
		return;
	va_start(ap, fmt);
	fputs(PW_PROGRAM ": ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void pw_error(int errnum, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs(PW_PROGRAM ": ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	if (hint)
		fprintf(stderr, " (%s)", hint);
	fputc('\n', stderr);
}

const char *pw_privilege_hint(int errnum)
{
	switch (errnum) {
	case EPERM:
		return "prepare-root needs CAP_SYS_ADMIN: run it as root";
	case ENOSYS:
		return "the kernel lacks this system call";
	default:
		return NULL;
	}
}
