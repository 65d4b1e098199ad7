/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/masquerade.c against a fake file system: which file is prepare-root
 * itself, and which PATH entry is the real program.  The fakes replace
 * pw_sys_statx, pw_sys_getauxval, pw_sys_access and pw_sys_execvp
 * (-Wl,--wrap); the CLI suite (tests/cli/masquerade.bats) does it for real.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/exec.h"
#include "lib/log.h"
#include "lib/masquerade.h"
#include "lib/sys.h"

#include "capture.h"

/* --- the fake file system ------------------------------------------------ */

struct fake_file {
	const char *path;
	uint32_t dev_minor;
	uint64_t ino;
	uint16_t mode;
	int access_errno;	/* what access(X_OK) says; 0: allowed */
	int statx_errno;	/* statx fails so; 0: it works */
	uint32_t mask;		/* what statx fills; 0: everything asked */
};

static struct fake_file files[16];
static int nfiles;
static const char *execfn;
static char statx_log[1024];	/* statx'ed paths, each followed by a space */
static const char *exec_file;
static char *const *exec_argv;
static int exec_errno;

unsigned long __wrap_pw_sys_getauxval(unsigned long type);
int __wrap_pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx);
int __wrap_pw_sys_access(const char *path, int mode);
int __wrap_pw_sys_execvp(const char *file, char *const argv[]);

static void reset(void)
{
	nfiles = 0;
	execfn = NULL;
	statx_log[0] = '\0';
	exec_file = NULL;
	exec_argv = NULL;
	exec_errno = ENOEXEC;
	pw_log_set_verbose(false);
	unsetenv(PW_MASQUERADE_VERBOSE_ENV);
}

static void add_file(const char *path, uint32_t dev_minor, uint64_t ino, uint16_t mode, int access_errno)
{
	assert_true(nfiles < (int) (sizeof(files) / sizeof(files[0])));
	files[nfiles++] = (struct fake_file) {
		.path = path, .dev_minor = dev_minor, .ino = ino, .mode = mode,
		.access_errno = access_errno,
	};
}

/* An executable regular file */
static void add_exe(const char *path, uint32_t dev_minor, uint64_t ino)
{
	add_file(path, dev_minor, ino, S_IFREG | 0755, 0);
}

static struct fake_file *lookup(const char *path)
{
	for (int i = 0; i < nfiles; i++)
		if (strcmp(files[i].path, path) == 0)
			return &files[i];
	return NULL;
}

unsigned long __wrap_pw_sys_getauxval(unsigned long type)
{
	assert_int_equal(type, AT_EXECFN);
	return (unsigned long) execfn;
}

int __wrap_pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx)
{
	struct fake_file *f = lookup(path);

	/* a path too long for the log shows as its length */
	if (strlen(statx_log) + strlen(path) + 2 <= sizeof(statx_log))
		strcat(strcat(statx_log, path), " ");
	else
		sprintf(statx_log + strlen(statx_log), "(%zu bytes) ", strlen(path));
	if (!f) {
		errno = ENOENT;
		return -1;
	}
	if (f->statx_errno) {
		errno = f->statx_errno;
		return -1;
	}
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = f->mask ? f->mask : mask;
	stx->stx_dev_major = 8;
	stx->stx_dev_minor = f->dev_minor;
	stx->stx_ino = f->ino;
	stx->stx_mode = f->mode;
	return 0;
}

int __wrap_pw_sys_access(const char *path, int mode)
{
	struct fake_file *f = lookup(path);

	assert_int_equal(mode, X_OK);
	if (!f)
		fail_msg("access(%s): not in the fake file system", path);
	if (!f || f->access_errno) {
		errno = f ? f->access_errno : ENOENT;
		return -1;
	}
	return 0;
}

int __wrap_pw_sys_execvp(const char *file, char *const argv[])
{
	exec_file = file;
	exec_argv = argv;
	errno = exec_errno;
	return -1;
}

/* --- stderr ---------------------------------------------------------------- */

