/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <stdio.h>

#include <sys/auxv.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys.h"

int pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx)
{
	/* No automount, no sync with a remote server: only mount
	 * identity is wanted. */
	return (int) syscall(SYS_statx, AT_FDCWD, path,
			     PW_AT_NO_AUTOMOUNT | PW_AT_STATX_DONT_SYNC, mask, stx);
}

int pw_sys_fstatx(int fd, unsigned int mask, struct pw_statx *stx)
{
	return (int) syscall(SYS_statx, fd, "", PW_AT_EMPTY_PATH | PW_AT_STATX_DONT_SYNC, mask, stx);
}

int pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize)
{
	struct pw_mnt_id_req req = {
		.size = PW_MNT_ID_REQ_SIZE_VER0,
		.mnt_id = mnt_id,
		.param = mask,
	};

	return (int) syscall(SYS_statmount, &req, buf, bufsize, 0);
}

int pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2])
{
	return (int) syscall(SYS_capget, header, data);
}

int pw_sys_unshare(int flags)
{
	return unshare(flags);
}

int pw_sys_mount(const char *source, const char *target, const char *fstype,
		 unsigned long flags, const void *data)
{
	return mount(source, target, fstype, flags, data);
}

int pw_sys_open_tree(const char *path, unsigned int flags)
{
	return (int) syscall(SYS_open_tree, AT_FDCWD, path, flags);
}

int pw_sys_move_mount(int from_fd, const char *to_path)
{
	return (int) syscall(SYS_move_mount, from_fd, "", AT_FDCWD, to_path, PW_MOVE_MOUNT_F_EMPTY_PATH);
}

int pw_sys_fchdir(int fd)
{
	return fchdir(fd);
}

int pw_sys_close(int fd)
{
	return close(fd);
}

int pw_sys_chdir(const char *path)
{
	return chdir(path);
}

int pw_sys_chroot(const char *path)
{
	return chroot(path);
}

int pw_sys_umount2(const char *path, int flags)
{
	return umount2(path, flags);
}

int pw_sys_kernel_release(char *buf, size_t size)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -1;
	snprintf(buf, size, "%s", u.release);
	return 0;
}

int pw_sys_userns_of(const char *ns_file, struct pw_statx *stx)
{
	/* NS_GET_USERNS, _IO(0xb7, 0x1): Linux 4.9 */
	int fd = open(ns_file, O_RDONLY | O_CLOEXEC), userns, rc, err;

	if (fd < 0)
		return -1;
	userns = ioctl(fd, _IO(0xb7, 0x1));
	err = errno;
	close(fd);
	if (userns < 0) {
		errno = err;
		return -1;
	}
	rc = pw_sys_fstatx(userns, PW_STATX_INO, stx);
	err = errno;
	close(userns);
	errno = err;
	return rc;
}

char *pw_sys_getcwd(char *buf, size_t size)
{
	return getcwd(buf, size);
}

int pw_sys_execvp(const char *file, char *const argv[])
{
	return execvp(file, argv);
}

/* What the probe's child sends back: the step it stopped at and its errno. */
struct probe_answer {
	int step;
	int err;
};

/* The child's last words: the step it stopped at, errno, and _exit(). */
static void __attribute__((noreturn)) probe_answer(int fd, int step)
{
	struct probe_answer a = { step, errno };

	if (write(fd, &a, sizeof(a)) != (ssize_t) sizeof(a))
		_exit(2);
	_exit(0);
}

static void __attribute__((noreturn)) probe_child(int fd)
{
	/* Only system calls here: the child of a fork must not touch stdio
	 * or the heap it shares a copy of, and leaves with _exit(). */
	if (unshare(CLONE_NEWNS) < 0)
		probe_answer(fd, PW_PROBE_UNSHARE);
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		probe_answer(fd, PW_PROBE_MAKE_SLAVE);
	/* A mount of our own as NEW_ROOT, as a runtime brings its bundle's
	 * rootfs: only the current root is on trial. */
	if (mount("pivotwrap-probe", "/", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0700") < 0)
		probe_answer(fd, PW_PROBE_NEW_MOUNT);
	if (chdir("/..") < 0)
		probe_answer(fd, PW_PROBE_ENTER);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		probe_answer(fd, PW_PROBE_PIVOT_ROOT);
	errno = 0;
	probe_answer(fd, PW_PROBE_PIVOT_ROOT);
}

/* In a mount namespace of its own, as the re-root would: can "/" be copied? */
static void __attribute__((noreturn)) copy_probe_child(int fd)
{
	if (unshare(CLONE_NEWNS) < 0)
		probe_answer(fd, PW_PROBE_UNSHARE);
	if (syscall(SYS_open_tree, AT_FDCWD, "/", PW_OPEN_TREE_CLONE | PW_AT_RECURSIVE | O_CLOEXEC) < 0)
		probe_answer(fd, PW_PROBE_NEW_MOUNT);
	errno = 0;
	probe_answer(fd, PW_PROBE_NEW_MOUNT);
}

static int run_probe(void (*child)(int fd), enum pw_probe_step *step)
{
	struct probe_answer a = { PW_PROBE_FORK, 0 };
	int fds[2];
	pid_t pid;
	ssize_t n;

	*step = PW_PROBE_FORK;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		a.err = errno;
		close(fds[0]);
		close(fds[1]);
		errno = a.err;
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(fds[1]);
		_exit(2);
	}
	close(fds[1]);
	do
		n = read(fds[0], &a, sizeof(a));
	while (n < 0 && errno == EINTR);
	close(fds[0]);
	/* With SIGCHLD ignored the child reaps itself: ECHILD is fine. */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != (ssize_t) sizeof(a)) {
		*step = PW_PROBE_FORK;
		errno = ECHILD;
		return -1;
	}
	*step = (enum pw_probe_step) a.step;
	errno = a.err;
	return a.err ? -1 : 0;
}

int pw_sys_pivot_probe(enum pw_probe_step *step)
{
	return run_probe(probe_child, step);
}

int pw_sys_copy_probe(void)
{
	enum pw_probe_step step;

	return run_probe(copy_probe_child, &step);
}

unsigned long pw_sys_getauxval(unsigned long type)
{
	return getauxval(type);
}

int pw_sys_access(const char *path, int mode)
{
	return access(path, mode);
}
