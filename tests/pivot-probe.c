/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pivot-probe: ask the kernel what a container runtime would get.
 *
 *   pivot-probe [--ls] NEW_ROOT     do what crun/runc do, print the answer
 *   pivot-probe --ls                list "/" (name, device, inode), sorted
 *   pivot-probe --mountinfo FD      print FD/self/mountinfo (FD: a /proc
 *                                   opened outside a chroot that has none)
 *   pivot-probe --unshare [--map-root FD] CMD...
 *                                   run CMD in a new mount namespace (and
 *                                   user namespace, root mapped to our
 *                                   IDs, written through the /proc at FD),
 *                                   propagation left as it is
 *   pivot-probe --nobody CMD...    run CMD as user and group 65534, with no
 *                                   supplementary group and no capability
 *   pivot-probe --chroot-fd FD CMD...
 *                                   run CMD with the directory open at FD
 *                                   as its root (fchdir + chroot ".": the
 *                                   directory itself even where a mount
 *                                   now covers it)
 *
 * The runtime's sequence, each step checked, stopping at the first failure:
 *   unshare(CLONE_NEWNS)                       a mount namespace of its own
 *   mount(NULL, "/", MS_REC|MS_SLAVE)          runc's default rootfsPropagation
 *   mount(NEW_ROOT, NEW_ROOT, MS_BIND|MS_REC)  the bundle's rootfs
 *   chdir(NEW_ROOT)
 *   pivot_root(".", ".")
 *   umount2(".", MNT_DETACH)                   the old root, stacked under "."
 * then checks that "/" is now NEW_ROOT (device and inode).
 *
 * Prints one line "pivot-probe: ok" (exit 0) or
 * "pivot-probe: failed: STEP: ERRNO (message)" (exit 1); 2 for misuse.
 * The first step is unshare, and nothing is done if it fails, so the caller's
 * mount namespace never changes: everything after happens in the probe's
 * own namespace, which goes away when it exits.
 *
 * With --ls, the listing of "/" is printed first, before anything changes:
 * run as "prepare-root -- pivot-probe --ls NEW_ROOT" it shows the root the
 * command was given, to compare with the caller's "pivot-probe --ls".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <grp.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case ENOSPC: return "ENOSPC";
	case EROFS: return "EROFS";
	case ELOOP: return "ELOOP";
	case ENOSYS: return "ENOSYS";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	}
	return "E?";
}

static int fail(const char *step, int e)
{
	printf("pivot-probe: failed: %s: %s (%s)\n", step, errno_name(e), strerror(e));
	return 1;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp((const char *) a, (const char *) b);
}

/* Every entry of "/" with the device and inode a lookup finds (so a mount
 * point shows the mounted root), sorted by name; "." is "/" itself.  A
 * test root holds a few dozen entries: more is an error, not a guess. */
static int list_root(void)
{
	static char names[1024][NAME_MAX + 1];
	DIR *dir = opendir("/");
	struct dirent *e;
	size_t n = 0;
	struct stat st;

	if (!dir) {
		perror("pivot-probe: opendir /");
		return 2;
	}
	while ((e = readdir(dir))) {
		if (strcmp(e->d_name, "..") == 0)
			continue;
		if (n == sizeof(names) / sizeof(names[0])) {
			fprintf(stderr, "pivot-probe: more than %zu entries in /\n", n);
			closedir(dir);
			return 2;
		}
		snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (size_t i = 0; i < n; i++) {
		char path[NAME_MAX + 2];

		snprintf(path, sizeof(path), "/%.*s", NAME_MAX, strcmp(names[i], ".") == 0 ? "" : names[i]);
		if (lstat(path, &st) != 0)
			printf("ls: %s ? ?\n", names[i]);
		else
			printf("ls: %s %u:%u %llu\n", names[i], major(st.st_dev), minor(st.st_dev),
			       (unsigned long long) st.st_ino);
	}
	return 0;
}

static int print_mountinfo(const char *fdarg)
{
	char buf[8192];
	ssize_t r;
	int fd;

	fd = openat(atoi(fdarg), "self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("pivot-probe: openat FD self/mountinfo");
		return 2;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t) r, stdout) != (size_t) r)
			return 2;
	close(fd);
	return r < 0 ? 2 : 0;
}

