/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arbitrary mount tables through the code path that reads and judges the
 * real one: pw_table_read() (libmount's mnt_table_parse_stream on the
 * opened file, as for /proc/self/mountinfo), then, for every mount in the
 * table (as the root of the process, and as a directory in it) and a few
 * IDs that are not in it, pw_place_mount() and pw_mount_facts() as on a
 * kernel without statmount(2), and the table of checks with its report.
 * Invariants that must hold for any input abort() when broken.
 *
 * Built with afl-clang-fast it is an AFL++ persistent-mode harness
 * (tests/fuzz/build-afl.sh).  Built with any other compiler it replays
 * inputs: "fuzz-mountinfo FILE|DIR..." (a directory: every file in it but
 * dot files); the meson test "fuzz-replay" runs it over tests/data and
 * tests/fuzz/regressions.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/checks.h"
#include "lib/mounts.h"
#include "lib/root.h"

/* Each judgement scans the table: judging every entry of a huge table is
 * quadratic in the harness only (the product judges one ID).  A table's
 * first MAX_JUDGED entries are judged; all of it is parsed. */
#define MAX_JUDGED 256

static const char *report_shown;	/* printed with a broken invariant */

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz-mountinfo.c:%d: invariant broken: %s\n", line, what);
	if (report_shown)
		fprintf(stderr, "in this report:\n%s", report_shown);
	abort();
}

#define REQUIRE(cond) do { if (!(cond)) broken(#cond, __LINE__); } while (0)

/*
 * The report is one line per row ("ok", "FAIL" or "??" in a 4-column
 * field, two spaces, the check), then one "verdict: " line, last, and no
 * byte that a reader would take for structure (every control character
 * escaped).
 */
static void check_report(const struct pw_facts *f)
{
	char *report = NULL, *line, *next;
	size_t len = 0;
	int verdicts = 0;
	const char *last = NULL;
	struct pw_verdict v;
	FILE *out = open_memstream(&report, &len);

	if (!out)
		abort();
	pw_checks_evaluate(f, PW_ROOT_ROWS, &v, out);
	if (fclose(out) != 0)
		abort();
	REQUIRE(report != NULL && len == strlen(report));
	report_shown = report;
	REQUIRE(len > 0 && report[len - 1] == '\n');
	for (const char *p = report; *p; p++)
		REQUIRE(*p == '\n' || ((unsigned char) *p >= 0x20 && *p != 0x7f));
	for (line = report; *line; line = next) {
		next = strchr(line, '\n') + 1;
		if (strncmp(line, "verdict: ", 9) == 0) {
			verdicts++;
			last = line;
		} else {
			REQUIRE(strncmp(line, "ok    ", 6) == 0 || strncmp(line, "FAIL  ", 6) == 0 ||
				strncmp(line, "??    ", 6) == 0);
			REQUIRE(verdicts == 0);	/* nothing after the verdict */
		}
	}
	REQUIRE(verdicts == 1);
	if (v.failed)
		/* every root row is an EINVAL one */
		REQUIRE(strcmp(last, "verdict: pivot_root would fail with EINVAL\n") == 0 && v.error == EINVAL);
	else if (v.unknown)
		REQUIRE(strcmp(last, "verdict: cannot tell\n") == 0);
	else
		REQUIRE(strncmp(last, "verdict: pivot_root would succeed", 33) == 0);
	report_shown = NULL;
	free(report);
}

/* Judge mount @id of @t as the process root's, its root or a directory
 * (no unique ID, as before Linux 6.8: the table answers). */