/* What the last find() wrote to stderr. */
static const char *captured;

/* Find @name with @path_env as PATH (NULL: unset); returns the status and
 * leaves the path in @found, stderr in captured. */
static int find(const char *name, const char *path_env, char found[PATH_MAX])
{
	int status;

	if (path_env)
		setenv("PATH", path_env, 1);
	else
		unsetenv("PATH");
	found[0] = '\0';
	capture_stderr_start();
	status = pw_masquerade_find(name, found, PATH_MAX);
	captured = capture_stderr_end();
	return status;
}

/* --- tests ----------------------------------------------------------------- */

static void test_name(void **state)
{
	(void) state;
	assert_string_equal(pw_masquerade_name("runc"), "runc");
	assert_string_equal(pw_masquerade_name("/usr/libexec/pivotwrap/bin/crun"), "crun");
	assert_string_equal(pw_masquerade_name("./bin/runc"), "runc");
	assert_string_equal(pw_masquerade_name("prepare"), "prepare");
	assert_null(pw_masquerade_name("prepare-root"));
	assert_null(pw_masquerade_name("/usr/sbin/prepare-root"));
	assert_null(pw_masquerade_name("build/prepare-root"));
	assert_null(pw_masquerade_name("/bin/prepare-root-static"));
	assert_null(pw_masquerade_name(""));
	assert_null(pw_masquerade_name("/usr/bin/"));
	assert_null(pw_masquerade_name(NULL));
}

static void test_verbose_env(void **state)
{
	(void) state;
	reset();
	assert_false(pw_masquerade_verbose());
	setenv(PW_MASQUERADE_VERBOSE_ENV, "1", 1);
	assert_true(pw_masquerade_verbose());
	setenv(PW_MASQUERADE_VERBOSE_ENV, "0", 1);
	assert_false(pw_masquerade_verbose());
	setenv(PW_MASQUERADE_VERBOSE_ENV, "", 1);
	assert_false(pw_masquerade_verbose());
	unsetenv(PW_MASQUERADE_VERBOSE_ENV);
}

/* The link comes first in PATH; the real runc after it. */
static void test_skips_itself(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/links/runc";
	add_exe("/links/runc", 1, 10);
	add_exe("/proc/self/exe", 1, 10);
	add_exe("/usr/sbin/runc", 1, 20);
	assert_int_equal(find("runc", "/links:/usr/sbin", found), 0);
	assert_string_equal(found, "/usr/sbin/runc");
	assert_string_equal(statx_log, "/links/runc /proc/self/exe /links/runc /usr/sbin/runc ");
	assert_string_equal(captured, "");
}

/* A second link (or a hard link) elsewhere in PATH is the same file. */
static void test_skips_every_link(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/a/runc";
	add_exe("/a/runc", 1, 10);
	add_exe("/b/runc", 1, 10);
	add_exe("/c/runc", 1, 10);
	add_exe("/d/runc", 1, 30);
	assert_int_equal(find("runc", "/a:/b:/c:/d", found), 0);
	assert_string_equal(found, "/d/runc");
}

/* Same inode number on another device: another file. */
static void test_same_inode_other_device(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/a/runc";
	add_exe("/a/runc", 1, 10);
	add_exe("/b/runc", 2, 10);
	assert_int_equal(find("runc", "/a:/b", found), 0);
	assert_string_equal(found, "/b/runc");
}

/* No /proc (an initramfs before it mounts one): AT_EXECFN alone. */
static void test_without_proc(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/a/runc";
	add_exe("/a/runc", 1, 10);
	add_exe("/b/runc", 1, 20);
	assert_int_equal(find("runc", "/a:/b", found), 0);
	assert_string_equal(found, "/b/runc");
}

