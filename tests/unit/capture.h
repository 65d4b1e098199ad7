/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Standard error into a buffer, for unit tests that check prepare-root's
 * messages byte for byte.
 */
#ifndef PIVOTWRAP_CAPTURE_H
#define PIVOTWRAP_CAPTURE_H

/* Redirect stderr into a temporary file between these two calls; the end
 * returns what was written, valid until the next capture ends. */
void capture_stderr_start(void);
const char *capture_stderr_end(void);

#endif
