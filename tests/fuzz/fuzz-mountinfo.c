/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arbitrary mount tables through the code path that reads and judges the
 * real one: libmount's mountinfo parser (mnt_table_parse_stream, which is
 * what mnt_table_parse_file runs on /proc/self/mountinfo), then, for every
 * mount ID and parent ID in the table and a few IDs that are not in it,
 * pw_root_from_table(), pw_root_verdict(), pw_verdict_reason(),
 * pw_mount_facts_from_table() and pw_explain_report().  Invariants that
 * must hold for any input abort() when broken.
 *
 * Built with afl-clang-fast it is an AFL++ persistent-mode harness
 * (tests/fuzz/build-afl.sh).  Built with any other compiler it replays
 * inputs: "fuzz-mountinfo FILE|DIR..." (a directory: every file in it but
 * dot files); the meson test "fuzz-replay" runs it over tests/data and
 * tests/fuzz/regressions.
 */
#include "config.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmount.h>

#include "lib/explain.h"
#include "lib/rootmount.h"

/* Each judgement scans the table: judging every entry of a huge table is
 * quadratic in the harness only (the product judges one ID).  A table's
 * first MAX_JUDGED entries are judged; all of it is parsed. */
#define MAX_JUDGED 256

static const char *report_shown;	/* printed with a broken invariant */

static void broken(const char *what, int line)
{
	fprintf(stderr, "fuzz-mountinfo.c:%d: invariant broken: %s\n", line, what);
	if (report_shown)
		fprintf(stderr, "in this --explain report:\n%s", report_shown);
	abort();
}

#define REQUIRE(cond) do { if (!(cond)) broken(#cond, __LINE__); } while (0)

static bool string_in(const char *buf, size_t size)
{
	return memchr(buf, '\0', size) != NULL;
}

static enum pw_tri tri(bool b)
{
	return b ? PW_YES : PW_NO;
}

/*
 * The report is one line per check ("ok", "FAIL" or "??" in a 4-column
 * field, two spaces, the check), then one "verdict: " line, last; its
 * return value is the verdict it printed.
 */
static void check_report(const struct pw_pivot_facts *facts, enum pw_verdict verdict)
{
	bool root_only = facts->new_root == NULL;
	char *report = NULL, *line, *next;
	size_t len = 0;
	int status, verdicts = 0;
	const char *last = NULL;
	FILE *out = open_memstream(&report, &len);

	if (!out)
		abort();
	status = pw_explain_report(facts, out);
	if (fclose(out) != 0)
		abort();
	REQUIRE(report != NULL && len == strlen(report));
	report_shown = report;
	REQUIRE(len > 0 && report[len - 1] == '\n');
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
	switch (status) {
	case PW_EXPLAIN_OK:
		REQUIRE(strncmp(last, "verdict: pivot_root would succeed", 33) == 0);
		break;
	case PW_EXPLAIN_FAIL:
		REQUIRE(strncmp(last, "verdict: pivot_root would fail with E", 37) == 0);
		break;
	case PW_EXPLAIN_UNKNOWN:
		REQUIRE(strcmp(last, "verdict: cannot tell\n") == 0);
		break;
	default:
		REQUIRE(!"pw_explain_report returned no PW_EXPLAIN_* status");
	}
	/* A root that prepare-root would re-root (not pivotable) makes
	 * pivot_root fail, with EINVAL when only the root is judged (with
	 * CAP_SYS_ADMIN, every check before it is an EINVAL one too). */
	if (pw_verdict_needs_reroot(verdict))
		REQUIRE(status == PW_EXPLAIN_FAIL);
	if (pw_verdict_needs_reroot(verdict) && root_only)
		REQUIRE(strcmp(last, "verdict: pivot_root would fail with EINVAL\n") == 0);
	report_shown = NULL;
	free(report);
}

static void check_facts(struct libmnt_table *tb, uint64_t id, const struct pw_root_info *info,
			enum pw_verdict verdict, const struct pw_mount_facts *f)
{
	struct libmnt_fs *fs = pw_table_find_mount(tb, id);
	int evid, evparent;

	REQUIRE(f->id == id);
	REQUIRE(f->mount_root == tri(info->is_mount_root));
	REQUIRE(string_in(f->evidence, sizeof(f->evidence)));
	REQUIRE(string_in(f->parent_evidence, sizeof(f->parent_evidence)));
	if (!fs) {
		REQUIRE(f->has_parent == PW_UNKNOWN && f->shared == PW_UNKNOWN &&
			f->parent_shared == PW_UNKNOWN);
		REQUIRE(strstr(f->evidence, "is not in the mount table") != NULL);
		return;
	}
	REQUIRE(f->has_parent == tri(verdict != PW_VERDICT_NO_PARENT));
	REQUIRE(f->shared == tri(info->shared));
	if (f->has_parent == PW_NO)
		REQUIRE(f->parent_shared == f->shared);
	else
		REQUIRE((f->parent_shared != PW_UNKNOWN) ==
			(pw_table_find_mount(tb, info->parent_id) != NULL));
	/* The evidence is the mountinfo line: it starts with the IDs. */
	REQUIRE(sscanf(f->evidence, "%d %d ", &evid, &evparent) == 2);
	REQUIRE(evid == mnt_fs_get_id(fs) && evparent == mnt_fs_get_parent_id(fs));
}

