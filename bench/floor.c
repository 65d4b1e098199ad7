/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * floor command [args...]: execute the command, and nothing else: what
 * any exec wrapper costs at the least, built the same way as the one it
 * is compared with (dynamic glibc here, static musl by bench/vm.sh).
 */
#include <unistd.h>

int main(int argc, char *argv[])
{
	if (argc < 2)
		return 2;
	execvp(argv[1], argv + 1);
	return 127;
}
