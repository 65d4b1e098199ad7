/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * no-statmount command [args...]: run a command with statmount(2) and
 * listmount(2) failing with ENOSYS, as on a kernel before 6.8 or under a
 * seccomp policy that does not know them.  prepare-root then takes its
 * libmount path, which the benchmark compares with the statmount path on
 * the same kernel and the same mount table.
 *
 * no-statmount --allow command [args...] installs nothing and only execs:
 * the same extra exec, for the rows it is compared with.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 457, 2, 0),	/* statmount */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 458, 1, 0),	/* listmount */
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
	};
	struct sock_fprog prog = { .len = sizeof(filter) / sizeof(filter[0]), .filter = filter };

	bool allow = argc > 1 && strcmp(argv[1], "--allow") == 0;

	if (argc < 2 + allow) {
		fprintf(stderr, "usage: no-statmount [--allow] command [args...]\n");
		return 2;
	}
	if (!allow && (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)) {
		perror("no-statmount: seccomp");
		return 125;
	}
	execvp(argv[1 + allow], argv + 1 + allow);
	perror("no-statmount: exec");
	return 127;
}
