/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the real program behind a link to prepare-root.
 *
 * The link and the real program have the same name, and there may be more
 * than one link (a second directory of them in PATH, a hard link): names
 * tell nothing.  A candidate is prepare-root itself when it is the same file,
 * device and inode after following symlinks, as the one running.  Which file
 * that is has two witnesses, and a candidate that matches either is skipped:
 *
 *  - AT_EXECFN, the path execve(2) was given, looked up again now.  It needs
 *    no /proc (an initramfs /init may not have mounted it yet), and it goes
 *    through the same names the PATH candidates go through: after a package
 *    upgrade has replaced prepare-root, it and the links still agree.
 *  - /proc/self/exe, the file the kernel runs.  It needs /proc, but holds
 *    when AT_EXECFN names nothing any more: fexecve(3) passes "/dev/fd/N" of
 *    a descriptor that was closed on exec, and a path can be renamed.
 *
 * With neither, a link could be taken for the real program and prepare-root
 * would execute itself again and again: it refuses instead.
 *
 * A copy of prepare-root (not a link) under the name is a different file and
 * is not recognised; two copies in PATH would run each other.  Install links.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec.h"
#include "log.h"
#include "masquerade.h"
#include "sys.h"

/* STATX_TYPE | STATX_MODE, include/uapi/linux/stat.h */
#define MASQ_STATX_TYPE_MODE  0x00000003U
#define MASQ_STATX_WANTED     (MASQ_STATX_TYPE_MODE | PW_STATX_INO)

/* glibc's execvp(3) searches this when PATH is unset. */
#define MASQ_DEFAULT_PATH "/bin:/usr/bin"

#define SELF_PREFIX "prepare-root"

struct file_id {
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	uint16_t mode;
};

const char *pw_masquerade_name(const char *argv0)
{
	const char *name;

	if (!argv0)
		return NULL;
	name = strrchr(argv0, '/');
	name = name ? name + 1 : argv0;
	if (*name == '\0' || strncmp(name, SELF_PREFIX, strlen(SELF_PREFIX)) == 0)
		return NULL;
	return name;
}

bool pw_masquerade_verbose(void)
{
	const char *v = getenv(PW_MASQUERADE_VERBOSE_ENV);

	return v && strcmp(v, "1") == 0;
}

/* 0, or -1 with errno set; a file system that cannot say its inode number
 * is ENODATA: it cannot be told apart from prepare-root. */
static int file_id_of(const char *path, struct file_id *id)
{
	struct pw_statx stx;

	if (pw_sys_statx(path, MASQ_STATX_WANTED, &stx) < 0)
		return -1;
	if ((stx.stx_mask & MASQ_STATX_WANTED) != MASQ_STATX_WANTED) {
		errno = ENODATA;
		return -1;
	}
	id->dev_major = stx.stx_dev_major;
	id->dev_minor = stx.stx_dev_minor;
	id->ino = stx.stx_ino;
	id->mode = stx.stx_mode;
	return 0;
}

static bool same_file(const struct file_id *a, const struct file_id *b)
{
	return a->dev_major == b->dev_major && a->dev_minor == b->dev_minor && a->ino == b->ino;
}

/* The witnesses of which file prepare-root is (see the top of this file);
 * returns how many could be looked up. */
static int self_ids(struct file_id self[2])
{
	const char *execfn = (const char *) pw_sys_getauxval(AT_EXECFN);
	int n = 0;

	if (execfn && file_id_of(execfn, &self[n]) == 0)
		n++;
	else
		pw_verbose("masquerade: AT_EXECFN %s: %s", execfn ? execfn : "(none)",
			   execfn ? strerror(errno) : "not in the auxiliary vector");
	if (file_id_of("/proc/self/exe", &self[n]) == 0)
		n++;
	else
		pw_verbose("masquerade: /proc/self/exe: %s", strerror(errno));
	return n;
}

/* Is @candidate the real program?  Says why not with --verbose. */
static bool usable(const char *candidate, const struct file_id self[], int nself)
{
	struct file_id id;

	if (file_id_of(candidate, &id) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			pw_verbose("masquerade: skipping %s: %s", candidate, strerror(errno));
		return false;
	}
	for (int i = 0; i < nself; i++) {
		if (same_file(&id, &self[i])) {
			pw_verbose("masquerade: skipping %s: it is prepare-root itself", candidate);
			return false;
		}
	}
	if (!S_ISREG(id.mode)) {
		pw_verbose("masquerade: skipping %s: not a regular file", candidate);
		return false;
	}
	/* prepare-root refuses to run set-ID, so the real and effective IDs
	 * are the same and access(2) answers for execve(2); it also says no
	 * on a noexec mount, as execve(2) would. */
	if (pw_sys_access(candidate, X_OK) < 0) {
		pw_verbose("masquerade: skipping %s: not executable: %s", candidate, strerror(errno));
		return false;
	}
	return true;
}

int pw_masquerade_find(const char *name, char *path, size_t size)
{
	struct file_id self[2];
	const char *search = getenv("PATH");
	const char *dir, *end;
	int nself, len;

	nself = self_ids(self);
	if (nself == 0) {
		pw_error(0, "run it by a path that names it, or mount /proc",
			 "%s: cannot tell which file prepare-root itself is (neither AT_EXECFN nor /proc/self/exe can be looked up), so cannot skip it in PATH",
			 name);
		return PW_EXIT_FAILURE;
	}
	if (!search)
		search = MASQ_DEFAULT_PATH;
	for (dir = search;; dir = end + 1) {
		end = strchrnul(dir, ':');
		/* An empty entry is the working directory; "./" keeps a '/'
		 * in the path, so that execvp(3) does not search again. */
		if (end == dir)
			len = snprintf(path, size, "./%s", name);
		else
			len = snprintf(path, size, "%.*s/%s", (int) (end - dir), dir, name);
		if (len < 0 || (size_t) len >= size)
			pw_verbose("masquerade: skipping %.*s: the path is too long", (int) (end - dir), dir);
		else if (usable(path, self, nself)) {
			pw_verbose("masquerade: %s is %s", name, path);
			return 0;
		}
		if (*end == '\0')
			break;
	}
	pw_error(0, "install it, or add its directory to PATH",
		 "%s: not found in PATH=%s, other than prepare-root itself", name, search);
	return PW_EXIT_ENOENT;
}

int pw_masquerade_exec(const char *path, char *const argv[])
{
	int err;

	pw_verbose("exec %s", path);
	pw_sys_execvp(path, argv);
	err = errno;
	pw_error(err, NULL, "failed to execute '%s'", path);
	return err == ENOENT ? PW_EXIT_ENOENT : PW_EXIT_CANNOT_INVOKE;
}
