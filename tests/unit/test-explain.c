/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * --explain: the checks on facts taken from real mount tables, and the
 * verdict naming the error pivot_root(2) returns first.
 */
#include "config.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <libmount.h>

#include "lib/explain.h"
#include "lib/log.h"
#include "lib/sys.h"

static char report[16384];

static void load_root(const char *fixture, uint64_t id, enum pw_tri mount_root,
		      struct pw_pivot_facts *f)
{
	char path[4096];
	struct libmnt_table *tb = mnt_new_table();

	memset(f, 0, sizeof(*f));
	f->cap_sys_admin = PW_YES;
	f->may_mount = PW_YES;
	snprintf(path, sizeof(path), "%s/%s", getenv("PW_TEST_DATA"), fixture);
	assert_int_equal(mnt_table_parse_file(tb, path), 0);
	f->root.is_dir = true;
	pw_mount_facts_from_table(tb, id, mount_root, &f->root);
	mnt_unref_table(tb);
}

static int run_report(const struct pw_pivot_facts *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	int status;

	assert_non_null(out);
	status = pw_explain_report(f, out);
	fclose(out);
	snprintf(report, sizeof(report), "%s", buf);
	free(buf);
	return status;
}

/* The line of the check named @what, which must be there. */
static const char *line_of(const char *what)
{
	static char line[1024];
	const char *p = strstr(report, what), *start, *end;

	if (!p)
		fail_msg("no check \"%s\" in:\n%s", what, report);
	for (start = p; start > report && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	snprintf(line, sizeof(line), "%.*s", (int) (end - start), start);
	return line;
}

static void assert_check(const char *tag, const char *what)
{
	const char *line = line_of(what);

	if (strncmp(line, tag, strlen(tag)) != 0 || line[strlen(tag)] != ' ')
		fail_msg("expected %s for \"%s\", got: %s", tag, what, line);
}

static void test_initramfs_rootfs(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-1-boot.mountinfo", 1, PW_YES, &f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("ok", "the current root is the root of a mount");
	assert_check("FAIL", "the current root's mount has a parent");
	assert_non_null(strstr(line_of("has a parent"), "fix: run the command through prepare-root"));
	assert_non_null(strstr(line_of("has a parent"), "mount ID equals parent ID"));
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EINVAL\n"));
}

/* Seed 000 state (4): after the busybox dance the root has a parent. */
static void test_after_the_dance(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-4-chrooted.mountinfo", 28, PW_YES, &f);
	/* The parent (23) is outside the chroot: the table cannot tell its
	 * propagation, statmount would. */
	f.root.parent_shared = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_OK);
	assert_check("ok", "the current root's mount has a parent");
	assert_non_null(strstr(report, "verdict: pivot_root would succeed"));
}

static void test_shared_rootfs(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-shared.mountinfo", 1, PW_YES, &f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the parent of the current root's mount is not shared");
	assert_non_null(strstr(line_of("is not shared"), "shared:1"));
	assert_non_null(strstr(line_of("is not shared"), "fix: make it private: mount --make-rprivate /"));
}

static void test_shared_parent_in_the_table(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	/* State (3), root on the top mount 28: its parent 23 is listed. */
	load_root("initramfs-3-moved.mountinfo", 28, PW_YES, &f);
	assert_int_equal(f.root.parent_shared, PW_NO);
	assert_int_equal(run_report(&f), PW_EXPLAIN_OK);
}

static void test_chroot_directory(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("chroot-directory.mountinfo", 533, PW_NO, &f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the current root is the root of a mount");
	assert_non_null(strstr(line_of("root of a mount"), "an earlier chroot"));
	/* the hidden mount's parent and propagation cannot be read here */
	assert_check("??", "the current root's mount has a parent");
}

/* A systemd host whose root's parent is hidden, without statmount. */
static void test_cannot_tell(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("host-systemd-shared.mountinfo", 28, PW_YES, &f);
	assert_int_equal(f.root.shared, PW_YES);
	assert_int_equal(run_report(&f), PW_EXPLAIN_UNKNOWN);
	assert_check("??", "the parent of the current root's mount is not shared");
	assert_non_null(strstr(report, "verdict: cannot tell\n"));
	/* the parent lies outside the root: --make-rprivate / cannot reach it */
	assert_null(strstr(line_of("is not shared"), "make-rprivate"));
}

static void with_new_root(struct pw_pivot_facts *f)
{
	load_root("lxc-container.mountinfo", 44, PW_YES, f);
	f->root.parent_shared = PW_NO;
	f->new_root = "/run/bundle/rootfs";
	f->put_old = "/run/bundle/rootfs";
	f->new_mnt = (struct pw_mount_facts) {
		.is_dir = true, .id = 47, .mount_root = PW_YES, .has_parent = PW_YES,
		.shared = PW_NO, .parent_shared = PW_NO, .in_namespace = PW_YES,
		.locked = PW_NO, .unlinked = PW_NO, .under_root = PW_YES,
	};
	f->old_mnt = f->new_mnt;
	f->old_under_new = PW_YES;
}

static void test_new_root_fine(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	assert_int_equal(run_report(&f), PW_EXPLAIN_OK);
	assert_non_null(strstr(report, "verdict: pivot_root would succeed\n"));
}

/* The classic bundle mistake: the rootfs directory is no mount point, so
 * it lies on the current root's mount, and the kernel says EBUSY first. */
static void test_new_root_not_a_mount_point(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.new_mnt.id = f.old_mnt.id = f.root.id;
	f.new_mnt.mount_root = f.old_mnt.mount_root = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "NEW_ROOT /run/bundle/rootfs is not on the current root's mount");
	assert_check("FAIL", "NEW_ROOT /run/bundle/rootfs is a mount point");
	assert_non_null(strstr(line_of("is a mount point"), "mount --bind NEW_ROOT NEW_ROOT"));
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EBUSY\n"));
}

