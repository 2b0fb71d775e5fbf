/* scratch-dir.c - see scratch-dir.h. */
#include "scratch-dir.h"

#include <criterion/criterion.h>
#include <stdlib.h>

#include "util.h"

char scratch_dir[PATH_MAX];

void scratch_setup(void)
{
	char t[] = "/tmp/balrun-unit-test.XXXXXX";

	cr_assert(mkdtemp(t));
	cr_assert(realpath(t, scratch_dir));
}

void scratch_teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", scratch_dir);

	cr_expect_eq(system(cmd), 0);
	free(cmd);
}

void scratch_sh(const char *cmd)
{
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}
