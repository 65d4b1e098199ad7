/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Masquerade: prepare-root installed as a link named after the program it
 * stands in for (runc, crun, ...), in a directory that comes first in PATH
 * or that an engine is configured to run.  Invoked so, it parses no option
 * (every argument is the real program's), re-roots when needed and then
 * executes the real program: the next one of that name in PATH that is not
 * prepare-root itself, with argv and the environment as they came.
 */
#ifndef PIVOTWRAP_MASQUERADE_H
#define PIVOTWRAP_MASQUERADE_H

#include <stdbool.h>
#include <stddef.h>

/* Options cannot be given in masquerade mode: this one, set to "1", is
 * --verbose there.  It is read, never removed: the real program gets it too. */
#define PW_MASQUERADE_VERBOSE_ENV "PREPARE_ROOT_VERBOSE"

/*
 * The name prepare-root is asked to act as: the last component of @argv0,
 * or NULL when that is prepare-root's own name (any name beginning with
 * "prepare-root", so that builds kept side by side as prepare-root-static
 * stay themselves), empty, or @argv0 is NULL (argc 0).
 */
const char *pw_masquerade_name(const char *argv0);

/* True when PREPARE_ROOT_VERBOSE=1 is in the environment. */
bool pw_masquerade_verbose(void);

/*
 * Find the real @name: the first regular file named @name in a PATH
 * directory (PATH unset: /bin:/usr/bin, as glibc's execvp(3) searches; an
 * empty entry is the working directory) that the caller may execute and
 * that is not the same file (device and inode, symlinks followed) as
 * prepare-root itself.  Its path, which always holds a '/', goes into @path.
 * Returns 0, or after one error line the exit status: 127 when there is no
 * such file, 125 when prepare-root cannot tell which file it is itself.
 */
int pw_masquerade_find(const char *name, char *path, size_t size);

/*
 * Execute @path with @argv as it is (argv[0] included) and the
 * environment.  Returns only on failure, with the exit status (126, or 127
 * when @path has gone) after one error line.
 */
int pw_masquerade_exec(const char *path, char *const argv[]);

#endif