static void test_new_root_parent_shared(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.new_mnt.parent_shared = PW_YES;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the parent of NEW_ROOT /run/bundle/rootfs's mount is not shared");
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EINVAL\n"));
}

static void test_put_old_outside(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.put_old = "/tmp";
	f.old_under_new = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "PUT_OLD /tmp is at or under NEW_ROOT /run/bundle/rootfs");
}

static void test_put_old_shared(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.old_mnt.shared = PW_YES;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the mount at PUT_OLD /run/bundle/rootfs is not shared");
}

static void test_not_a_directory(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	with_new_root(&f);
	f.new_mnt.is_dir = false;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "NEW_ROOT /run/bundle/rootfs is a directory");
	assert_non_null(strstr(report, "verdict: pivot_root would fail with ENOTDIR\n"));

	with_new_root(&f);
	f.old_mnt.stat_errno = ENOENT;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_non_null(strstr(report, "verdict: pivot_root would fail with ENOENT\n"));
}

static void test_no_privilege_comes_first(void **state)
{
	struct pw_pivot_facts f;

	(void) state;
	load_root("initramfs-1-boot.mountinfo", 1, PW_YES, &f);
	f.cap_sys_admin = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	f.may_mount = PW_NO;
	assert_int_equal(run_report(&f), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "CAP_SYS_ADMIN in the user namespace that owns the mount namespace");
	assert_non_null(strstr(line_of("CAP_SYS_ADMIN"), "fix: run as root"));
	assert_non_null(strstr(report, "verdict: pivot_root would fail with EPERM\n"));
}

/* A mount root holding a newline (mountinfo's \\012) must not start a line
 * of its own: here it would forge a verdict. */
static void test_newline_in_a_path_is_escaped(void **state)
{
	struct pw_pivot_facts f;
	const char *line;
	int verdicts = 0;

	(void) state;
	load_root("newline-in-path.mountinfo", 22, PW_YES, &f);
	f.new_root = "/new\nroot";
	f.put_old = f.new_root;
	f.new_mnt = f.root;
	f.new_mnt.locked = f.new_mnt.unlinked = PW_NO;
	f.new_mnt.under_root = PW_YES;
	f.old_mnt = f.new_mnt;
	f.old_under_new = PW_YES;
	run_report(&f);
	assert_non_null(strstr(report, "/srv/ct\\012verdict: pivot_root would succeed"));
	assert_non_null(strstr(report, "NEW_ROOT /new\\012root is a directory"));
	for (line = report; *line; line = strchr(line, '\n') + 1) {
		if (strncmp(line, "verdict: ", 9) == 0)
			verdicts++;
		else if (strncmp(line, "ok    ", 6) != 0 && strncmp(line, "FAIL  ", 6) != 0 &&
			 strncmp(line, "??    ", 6) != 0)
			fail_msg("a line that is no check: %.40s", line);
	}
	assert_int_equal(verdicts, 1);
}

/*
 * A small fake kernel for pw_explain_gather(), local to this test (it is
 * linked without fake-sys.c): statx answers per path, statmount per unique
 * mount ID, and the three probes answer as told.  Mount IDs are far above
 * any the real /proc/self/mountinfo that gather parses could list.
 */
#define ROOT_ID 7000020ULL
#define NEW_ID  7000030ULL
#define UNIQUE(id) ((id) + 0x80000000ULL)

struct fake_path {
	const char *path;
	int err;
	uint64_t mnt_id;
	uint64_t ino;
	uint16_t mode;
	uint32_t nlink;
	bool mount_root;
};

