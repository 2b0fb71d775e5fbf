/*
 * ac_many - 300 acutest tests, t000 .. t299, generated with macros: long
 * command lines of names.  t042, t142 and t242 fail.
 *
 * Serial answer (exit 1): 297 passed, 3 failed.
 */
#include "../../fixtures/acutest/acutest.h"

#define T1(n) static void t##n(void) { TEST_CHECK(1##n % 100 != 42); }
#define T10(n) T1(n##0) T1(n##1) T1(n##2) T1(n##3) T1(n##4) T1(n##5) T1(n##6) T1(n##7) T1(n##8) T1(n##9)
#define T100(n) T10(n##0) T10(n##1) T10(n##2) T10(n##3) T10(n##4) T10(n##5) T10(n##6) T10(n##7) \
	T10(n##8) T10(n##9)
T100(0) T100(1) T100(2)

#define E1(n) { "t" #n, t##n },
#define E10(n) E1(n##0) E1(n##1) E1(n##2) E1(n##3) E1(n##4) E1(n##5) E1(n##6) E1(n##7) E1(n##8) E1(n##9)
#define E100(n) E10(n##0) E10(n##1) E10(n##2) E10(n##3) E10(n##4) E10(n##5) E10(n##6) E10(n##7) \
	E10(n##8) E10(n##9)

TEST_LIST = {
	E100(0) E100(1) E100(2)
	{ NULL, NULL }
};
