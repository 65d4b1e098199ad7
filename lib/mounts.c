/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include <libmount.h>
#ifdef PW_LIBMOUNT_DLOPEN
# include <dlfcn.h>
#endif

#include "mounts.h"
#include "sys.h"

/* gcc 12's -fanalyzer loses track of the table once libmount is called
 * through the pointers below, and reports the caller's table (freed by
 * pw_table_free()) as leaked at each such call; valgrind and
 * LeakSanitizer, which the unit suite runs under, see no leak. */
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"

const char *pw_mountinfo = PW_MOUNTINFO;

int pw_where(int dirfd, const char *path, int flags, struct pw_where *w)
{
	struct pw_statx old;

	memset(w, 0, sizeof(*w));
	/* Asked for both, the kernel answers with the unique ID where it has
	 * one (6.8); mountinfo's numbering then needs a second question. */
	if (pw_sys_statx(dirfd, path, flags, PW_STATX_TYPE | PW_STATX_MODE | PW_STATX_NLINK | PW_STATX_INO |
			 PW_STATX_MNT_ID | PW_STATX_MNT_ID_UNIQUE, &w->stx) < 0)
		return -1;
	if (w->stx.stx_mask & PW_STATX_MNT_ID_UNIQUE) {
		w->uid = w->stx.stx_mnt_id;
		memset(&old, 0, sizeof(old));
		if (pw_sys_statx(dirfd, path, flags, PW_STATX_MNT_ID, &old) < 0)
			return -1;
		if (old.stx_mask & PW_STATX_MNT_ID)
			w->id = old.stx_mnt_id;
	} else if (w->stx.stx_mask & PW_STATX_MNT_ID) {
		w->id = w->stx.stx_mnt_id;
	}
	w->mount_root_known = (w->stx.stx_attributes_mask & PW_STATX_ATTR_MOUNT_ROOT) != 0;
	w->mount_root = (w->stx.stx_attributes & PW_STATX_ATTR_MOUNT_ROOT) != 0;
	return 0;
}

static const char *propagation_name(uint64_t propagation)
{
	if (propagation & MS_UNBINDABLE)
		return "unbindable";
	if ((propagation & MS_SHARED) && (propagation & MS_SLAVE))
		return "shared and slave";
	return propagation & MS_SHARED ? "shared" : propagation & MS_SLAVE ? "slave" : "private";
}

int pw_statmount(uint64_t uid, struct pw_mount *m, char *point, size_t size)
{
	union {
		struct pw_statmount sm;
		char buf[sizeof(struct pw_statmount) + 4096];
	} u;
	uint64_t mask = PW_STATMOUNT_MNT_BASIC | (point ? PW_STATMOUNT_MNT_POINT : 0);

	memset(m, 0, sizeof(*m));
	memset(&u.sm, 0, sizeof(u.sm));
	if (uid == 0) {
		errno = ENOSYS;		/* statx gave no unique ID: before 6.8 */
		return -1;
	}
	if (pw_sys_statmount(uid, mask, &u.sm, sizeof(u)) < 0)
		return -1;
	if (!(u.sm.mask & PW_STATMOUNT_MNT_BASIC)) {
		errno = ENODATA;
		return -1;
	}
	m->id = u.sm.mnt_id_old;
	m->parent_id = u.sm.mnt_parent_id_old;
	m->uid = u.sm.mnt_id;
	m->parent_uid = u.sm.mnt_parent_id;
	m->propagation = u.sm.mnt_propagation;
	snprintf(m->evidence, sizeof(m->evidence), "statmount: mount %llu, parent %llu, %s",
		 (unsigned long long) m->id, (unsigned long long) m->parent_id, propagation_name(m->propagation));
	if (point) {
		/* Empty when the mount lies outside the caller's root. */
		if ((u.sm.mask & PW_STATMOUNT_MNT_POINT) && u.sm.mnt_point < sizeof(u) - sizeof(u.sm))
			snprintf(point, size, "%s", u.sm.str + u.sm.mnt_point);
		else
			*point = '\0';
	}
	return 0;
}

const char *pw_statmount_hint(int errnum)
{
	switch (errnum) {
	case ENOSYS:
		return "Linux 6.8 or later can tell: it has statmount(2)";
	case EPERM:
		return "statmount(2) shows a mount outside the root only to a caller with "
		       "CAP_SYS_ADMIN in the user namespace that owns the mount namespace";
	case ENOENT:
		return "the mount is not in this mount namespace";
	default:
		return NULL;
	}
}