struct fake_mount {
	uint64_t id;		/* old-style ID; statmount is asked for UNIQUE(id) */
	int err;
	uint64_t parent;
	uint64_t propagation;
};

static struct {
	struct fake_path paths[32];
	int npaths;
	struct fake_mount mounts[8];
	int nmounts;
	bool no_unique;			/* a kernel before 6.8 */
	int capget_err;
	bool cap;
	int mount_err;			/* the may_mount() probe's answer */
	int umount_err;
	char umount_path[256];
	int umount_calls;
	uint64_t own_userns, owner_userns;
	const char *release;
	int probe_step_err;		/* the trial pivot_root fails before its pivot_root */
	bool no_mount_root_attr;	/* statx without STATX_ATTR_MOUNT_ROOT (before 5.8) */
	char log[64][64];
	int nlog;
} k;

int __wrap_pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx);
int __wrap_pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize);
int __wrap_pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2]);
int __wrap_pw_sys_mount(const char *source, const char *target, const char *fstype,
			unsigned long flags, const void *data);
int __wrap_pw_sys_umount2(const char *path, int flags);
int __wrap_pw_sys_userns_of(const char *ns_file, struct pw_statx *stx);
int __wrap_pw_sys_kernel_release(char *buf, size_t size);
int __wrap_pw_sys_pivot_probe(enum pw_probe_step *step);

int __wrap_pw_sys_kernel_release(char *buf, size_t size)
{
	if (!k.release) {
		errno = EFAULT;
		return -1;
	}
	snprintf(buf, size, "%s", k.release);
	return 0;
}

