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

char *pw_escape(char *dst, size_t size, const char *s)
{
	size_t len = 0;

	if (size == 0)
		return dst;
	for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\') {
			if (len + 4 >= size)
				break;
			snprintf(dst + len, 5, "\\%03o", *p);
			len += 4;
		} else {
			if (len + 1 >= size)
				break;
			dst[len++] = (char) *p;
		}
	}
	dst[len] = '\0';
	return dst;
}

/*
 * One message line: "prepare-root: ", the escaped text, ": strerror" and
 * " (hint)", built in one buffer and written with one write(2).  stderr is
 * unbuffered, so writing it piece by piece would cost a system call per
 * piece, which is slow on a serial console and lets the lines of other
 * processes cut into ours.  (The buffer holds the longest parts.)
 */
static void __attribute__((format(printf, 1, 0))) say(const char *fmt, va_list ap, int errnum, const char *hint)
{
	char text[4096], esc[PW_ESCAPED_MAX(4096)], esc_hint[PW_ESCAPED_MAX(1024)];
	char line[sizeof(esc) + sizeof(esc_hint) + 256];
	int n;

	vsnprintf(text, sizeof(text), fmt, ap);
	n = snprintf(line, sizeof(line), PW_PROGRAM ": %s%s%s%s%s%s\n", pw_escape(esc, sizeof(esc), text),
		     errnum ? ": " : "", errnum ? strerror(errnum) : "", hint ? " (" : "",
		     hint ? pw_escape(esc_hint, sizeof(esc_hint), hint) : "", hint ? ")" : "");
	/* One fwrite on an unbuffered stream is one write(2) (glibc), or
	 * one writev(2) (musl). */
	if (n > 0 && (size_t) n < sizeof(line))
		fwrite(line, 1, (size_t) n, stderr);
}

void pw_verbose(const char *fmt, ...)
{
	va_list ap;

	if (!verbose_enabled)
		return;
	va_start(ap, fmt);
	say(fmt, ap, 0, NULL);
	va_end(ap);
}

void pw_error(int errnum, const char *hint, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap, errnum, hint);
	va_end(ap);
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

const char *pw_errno_name(int errnum)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" }, { ENOENT, "ENOENT" }, { EINTR, "EINTR" }, { EIO, "EIO" },
		{ ENOMEM, "ENOMEM" }, { EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ ENOTDIR, "ENOTDIR" }, { EINVAL, "EINVAL" }, { ENAMETOOLONG, "ENAMETOOLONG" },
		{ ELOOP, "ELOOP" }, { ENOSYS, "ENOSYS" }, { EOVERFLOW, "EOVERFLOW" },
		{ ESTALE, "ESTALE" }, { ENXIO, "ENXIO" }, { ENODEV, "ENODEV" },
	};
	static char other[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == errnum)
			return names[i].name;
	snprintf(other, sizeof(other), "errno %d", errnum);
	return other;
}