/*
 * libmount, as few of its functions as the table needs.  The dynamic build
 * loads it at the first table read, so that a kernel with statmount(2) never
 * maps libmount, libblkid, libselinux and libpcre2 into the process: on an
 * initramfs under emulation that is most of prepare-root's start-up cost.
 * The static build links it.
 */
#define LIBMOUNT_FUNCTIONS(X) \
	X(mnt_new_table) X(mnt_unref_table) X(mnt_table_parse_stream) \
	X(mnt_new_iter) X(mnt_free_iter) X(mnt_table_next_fs) X(mnt_table_get_nents) \
	X(mnt_fs_get_id) X(mnt_fs_get_parent_id) X(mnt_fs_get_propagation) X(mnt_fs_get_target) \
	X(mnt_fs_get_root) X(mnt_fs_get_devno) X(mnt_fs_get_vfs_options) \
	X(mnt_fs_get_optional_fields) X(mnt_fs_get_fstype) X(mnt_fs_get_source) X(mnt_fs_get_fs_options)

#define LM_FIELD(f) __typeof__(f) *f;
static struct {
	LIBMOUNT_FUNCTIONS(LM_FIELD)
} lm;

static char lm_error[256];

#ifdef PW_LIBMOUNT_DLOPEN
/* For image builders (dracut, mkosi, systemd's own tools read it): the
 * library this binary may dlopen(), in the ELF note systemd defined for it
 * (https://systemd.io/ELF_DLOPEN_METADATA/). */
# define DLOPEN_JSON "[{\"feature\":\"mount-table\",\"description\":\"Read /proc/self/mountinfo " \
		     "on kernels without statmount(2) (before Linux 6.8)\",\"priority\":\"required\"," \
		     "\"soname\":[\"libmount.so.1\"]}]"
static const struct {
	uint32_t namesz, descsz, type;
	char name[4];
	char desc[(sizeof(DLOPEN_JSON) + 3) & ~3U];
} dlopen_note __attribute__((used, retain, aligned(4), section(".note.dlopen"))) = {
	.namesz = 4, .descsz = (sizeof(DLOPEN_JSON) + 3) & ~3U, .type = 0x407c0c0a,
	.name = "FDO", .desc = DLOPEN_JSON,
};

static bool load_libmount(void)
{
	static void *handle;
	void *sym;

	if (handle)
		return true;
	handle = dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		snprintf(lm_error, sizeof(lm_error), "%s", dlerror());
		return false;
	}
