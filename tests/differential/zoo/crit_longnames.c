/*
 * crit_longnames - test names longer than 1000 bytes, made by pasting an
 * identifier of 10 characters onto itself (X1280 is 1280 bytes).  Criterion's
 * log cuts its lines at about 1 KiB, so the verbose [RUN ]/[PASS] lines of
 * these tests lose their ends and glue onto the next line; --list and the XML
 * report keep the whole names.
 *
 * Serial answer (exit 1):
 *   longnames/a<1280 x>_end   passed  (1285 bytes)
 *   longnames/b<2560 x>_end   failed  (2565 bytes)
 *   longnames/short_after     passed
 */
#include <criterion/criterion.h>

#define CRIT_LONG_CAT_(a, b) a##b
#define CRIT_LONG_CAT(a, b) CRIT_LONG_CAT_(a, b)
#define X10 xxxxxxxxxx
#define X20 CRIT_LONG_CAT(X10, X10)
#define X40 CRIT_LONG_CAT(X20, X20)
#define X80 CRIT_LONG_CAT(X40, X40)
#define X160 CRIT_LONG_CAT(X80, X80)
#define X320 CRIT_LONG_CAT(X160, X160)
#define X640 CRIT_LONG_CAT(X320, X320)
#define X1280 CRIT_LONG_CAT(X640, X640)
#define X2560 CRIT_LONG_CAT(X1280, X1280)
#define LONG_NAME(first, body) CRIT_LONG_CAT(CRIT_LONG_CAT(first, body), _end)

Test(longnames, LONG_NAME(a, X1280))
{
}

Test(longnames, LONG_NAME(b, X2560))
{
	cr_assert_fail("the 2565-byte test fails on purpose");
}

Test(longnames, short_after)
{
}