static void klog(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void klog(const char *fmt, ...)
{
	va_list ap;

	assert_true(k.nlog < 64);
	va_start(ap, fmt);
	vsnprintf(k.log[k.nlog++], sizeof(k.log[0]), fmt, ap);
	va_end(ap);
}

static bool logged(const char *entry)
{
	for (int i = 0; i < k.nlog; i++)
		if (strcmp(k.log[i], entry) == 0)
			return true;
	return false;
}

static void k_path(const char *path, uint64_t mnt_id, uint64_t ino, bool mount_root)
{
	k.paths[k.npaths++] = (struct fake_path) {
		.path = path, .mnt_id = mnt_id, .ino = ino, .mode = S_IFDIR | 0755, .nlink = 2,
		.mount_root = mount_root,
	};
}

static struct fake_path *k_lookup(const char *path)
{
	for (int i = 0; i < k.npaths; i++)
		if (strcmp(k.paths[i].path, path) == 0)
			return &k.paths[i];
	return NULL;
}

/* A path the test set up, which must be there. */
static struct fake_path *k_find(const char *path)
{
	struct fake_path *p = k_lookup(path);

	if (!p) {
		fail_msg("no fake path %s", path);
		abort();
	}
	return p;
}

static void k_mount(uint64_t id, uint64_t parent, uint64_t propagation)
{
	k.mounts[k.nmounts++] = (struct fake_mount) { .id = id, .parent = parent, .propagation = propagation };
}

static struct fake_mount *k_lookup_mount(uint64_t id)
{
	for (int i = 0; i < k.nmounts; i++)
		if (k.mounts[i].id == id)
			return &k.mounts[i];
	return NULL;
}

static struct fake_mount *k_find_mount(uint64_t id)
{
	struct fake_mount *m = k_lookup_mount(id);

	if (!m) {
		fail_msg("no fake mount %llu", (unsigned long long) id);
		abort();
	}
	return m;
}

/*
 * The usual state: the root "/" on mount ROOT_ID (parent 7000001, private),
 * a bind-mounted NEW_ROOT /nr on NEW_ID, PUT_OLD /nr/old in it, the user
 * namespace the initial one.
 */
/* The kernel's pivot_root on the root (fs/namespace.c): EINVAL when its
 * mount's parent is shared, is not a mount root or has no parent. */
static struct fake_mount *k_lookup_mount(uint64_t id);
static struct fake_path *k_lookup(const char *path);
int __wrap_pw_sys_pivot_probe(enum pw_probe_step *step)
{
	const struct fake_path *root = k_lookup("/");
	const struct fake_mount *m = root ? k_lookup_mount(root->mnt_id) : NULL;
	const struct fake_mount *parent = m ? k_lookup_mount(m->parent) : NULL;

	klog("pivot-probe");
	if (k.probe_step_err) {
		*step = PW_PROBE_UNSHARE;
		errno = k.probe_step_err;
		return -1;
	}
	*step = PW_PROBE_PIVOT_ROOT;
	if (!root || !m || !root->mount_root || m->parent == m->id || !parent ||
	    (parent->propagation & MS_SHARED)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static void k_reset(void)
{
	memset(&k, 0, sizeof(k));
	k.cap = true;
	k.mount_err = EINVAL;
	k.umount_err = EPERM;
	k.own_userns = k.owner_userns = 0xEFFFFFFDU;
	k.release = "6.18.4-amd64";
	k_path("/", ROOT_ID, 2, true);
	k_path("/proc/self/ns/user", 0, k.own_userns, false);
	k_path("/nr", NEW_ID, 100, true);
	k_path("/nr/..", ROOT_ID, 2, true);
	k_path("/nr/old", NEW_ID, 101, false);
	k_path("/nr/old/..", NEW_ID, 100, true);
	k_path("/nr/old/../..", ROOT_ID, 2, true);
	k_mount(7000001, 7000001, MS_PRIVATE);
	k_mount(ROOT_ID, 7000001, MS_PRIVATE);
	k_mount(NEW_ID, ROOT_ID, MS_PRIVATE);
}

int __wrap_pw_sys_statx(const char *path, unsigned int mask, struct pw_statx *stx)
{
	const struct fake_path *p = k_lookup(path);

	klog("statx(%s)", path);
	if (!p) {
		fail_msg("statx of an unexpected path %s", path);
		abort();
	}
	if (p->err) {
		errno = p->err;
		return -1;
	}
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = PW_STATX_INO | 0x4U /* NLINK */ | 0x1U /* TYPE */;
	stx->stx_mode = p->mode;
	stx->stx_ino = strcmp(path, "/proc/self/ns/user") == 0 ? k.own_userns : p->ino;
	stx->stx_nlink = p->nlink;
	stx->stx_dev_major = 8;
	stx->stx_attributes_mask = k.no_mount_root_attr ? 0 : PW_STATX_ATTR_MOUNT_ROOT;
	stx->stx_attributes = p->mount_root && !k.no_mount_root_attr ? PW_STATX_ATTR_MOUNT_ROOT : 0;
	/* a kernel fills one kind of mount ID: the unique one when asked */
	if ((mask & PW_STATX_MNT_ID_UNIQUE) && !k.no_unique) {
		stx->stx_mask |= PW_STATX_MNT_ID_UNIQUE;
		stx->stx_mnt_id = UNIQUE(p->mnt_id);
	} else {
		stx->stx_mask |= PW_STATX_MNT_ID;
		stx->stx_mnt_id = p->mnt_id;
	}
	return 0;
}

int __wrap_pw_sys_statmount(uint64_t mnt_id, uint64_t mask, struct pw_statmount *buf, size_t bufsize)
{
	const struct fake_mount *m;

	klog("statmount(%llu)", (unsigned long long) (mnt_id - UNIQUE(0)));
	assert_true(bufsize >= sizeof(*buf));
	assert_int_equal(mask, PW_STATMOUNT_MNT_BASIC);
	if (k.no_unique) {
		errno = ENOSYS;
		return -1;
	}
	m = k_lookup_mount(mnt_id - UNIQUE(0));
	if (!m || m->err) {
		errno = m ? m->err : ENOENT;
		return -1;
	}
	memset(buf, 0, sizeof(*buf));
	buf->mask = PW_STATMOUNT_MNT_BASIC;
	buf->mnt_id = mnt_id;
	buf->mnt_parent_id = UNIQUE(m->parent);
	buf->mnt_id_old = (uint32_t) m->id;
	buf->mnt_parent_id_old = (uint32_t) m->parent;
	buf->mnt_propagation = m->propagation;
	return 0;
}

int __wrap_pw_sys_capget(struct pw_cap_header *header, struct pw_cap_data data[2])
{
	assert_int_equal(header->version, PW_LINUX_CAPABILITY_VERSION_3);
	if (k.capget_err) {
		errno = k.capget_err;
		return -1;
	}
	memset(data, 0, 2 * sizeof(*data));
	if (k.cap)
		data[0].effective = 1U << PW_CAP_SYS_ADMIN;
	return 0;
}

int __wrap_pw_sys_mount(const char *source, const char *target, const char *fstype,
			unsigned long flags, const void *data)
{
	/* only the may_mount() probe: nothing that could change a thing */
	assert_null(source);
	assert_string_equal(target, "/");
	assert_null(fstype);
	assert_null(data);
	assert_int_equal(flags, MS_SHARED | MS_PRIVATE);
	klog("mount-probe");
	errno = k.mount_err;
	return -1;
}

int __wrap_pw_sys_umount2(const char *path, int flags)
{
	/* MNT_EXPIRE with MNT_DETACH: do_umount() refuses before acting */
	assert_int_equal(flags, MNT_FORCE | MNT_DETACH | MNT_EXPIRE);
	snprintf(k.umount_path, sizeof(k.umount_path), "%s", path);
	k.umount_calls++;
	errno = k.umount_err;
	return -1;
}

int __wrap_pw_sys_userns_of(const char *ns_file, struct pw_statx *stx)
{
	assert_string_equal(ns_file, "/proc/self/ns/mnt");
	if (k.owner_userns == 0) {
		errno = EPERM;	/* above the caller's user namespace */
		return -1;
	}
	memset(stx, 0, sizeof(*stx));
	stx->stx_mask = PW_STATX_INO;
	stx->stx_ino = k.owner_userns;
	return 0;
}

static int gather_and_report(const char *new_root, const char *put_old)
{
	struct pw_pivot_facts f;

	k.nlog = 0;	/* the log is of this gathering */
	pw_explain_gather(new_root, put_old, &f);
	return run_report(&f);
}

static void assert_verdict(const char *verdict)
{
	char want[256];

	snprintf(want, sizeof(want), "\nverdict: %s\n", verdict);
	if (!strstr(report, want))
		fail_msg("expected \"verdict: %s\" in:\n%s", verdict, report);
}

static void test_gather_all_fine(void **state)
{
	(void) state;
	k_reset();
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_OK);
	assert_verdict("pivot_root would succeed");
	/* statmount per mount: NEW_ROOT's, its parent, the root's, its parent */
	assert_true(logged("statmount(7000030)"));
	assert_true(logged("statmount(7000020)"));
	assert_true(logged("statmount(7000001)"));
	assert_true(logged("mount-probe"));
	/* the way up from NEW_ROOT met the root */
	assert_true(logged("statx(/nr/..)"));
	assert_check("ok", "NEW_ROOT /nr is under the current root");
	assert_non_null(strstr(line_of("NEW_ROOT /nr's mount is in this mount namespace"),
			       "statmount(2) found mount 7000030"));
	/* a namespace of the initial user namespace: nothing to probe */
	assert_int_equal(k.umount_calls, 0);
	assert_non_null(strstr(line_of("not locked"), "initial user namespace"));
	assert_non_null(strstr(line_of("the parent of the current root's mount is not shared"),
			       "statmount: mount 7000001, propagation private"));
}

/* A statx that does not report the mount-root attribute leaves
 * path_mounted() to what mountinfo lists: NEW_ROOT's mount is not listed
 * (an ID no real table holds), so it cannot be told, never "yes". */
static void test_gather_mount_root_not_reported(void **state)
{
	(void) state;
	k_reset();
	k.no_mount_root_attr = true;
	gather_and_report("/nr", "/nr/old");
	assert_check("??", "NEW_ROOT /nr is a mount point");
}

static void test_gather_only_the_root(void **state)
{
	(void) state;
	k_reset();
	assert_int_equal(gather_and_report(NULL, NULL), PW_EXPLAIN_OK);
	assert_verdict("pivot_root would succeed as far as the current root is concerned");
	assert_null(strstr(report, "NEW_ROOT"));
	assert_false(logged("statx(/nr)"));
}

/* unshare -U -r: CAP_SYS_ADMIN here, but the mount namespace is the
 * parent user namespace's. */
static void test_gather_may_mount_in_another_user_namespace(void **state)
{
	(void) state;
	k_reset();
	k.mount_err = EPERM;
	k.own_userns = 4026532000ULL;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "CAP_SYS_ADMIN in the user namespace that owns the mount namespace");
	assert_non_null(strstr(line_of("CAP_SYS_ADMIN"),
			       "CAP_SYS_ADMIN is effective, but in user namespace 4026532000, and the mount "
			       "namespace belongs to the initial one"));
	assert_non_null(strstr(line_of("CAP_SYS_ADMIN"), "fix: work in a mount namespace of this user namespace"));
	k.owner_userns = 0;
	gather_and_report(NULL, NULL);
	assert_non_null(strstr(line_of("CAP_SYS_ADMIN"), "the mount namespace belongs to one above it]"));
	assert_verdict("pivot_root would fail with EPERM");

	k_reset();
	k.mount_err = EPERM;
	k.cap = false;
	assert_int_equal(gather_and_report(NULL, NULL), PW_EXPLAIN_FAIL);
	assert_non_null(strstr(line_of("CAP_SYS_ADMIN"), "[CAP_SYS_ADMIN is not effective] -> EPERM; fix: run as root"));

	/* a security module refusing the probe: cannot tell */
	k_reset();
	k.mount_err = EACCES;
	k.capget_err = EFAULT;
	assert_int_equal(gather_and_report(NULL, NULL), PW_EXPLAIN_UNKNOWN);
	assert_check("??", "CAP_SYS_ADMIN");
	assert_non_null(strstr(line_of("CAP_SYS_ADMIN"), "mount(2) probe: Permission denied"));
}

/* unshare -U -r -m: the probe asks umount(2) about the mount's root. */
static void test_gather_locked(void **state)
{
	(void) state;
	k_reset();
	k.own_userns = k.owner_userns = 4026532000ULL;
	k.umount_err = EINVAL;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_string_equal(k.umount_path, "/nr");
	assert_check("FAIL", "NEW_ROOT /nr's mount is not locked to its parent");
	assert_non_null(strstr(line_of("not locked"), "{new_mnt->mnt.mnt_flags & MNT_LOCKED}"));
	assert_non_null(strstr(line_of("not locked"), "fix: bind-mount it onto itself first"));
	assert_verdict("pivot_root would fail with EINVAL");

	k.umount_err = EPERM;
	k.umount_calls = 0;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_OK);
	assert_int_equal(k.umount_calls, 1);
	assert_check("ok", "not locked");

	/* a directory inside the mount: the probe climbs to its root */
	k_reset();
	k.own_userns = k.owner_userns = 4026532000ULL;
	k.umount_err = EINVAL;
	gather_and_report("/nr/old", "/nr/old");
	assert_string_equal(k.umount_path, "/nr/old/..");

	/* a process of the initial user namespace in a namespace of another
	 * one: capable() holds, the probe cannot tell */
	k_reset();
	k.owner_userns = 4026532000ULL;
	k.umount_err = EINVAL;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_UNKNOWN);
	assert_int_equal(k.umount_calls, 0);
	assert_check("??", "not locked");
	assert_non_null(strstr(line_of("not locked"), "nsenter -U -m"));
}