static void check_root(struct pw_table *t, uint64_t id, bool mount_root)
{
	struct pw_place p = { .w = { .id = id, .mount_root = mount_root, .mount_root_known = true } };
	struct pw_mount m, parent;
	struct pw_facts f;
	bool listed = pw_table_find(t, id, &m) >= 0;

	pw_facts_init(&f);
	f.present[PW_ROOT] = true;
	pw_fact(&f, PW_ROOT, PW_MOUNT_ROOT, mount_root ? PW_YES : PW_NO, NULL);
	pw_place_mount(&p, &t);
	REQUIRE(p.known == listed && p.via_table);
	pw_mount_facts(&f, PW_ROOT, &p, t);
	for (int fact = 0; fact < PW_FACTS; fact++)
		REQUIRE(memchr(f.evidence[PW_ROOT][fact], '\0', sizeof(f.evidence[0][0])) != NULL);
	REQUIRE(!listed || m.id == id);
	if (listed) {
		REQUIRE(f.value[PW_ROOT][PW_IN_NAMESPACE] == PW_YES);
		REQUIRE(f.value[PW_ROOT][PW_HAS_PARENT] == (m.parent_id != m.id ? PW_YES : PW_NO));
		/* A parent the table does not list is never taken for "not
		 * shared"; one it lists (or none: itself) always is told. */
		REQUIRE((f.value[PW_ROOT][PW_PARENT_SHARED] == PW_UNKNOWN) ==
			(m.parent_id != m.id && pw_table_find(t, m.parent_id, &parent) < 0));
	} else {
		REQUIRE(f.value[PW_ROOT][PW_IN_NAMESPACE] == (mount_root ? PW_NO : PW_UNKNOWN));
		REQUIRE(f.value[PW_ROOT][PW_PARENT_SHARED] == PW_UNKNOWN);
	}
	check_report(&f);
}

/* The input, as a file the product's reader opens by name: a memfd. */
static struct pw_table *read_input(const unsigned char *data, size_t size)
{
	static char path[64];
	static int fd = -1;

	if (fd < 0) {
		fd = memfd_create("mountinfo", MFD_CLOEXEC);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		pw_mountinfo = path;
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t) size)
		abort();
	return pw_table_read(pw_mountinfo);
}

static void fuzz_one(const unsigned char *data, size_t size)
{
	struct pw_table *t = read_input(data, size);
	struct pw_mount_list l;
	struct pw_mount m;
	char point[4096];
	uint64_t max = 0;
	int judged = 0;

	/* A table libmount refuses is reported by prepare-root as such. */
	if (!t)
		return;
	REQUIRE(pw_mounts_list(&l, 0, t) == 0);
	while (pw_mounts_next(&l, &m, point, sizeof(point)) == 0 && judged++ < MAX_JUDGED) {
		REQUIRE(memchr(m.evidence, '\0', sizeof(m.evidence)) != NULL);
		REQUIRE(m.from_table && memchr(point, '\0', sizeof(point)) != NULL);
		check_root(t, m.id, true);
		check_root(t, m.id, false);
		check_root(t, m.parent_id, true);
		if (m.id > max)
			max = m.id;
	}
	/* IDs the table may well not have */
	check_root(t, 0, true);
	check_root(t, max + 1, true);
	check_root(t, (uint64_t) INT32_MAX + 1, false);
	check_root(t, UINT64_MAX, true);
	pw_table_free(t);
}

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();

int main(void)
{
	unsigned char *buf;

	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000))
		fuzz_one(buf, (size_t) __AFL_FUZZ_TESTCASE_LEN);
	return 0;
}
#else
static int replay_file(const char *path)
{
	static unsigned char buf[1 << 20];	/* afl-fuzz's largest input */
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	fuzz_one(buf, n);
	return 1;
}

/* Every file in @dir but dot files (.keep), in name order. */
static int replay_dir(const char *dir)
{
	struct dirent **names;
	char path[PATH_MAX];
	int n, count = 0;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0) {
		perror(dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && count >= 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
			fprintf(stderr, "fuzz-mountinfo: %s\n", path);
			count = replay_file(path) < 0 ? -1 : count + 1;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

int main(int argc, char *argv[])
{
	int inputs = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		struct stat st;
		int n;

		if (stat(argv[i], &st) < 0) {
			perror(argv[i]);
			return 1;
		}
		n = S_ISDIR(st.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]);
		if (n < 0)
			return 1;
		inputs += n;
	}
	printf("fuzz-mountinfo: %d inputs replayed, no invariant broken\n", inputs);
	return 0;
}
#endif
