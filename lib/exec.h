/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PIVOTWRAP_EXEC_H
#define PIVOTWRAP_EXEC_H

/* Exit statuses for a command that could not be run, as env(1) and
 * chroot(1) use them. */
#define PW_EXIT_FAILURE        125	/* prepare-root itself failed */
#define PW_EXIT_CANNOT_INVOKE  126	/* found, but could not be executed */
#define PW_EXIT_ENOENT         127	/* not found */

/*
 * Replace the process with argv[0], searched in PATH like execvp(3): same
 * PID, environment, open file descriptors.  Returns only on failure, with the
 * exit status to use after printing one error line.
 */
int pw_exec(char *const argv[]);

#endif