/* Judge @id as the process root; @other, as NEW_ROOT's mount. */
static void check_root(struct libmnt_table *tb, uint64_t id, uint64_t other)
{
	struct pw_root_info info, other_info;
	struct pw_pivot_facts facts;
	struct libmnt_fs *fs;
	enum pw_verdict verdict;
	const char *reason;

	memset(&info, 0xa5, sizeof(info));
	if (pw_root_from_table(tb, id, &info) < 0)
		return;	/* a libmount error: prepare-root reports it */
	fs = pw_table_find_mount(tb, id);
	REQUIRE(info.method == PW_DETECT_LIBMOUNT);
	REQUIRE(info.mnt_id == id);
	REQUIRE(info.is_mount_root == (fs != NULL));
	if (fs) {
		REQUIRE((int64_t) mnt_fs_get_id(fs) == (int64_t) id);
		REQUIRE(info.parent_id == (uint64_t) mnt_fs_get_parent_id(fs));
		REQUIRE(info.propagation_known);
	} else {
		REQUIRE(info.parent_id == 0 && !info.propagation_known && !info.shared);
	}

	verdict = pw_root_verdict(&info);
	REQUIRE(verdict == PW_VERDICT_PIVOTABLE || verdict == PW_VERDICT_NO_PARENT ||
		verdict == PW_VERDICT_NOT_MOUNT_ROOT || verdict == PW_VERDICT_PARENT_SHARED ||
		verdict == PW_VERDICT_PARENT_HIDDEN);
	REQUIRE((verdict == PW_VERDICT_NO_PARENT) ==
		(info.is_mount_root && info.parent_id == info.mnt_id));
	REQUIRE((verdict == PW_VERDICT_NOT_MOUNT_ROOT) == !info.is_mount_root);
	/* A parent the table does not list is for the kernel to judge, never
	 * taken for "not shared". */
	if (info.is_mount_root && info.parent_id != info.mnt_id)
		REQUIRE((verdict == PW_VERDICT_PARENT_HIDDEN) ==
			(pw_table_find_mount(tb, info.parent_id) == NULL));
	REQUIRE(pw_verdict_needs_reroot(verdict) ==
		(verdict != PW_VERDICT_PIVOTABLE && verdict != PW_VERDICT_PARENT_HIDDEN));
	reason = pw_verdict_reason(verdict);
	REQUIRE(reason != NULL && *reason && strcmp(reason, "unknown") != 0);
	REQUIRE(pw_detect_method_name(info.method) != NULL);

	/* --explain, for the current root only */
	memset(&facts, 0, sizeof(facts));
	facts.cap_sys_admin = PW_YES;
	facts.may_mount = PW_YES;
	facts.root.is_dir = true;
	pw_mount_facts_from_table(tb, id, tri(info.is_mount_root), &facts.root);
	check_facts(tb, id, &info, verdict, &facts.root);
	check_report(&facts, verdict);

	/* --explain NEW_ROOT PUT_OLD, NEW_ROOT on mount @other */
	if (pw_root_from_table(tb, other, &other_info) < 0)
		return;
	facts.new_root = "/new";
	facts.put_old = "/new/old";
	facts.new_mnt.is_dir = true;
	pw_mount_facts_from_table(tb, other, tri(other_info.is_mount_root), &facts.new_mnt);
	check_facts(tb, other, &other_info, pw_root_verdict(&other_info), &facts.new_mnt);
	facts.old_mnt = facts.new_mnt;
	facts.old_mnt.mount_root = PW_NO;
	facts.old_under_new = PW_YES;
	check_report(&facts, verdict);
}

static void fuzz_one(const unsigned char *data, size_t size)
{
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	uint64_t prev = 1;
	int64_t max = 0;
	int judged = 0;
	FILE *f;

	if (!tb || !itr)
		abort();
	f = fmemopen((void *) data, size, "r");
	if (f) {
		/* The product's name for it (libmount derives the TID from it).
		 * Errors are fine: what was parsed is judged either way. */
		mnt_table_parse_stream(tb, f, "/proc/self/mountinfo");
		fclose(f);
	}
	while (mnt_table_next_fs(tb, itr, &fs) == 0 && judged++ < MAX_JUDGED) {
		uint64_t id = (uint64_t) mnt_fs_get_id(fs);

		check_root(tb, id, prev);
		check_root(tb, (uint64_t) mnt_fs_get_parent_id(fs), id);
		prev = id;
		if (mnt_fs_get_id(fs) > max)
			max = mnt_fs_get_id(fs);
	}
	/* IDs the table may well not have */
	check_root(tb, 0, prev);
	check_root(tb, (uint64_t) max + 1, 0);
	check_root(tb, (uint64_t) INT32_MAX + 1, prev);
	check_root(tb, UINT64_MAX, prev);
	for (int v = PW_VERDICT_PIVOTABLE; v <= PW_VERDICT_NOT_MOUNT_ROOT; v++)
		REQUIRE(pw_verdict_reason((enum pw_verdict) v) != NULL);
	mnt_free_iter(itr);
	mnt_unref_table(tb);
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
