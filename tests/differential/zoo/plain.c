/*
 * plain - plain test programs; the executable's name picks what it does:
 *   pl_pass    exit 0          serial answer: passed
 *   pl_skip    exit 77         serial answer: skipped
 *   pl_fail    exit 1          serial answer: failed
 *   pl_segv    SIGSEGV         serial answer: crashed
 *   pl_abort   SIGABRT         serial answer: crashed
 * (pl_script.sh, a #!/bin/sh script that exits 0, is the sixth plain test.)
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	printf("%s: running\n", me);
	fflush(stdout);
	if (!strcmp(me, "pl_skip"))
		return 77;
	if (!strcmp(me, "pl_fail"))
		return 1;
	if (!strcmp(me, "pl_segv")) {
		volatile int *nowhere = NULL;
		*nowhere = 1;
	}
	if (!strcmp(me, "pl_abort"))
		abort();
	return 0;
}
