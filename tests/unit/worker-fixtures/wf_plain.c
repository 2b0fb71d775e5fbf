/*
 * wf_plain.c - plain test executables for test_worker.c, one per WF_MODE_*
 * compile definition (see worker/CMakeLists.txt): pass, fail (exit 3), skip
 * (exit 77), segv, hang (ignores SIGTERM), daemon (leaves a child holding
 * stdout) and flood (prints 100 MB).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FLOOD_CHUNKS 1600   /* of 64 KiB: 100 MiB, after a 12-byte first line */

#if defined(WF_MODE_flood)
static void flood(void)
{
	static char chunk[65536];

	memset(chunk, 'x', sizeof(chunk));
	fputs("flood start\n", stdout);
	fflush(stdout);
	for (int i = 0; i < FLOOD_CHUNKS; i++)
		if (write(1, chunk, sizeof(chunk)) < 0)
			exit(1);
}
#endif

int main(void)
{
#if defined(WF_MODE_pass)
	printf("plain pass worker=%s count=%s\n", getenv("BALRUN_WORKER_ID"),
	       getenv("BALRUN_WORKER_COUNT"));
	return 0;
#elif defined(WF_MODE_fail)
	fprintf(stderr, "plain fail on stderr\n");
	return 3;
#elif defined(WF_MODE_skip)
	return 77;
#elif defined(WF_MODE_segv)
	raise(SIGSEGV);
	return 0;
#elif defined(WF_MODE_hang)
	signal(SIGTERM, SIG_IGN);
	printf("hanging\n");
	fflush(stdout);
	for (;;)
		pause();
#elif defined(WF_MODE_daemon)
	pid_t pid = fork();
	if (pid == 0) {
		sleep(30);
		_exit(0);
	}
	printf("daemon %d\n", (int)pid);
	return 0;
#elif defined(WF_MODE_flood)
	flood();
	return 0;
#endif
}