/* The kernel's order, pinned: with two checks failing, the verdict is the
 * error of the one fs/namespace.c tests first. */
static void test_kernel_order(void **state)
{
	(void) state;
	/* MNT_LOCKED (EINVAL) before new_mnt == root_mnt (EBUSY): NEW_ROOT
	 * a plain directory on a locked root mount */
	k_reset();
	k.own_userns = k.owner_userns = 4026532000ULL;
	k.umount_err = EINVAL;
	k_find("/nr")->mnt_id = ROOT_ID;
	k_find("/nr")->mount_root = false;
	k_find("/nr/old")->mnt_id = ROOT_ID;
	k_find("/nr/old/..")->mnt_id = ROOT_ID;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_string_equal(k.umount_path, "/nr/..");
	assert_check("FAIL", "NEW_ROOT /nr is not on the current root's mount");
	assert_verdict("pivot_root would fail with EINVAL");

	/* d_unlinked (ENOENT) before new_mnt == root_mnt (EBUSY) */
	k_reset();
	k_find("/nr")->nlink = 0;
	k_find("/nr")->mnt_id = ROOT_ID;
	k_find("/nr")->mount_root = false;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "NEW_ROOT /nr has not been removed");
	assert_check("FAIL", "NEW_ROOT /nr is not on the current root's mount");
	assert_verdict("pivot_root would fail with ENOENT");

	/* lock_mount(&old) (ENOENT) before any EINVAL of propagation */
	k_reset();
	k_find("/nr/old")->nlink = 0;
	k_find_mount(NEW_ID)->propagation = MS_SHARED;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the mount at PUT_OLD /nr/old is not shared");
	assert_verdict("pivot_root would fail with ENOENT");

	/* a lookup error before all: the real errno, not ENOENT */
	k_reset();
	k_find("/nr/old")->err = ELOOP;
	k_find("/nr")->nlink = 0;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_verdict("pivot_root would fail with ELOOP");
	k_find("/nr/old")->err = ENAMETOOLONG;
	gather_and_report("/nr", "/nr/old");
	assert_verdict("pivot_root would fail with ENAMETOOLONG");
	k_find("/nr")->err = EACCES;
	gather_and_report("/nr", "/nr/old");
	assert_verdict("pivot_root would fail with EACCES");
	assert_non_null(strstr(line_of("NEW_ROOT /nr is a directory"), "fix: give search permission"));

	/* an earlier check that cannot be told, with another error, is said */
	k_reset();
	k.owner_userns = 4026532000ULL;		/* MNT_LOCKED: ?? (EINVAL) */
	k_find("/nr")->mnt_id = ROOT_ID;	/* EBUSY */
	k_find("/nr")->mount_root = false;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_verdict("pivot_root would fail with EBUSY, or before that with EINVAL (an earlier check cannot be told)");
}

