/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prepare-root - run a command with a root that pivot_root(2) accepts
 *
 * The command line only: the work is in lib/.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/checks.h"
#include "lib/exec.h"
#include "lib/log.h"
#include "lib/masquerade.h"
#include "lib/paths.h"
#include "lib/reroot.h"
#include "lib/root.h"

static void __attribute__((noreturn)) usage(void)
{
	fputs("Usage:\n"
	      " " PW_PROGRAM " [options] [--] <command> [<argument>...]\n"
	      " " PW_PROGRAM " --check\n"
	      " " PW_PROGRAM " --explain [<new-root> [<put-old>]]\n"
	      "\n"
	      "Run a command with a root directory that pivot_root(2) accepts.\n"
	      "\n"
	      "When / is the initramfs rootfs (a mount with no parent) or a directory\n"
	      "that an earlier chroot made the root, container runtimes fail with\n"
	      "\"pivot_root: Invalid argument\".  prepare-root then enters a new mount\n"
	      "namespace whose root is a recursive copy of / and executes the command\n"
	      "there, in the same process.  Otherwise it only executes it.\n"
	      "\n"
	      "Options:\n"
	      " -c, --check      print whether a re-root is needed and exit:\n"
	      "                    0 not needed, 1 needed (and done in a throwaway\n"
	      "                    namespace, so it is possible), 125 cannot tell,\n"
	      "                    or no re-root can help\n"
	      " -e, --explain    check every reason pivot_root(2) would fail, for the\n"
	      "                    current root and, if given, <new-root> and <put-old>\n"
	      "                    (default <new-root>): 0 it would succeed, 1 it would\n"
	      "                    fail, 125 cannot tell\n"
	      " -p, --propagation slave|private\n"
	      "                  propagation of the copy's mounts (default slave: the\n"
	      "                    caller's later mounts under shared mounts reach the\n"
	      "                    command)\n"
	      " -v, --verbose    print each step on stderr\n"
	      "\n"
	      " -h, --help       display this help\n"
	      " -V, --version    display version\n"
	      "\n"
	      "Exit status: that of the command; 125 if prepare-root fails,\n"
	      "126 if the command cannot be executed, 127 if it is not found.\n"
	      "\n"
	      "For more details see prepare-root(8).\n", stdout);
	exit(fflush(stdout) == 0 ? EXIT_SUCCESS : PW_EXIT_FAILURE);
}

static void __attribute__((noreturn)) misuse(const char *what)
{
	if (what)
		pw_error(0, NULL, "%s", what);
	fputs("Try '" PW_PROGRAM " --help' for more information.\n", stderr);
	exit(PW_EXIT_FAILURE);
}

/*
 * The reason, to the user, of a judgement: the row that failed, as
 * --explain prints it, or why nothing could be told.
 */
static const char *reason(const struct pw_facts *f, const struct pw_verdict *v, const char *why)
{
	static char line[PW_ROW_MAX];

	if (!v->failed && !v->unknown)
		return "pivot_root(2) accepts the current root";
	if (!v->failed && why)
		return why;
	pw_row_format(f, v->failed ? v->failed : v->unknown, line, sizeof(line));
	return line;
}

#define LIBMOUNT_HINT "before Linux 6.8 it needs libmount.so.1: install libmount1, or put the library in the image"

/* Judge the root and re-root when needed: 0, or -1 after one error line. */
static int prepare_root(unsigned long propagation)
{
	struct pw_facts f;
	struct pw_verdict v;
	const char *why;
	enum pw_need need;

	pw_facts_init(&f);
	need = pw_root_judge(&f, false, &v, &why);
	switch (need) {
	case PW_NEED_NOTHING:
		pw_verbose("decision: no re-root needed: %s", reason(&f, &v, why));
		return 0;
	case PW_NEED_UNTOLD:
		/* No CAP_SYS_ADMIN: no re-root could be made either, and the
		 * command runs as it would have (it may make a user
		 * namespace of its own). */
		pw_verbose("decision: running the command as it is: %s", reason(&f, &v, why));
		return 0;
	case PW_NEED_IMPOSSIBLE:
		pw_error(0, "run it in the mount namespace the root belongs to: nsenter --mount=/proc/PID/ns/mnt",
			 "cannot re-root: the root is not in this mount namespace (a chroot through /proc/PID/root?)");
		return -1;
	case PW_NEED_LIBMOUNT:
		pw_error(0, LIBMOUNT_HINT, "cannot read the mount table: %s", why);
		return -1;
	case PW_NEED_REROOT:
		break;
	}
	pw_verbose("decision: re-root needed: %s", reason(&f, &v, why));
	if (f.value[PW_ROOT][PW_HAS_PARENT] != PW_NO || f.value[PW_ROOT][PW_MOUNT_ROOT] == PW_NO)
		pw_verbose("note: / is a chroot; a container started from here can still climb with '..' "
			   "into the file system that holds it (only a root with no parent stops '..')");
	return pw_reroot(propagation);
}

/*
 * --check: the verdict of the caller's and the root's rows; where a re-root
 * is needed, it is made, in this process, exactly as the run would make it
 * (and thrown away with the process): 1 only where the run succeeds.
 */
