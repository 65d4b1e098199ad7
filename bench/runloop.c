/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * runloop N command [args...]: run a command N times, one after another,
 * and print the median, mean and minimum wall time of a run in
 * microseconds.  A run is fork + exec + wait, as a shell or an init script
 * would do it, measured from here so no shell start-up is counted.
 *
 * The command's standard output goes to /dev/null: only time is measured.
 * Static and libc-only, so that it runs in a bare initramfs too.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec * 1e6 + (double) ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;

	return (x > y) - (x < y);
}

int main(int argc, char *argv[])
{
	long n;
	double *t, sum = 0;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) < 1) {
		fprintf(stderr, "usage: runloop N command [args...]\n");
		return 2;
	}
	t = calloc((size_t) n, sizeof(*t));
	if (!t)
		return 2;
	for (long i = 0; i < n; i++) {
		double start = now_us();
		pid_t pid = fork();
		int status;

		if (pid < 0) {
			perror("runloop: fork");
			return 2;
		}
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0)
				dup2(null, STDOUT_FILENO);
			execvp(argv[2], argv + 2);
			perror("runloop: exec");
			_exit(127);
		}
		if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "runloop: '%s' failed (status %#x)\n", argv[2], status);
			return 1;
		}
		t[i] = now_us() - start;
		sum += t[i];
	}
	qsort(t, (size_t) n, sizeof(*t), cmp_double);
	printf("%.1f %.1f %.1f\n", t[n / 2], sum / (double) n, t[0]);
	return 0;
}
