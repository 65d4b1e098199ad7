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
 * A message line: "prepare-root: " and the escaped text, then the parts
 * that follow, built in one buffer and written with one write(2).  stderr
 * is unbuffered, so writing it piece by piece would cost a system call per
 * piece, which is slow on a serial console and lets the lines of other
 * processes cut into ours.
 */
struct line {
	char buf[PW_ESCAPED_MAX(4096) + 1024];
	size_t len;
};

static void line_add(struct line *l, const char *s, bool escaped)
{
	char esc[PW_ESCAPED_MAX(4096)];
	size_t room = sizeof(l->buf) - 1 - l->len;	/* the last byte stays for '\n' */
	size_t n;

	if (escaped)
		s = pw_escape(esc, sizeof(esc), s);
	n = strlen(s);
	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void __attribute__((format(printf, 2, 0))) line_start(struct line *l, const char *fmt, va_list ap)
{
	char text[4096];

	vsnprintf(text, sizeof(text), fmt, ap);
	l->len = 0;
	line_add(l, PW_PROGRAM ": ", false);
	line_add(l, text, true);
}

static void line_write(struct line *l)
{
	l->buf[l->len++] = '\n';
	/* One fwrite on an unbuffered stream is one write(2) (glibc), or
	 * one writev(2) (musl). */
	fwrite(l->buf, 1, l->len, stderr);
}

void pw_verbose(const char *fmt, ...)
{
	struct line l;
	va_list ap;

	if (!verbose_enabled)
		return;
	va_start(ap, fmt);
	line_start(&l, fmt, ap);
	va_end(ap);
	line_write(&l);
}

void pw_error(int errnum, const char *hint, const char *fmt, ...)
{
	struct line l;
	va_list ap;

	va_start(ap, fmt);
	line_start(&l, fmt, ap);
	va_end(ap);
	if (errnum) {
		line_add(&l, ": ", false);
		line_add(&l, strerror(errnum), false);
	}
	if (hint) {
		line_add(&l, " (", false);
		line_add(&l, hint, true);
		line_add(&l, ")", false);
	}
	line_write(&l);
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
