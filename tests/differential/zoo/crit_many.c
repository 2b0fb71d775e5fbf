/*
 * crit_many - 500 tests in one suite, generated with macros: many/t000 ..
 * many/t499.  Every test passes except t042, t142, t242, t342 and t442,
 * which fail.  It exercises batching: a Criterion --filter '@(...)' pattern
 * of more than about 100 alternatives makes Criterion abort.
 *
 * Serial answer (exit 1): 495 passed, 5 failed.
 */
#include <criterion/criterion.h>

#define MANY(a, b, c)                                                         \
	Test(many, t##a##b##c)                                                \
	{                                                                     \
		int n = a * 100 + b * 10 + c;                                 \
		cr_assert(n % 100 != 42, "t%03d fails on purpose", n);        \
	}
#define MANY10(a, b)                                                          \
	MANY(a, b, 0) MANY(a, b, 1) MANY(a, b, 2) MANY(a, b, 3) MANY(a, b, 4) \
	MANY(a, b, 5) MANY(a, b, 6) MANY(a, b, 7) MANY(a, b, 8) MANY(a, b, 9)
#define MANY100(a)                                                            \
	MANY10(a, 0) MANY10(a, 1) MANY10(a, 2) MANY10(a, 3) MANY10(a, 4)      \
	MANY10(a, 5) MANY10(a, 6) MANY10(a, 7) MANY10(a, 8) MANY10(a, 9)

MANY100(0)
MANY100(1)
MANY100(2)
MANY100(3)
MANY100(4)
