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

void pw_put_escaped(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			fprintf(out, "\\%03o", *p);
		else
			fputc(*p, out);
	}
}

/* Messages name paths and commands: one line each, whatever they hold. */
static void __attribute__((format(printf, 1, 0))) put_message(const char *fmt, va_list ap)
{
	char buf[4096];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	fputs(PW_PROGRAM ": ", stderr);
	pw_put_escaped(stderr, buf);
}

void pw_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!verbose_enabled)
		return;
	va_start(ap, fmt);
	put_message(fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void pw_error(int errnum, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_message(fmt, ap);
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
