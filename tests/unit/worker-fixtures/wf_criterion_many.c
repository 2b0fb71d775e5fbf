/*
 * wf_criterion_many.c - 250 passing Criterion tests in two suites (many/t000
 * .. many/t199, more/t00 .. more/t49), for the worker's --filter patterns:
 * more names than Criterion's matcher takes in one pattern.
 */
#include <criterion/criterion.h>

#define T(s, n) Test(s, t##n) { cr_assert(1); }
#define T10(s, n) T(s, n##0) T(s, n##1) T(s, n##2) T(s, n##3) T(s, n##4) \
		  T(s, n##5) T(s, n##6) T(s, n##7) T(s, n##8) T(s, n##9)
#define T100(s, n) T10(s, n##0) T10(s, n##1) T10(s, n##2) T10(s, n##3) T10(s, n##4) \
		   T10(s, n##5) T10(s, n##6) T10(s, n##7) T10(s, n##8) T10(s, n##9)

T100(many, 0)
T100(many, 1)
T10(more, 0) T10(more, 1) T10(more, 2) T10(more, 3) T10(more, 4)
