/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Finding the real program behind a link to prepare-root.
 *
 * The link and the real program have the same name, and there may be more
 * than one prepare-root in PATH under that name: links, hard links, copies
 * of this binary or of another version.  Names tell nothing, and neither
 * does where a file is (a copy has an inode of its own): what a file is
 * does.  Every build of prepare-root carries an ELF note (owner
 * "pivotwrap", below), and a candidate that carries it is passed over, so
 * prepare-root never executes a prepare-root.  Reading it costs a few
 * hundred bytes of the candidate's headers; it needs no /proc.
 */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "masquerade.h"
#include "mounts.h"
#include "sys.h"

/* glibc's execvp(3) searches this when PATH is unset. */
#define DEFAULT_PATH "/bin:/usr/bin"
#define SELF_PREFIX "prepare-root"
#define NOTE_OWNER "pivotwrap"
#define NOTE_TYPE 1

/* The mark of a prepare-root binary, in a PT_NOTE segment of its own. */
static const struct {
	uint32_t namesz, descsz, type;
	char name[12];
	char desc[4];
} self_note __attribute__((used, retain, aligned(4), section(".note.pivotwrap"))) = {
	.namesz = sizeof(NOTE_OWNER), .descsz = 4, .type = NOTE_TYPE, .name = NOTE_OWNER, .desc = "p-r",
};

/* The runtimes a masquerade link is installed for (meson -Dmasquerade):
 * under these names, a missing real program is an error, not a rename. */
static const char *const runtimes[] = { "runc", "crun", "youki", "bwrap" };

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

bool pw_masquerade_meant(const char *name)
{
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		if (strcmp(name, runtimes[i]) == 0)
			return true;
	return false;
}

/* Whether the notes in [@off, @off + @size) of @fd hold ours. */
static bool notes_hold_ours(int fd, uint64_t off, uint64_t size)
{
	unsigned char buf[4096];
	size_t pos = 0;
	ssize_t n;

	if (size > sizeof(buf))
		size = sizeof(buf);
	n = pw_sys_pread(fd, buf, size, (off_t) off);
	while (n > 0 && pos + 12 <= (size_t) n) {
		uint32_t hdr[3];
		size_t name_at = pos + 12, desc_at;

		memcpy(hdr, buf + pos, sizeof(hdr));
		desc_at = name_at + ((hdr[0] + 3) & ~3U);
		if (hdr[0] > sizeof(buf) || hdr[1] > sizeof(buf) || desc_at > (size_t) n)
			break;
		if (hdr[2] == NOTE_TYPE && hdr[0] == sizeof(NOTE_OWNER) &&
		    memcmp(buf + name_at, NOTE_OWNER, sizeof(NOTE_OWNER)) == 0)
			return true;
		pos = desc_at + ((hdr[1] + 3) & ~3U);
	}
	return false;
}

bool pw_is_prepare_root(int fd)
{
	union {
		Elf64_Ehdr e64;
		Elf32_Ehdr e32;
	} eh;
	bool is64;
	uint64_t phoff;
	unsigned phnum, phentsize;

	if (pw_sys_pread(fd, &eh, sizeof(eh), 0) < (ssize_t) sizeof(eh.e32) ||
	    memcmp(eh.e64.e_ident, ELFMAG, SELFMAG) != 0)
		return false;
	is64 = eh.e64.e_ident[EI_CLASS] == ELFCLASS64;
	phoff = is64 ? eh.e64.e_phoff : eh.e32.e_phoff;
	phnum = is64 ? eh.e64.e_phnum : eh.e32.e_phnum;
	phentsize = is64 ? eh.e64.e_phentsize : eh.e32.e_phentsize;
	if (phentsize != (is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr)) || phnum > 64)
		return false;
	for (unsigned i = 0; i < phnum; i++) {
		union {
			Elf64_Phdr p64;
			Elf32_Phdr p32;
		} ph;

		if (pw_sys_pread(fd, &ph, phentsize, (off_t) (phoff + (uint64_t) i * phentsize)) != (ssize_t) phentsize)
			return false;
		if ((is64 ? ph.p64.p_type : ph.p32.p_type) == PT_NOTE &&
		    notes_hold_ours(fd, is64 ? ph.p64.p_offset : ph.p32.p_offset,
				    is64 ? ph.p64.p_filesz : ph.p32.p_filesz))
			return true;
	}
	return false;
}

/* Is @candidate the real program?  Says why not with --verbose. */
static bool usable(const char *candidate)
{
	struct pw_where w;
	bool ours;
	int fd;

	if (pw_where(AT_FDCWD, candidate, 0, &w) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			pw_verbose("masquerade: skipping %s: %s", candidate, strerror(errno));
		return false;
	}
	if (!S_ISREG(w.stx.stx_mode)) {
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
	fd = pw_sys_openat(AT_FDCWD, candidate, O_RDONLY | O_CLOEXEC);
	ours = fd >= 0 && pw_is_prepare_root(fd);
	if (fd >= 0)
		pw_sys_close(fd);
	if (ours)
		pw_verbose("masquerade: skipping %s: it is a prepare-root", candidate);
	return !ours;
}

int pw_masquerade_find(const char *name, char *path, size_t size)
{
	const char *search = getenv("PATH"), *dir, *end;
	int len;

	if (!search)
		search = DEFAULT_PATH;
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
		else if (usable(path)) {
			pw_verbose("masquerade: %s is %s", name, path);
			return 0;
		}
		if (*end == '\0')
			break;
	}
	return -1;
}
