/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "capture.h"

static FILE *capture_file;
static int saved_stderr = -1;
static char captured[8192];

/* A test cannot go on without its stderr back: failures abort. */
void capture_stderr_start(void)
{
	fflush(stderr);
	capture_file = tmpfile();
	if (!capture_file)
		abort();
	saved_stderr = dup(STDERR_FILENO);
	if (saved_stderr < 0 || dup2(fileno(capture_file), STDERR_FILENO) < 0)
		abort();
}

const char *capture_stderr_end(void)
{
	size_t n;

	fflush(stderr);
	if (dup2(saved_stderr, STDERR_FILENO) < 0)
		abort();
	close(saved_stderr);
	rewind(capture_file);
	n = fread(captured, 1, sizeof(captured) - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
	return captured;
}