/* check_mnt: statmount(2) looks a mount up in the caller's namespace. */
static void test_gather_other_namespace(void **state)
{
	(void) state;
	k_reset();
	k_find_mount(NEW_ID)->err = ENOENT;
	k_find("/nr/..")->mnt_id = 7000099;	/* the way up never meets the root */
	k_find("/nr/..")->ino = 7;
	k_path("/nr/../..", 7000099, 7, true);
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "NEW_ROOT /nr's mount is in this mount namespace");
	assert_non_null(strstr(line_of("NEW_ROOT /nr's mount is in"), "ENOENT, no such mount in this mount namespace"));
	assert_check("FAIL", "NEW_ROOT /nr is under the current root");
	assert_verdict("pivot_root would fail with EINVAL");

	/* statmount EPERM: it was found in this namespace first */
	k_reset();
	k_find_mount(NEW_ID)->err = EPERM;
	gather_and_report("/nr", "/nr/old");
	assert_check("ok", "NEW_ROOT /nr's mount is in this mount namespace");

	/* before Linux 6.8, a mount mountinfo does not list cannot be told */
	k_reset();
	k.no_unique = true;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_UNKNOWN);
	assert_check("??", "NEW_ROOT /nr's mount is in this mount namespace");
	assert_non_null(strstr(line_of("NEW_ROOT /nr's mount is in"), "Linux 6.8 or later can tell"));
}

