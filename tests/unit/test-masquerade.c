/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/masquerade.c on real files: which name is a masquerade, what a
 * prepare-root is (the ELF note every build carries: this test program
 * links lib/masquerade.c, so it carries it too), and the search along
 * PATH that passes over every prepare-root, link, copy or not.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/masquerade.h"

static char dir[PATH_MAX], saved_path[PATH_MAX * 8], saved_cwd[PATH_MAX];

static int make_dir(void **state)
{
	(void) state;
	snprintf(saved_path, sizeof(saved_path), "%s", getenv("PATH") ?: "/bin:/usr/bin");
	if (!getcwd(saved_cwd, sizeof(saved_cwd)))
		return -1;
	snprintf(dir, sizeof(dir), "%s/pw-masquerade.XXXXXX", getenv("TMPDIR") ?: "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[PATH_MAX + 16];

	(void) state;
	if (setenv("PATH", saved_path, 1) < 0 || chdir(saved_cwd) < 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* @path under the directory, created as a copy of @from with @mode. */
static void copy(const char *from, const char *to, mode_t mode)
{
	char path[PATH_MAX * 2], buf[65536];
	int in = open(from, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, to);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t) n), n);
	assert_int_equal(n, 0);
	close(in);
	assert_int_equal(close(out), 0);
}

static void subdir(const char *name)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(mkdir(path, 0755), 0);
}

static bool is_prepare_root(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool yes;

	assert_true(fd >= 0);
	yes = pw_is_prepare_root(fd);
	close(fd);
	return yes;
}

static void test_names(void **state)
{
	(void) state;
	assert_null(pw_masquerade_name("prepare-root"));
	assert_null(pw_masquerade_name("/usr/sbin/prepare-root"));
	assert_null(pw_masquerade_name("./prepare-root-static"));
	assert_null(pw_masquerade_name("/x/"));
	assert_null(pw_masquerade_name(NULL));
	assert_string_equal(pw_masquerade_name("/usr/libexec/pivotwrap/bin/runc"), "runc");
	assert_string_equal(pw_masquerade_name("crun"), "crun");
	assert_string_equal(pw_masquerade_name("pivotwrap"), "pivotwrap");
	/* Under a runtime's name a missing real one is an error; under any
	 * other, prepare-root was renamed. */
	assert_true(pw_masquerade_meant("runc"));
	assert_true(pw_masquerade_meant("crun"));
	assert_false(pw_masquerade_meant("pivotwrap"));
	assert_false(pw_masquerade_meant("prepare"));
}

/* What a file is, not where: this program, a copy of it, not /bin/sh,
 * not an empty file, not a truncated or forged ELF header. */
static void test_note(void **state)
{
	char path[PATH_MAX * 2];
	int fd;

	(void) state;
	assert_true(is_prepare_root("/proc/self/exe"));
	copy("/proc/self/exe", "copy", 0755);
	snprintf(path, sizeof(path), "%s/copy", dir);
	assert_true(is_prepare_root(path));
	assert_false(is_prepare_root("/bin/sh"));
	snprintf(path, sizeof(path), "%s/empty", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_false(is_prepare_root(path));
	/* an ELF header cut short */
	snprintf(path, sizeof(path), "%s/cut", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\177ELF\002\001\001", 7), 7);
	close(fd);
	assert_false(is_prepare_root(path));
}

/* PATH holds, in this order: a symlink to this program, a copy of it, a
 * directory named runc, a runc that is not executable, the real runc: the
 * real one is found.  With the real one gone, none is. */
static void test_search(void **state)
{
	char path[PATH_MAX * 2], search[PATH_MAX * 8], found[PATH_MAX];

	(void) state;
	subdir("link");
	subdir("copy-dir");
	subdir("dir");
	subdir("dir/runc");
	subdir("noexec");
	subdir("real");
	snprintf(path, sizeof(path), "%s/link/runc", dir);
	assert_int_equal(symlink("/proc/self/exe", path), 0);
	copy("/proc/self/exe", "copy-dir/runc", 0755);
	copy("/bin/true", "noexec/runc", 0644);
	copy("/bin/true", "real/runc", 0755);
	snprintf(search, sizeof(search), "%s/link:%s/copy-dir:%s/dir:%s/noexec:%s/real", dir, dir, dir, dir, dir);
	assert_int_equal(setenv("PATH", search, 1), 0);
	assert_int_equal(pw_masquerade_find("runc", found, sizeof(found)), 0);
	snprintf(path, sizeof(path), "%s/real/runc", dir);
	assert_string_equal(found, path);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(pw_masquerade_find("runc", found, sizeof(found)), -1);
}

/* An empty PATH entry is the working directory, named so that execvp(3)
 * does not search again. */
static void test_empty_entry(void **state)
{
	char found[PATH_MAX];

	(void) state;
	copy("/bin/true", "crun", 0755);
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(setenv("PATH", "/nonexistent::/nonexistent2", 1), 0);
	assert_int_equal(pw_masquerade_find("crun", found, sizeof(found)), 0);
	assert_string_equal(found, "./crun");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_note, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_search, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(test_empty_entry, make_dir, remove_dir),
	};

	return cmocka_run_group_tests_name("masquerade", tests, NULL, NULL);
}
