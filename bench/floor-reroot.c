/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor-reroot command [args...]: the system calls of prepare-root's
 * re-root of a root with no parent (the initramfs rootfs), and nothing
 * else: no facts gathered, no checks, no messages; then the exec.  Built
 * by the static build only, through lib/sys.c like prepare-root, so that
 * bench/vm.sh can tell what any re-root onto a copy of the root costs the
 * kernel from what prepare-root adds around it.  It is right only where
 * "/.." is the root's own mount (the rootfs): it is a measuring stick,
 * not a tool.
 */
#include "config.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>

#include "lib/sys.h"

int main(int argc, char *argv[])
{
	struct pw_mount_attr attr = { .propagation = MS_SLAVE };
	int anchor, tree;

	if (argc < 2 || pw_sys_unshare(CLONE_NEWNS) < 0)
		return 125;
	anchor = pw_sys_openat(AT_FDCWD, "/..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (anchor < 0 || pw_sys_mount_setattr(anchor, "", PW_AT_EMPTY_PATH | PW_AT_RECURSIVE, &attr) < 0)
		return 125;
	tree = pw_sys_open_tree(AT_FDCWD, "/", PW_OPEN_TREE_CLONE | PW_AT_RECURSIVE | O_CLOEXEC);
	if (tree < 0 || pw_sys_mount_setattr(tree, "", PW_AT_EMPTY_PATH | PW_AT_RECURSIVE, &attr) < 0 ||
	    pw_sys_move_mount(tree, "", anchor, "", PW_MOVE_MOUNT_F_EMPTY_PATH | PW_MOVE_MOUNT_T_EMPTY_PATH) < 0 ||
	    pw_sys_fchdir(tree) < 0 || pw_sys_chroot(".") < 0)
		return 125;
	pw_sys_execvp(argv[1], argv + 1);
	return 127;
}
