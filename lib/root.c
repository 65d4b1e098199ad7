/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#include "log.h"
#include "mounts.h"
#include "root.h"
#include "sys.h"

void pw_mount_facts(struct pw_facts *f, enum pw_subject s, const struct pw_place *p, struct pw_table *t)
{
	const char *source = p->via_table ? "/proc/self/mountinfo" : "statmount(2)";
	struct pw_mount parent;

	pw_fact(f, s, PW_ON_ROOT_MOUNT, pw_tri_of(p->w.id == f->root_id), "mount %llu", (unsigned long long) p->w.id);
	if (!p->known) {
		/* statmount(2) looks the ID up in the caller's namespace
		 * first: EPERM means it is there.  The table lists a mount
		 * whose root is the caller's root unless it is another
		 * namespace's; other mounts not listed lie outside the root. */
		if (p->via_table ? !p->err && s == PW_ROOT && p->w.mount_root : p->err == ENOENT)
			pw_fact(f, s, PW_IN_NAMESPACE, PW_NO, "%s does not know mount %llu: it is of another mount namespace",
				source, (unsigned long long) p->w.id);
		else if (!p->via_table && p->err == EPERM)
			pw_fact(f, s, PW_IN_NAMESPACE, PW_YES, "statmount(2) found mount %llu in this mount namespace, "
				"then said EPERM", (unsigned long long) p->w.id);
		if (p->via_table && p->err)
			pw_fact(f, s, PW_PARENT_SHARED, PW_UNKNOWN, "no statmount(2) (before Linux 6.8), and the mount "
				"table cannot be read: %s", pw_table_error());
		else if (p->via_table)
			pw_fact(f, s, PW_PARENT_SHARED, PW_UNKNOWN, "mount %llu lies outside the root, where mountinfo "
				"does not show it; %s", (unsigned long long) p->w.id, pw_statmount_hint(ENOSYS));
		else
			pw_fact(f, s, PW_PARENT_SHARED, PW_UNKNOWN, "statmount(2) of mount %llu: %s",
				(unsigned long long) p->w.id, pw_statmount_hint(p->err) ?: strerror(p->err));
		return;
	}
	pw_fact(f, s, PW_IN_NAMESPACE, PW_YES, "%s lists mount %llu", source, (unsigned long long) p->m.id);
	pw_fact(f, s, PW_SHARED, pw_tri_of(p->m.propagation & MS_SHARED), "%s", p->m.evidence);
	pw_fact(f, s, PW_HAS_PARENT, pw_tri_of(p->m.parent_id != p->m.id), "%s", p->m.evidence);
	/* The parent of a parentless mount is the mount itself. */
	if (p->m.parent_id == p->m.id)
		pw_fact(f, s, PW_PARENT_SHARED, pw_tri_of(p->m.propagation & MS_SHARED), "%s", p->m.evidence);
	else if (pw_mount_parent(&p->m, t, &parent) == 0)
		pw_fact(f, s, PW_PARENT_SHARED, pw_tri_of(parent.propagation & MS_SHARED), "%s", parent.evidence);
	else
		/* A parent outside the root: mountinfo does not list it,
		 * statmount(2) shows it only with CAP_SYS_ADMIN. */
		pw_fact(f, s, PW_PARENT_SHARED, PW_UNKNOWN, "the parent, mount %llu, lies outside the root; %s",
			(unsigned long long) p->m.parent_id, p->m.from_table ? pw_statmount_hint(ENOSYS) :
			pw_statmount_hint(errno) ?: strerror(errno));
}

static enum pw_tri cap_sys_admin_effective(void)
{
	struct pw_cap_header header = { .version = PW_LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct pw_cap_data data[2];

