/*
 * wf_criterion_held.c - a Criterion suite for test_worker_held.c: the main
 * process (not Criterion's test children, which have BXFI_MAP set) appends
 * "<pid>\n" to the file named by WF_HELD_LOG when it starts, so a test can
 * count the processes a worker started and tell a held one from a fresh
 * one.  held/quick passes at once, held/slow after 1 s, held/pair
 * checks that it ran in the same suite run as held/quick (Criterion sorts
 * a suite's tests by name: pair, quick, slow).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

__attribute__((constructor)) static void wf_note_start(void)
{
	const char *log = getenv("WF_HELD_LOG");
	FILE *f;

	if (!log || getenv("BXFI_MAP") || !(f = fopen(log, "a")))
		return;
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

Test(held, pair) { cr_assert(1); }
Test(held, quick) { cr_assert(1); }
Test(held, slow)
{
	struct timespec ts = { 1, 0 };

	nanosleep(&ts, NULL);
}
