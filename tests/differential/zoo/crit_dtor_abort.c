/*
 * crit_dtor_abort - a destructor that calls abort() in the runner process
 * only.  Criterion's test processes have BXFI_MAP in their environment; the
 * runner (and `--list`) do not.  So every test passes, the XML report is
 * written, and then the runner dies by SIGABRT at exit.  `--list` prints the
 * list and then dies by SIGABRT too.
 *
 * Serial answer: dtor/a passed, dtor/b passed, exit by SIGABRT after the
 * tests: balrun must report "<bin>::[after tests]".
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

Test(dtor, a)
{
}

Test(dtor, b)
{
}

__attribute__((destructor)) static void crit_dtor_abort_bye(void)
{
	if (!getenv("BXFI_MAP")) {
		fprintf(stderr, "crit_dtor_abort: destructor aborts in the runner\n");
		abort();
	}
}
