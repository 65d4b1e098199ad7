/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel interfaces that the build headers may not describe, in one place.
 *
 * The build machines carry Linux 6.1 UAPI headers (no statmount, no
 * listmount) and musl 1.2.3 has no wrapper for statx, open_tree, move_mount
 * or mount_setattr, so the numbers and layouts used here are spelled out
 * from the kernel's include/uapi/linux/{stat,mount,capability,nsfs}.h and
 * called through syscall(2).  Everything is named PW_* / pw_* to stay clear
 * of whatever the libc headers do declare.
 */
#ifndef PIVOTWRAP_KERNEL_ABI_H
#define PIVOTWRAP_KERNEL_ABI_H

#include <stdint.h>
#include <sys/syscall.h>

/* --- system call numbers ------------------------------------------------ */

#ifndef SYS_statx
# if defined(__x86_64__)
#  define SYS_statx 332
# elif defined(__aarch64__)
#  define SYS_statx 291
# else
#  error "unknown statx syscall number for this architecture"
# endif
#endif
/* The "new mount API" and what followed share one number on every
 * architecture (the unified syscall table, Linux 5.2 onwards). */
#ifndef SYS_open_tree
# define SYS_open_tree 428
#endif
#ifndef SYS_move_mount
# define SYS_move_mount 429
#endif
#ifndef SYS_mount_setattr
# define SYS_mount_setattr 442		/* Linux 5.12 */
#endif
#ifndef SYS_statmount
# define SYS_statmount 457		/* Linux 6.8 */
#endif
#ifndef SYS_listmount
# define SYS_listmount 458		/* Linux 6.8 */
#endif

/* --- open_tree(2), move_mount(2), mount_setattr(2), umount2(2) ----------- */

#define PW_AT_EMPTY_PATH            0x1000
#define PW_AT_NO_AUTOMOUNT          0x800
#define PW_AT_STATX_DONT_SYNC       0x4000
#define PW_AT_RECURSIVE             0x8000
#define PW_OPEN_TREE_CLONE          1
#define PW_MOVE_MOUNT_F_EMPTY_PATH  0x00000004
#define PW_MOVE_MOUNT_T_EMPTY_PATH  0x00000040
#define PW_MNT_EXPIRE               4	/* umount2: glibc has it, musl not */

struct pw_mount_attr {
	uint64_t attr_set;
	uint64_t attr_clr;
	uint64_t propagation;	/* MS_SLAVE, MS_PRIVATE, ... */
	uint64_t userns_fd;
};
#define PW_MOUNT_ATTR_SIZE_VER0 32

/* --- statx(2) ------------------------------------------------------------- */

#define PW_STATX_TYPE           0x00000001U
#define PW_STATX_MODE           0x00000002U
#define PW_STATX_NLINK          0x00000004U
#define PW_STATX_INO            0x00000100U
#define PW_STATX_MNT_ID         0x00001000U	/* Linux 5.8: mountinfo's numbering */
#define PW_STATX_MNT_ID_UNIQUE  0x00004000U	/* Linux 6.8: statmount's numbering */
#define PW_STATX_ATTR_MOUNT_ROOT 0x00002000ULL	/* Linux 5.8 */

struct pw_statx_timestamp {
	int64_t  tv_sec;
	uint32_t tv_nsec;
	int32_t  reserved;
};

struct pw_statx {
	uint32_t stx_mask;
	uint32_t stx_blksize;
	uint64_t stx_attributes;
	uint32_t stx_nlink;
	uint32_t stx_uid;
	uint32_t stx_gid;
	uint16_t stx_mode;
	uint16_t spare0;
	uint64_t stx_ino;
	uint64_t stx_size;
	uint64_t stx_blocks;
	uint64_t stx_attributes_mask;
	struct pw_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
	uint32_t stx_rdev_major, stx_rdev_minor;
	uint32_t stx_dev_major, stx_dev_minor;
	uint64_t stx_mnt_id;
	uint32_t stx_dio_mem_align;
	uint32_t stx_dio_offset_align;
	uint64_t spare3[12];
};

/* --- statmount(2), listmount(2) ------------------------------------------- */

#define PW_STATMOUNT_MNT_BASIC  0x00000002U
#define PW_STATMOUNT_MNT_POINT  0x00000010U
#define PW_LSMT_ROOT            0xffffffffffffffffULL	/* the caller's root */
#define PW_MNT_ID_REQ_SIZE_VER0 24

struct pw_mnt_id_req {
	uint32_t size;
	uint32_t spare;
	uint64_t mnt_id;
	uint64_t param;
};

struct pw_statmount {
	uint32_t size;
	uint32_t mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major, sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags;
	uint32_t fs_type;
	uint64_t mnt_id;            /* unique (64-bit) IDs ... */
	uint64_t mnt_parent_id;     /* ... equal to mnt_id when there is no parent */
	uint32_t mnt_id_old;        /* the IDs /proc/self/mountinfo shows */
	uint32_t mnt_parent_id_old;
	uint64_t mnt_attr;
	uint64_t mnt_propagation;   /* MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE */
	uint64_t mnt_peer_group;
	uint64_t mnt_master;
	uint64_t propagate_from;
	uint32_t mnt_root;
	uint32_t mnt_point;         /* offset of the mount point in str[] */
	uint64_t spare2[50];
	char str[];
};

/* --- capget(2), without libcap: only "is CAP_SYS_ADMIN effective?" -------- */

#define PW_LINUX_CAPABILITY_VERSION_3 0x20080522
#define PW_CAP_SYS_ADMIN 21

struct pw_cap_header {
	uint32_t version;
	int pid;
};

struct pw_cap_data {
	uint32_t effective;
	uint32_t permitted;
	uint32_t inheritable;
};

/* --- namespaces ------------------------------------------------------------ */

#define PW_NS_GET_USERNS 0xb701		/* _IO(0xb7, 0x1), Linux 4.9 */
/* The inode number of the initial user namespace (PROC_USER_INIT_INO in
 * include/linux/proc_ns.h, fixed since Linux 3.8). */
#define PW_PROC_USER_INIT_INO 0xEFFFFFFDU

_Static_assert(sizeof(struct pw_statx) == 256, "struct statx layout");
_Static_assert(sizeof(struct pw_mnt_id_req) == PW_MNT_ID_REQ_SIZE_VER0, "mnt_id_req layout");
_Static_assert(sizeof(struct pw_mount_attr) == PW_MOUNT_ATTR_SIZE_VER0, "mount_attr layout");
_Static_assert(__builtin_offsetof(struct pw_statmount, mnt_propagation) == 72, "statmount layout");
_Static_assert(__builtin_offsetof(struct pw_statmount, mnt_point) == 108, "statmount layout");

#endif
