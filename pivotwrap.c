/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * prepare-root - run a command with a root that pivot_root(2) accepts
 *
 * The command line only: the work is in lib/.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mount.h>
#include <unistd.h>

#include "lib/exec.h"
#include "lib/explain.h"
#include "lib/log.h"
#include "lib/masquerade.h"
#include "lib/reroot.h"
#include "lib/rootmount.h"

/* --check exit statuses */
#define CHECK_PIVOTABLE      0
#define CHECK_REROOT_NEEDED  1

#define SHORTOPTS "+cep:vhV"

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
	      "                    0 not needed, 1 needed, 125 cannot tell\n"
	      " -e, --explain    check every reason pivot_root(2) would fail, for the\n"
	      "                    current root and, if given, <new-root> and <put-old>\n"
	      "                    (default <new-root>): 0 it would succeed, 1 it would\n"
	      "                    fail, 125 cannot tell\n"
	      " -p, --propagation slave|private\n"
	      "                  propagation of the new mount namespace (default slave:\n"
	      "                    the caller's later mounts reach the command)\n"
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
		pw_message("%s", what);
	fputs("Try '" PW_PROGRAM " --help' for more information.\n", stderr);
	exit(PW_EXIT_FAILURE);
}

static void __attribute__((noreturn, format(printf, 1, 2))) misuse_option(const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	misuse(what);
}

/*
 * getopt's complaint about the option it stopped at, in getopt's words, but
 * escaped (the option text is the caller's, and may hold an escape sequence
 * for the terminal) and naming the option as it was given.  @token is the
 * argument getopt_long() stepped past, or NULL when it stopped inside a
 * group of short options.
 */
static void __attribute__((noreturn)) bad_option(const struct option *longopts, const char *token)
{
	const char *name, *eq;
	char possible[256] = "";
	size_t len;
	int matches = 0;

	if (!token || strncmp(token, "--", 2) != 0) {
		const char *known = optopt && optopt != ':' ? strchr(SHORTOPTS + 1, optopt) : NULL;

		if (known && known[1] == ':')
			misuse_option("option requires an argument -- '%c'", optopt);
		misuse_option("invalid option -- '%c'", optopt);
	}

	name = token + 2;
	eq = strchr(name, '=');
	len = eq ? (size_t) (eq - name) : strlen(name);
	/* optopt is the option's value when it was known but given an
	 * argument it does not take, or not given one it needs. */
	for (const struct option *o = longopts; optopt && o->name; o++) {
		if (o->val == optopt && strncmp(o->name, name, len) == 0) {
			if (o->has_arg == required_argument)
				misuse_option("option '--%s' requires an argument", o->name);
			misuse_option("option '--%s' doesn't allow an argument", o->name);
		}
	}
	for (const struct option *o = longopts; o->name; o++) {
		if (strncmp(o->name, name, len) == 0) {
			size_t used = strlen(possible);

			snprintf(possible + used, sizeof(possible) - used, " '--%s'", o->name);
			matches++;
		}
	}
	if (matches > 1)
		misuse_option("option '--%.*s' is ambiguous; possibilities:%s", (int) len, name, possible);
	misuse_option("unrecognized option '%s'", token);
}

static int run_check(void)
{
	struct pw_root_info info;
	enum pw_verdict verdict;
	int err;

	if (pw_root_detect(PW_MOUNTINFO, &info) < 0)
		return PW_EXIT_FAILURE;
	verdict = pw_root_judge(&info, &err);
	if (verdict == PW_VERDICT_UNKNOWN) {
		pw_error(err, pw_privilege_hint(err), "%s", pw_verdict_reason(verdict));
		return PW_EXIT_FAILURE;
	}
	printf("%s: %s\n", pw_verdict_needs_reroot(verdict) ? "re-root needed" : "no re-root needed",
	       pw_verdict_reason(verdict));
	if (fflush(stdout) != 0)
		return PW_EXIT_FAILURE;
	return pw_verdict_needs_reroot(verdict) ? CHECK_REROOT_NEEDED : CHECK_PIVOTABLE;
}