	memset(data, 0, sizeof(data));
	if (pw_sys_capget(&header, data) < 0)
		return PW_UNKNOWN;
	return pw_tri_of(data[PW_CAP_SYS_ADMIN / 32].effective & (1U << (PW_CAP_SYS_ADMIN % 32)));
}

/* The inode of a user namespace: our own, or (NS_GET_USERNS) the one that
 * owns our mount namespace; 0, or -1 with errno. */
static int userns_inode(const char *ns_file, bool owner, uint64_t *ino)
{
	struct pw_statx stx;
	int fd = pw_sys_openat(AT_FDCWD, ns_file, O_RDONLY | O_CLOEXEC), user = fd, err;

	if (fd < 0)
		return -1;
	if (owner)
		user = pw_sys_ioctl(fd, PW_NS_GET_USERNS);
	err = errno;
	memset(&stx, 0, sizeof(stx));
	if (user >= 0 && pw_sys_statx(user, "", PW_AT_EMPTY_PATH, PW_STATX_INO, &stx) < 0)
		err = errno;
	if (user >= 0 && user != fd)
		pw_sys_close(user);
	pw_sys_close(fd);
	errno = err;
	if (user < 0 || !(stx.stx_mask & PW_STATX_INO))
		return -1;
	*ino = stx.stx_ino;
	return 0;
}

/*
 * may_mount(): CAP_SYS_ADMIN in the user namespace that owns the mount
 * namespace.  Asked of the kernel itself: mount(2) checks may_mount()
 * before anything else, and then refuses a propagation change with two
 * propagation flags with EINVAL, changing nothing.
 */
static void caller_facts(struct pw_facts *f)
{
	enum pw_tri cap = cap_sys_admin_effective();
	uint64_t own = 0, owner = 0;
	bool have_own, have_owner;
	int owner_err;

	f->present[PW_CALLER] = true;
	if (pw_sys_mount(NULL, "/", NULL, MS_SHARED | MS_PRIVATE, NULL) == 0 || errno == EINVAL)
		pw_fact(f, PW_CALLER, PW_MAY_MOUNT, PW_YES, NULL);
	else if (errno == EPERM)
		pw_fact(f, PW_CALLER, PW_MAY_MOUNT, PW_NO, "CAP_SYS_ADMIN is not effective");
	else
		pw_fact(f, PW_CALLER, PW_MAY_MOUNT, PW_UNKNOWN, "mount(2) probe: %s", strerror(errno));
	have_own = userns_inode("/proc/self/ns/user", false, &own) == 0;
	have_owner = userns_inode("/proc/self/ns/mnt", true, &owner) == 0;
	/* NS_GET_USERNS says EPERM of a user namespace above ours. */
	owner_err = have_owner ? 0 : errno;
	if (f->value[PW_CALLER][PW_MAY_MOUNT] == PW_NO && cap == PW_YES) {
		pw_fact(f, PW_CALLER, PW_MAY_MOUNT, PW_NO,
			"CAP_SYS_ADMIN is effective, but in user namespace %llu, and the mount namespace belongs to %s",
			(unsigned long long) own,
			have_owner ? (owner == PW_PROC_USER_INIT_INO ? "the initial one" : "another") :
			owner_err == EPERM ? "one above it" : "another");
		f->fix[PW_CALLER][PW_MAY_MOUNT] = "work in a mount namespace of this user namespace (unshare -m), "
						  "or as root of the namespace that owns it";
	}
	/* Only copies into a namespace of a less privileged user namespace
	 * are locked; outside the initial user namespace capable() is false,
	 * which the umount(2) probe of lib/paths.c needs. */
	if (have_owner && owner == PW_PROC_USER_INIT_INO)
		f->lock_probe = PW_LOCK_NONE_LOCKED;
	else if (have_own && own != PW_PROC_USER_INIT_INO && f->value[PW_CALLER][PW_MAY_MOUNT] == PW_YES)
		f->lock_probe = PW_LOCK_PROBE;
	else
		f->lock_probe = PW_LOCK_CANNOT_PROBE;
}

void pw_root_gather(struct pw_facts *f, bool caller)
{
	struct pw_table *t = NULL;
	struct pw_place p;

	if (caller)
		caller_facts(f);
	f->present[PW_ROOT] = true;
	memset(&p, 0, sizeof(p));
	if (pw_where(AT_FDCWD, "/", 0, &p.w) < 0) {
		pw_fact(f, PW_ROOT, PW_MOUNT_ROOT, PW_UNKNOWN, "statx(/): %s", strerror(errno));
		return;
	}
	f->root_id = p.w.id;
	if (p.w.mount_root_known)
		pw_fact(f, PW_ROOT, PW_MOUNT_ROOT, pw_tri_of(p.w.mount_root), p.w.mount_root ? NULL :
			"an earlier chroot into a directory of mount %llu", (unsigned long long) p.w.id);
	else
		pw_fact(f, PW_ROOT, PW_MOUNT_ROOT, PW_UNKNOWN, "statx(2) does not report STATX_ATTR_MOUNT_ROOT: before Linux 5.8");
	pw_place_mount(&p, &t);
	f->no_libmount = p.via_table && p.err == ELIBACC;
	pw_mount_facts(f, PW_ROOT, &p, t);
	pw_table_free(t);
	pw_verbose("root: mount %llu, %s; parent: %s (via %s)", (unsigned long long) p.w.id,
		   p.w.mount_root ? "root of the mount" : "a directory in it", f->evidence[PW_ROOT][PW_PARENT_SHARED],
		   p.via_table ? "mountinfo" : "statmount");
}

/* What the trial thread did: the step it stopped at and its errno. */
struct trial {
	const char *step;
	int err;
};

/*
 * A runtime's pivot_root(2), tried where only this thread sees it: in a
 * mount namespace of its own (unshare(CLONE_NEWNS) also gives the thread a
 * root and working directory of its own), "/" made a recursive slave, a
 * fresh tmpfs stacked on it as NEW_ROOT, entered by "/..", and
 * pivot_root(".", ".").  That tmpfs is neither shared nor locked: only the
 * current root is on trial.  The namespace goes when the thread ends.
 */
static void *trial_thread(void *arg)
{
	struct trial *t = arg;

	t->step = "unshare(CLONE_NEWNS)";
	if (pw_sys_unshare(CLONE_NEWNS) < 0)
		goto out;
	t->step = "mount(none, /, MS_REC|MS_SLAVE)";
	if (pw_sys_mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		goto out;
	t->step = "mount(tmpfs, /)";
	if (pw_sys_mount("pivotwrap-trial", "/", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0700") < 0)
		goto out;
	t->step = "chdir(/..)";
	if (pw_sys_chdir("/..") < 0)
		goto out;
	t->step = "pivot_root(., .)";
	if (pw_sys_pivot_root(".", ".") < 0)
		goto out;
	errno = 0;
out:
	t->err = errno;
	return NULL;
}

/*
 * Ask the kernel what the facts leave unknown of the root rows.  Its yes
 * answers every root row; its EINVAL, with every known row passing, falls
 * on the first one not told.  Returns 0 when it answered, else -1 with
 * *@why, and *@unprivileged when that was for want of CAP_SYS_ADMIN.
 */
static int ask_kernel(struct pw_facts *f, const char **why, bool *unprivileged)
{
	static char because[200];
	struct trial t = { "pthread_create", 0 };

	pw_verbose("the root rows cannot all be told: trying pivot_root in a thread's own mount namespace");
	if (pw_sys_run_thread(trial_thread, &t) < 0)
		t.err = errno;
	if (t.err == 0 || (t.err == EINVAL && strcmp(t.step, "pivot_root(., .)") == 0)) {
		pw_verbose("trial pivot_root: %s", t.err ? "EINVAL" : "accepted");
		pw_checks_settle(f, PW_ROOT_ROWS, t.err == 0, t.err ?
				 "a trial pivot_root(\".\", \".\") in a mount namespace of its own: EINVAL" :
				 "a trial pivot_root(\".\", \".\") in a mount namespace of its own succeeded");
		return 0;
	}
	if (strcmp(t.step, "pthread_create") == 0)
		snprintf(because, sizeof(because), "the kernel cannot be asked: no thread can be started (%s; a PID "
			 "namespace that awaits its first process takes none)", strerror(t.err));
	else
		snprintf(because, sizeof(because), "a trial pivot_root could not be made: %s: %s", t.step,
			 strerror(t.err));
	*why = because;
	*unprivileged = t.err == EPERM && strcmp(t.step, "unshare(CLONE_NEWNS)") == 0;
	pw_verbose("%s", because);
	return -1;
}

enum pw_need pw_root_judge(struct pw_facts *f, bool caller, struct pw_verdict *v, const char **why)
{
	*why = NULL;
	pw_root_gather(f, caller);
	if (f->no_libmount) {
		*why = pw_table_error();
		return PW_NEED_LIBMOUNT;
	}
	pw_checks_evaluate(f, PW_ROOT_ROWS, v, NULL);
	if (!v->failed && v->unknown) {
		bool unprivileged = false;

		if (ask_kernel(f, why, &unprivileged) < 0) {
			/*
			 * No trial: without CAP_SYS_ADMIN no re-root could be
			 * made either, and the command runs as it would have.
			 * Otherwise (no thread: a PID namespace awaiting its
			 * first process), a re-root is made: it gives a root
			 * pivot_root(2) accepts whatever the answer would have
			 * been, where running as is might fail.
			 */
			return unprivileged ? PW_NEED_UNTOLD : PW_NEED_REROOT;
		}
		pw_checks_evaluate(f, PW_ROOT_ROWS, v, NULL);
	}
	if (!v->failed)
		return PW_NEED_NOTHING;
	/* A root of another mount namespace cannot be copied here
	 * (__do_loopback: check_mnt), when that is seen, not only inferred
	 * from a trial. */
	if (v->failed->fact == PW_IN_NAMESPACE && !f->settled[PW_ROOT][PW_IN_NAMESPACE])
		return PW_NEED_IMPOSSIBLE;
	return PW_NEED_REROOT;
}
