/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Arbitrary mount tables through the code path that reads and judges the
 * real one: libmount's mountinfo parser, then pw_root_from_table() and the
 * verdict for every mount ID in the table (and a few that are not), then
 * --explain's facts and report.  Invariants that must hold for any input
 * abort() when broken.
 *
 * Built with afl-clang-fast it is an AFL++ persistent-mode harness; built
 * with any other compiler, "fuzz-mountinfo FILE..." replays inputs (the
 * meson test "fuzz-replay" runs it over tests/data and
 * tests/fuzz/regressions).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmount.h>

#include "lib/explain.h"
#include "lib/rootmount.h"

static void check_root(struct libmnt_table *tb, uint64_t id)
{
	struct pw_root_info info;
	struct pw_pivot_facts facts;
	enum pw_verdict verdict;
	char *report = NULL;
	size_t len = 0;
	FILE *out;

	if (pw_root_from_table(tb, id, &info) < 0)
		return;
	verdict = pw_root_verdict(&info);
	if (!pw_verdict_reason(verdict))
		abort();
	if ((verdict == PW_VERDICT_NO_PARENT) != (info.is_mount_root && info.parent_id == info.mnt_id))
		abort();
	if ((verdict == PW_VERDICT_NOT_MOUNT_ROOT) != !info.is_mount_root)
		abort();
	if (info.is_mount_root != (pw_table_find_mount(tb, id) != NULL))
		abort();

	memset(&facts, 0, sizeof(facts));
	facts.cap_sys_admin = PW_YES;
	facts.root.is_dir = true;
	pw_mount_facts_from_table(tb, id, info.is_mount_root ? PW_YES : PW_NO, &facts.root);
	if (strlen(facts.root.evidence) >= sizeof(facts.root.evidence))
		abort();
	out = open_memstream(&report, &len);
	if (!out)
		abort();
	pw_explain_report(&facts, out);
	fclose(out);
	if (!report || !strstr(report, "verdict: "))
		abort();
	free(report);
}

static void fuzz_one(const unsigned char *data, size_t size)
{
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *itr = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	FILE *f;

	if (!tb || !itr)
		abort();
	f = fmemopen((void *) data, size, "r");
	if (f) {
		/* Errors are fine; what was parsed is judged either way. */
		mnt_table_parse_stream(tb, f, "fuzz");
		fclose(f);
	}
	while (mnt_table_next_fs(tb, itr, &fs) == 0) {
		check_root(tb, (uint64_t) mnt_fs_get_id(fs));
		check_root(tb, (uint64_t) mnt_fs_get_parent_id(fs));
	}
	check_root(tb, 0);
	check_root(tb, 1);
	check_root(tb, UINT64_MAX);
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
int main(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		static unsigned char buf[1 << 20];
		size_t n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		fuzz_one(buf, n);
	}
	printf("fuzz-replay: %d inputs, no invariant broken\n", argc - 1);
	return 0;
}
#endif
