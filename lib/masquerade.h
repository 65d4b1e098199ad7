/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Masquerade: prepare-root installed as a link named after the program it
 * stands in for (runc, crun, ...), in a directory that comes first in PATH
 * or that an engine is configured to run.  Invoked so, it parses no option
 * (every argument is the real program's), re-roots when needed and then
 * executes the real program: the next one of that name in PATH that is not
 * a prepare-root, with argv and the environment as they came.
 */
#ifndef PIVOTWRAP_MASQUERADE_H
#define PIVOTWRAP_MASQUERADE_H

#include <stdbool.h>
#include <stddef.h>

/* Options cannot be given in masquerade mode: this one, set to "1", is
 * --verbose there.  It is read, never removed: the real program gets it too. */
#define PW_MASQUERADE_VERBOSE_ENV "PREPARE_ROOT_VERBOSE"

/*
 * The name prepare-root was invoked under: the last component of @argv0,
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
 * that is not a prepare-root: not a file that carries the ELF note every
 * build of prepare-root carries, whether a link to this one, a copy, or
 * another version.  Its path, which always holds a '/', goes into @path.
 * Returns 0, or -1 when there is none.
 */
int pw_masquerade_find(const char *name, char *path, size_t size);

/*
 * When no real @name exists: true if @name is one of the runtimes
 * prepare-root is installed to stand in for (then that is an error: 127),
 * false if prepare-root was only renamed (then it is prepare-root).
 */
bool pw_masquerade_meant(const char *name);

/* Whether the file open at @fd is a build of prepare-root (the note). */
bool pw_is_prepare_root(int fd);

#endif