static int write_at(int dirfd, const char *file, const char *text)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t) strlen(text) ? 0 : -1;
}

/* unshare(1) of busybox 1.35 cannot leave the propagation as it is
 * ("--propagation unchanged" fails), and the matrix needs it unchanged:
 * a shared mount must stay the peer of the one outside. */
static int enter(int proc_fd, char *argv[])
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWNS | (proc_fd >= 0 ? CLONE_NEWUSER : 0)) != 0) {
		perror("pivot-probe: unshare");
		return 2;
	}
	if (proc_fd >= 0) {
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned) uid);
		if (write_at(proc_fd, "self/setgroups", "deny") != 0 ||
		    write_at(proc_fd, "self/uid_map", map) != 0) {
			perror("pivot-probe: uid_map");
			return 2;
		}
		snprintf(map, sizeof(map), "0 %u 1\n", (unsigned) gid);
		if (write_at(proc_fd, "self/gid_map", map) != 0) {
			perror("pivot-probe: gid_map");
			return 2;
		}
	}
	execvp(argv[0], argv);
	perror("pivot-probe: exec");
	return 2;
}

static int chroot_fd(int fd, char *argv[])
{
	if (fchdir(fd) != 0 || chroot(".") != 0 || chdir("/") != 0) {
		perror("pivot-probe: chroot");
		return 2;
	}
	close(fd);
	execvp(argv[0], argv);
	perror("pivot-probe: exec");
	return 2;
}

static int probe(const char *new_root)
{
	struct stat want, got;

	if (stat(new_root, &want) != 0)
		return fail("stat NEW_ROOT", errno);
	if (unshare(CLONE_NEWNS) != 0)
		return fail("unshare", errno);
	/* From here on, only the probe's own namespace changes. */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) != 0)
		return fail("make-rslave", errno);
	if (mount(new_root, new_root, NULL, MS_BIND | MS_REC, NULL) != 0)
		return fail("bind", errno);
	if (chdir(new_root) != 0)
		return fail("chdir", errno);
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		return fail("pivot_root", errno);
	if (umount2(".", MNT_DETACH) != 0)
		return fail("umount", errno);
	if (chdir("/") != 0)
		return fail("chdir /", errno);
	if (stat("/", &got) != 0)
		return fail("stat /", errno);
	if (got.st_dev != want.st_dev || got.st_ino != want.st_ino) {
		printf("pivot-probe: failed: verify: / is %u:%u %llu, not NEW_ROOT %u:%u %llu\n",
		       major(got.st_dev), minor(got.st_dev), (unsigned long long) got.st_ino,
		       major(want.st_dev), minor(want.st_dev), (unsigned long long) want.st_ino);
		return 1;
	}
	printf("pivot-probe: ok\n");
	return 0;
}

/* CMD as nobody (65534), no supplementary groups, no capabilities: what
 * an ordinary user's runtime gets (busybox has no setpriv --reuid). */
static int as_nobody(char *argv[])
{
	if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0) {
		perror("pivot-probe: --nobody");
		return 125;
	}
	execvp(argv[0], argv);
	perror("pivot-probe: exec");
	return 127;
}

int main(int argc, char *argv[])
{
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--mountinfo") == 0)
		return print_mountinfo(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "--chroot-fd") == 0)
		return chroot_fd(atoi(argv[2]), argv + 3);
	if (argc >= 3 && strcmp(argv[1], "--unshare") == 0) {
		if (argc >= 5 && strcmp(argv[2], "--map-root") == 0)
			return enter(atoi(argv[3]), argv + 4);
		return enter(-1, argv + 2);
	}
	if (argc >= 3 && strcmp(argv[1], "--nobody") == 0)
		return as_nobody(argv + 2);
	if (argc >= 2 && strcmp(argv[1], "--ls") == 0) {
		rc = list_root();
		if (rc != 0 || argc == 2)
			return rc;
		argv++;
		argc--;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: pivot-probe [--ls] NEW_ROOT | --ls | --mountinfo FD\n", stderr);
		return 2;
	}
	return probe(argv[1]);
}
