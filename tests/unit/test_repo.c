/*
 * test_repo.c - ids relative to the repository root (input/repo.c).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "repo.h"

Test(repo, ids_are_relative_to_the_root)
{
	struct repo_info info = { .root = "/work/repo" };
	char *s = repo_relative(&info, "/work/repo/build/tests/t1");
	cr_expect_str_eq(s, "build/tests/t1");
	free(s);
	s = repo_relative(&info, "/work/repository/t2");	/* a prefix, not a parent */
	cr_expect(strcmp(s, "repository/t2") && strstr(s, "t2"), "%s", s);
	free(s);
}