# define LM_LOAD(f) \
	if (!(sym = dlsym(handle, #f))) { \
		snprintf(lm_error, sizeof(lm_error), "libmount.so.1 has no %s", #f); \
		dlclose(handle); handle = NULL; return false; \
	} \
	memcpy(&lm.f, &sym, sizeof(sym));
	LIBMOUNT_FUNCTIONS(LM_LOAD)
	return true;
}
#else
static bool load_libmount(void)
{
# define LM_LINK(f) lm.f = f;
	LIBMOUNT_FUNCTIONS(LM_LINK)
	return true;
}
#endif

const char *pw_table_error(void)
{
	return lm_error;
}

struct pw_table {
	struct libmnt_table *tb;
	struct libmnt_fs **fs;		/* in the table's order */
	size_t n;
};

void pw_table_free(struct pw_table *t)
{
	if (!t)
		return;
	free(t->fs);
	lm.mnt_unref_table(t->tb);
	free(t);
}

/* Index the parsed table; frees it and returns NULL on failure. */
static struct pw_table *index_table(struct pw_table *t)
{
	struct libmnt_iter *itr = lm.mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int count = lm.mnt_table_get_nents(t->tb);

	t->fs = calloc(count > 0 ? (size_t) count : 1, sizeof(*t->fs));
	if (!itr || !t->fs) {
		lm.mnt_free_iter(itr);
		pw_table_free(t);
		errno = ENOMEM;
		return NULL;
	}
	while (t->n < (size_t) count && lm.mnt_table_next_fs(t->tb, itr, &fs) == 0)
		t->fs[t->n++] = fs;
	lm.mnt_free_iter(itr);
	return t;
}

struct pw_table *pw_table_read(const char *path)
{
	struct pw_table *t;
	FILE *f;
	int rc;

	if (!load_libmount()) {
		errno = ELIBACC;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t || !(t->tb = lm.mnt_new_table())) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	/* Opened here, not by mnt_table_parse_file(): given a file name,
	 * libmount resolves it with realpath(3) (a readlink(2) for each of
	 * its components) to learn a task ID this code never asks for.  The
	 * empty name it is given instead only appears in its debug output. */
	f = fopen(path, "re");
	if (!f) {
		rc = -errno;
	} else {
		rc = lm.mnt_table_parse_stream(t->tb, f, "");
		fclose(f);
	}
	if (rc != 0) {
		pw_table_free(t);
		errno = rc < 0 ? -rc : EINVAL;
		snprintf(lm_error, sizeof(lm_error), "%s: %s", path, strerror(errno));
		return NULL;
	}
	return index_table(t);
}

/* The mountinfo line, rebuilt from what libmount parsed. */
static void fill(struct libmnt_fs *fs, struct pw_mount *m)
{
	const char *optional = lm.mnt_fs_get_optional_fields(fs);
	unsigned long propagation = 0;
	dev_t dev = lm.mnt_fs_get_devno(fs);

	memset(m, 0, sizeof(*m));
	m->id = (uint64_t) lm.mnt_fs_get_id(fs);
	m->parent_id = (uint64_t) lm.mnt_fs_get_parent_id(fs);
	if (lm.mnt_fs_get_propagation(fs, &propagation) == 0)
		m->propagation = propagation;
	m->from_table = true;
	snprintf(m->evidence, sizeof(m->evidence), "%d %d %u:%u %s %s %s%s%s - %s %s %s",
		 lm.mnt_fs_get_id(fs), lm.mnt_fs_get_parent_id(fs), major(dev), minor(dev),
		 lm.mnt_fs_get_root(fs) ?: "?", lm.mnt_fs_get_target(fs) ?: "?",
		 lm.mnt_fs_get_vfs_options(fs) ?: "", optional && *optional ? " " : "", optional ?: "",
		 lm.mnt_fs_get_fstype(fs) ?: "?", lm.mnt_fs_get_source(fs) ?: "none",
		 lm.mnt_fs_get_fs_options(fs) ?: "");
}

int pw_table_find(struct pw_table *t, uint64_t id, struct pw_mount *m)
{
	for (size_t i = 0; t && i < t->n; i++) {
		if ((uint64_t) lm.mnt_fs_get_id(t->fs[i]) == id) {
			fill(t->fs[i], m);
			return (int) i;
		}
	}
	return -1;
}

int pw_mounts_list(struct pw_mount_list *l, uint64_t uid, struct pw_table *t)
{
	ssize_t n = t ? -1 : pw_sys_listmount(uid, 0, l->uids, sizeof(l->uids) / sizeof(l->uids[0]));

	l->next = 0;
	l->own = NULL;
	l->t = t;
	if (n < 0 && !t && !(l->t = l->own = pw_table_read(pw_mountinfo)))
		return -1;
	l->n = l->t ? l->t->n : (size_t) n;
	return 0;
}

int pw_mounts_next(struct pw_mount_list *l, struct pw_mount *m, char *point, size_t size)
{
	while (l->next < l->n) {
		if (l->t) {
			fill(l->t->fs[l->next], m);
			snprintf(point, size, "%s", lm.mnt_fs_get_target(l->t->fs[l->next++]) ?: "");
			return 0;
		}
		/* One unmounted since it was listed is passed over. */
		if (pw_statmount(l->uids[l->next++], m, point, size) == 0)
			return 0;
	}
	return -1;
}

void pw_mounts_end(struct pw_mount_list *l)
{
	pw_table_free(l->own);
	l->own = NULL;
}

void pw_place_mount(struct pw_place *p, struct pw_table **t)
{
	int i;

	p->known = p->listed = p->via_table = false;
	p->point[0] = '\0';
	if (pw_statmount(p->w.uid, &p->m, p->point, sizeof(p->point)) == 0) {
		p->known = true;
		p->listed = p->point[0] != '\0';
		return;
	}
	p->err = errno;
	/* ENOENT: not in this namespace; EPERM: outside the root, and the
	 * caller may not look.  The table would not show either. */
	if (p->err == ENOENT || p->err == EPERM)
		return;
	p->via_table = true;
	if (!*t && !(*t = pw_table_read(pw_mountinfo))) {
		p->err = errno;
		return;
	}
	p->err = 0;
	if ((i = pw_table_find(*t, p->w.id, &p->m)) >= 0) {
		p->known = p->listed = true;
		snprintf(p->point, sizeof(p->point), "%s", lm.mnt_fs_get_target((*t)->fs[i]) ?: "");
	}
}

int pw_mount_parent(const struct pw_mount *m, struct pw_table *t, struct pw_mount *parent)
{
	if (!m->from_table)
		return pw_statmount(m->parent_uid, parent, NULL, 0);
	return pw_table_find(t, m->parent_id, parent) < 0 ? -1 : 0;
}
