/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>

#include "exec.h"
#include "log.h"
#include "sys.h"

int pw_exec(char *const argv[])
{
	int err;

	pw_verbose("exec %s", argv[0]);
	pw_sys_execvp(argv[0], argv);
	err = errno;
	pw_error(err, NULL, "failed to execute '%s'", argv[0]);
	return err == ENOENT ? PW_EXIT_ENOENT : PW_EXIT_CANNOT_INVOKE;
}
