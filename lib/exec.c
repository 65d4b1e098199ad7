/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>

#include "exec.h"
#include "log.h"
#include "sys.h"

int pw_exec(const char *file, char *const argv[])
{
	int err;

	pw_verbose("exec %s", file);
	pw_sys_execvp(file, argv);
	err = errno;
	pw_error(err, NULL, "failed to execute '%s'", file);
	return err == ENOENT ? PW_EXIT_ENOENT : PW_EXIT_CANNOT_INVOKE;
}
