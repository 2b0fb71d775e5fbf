/*
 * test_status.c - the status line's pieces that need no terminal
 * (output/status.c).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "status.h"

Test(status, elide_middle)
{
	char buf[64];
	cr_expect_str_eq(status_elide_middle("short", 10, buf, sizeof(buf)), "short");
	cr_expect_str_eq(status_elide_middle("abcdefghijklmnop", 10, buf, sizeof(buf)), "abc...mnop");
	cr_expect_eq(strlen(status_elide_middle("abcdefghijklmnopqrstuvwxyz", 11, buf, sizeof(buf))), 11);
}