/* is_path_reachable: PUT_OLD outside NEW_ROOT, and NEW_ROOT outside the
 * root, found by the kernel's own ".." walk. */
static void test_gather_reachability(void **state)
{
	(void) state;
	k_reset();
	k_path("/elsewhere", ROOT_ID, 300, false);
	k_path("/elsewhere/..", ROOT_ID, 2, true);
	assert_int_equal(gather_and_report("/nr", "/elsewhere"), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "PUT_OLD /elsewhere is at or under NEW_ROOT /nr");
	assert_verdict("pivot_root would fail with EBUSY");	/* old_mnt == root_mnt comes first */

	/* NEW_ROOT through a working directory outside a chroot: its way up
	 * ends at the top of the tree, never at the root */
	k_reset();
	k_find("/nr/..")->ino = 55;
	k_path("/nr/../..", ROOT_ID, 55, true);
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_check("ok", "PUT_OLD /nr/old is at or under NEW_ROOT /nr");
	assert_check("FAIL", "NEW_ROOT /nr is under the current root");
	assert_non_null(strstr(line_of("under the current root"), "{is_path_reachable(new_mnt, new.dentry, &root)}"));
	assert_verdict("pivot_root would fail with EINVAL");

	/* PUT_OLD's way up meets the root while NEW_ROOT is above it: unknown */
	k_path("/x", ROOT_ID, 400, false);
	k_path("/x/..", ROOT_ID, 2, true);
	gather_and_report("/nr", "/x");
	assert_check("??", "PUT_OLD /x is at or under NEW_ROOT /nr");

	/* a failing statx on the way: unknown, not a guess */
	k_reset();
	k_find("/nr/..")->err = EACCES;
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_UNKNOWN);
	assert_check("??", "NEW_ROOT /nr is under the current root");
}

/* The root's parent outside the root: what statmount said decides the
 * hint (item: hints fit the errno, not the kernel version guessed). */