/* fexecve(3): AT_EXECFN names a closed descriptor; /proc/self/exe alone. */
static void test_execfn_gone(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/dev/fd/3";
	add_exe("/proc/self/exe", 1, 10);
	add_exe("/a/runc", 1, 10);
	add_exe("/b/runc", 1, 20);
	assert_int_equal(find("runc", "/a:/b", found), 0);
	assert_string_equal(found, "/b/runc");

	/* and no AT_EXECFN at all */
	reset();
	add_exe("/proc/self/exe", 1, 10);
	add_exe("/a/runc", 1, 10);
	add_exe("/b/runc", 1, 20);
	assert_int_equal(find("runc", "/a:/b", found), 0);
	assert_string_equal(found, "/b/runc");
}

/* After an upgrade the two witnesses differ: the old file runs, the links
 * name the new one.  Both are prepare-root. */
static void test_both_witnesses(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/links/runc";
	add_exe("/links/runc", 1, 11);
	add_exe("/proc/self/exe", 1, 10);
	add_exe("/old/runc", 1, 10);
	add_exe("/new/runc", 1, 11);
	add_exe("/usr/bin/runc", 1, 20);
	assert_int_equal(find("runc", "/old:/new:/usr/bin", found), 0);
	assert_string_equal(found, "/usr/bin/runc");
}

/* Neither witness: refuse rather than risk executing itself for ever. */
static void test_cannot_tell_itself(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/dev/fd/3";
	add_exe("/usr/bin/runc", 1, 20);
	assert_int_equal(find("runc", "/usr/bin", found), PW_EXIT_FAILURE);
	assert_string_equal(captured,
		"prepare-root: runc: cannot tell which file prepare-root itself is (neither AT_EXECFN nor /proc/self/exe can be looked up), so cannot skip it in PATH (run it by a path that names it, or mount /proc)\n");
	/* and nothing in PATH was even looked at */
	assert_string_equal(statx_log, "/dev/fd/3 /proc/self/exe ");
}

static void test_not_found(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/links/runc";
	add_exe("/links/runc", 1, 10);
	assert_int_equal(find("runc", "/links:/usr/bin", found), PW_EXIT_ENOENT);
	assert_string_equal(captured,
		"prepare-root: runc: not found in PATH=/links:/usr/bin, other than prepare-root itself (install it, or add its directory to PATH)\n");
}

/* A directory, a file nobody may execute, a file on a file system without
 * inode numbers and one statx cannot read are all passed over. */
static void test_skips_unusable(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/links/runc";
	add_exe("/links/runc", 1, 10);
	add_file("/dir/runc", 1, 40, S_IFDIR | 0755, 0);
	add_file("/noexec/runc", 1, 41, S_IFREG | 0644, EACCES);
	add_exe("/noino/runc", 1, 42);
	files[nfiles - 1].mask = 0x3;	/* type and mode, no inode number */
	add_exe("/eio/runc", 1, 43);
	files[nfiles - 1].statx_errno = EIO;
	add_exe("/real/runc", 1, 44);
	setenv(PW_MASQUERADE_VERBOSE_ENV, "1", 1);
	pw_log_set_verbose(true);
	assert_int_equal(find("runc", "/links:/dir:/noexec:/noino:/eio:/real", found), 0);
	assert_string_equal(found, "/real/runc");
	assert_string_equal(captured,
		"prepare-root: masquerade: /proc/self/exe: No such file or directory\n"
		"prepare-root: masquerade: skipping /links/runc: it is prepare-root itself\n"
		"prepare-root: masquerade: skipping /dir/runc: not a regular file\n"
		"prepare-root: masquerade: skipping /noexec/runc: not executable: Permission denied\n"
		"prepare-root: masquerade: skipping /noino/runc: No data available\n"
		"prepare-root: masquerade: skipping /eio/runc: Input/output error\n"
		"prepare-root: masquerade: runc is /real/runc\n");

	/* only unusable ones: not found */
	assert_int_equal(find("runc", "/links:/dir:/noexec:/noino:/eio", found), PW_EXIT_ENOENT);
}

/* Empty entries are the working directory, relative ones stay relative;
 * every path holds a '/', so that execvp(3) does not search again. */