static int run_explain(const char *new_root, const char *put_old)
{
	struct pw_pivot_facts facts;
	int status;

	pw_explain_gather(new_root, put_old, &facts);
	status = pw_explain_report(&facts, stdout);
	return fflush(stdout) == 0 ? status : PW_EXIT_FAILURE;
}

/* Judge the root and re-root when needed: 0, or -1 after one error line. */
static int prepare_root(unsigned long propagation)
{
	struct pw_root_info info;
	enum pw_verdict verdict;
	int err;

	if (pw_root_detect(PW_MOUNTINFO, &info) < 0)
		return -1;
	verdict = pw_root_judge(&info, &err);
	/* Where the kernel could not be asked (no CAP_SYS_ADMIN), a re-root
	 * could not be done either: the command runs as it would have. */
	pw_verbose("decision: %s: %s",
		   pw_verdict_needs_reroot(verdict) ? "re-root needed" :
		   verdict == PW_VERDICT_UNKNOWN ? "running the command as it is" : "no re-root needed",
		   pw_verdict_reason(verdict));
	if (pw_verdict_needs_reroot(verdict) && pw_reroot(&info, propagation) < 0)
		return -1;
	return 0;
}

static int run_command(char *const argv[], unsigned long propagation)
{
	if (prepare_root(propagation) < 0)
		return PW_EXIT_FAILURE;
	return pw_exec(argv);
}

/*
 * Invoked through a link named runc, crun, ... (MASQUERADE in prepare-root(8)):
 * no option is parsed, every argument is the real program's.  It is
 * "prepare-root -- NAME ARG..." except for what it executes: the next NAME in
 * PATH that is not prepare-root itself, with argv[0] as it came.  That is
 * looked up first, so that a missing one leaves nothing behind.
 */
static int run_masquerade(char *argv[])
{
	char real[PATH_MAX];
	int status;

	pw_log_set_verbose(pw_masquerade_verbose());
	status = pw_masquerade_find(pw_masquerade_name(argv[0]), real, sizeof(real));
	if (status != 0)
		return status;
	if (prepare_root(MS_SLAVE) < 0)
		return PW_EXIT_FAILURE;
	return pw_masquerade_exec(real, argv);
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
	bool check = false, explain = false;
	unsigned long propagation = MS_SLAVE;
	int c, before;

	/* Installed setuid, it would hand any user a root of their choosing
	 * to exec in; it is meant for callers that are root already.  The
	 * kernel sets AT_SECURE for every exec that gains privilege: setuid,
	 * setgid, and file capabilities (setcap), which leave the IDs alone. */
	if (getuid() != geteuid() || getgid() != getegid()) {
		pw_message("refusing to run setuid or setgid; run it as root instead");
		return PW_EXIT_FAILURE;
	}
	if (getauxval(AT_SECURE)) {
		pw_message("refusing to run with privileges gained at exec (file capabilities?); run it as root instead");
		return PW_EXIT_FAILURE;
	}
	if (pw_masquerade_name(argv[0]))
		return run_masquerade(argv);

	/* getopt's own complaints are replaced by misuse()'s. */
	opterr = 0;
	for (before = optind; (c = getopt_long(argc, argv, SHORTOPTS, longopts, NULL)) != -1; before = optind) {
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
			/* A long option is always stepped past; a short one
			 * only when it ends its group ("-vx"). */
			bad_option(longopts, optind > before ? argv[optind - 1] : NULL);
		}
	}

	if (check && explain)
		misuse("--check and --explain are mutually exclusive");
	if (explain) {
		if (argc - optind > 2)
			misuse("--explain takes at most <new-root> and <put-old>");
		return run_explain(optind < argc ? argv[optind] : NULL,
				   optind + 1 < argc ? argv[optind + 1] : NULL);
	}
	if (check) {
		if (optind < argc)
			misuse("--check takes no command");
		return run_check();
	}
	if (optind >= argc)
		misuse("no command specified");
	return run_command(argv + optind, propagation);
}
