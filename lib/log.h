/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages.  Everything prepare-root says about itself goes to stderr, one
 * line per event, prefixed with the program name, so that it can be told
 * apart from the output of the command it runs.  Each line is written with
 * one write(2).  The reports of --check and --explain are output, on stdout.
 */
#ifndef PIVOTWRAP_LOG_H
#define PIVOTWRAP_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define PW_PROGRAM "prepare-root"

/* The size pw_escape() needs for @n bytes of text: each may become \ooo. */
#define PW_ESCAPED_MAX(n) (4 * (n) + 1)

void pw_log_set_verbose(bool verbose);

/* "prepare-root: <text>" when --verbose is on. */
void pw_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "prepare-root: <text>: <strerror(errnum)>" and, when hint is not NULL,
 * " (<hint>)", all on one line, always.  errnum 0 leaves the errno part
 * out: pw_error(0, NULL, ...) is a plain message.
 */
void pw_error(int errnum, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Control characters and the backslash as octal escapes, the way mountinfo
 * writes them, into @dst (cut short when @size is too small); returns @dst.
 * Paths come from the mount table and the command line and may hold any
 * byte but NUL: a newline in one must not start a line of its own (a forged
 * "verdict: ", say), nor an escape sequence reach a terminal.  Every line
 * prepare-root prints, on stdout or stderr, goes through this one escaper.
 */
char *pw_escape(char *dst, size_t size, const char *s);

/* The hint that fits a failed privileged call, or NULL. */
const char *pw_privilege_hint(int errnum);

/* "EINVAL" for EINVAL: the name the kernel's source and the man pages use. */
const char *pw_errno_name(int errnum);

#endif
