/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages.  Everything prepare-root says goes to stderr, one line per event,
 * prefixed with the program name, so that it can be told apart from the
 * output of the command it runs.
 */
#ifndef PIVOTWRAP_LOG_H
#define PIVOTWRAP_LOG_H

#include <stdbool.h>
#include <stdio.h>

#define PW_PROGRAM "prepare-root"

void pw_log_set_verbose(bool verbose);
bool pw_log_verbose_enabled(void);

/* "prepare-root: <text>" when --verbose is on. */
void pw_verbose(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "prepare-root: <text>: <strerror(errnum)>" and, when hint is not NULL,
 * " (<hint>)", all on one line.  errnum 0 leaves the errno part out.
 */
void pw_error(int errnum, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Write @s with control characters and the backslash as octal escapes, the
 * way mountinfo writes them.  Paths come from the mount table and the
 * command line and may hold any byte but NUL: a newline in one must not
 * start a line of its own (a forged "verdict: ", say).
 */
void pw_put_escaped(FILE *out, const char *s);

/* The hint that fits a failed privileged call, or NULL. */
const char *pw_privilege_hint(int errnum);

#endif