static void test_path_entries(void **state)
{
	static const struct {
		const char *path_env;
		const char *expected;
	} cases[] = {
		{ ":/x", "./runc" },
		{ "/x:", "./runc" },
		{ "/x::/y", "./runc" },
		{ "", "./runc" },
		{ "bin", "bin/runc" },
		{ "/x:sub/dir:", "sub/dir/runc" },
	};
	char found[PATH_MAX];

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		reset();
		execfn = "/links/runc";
		add_exe("/links/runc", 1, 10);
		add_exe("/y/runc", 1, 21);
		add_exe("./runc", 1, 22);
		add_exe("bin/runc", 1, 23);
		add_exe("sub/dir/runc", 1, 24);
		assert_int_equal(find("runc", cases[i].path_env, found), 0);
		assert_string_equal(found, cases[i].expected);
	}
}

/* PATH unset: glibc execvp's default. */
static void test_path_unset(void **state)
{
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/links/runc";
	add_exe("/links/runc", 1, 10);
	add_exe("/usr/bin/runc", 1, 20);
	assert_int_equal(find("runc", NULL, found), 0);
	assert_string_equal(found, "/usr/bin/runc");
	assert_string_equal(statx_log, "/links/runc /proc/self/exe /bin/runc /usr/bin/runc ");
}

/* An entry too long for a path is passed over, not cut short. */
static void test_path_too_long(void **state)
{
	static char long_path[PATH_MAX + 16];
	char found[PATH_MAX];

	(void) state;
	reset();
	execfn = "/links/runc";
	add_exe("/links/runc", 1, 10);
	add_exe("/usr/bin/runc", 1, 20);
	long_path[0] = '/';
	/* "/ddd...d/runc" is PATH_MAX bytes: no room for its NUL */
	memset(long_path + 1, 'd', PATH_MAX - 6);
	strcpy(long_path + PATH_MAX - 5, ":/usr/bin");
	assert_int_equal(find("runc", long_path, found), 0);
	assert_string_equal(found, "/usr/bin/runc");
	assert_string_equal(statx_log, "/links/runc /proc/self/exe /usr/bin/runc ");
}

/* The real program gets argv as it is, argv[0] included. */
static void test_exec(void **state)
{
	char *argv[] = { "/usr/libexec/pivotwrap/bin/runc", "--version", NULL };

	(void) state;
	reset();
	capture_stderr_start();
	assert_int_equal(pw_masquerade_exec("/usr/sbin/runc", argv), PW_EXIT_CANNOT_INVOKE);
	assert_string_equal(capture_stderr_end(), "prepare-root: failed to execute '/usr/sbin/runc': Exec format error\n");
	assert_string_equal(exec_file, "/usr/sbin/runc");
	assert_ptr_equal(exec_argv, argv);
	assert_string_equal(argv[0], "/usr/libexec/pivotwrap/bin/runc");

	exec_errno = ENOENT;
	capture_stderr_start();
	assert_int_equal(pw_masquerade_exec("/usr/sbin/runc", argv), PW_EXIT_ENOENT);
	assert_string_equal(capture_stderr_end(), "prepare-root: failed to execute '/usr/sbin/runc': No such file or directory\n");

	exec_errno = EACCES;
	capture_stderr_start();
	assert_int_equal(pw_masquerade_exec("/usr/sbin/runc", argv), PW_EXIT_CANNOT_INVOKE);
	capture_stderr_end();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_verbose_env),
		cmocka_unit_test(test_skips_itself),
		cmocka_unit_test(test_skips_every_link),
		cmocka_unit_test(test_same_inode_other_device),
		cmocka_unit_test(test_without_proc),
		cmocka_unit_test(test_execfn_gone),
		cmocka_unit_test(test_both_witnesses),
		cmocka_unit_test(test_cannot_tell_itself),
		cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_skips_unusable),
		cmocka_unit_test(test_path_entries),
		cmocka_unit_test(test_path_unset),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_exec),
	};

	return cmocka_run_group_tests_name("masquerade", tests, NULL, NULL);
}
