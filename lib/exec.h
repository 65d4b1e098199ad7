/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef PIVOTWRAP_EXEC_H
#define PIVOTWRAP_EXEC_H

/*
 * prepare-root's exit statuses, all of them: the command's own once it runs;
 * before that, those of env(1) and chroot(1).  --check and --explain answer
 * with PW_EXIT_YES (the root, or the pivot_root, is fine), PW_EXIT_NO, or
 * PW_EXIT_FAILURE (cannot tell, or cannot be helped).
 */
#define PW_EXIT_YES            0
#define PW_EXIT_NO             1
#define PW_EXIT_FAILURE        125	/* prepare-root itself failed */
#define PW_EXIT_CANNOT_INVOKE  126	/* found, but could not be executed */
#define PW_EXIT_ENOENT         127	/* not found */

/*
 * Replace the process with @file (searched in PATH like execvp(3) when it
 * holds no '/') and @argv as it is, argv[0] included: same PID, environment,
 * open file descriptors.  Returns only on failure, with the exit status to
 * use after printing one error line.
 */
int pw_exec(const char *file, char *const argv[]);

#endif
