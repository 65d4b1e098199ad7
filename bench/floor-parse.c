/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-parse command [args...]: read /proc/self/mountinfo through
 * libmount exactly as prepare-root does before Linux 6.8 (lib/mounts.c,
 * pw_table_read), then exec; nothing else.  Built by the static build
 * only, for bench/vm.sh: what the mount table costs on a kernel without
 * statmount(2), told apart from the rest of prepare-root.
 */
#include "config.h"

#include "lib/mounts.h"
#include "lib/sys.h"

int main(int argc, char *argv[])
{
	struct pw_table *t;

	if (argc < 2 || !(t = pw_table_read(pw_mountinfo)))
		return 125;
	pw_table_free(t);
	pw_sys_execvp(argv[1], argv + 1);
	return 127;
}