static void test_gather_hidden_parent_hints(void **state)
{
	(void) state;
	k_reset();
	k_find_mount(7000001)->err = EPERM;
	k.probe_step_err = EPERM;
	assert_int_equal(gather_and_report(NULL, NULL), PW_EXPLAIN_UNKNOWN);
	assert_check("??", "the parent of the current root's mount is not shared");
	assert_non_null(strstr(line_of("is not shared"), "CAP_SYS_ADMIN in the user namespace that owns"));
	assert_null(strstr(report, "6.8"));

	/* before Linux 6.8 the kernel is asked with a trial pivot_root */
	k_reset();
	k.no_unique = true;
	gather_and_report(NULL, NULL);
	assert_true(logged("pivot-probe"));
	assert_check("ok", "the parent of the current root's mount is not shared");
	assert_non_null(strstr(line_of("is not shared"), "a trial pivot_root(\".\", \".\") in a child mount namespace succeeded"));

	/* statmount refusing the parent (EPERM: a user namespace), which the
	 * trial shows shared */
	k_reset();
	k_find_mount(7000001)->err = EPERM;
	k_find_mount(7000001)->propagation = MS_SHARED;
	gather_and_report(NULL, NULL);
	assert_true(logged("pivot-probe"));
	assert_check("FAIL", "the parent of the current root's mount is not shared");
	assert_non_null(strstr(line_of("is not shared"), "EINVAL, with the root a mount root with a parent"));

	/* and when the trial cannot be made, the hint fits what statmount said */
	k_reset();
	k.no_unique = true;
	k.probe_step_err = EPERM;
	assert_int_equal(gather_and_report(NULL, NULL), PW_EXPLAIN_UNKNOWN);
	assert_non_null(strstr(line_of("is not shared"), "Linux 6.8 or later can tell"));
	assert_non_null(strstr(line_of("is not shared"), "a trial pivot_root in a child could not tell: Operation not permitted"));

	/* shared, known through statmount: the fix is not --make-rprivate /,
	 * which cannot reach a parent */
	k_reset();
	k_find_mount(7000001)->propagation = MS_SHARED;
	assert_int_equal(gather_and_report(NULL, NULL), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the parent of the current root's mount is not shared");
	assert_null(strstr(line_of("is not shared"), "make-rprivate"));
	assert_non_null(strstr(line_of("is not shared"), "fix: prepare-root -- <command>"));
}

static void test_gather_root_in_another_namespace(void **state)
{
	(void) state;
	k_reset();
	k_find_mount(ROOT_ID)->err = ENOENT;
	assert_int_equal(gather_and_report(NULL, NULL), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "the current root's mount is in this mount namespace");
	assert_non_null(strstr(line_of("current root's mount is in"), "{check_mnt(root_mnt)}"));
}

/* The initramfs: "/" is rootfs, no parent, and NEW_ROOT a directory on it
 * ("pivot_root . ." from /).  Before Linux 6.17 rootfs is MNT_LOCKED and
 * the kernel says EINVAL there, before its EBUSY. */
static void test_gather_parentless_new_root(void **state)
{
	(void) state;
	k_reset();
	k_find_mount(ROOT_ID)->parent = ROOT_ID;
	k_find("/nr")->mnt_id = ROOT_ID;
	k_find("/nr")->mount_root = false;
	k_find("/nr/old")->mnt_id = ROOT_ID;
	k_find("/nr/old/..")->mnt_id = ROOT_ID;
	k.release = "6.12.48+deb13-amd64";
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_check("FAIL", "NEW_ROOT /nr's mount is not locked to its parent");
	assert_non_null(strstr(line_of("not locked"), "locked before Linux 6.17 (this is 6.12.48+deb13-amd64)"));
	assert_verdict("pivot_root would fail with EINVAL");

	k.release = "6.1.0-37-amd64";
	gather_and_report("/nr", "/nr/old");
	assert_verdict("pivot_root would fail with EINVAL");

	k.release = "6.17.1";
	assert_int_equal(gather_and_report("/nr", "/nr/old"), PW_EXPLAIN_FAIL);
	assert_check("ok", "not locked");
	assert_verdict("pivot_root would fail with EBUSY");

	k.release = NULL;
	gather_and_report("/nr", "/nr/old");
	assert_check("??", "not locked");
	assert_verdict("pivot_root would fail with EBUSY, or before that with EINVAL (an earlier check cannot be told)");

	/* outside the initial user namespace the umount(2) probe answers */
	k.release = "6.1.0";
	k.own_userns = k.owner_userns = 4026532000ULL;
	k.umount_err = EPERM;
	gather_and_report("/nr", "/nr/old");
	assert_int_equal(k.umount_calls, 1);
	assert_check("ok", "not locked");
}

static void test_errno_names(void **state)
{
	(void) state;
	assert_string_equal(pw_errno_name(ELOOP), "ELOOP");
	assert_string_equal(pw_errno_name(ENAMETOOLONG), "ENAMETOOLONG");
	assert_string_equal(pw_errno_name(EACCES), "EACCES");
	assert_string_equal(pw_errno_name(4095), "errno 4095");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initramfs_rootfs),
		cmocka_unit_test(test_after_the_dance),
		cmocka_unit_test(test_shared_rootfs),
		cmocka_unit_test(test_shared_parent_in_the_table),
		cmocka_unit_test(test_chroot_directory),
		cmocka_unit_test(test_cannot_tell),
		cmocka_unit_test(test_new_root_fine),
		cmocka_unit_test(test_new_root_not_a_mount_point),
		cmocka_unit_test(test_new_root_parent_shared),
		cmocka_unit_test(test_put_old_outside),
		cmocka_unit_test(test_put_old_shared),
		cmocka_unit_test(test_not_a_directory),
		cmocka_unit_test(test_no_privilege_comes_first),
		cmocka_unit_test(test_newline_in_a_path_is_escaped),
		cmocka_unit_test(test_gather_all_fine),
		cmocka_unit_test(test_gather_only_the_root),
		cmocka_unit_test(test_gather_mount_root_not_reported),
		cmocka_unit_test(test_gather_may_mount_in_another_user_namespace),
		cmocka_unit_test(test_gather_locked),
		cmocka_unit_test(test_kernel_order),
		cmocka_unit_test(test_gather_other_namespace),
		cmocka_unit_test(test_gather_reachability),
		cmocka_unit_test(test_gather_hidden_parent_hints),
		cmocka_unit_test(test_gather_root_in_another_namespace),
		cmocka_unit_test(test_gather_parentless_new_root),
		cmocka_unit_test(test_errno_names),
	};

	return cmocka_run_group_tests_name("explain", tests, NULL, NULL);
}