static int run_check(unsigned long propagation)
{
	struct pw_facts f;
	struct pw_verdict v;
	const char *why;
	enum pw_need need;
	int status;

	pw_facts_init(&f);
	need = pw_root_judge(&f, true, &v, &why);
	if (need == PW_NEED_LIBMOUNT) {
		pw_error(0, LIBMOUNT_HINT, "cannot read the mount table: %s", why);
		return PW_EXIT_FAILURE;
	}
	pw_checks_evaluate(&f, PW_CALLER_ROWS, &v, NULL);
	if (v.failed && v.failed->subject == PW_CALLER) {
		/* The kernel's answer for this process, which no re-root
		 * changes: it could not make one either. */
		printf("pivot_root(2) fails for this process, and no re-root can help: %s\n", reason(&f, &v, why));
		status = PW_EXIT_FAILURE;
	} else if (need == PW_NEED_NOTHING) {
		printf("no re-root needed: %s\n", reason(&f, &v, why));
		status = PW_EXIT_YES;
	} else if (need == PW_NEED_UNTOLD || need == PW_NEED_IMPOSSIBLE) {
		printf("%s: %s\n", need == PW_NEED_UNTOLD ? "cannot tell" : "no re-root can help", reason(&f, &v, why));
		status = PW_EXIT_FAILURE;
	} else if (pw_reroot(propagation) < 0) {
		status = PW_EXIT_FAILURE;
	} else {
		printf("re-root needed: %s\n", reason(&f, &v, why));
		status = PW_EXIT_NO;
	}
	return fflush(stdout) == 0 ? status : PW_EXIT_FAILURE;
}

static int run_explain(const char *new_root, const char *put_old)
{
	struct pw_facts f;
	struct pw_verdict v;
	const char *why;

	pw_facts_init(&f);
	pw_root_judge(&f, true, &v, &why);
	if (new_root)
		pw_paths_gather(&f, new_root, put_old ? put_old : new_root);
	pw_checks_evaluate(&f, PW_ALL_ROWS, &v, stdout);
	if (fflush(stdout) != 0)
		return PW_EXIT_FAILURE;
	return v.failed ? PW_EXIT_NO : v.unknown ? PW_EXIT_FAILURE : PW_EXIT_YES;
}

/* As PID 1 a failure is a kernel panic: say so on the console first. */
static int finish(int status)
{
	if (status != PW_EXIT_YES && getpid() == 1)
		pw_error(0, NULL, "running as PID 1: the kernel panics when it exits (status %d)", status);
	return status;
}

/* The run, under either name: re-root where needed, become @file. */
static int run(unsigned long propagation, const char *file, char *argv[])
{
	if (prepare_root(propagation) < 0)
		return finish(PW_EXIT_FAILURE);
	return finish(pw_exec(file, argv));
}

int main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check",   no_argument, NULL, 'c' },
		{ "explain", no_argument, NULL, 'e' },
		{ "propagation", required_argument, NULL, 'p' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char real[PATH_MAX];
	const char *name;
	bool check = false, explain = false;
	unsigned long propagation = MS_SLAVE;
	int c;

	/* Installed setuid, it would hand any user a root of their choosing
	 * to exec in; it is meant for callers that are root already.  The
	 * kernel sets AT_SECURE for every exec that gains privilege: setuid,
	 * setgid, and file capabilities (setcap), which leave the IDs alone.
	 * The IDs are the ones this exec gave, read from the auxiliary vector
	 * the kernel passed with them: no system call. */
	if (getauxval(AT_UID) != getauxval(AT_EUID) || getauxval(AT_GID) != getauxval(AT_EGID)) {
		pw_error(0, NULL, "refusing to run setuid or setgid; run it as root instead");
		return PW_EXIT_FAILURE;
	}
	if (getauxval(AT_SECURE)) {
		pw_error(0, NULL, "refusing to run with privileges gained at exec (file capabilities?); run it as root instead");
		return PW_EXIT_FAILURE;
	}
	/* Invoked under another name (MASQUERADE in prepare-root(8)), every
	 * argument is the real program's, argv[0] as it came. */
	if ((name = pw_masquerade_name(argv[0]))) {
		pw_log_set_verbose(pw_masquerade_verbose());
		if (pw_masquerade_find(name, real, sizeof(real)) == 0)
			return run(MS_SLAVE, real, argv);
		if (pw_masquerade_meant(name)) {
			pw_error(0, "install it, or add its directory to PATH",
				 "%s: not found in PATH=%s, other than prepare-root", name, getenv("PATH") ?: "");
			return finish(PW_EXIT_ENOENT);
		}
		/* Only renamed: it is prepare-root. */
		pw_log_set_verbose(false);
	}

	/* getopt's complaints carry the program's name, not the path it
	 * was run by; argv[0] is never passed on. */
	if (argc > 0)
		argv[0] = (char *) PW_PROGRAM;
	while ((c = getopt_long(argc, argv, "+cep:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			check = true;
			break;
		case 'e':
			explain = true;
			break;
		case 'p':
			if (strcmp(optarg, "slave") == 0)
				propagation = MS_SLAVE;
			else if (strcmp(optarg, "private") == 0)
				propagation = MS_PRIVATE;
			else
				misuse("--propagation takes slave or private");
			break;
		case 'v':
			pw_log_set_verbose(true);
			break;
		case 'h':
			usage();
		case 'V':
			printf(PW_PROGRAM " from " PACKAGE_NAME " " PACKAGE_VERSION "\n");
			return fflush(stdout) == 0 ? EXIT_SUCCESS : PW_EXIT_FAILURE;
		default:
			misuse(NULL);	/* getopt said what */
		}
	}

	if (check && explain)
		misuse("--check and --explain are mutually exclusive");
	if (explain) {
		if (argc - optind > 2)
			misuse("--explain takes at most <new-root> and <put-old>");
		return run_explain(optind < argc ? argv[optind] : NULL, optind + 1 < argc ? argv[optind + 1] : NULL);
	}
	if (check) {
		if (optind < argc)
			misuse("--check takes no command");
		return run_check(propagation);
	}
	if (optind >= argc)
		misuse("no command specified");
	return run(propagation, argv[optind], argv + optind);
}
