/*
 * cm_killer - a test that ends the whole cmocka process, followed by
 * innocent tests.  One source, three binaries; the name picks the killer:
 *   cm_kill_abort   killer/t_kill calls abort()   (process dies by SIGABRT)
 *   cm_kill_exit0   killer/t_kill calls exit(0)   (exit status 0!)
 *   cm_kill_exit3   killer/t_kill calls exit(3)   (exit status 3)
 *
 * Serial answer:
 *   killer/t_before     passed
 *   killer/t_kill       crashed (abort) or failed (exit 0 / exit 3): it ended
 *                       the process, so cmocka printed no verdict for it
 *   killer/t_after      unknown (never reached serially)
 *   later/t_innocent    unknown (never reached serially)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static const char *cm_killer_how = "abort";

static void t_before(void **state)
{
}

static void t_kill(void **state)
{
	printf("cm_killer: ending the process with %s\n", cm_killer_how);
	if (!strcmp(cm_killer_how, "exit0"))
		exit(0);
	if (!strcmp(cm_killer_how, "exit3"))
		exit(3);
	abort();
}

static void t_after(void **state)
{
}

static void t_innocent(void **state)
{
}

int main(int argc, char **argv)
{
	const struct CMUnitTest killer[] = {
		cmocka_unit_test(t_before),
		cmocka_unit_test(t_kill),
		cmocka_unit_test(t_after),
	};
	const struct CMUnitTest later[] = {
		cmocka_unit_test(t_innocent),
	};
	const char *me = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	int failed;

	if (!strncmp(me, "cm_kill_", 8))
		cm_killer_how = me + 8;
	failed = cmocka_run_group_tests(killer, NULL, NULL);
	failed += cmocka_run_group_tests(later, NULL, NULL);
	return failed;
}
