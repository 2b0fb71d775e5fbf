/*
 * crit_params - parameterized tests and theories: Criterion runs one process
 * per parameter (per data point combination for a theory) under one name.
 * balrun reports each as one test; the oracle folds the runs of one name
 * into the worst outcome (crashed > timed out > failed > skipped > passed).
 *
 * Serial answer (exit 1):
 *   params/all_pass      passed   (3 parameters, all pass)
 *   params/one_fails     failed   (parameter 2 of 1..3 fails)
 *   params/one_crashes   crashed  (parameter 3 of 1..3 raises SIGSEGV)
 *   params/structs       passed   (struct parameters)
 *   theory/all_hold      passed   (2 x 3 data points)
 *   theory/one_breaks    failed   (fails for the combination (3, 5))
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <criterion/theories.h>
#include <signal.h>

ParameterizedTestParameters(params, all_pass)
{
	static int values[] = { 1, 2, 3 };

	return cr_make_param_array(int, values, sizeof(values) / sizeof(values[0]));
}

ParameterizedTest(int *value, params, all_pass)
{
	cr_assert(*value >= 1 && *value <= 3);
}

ParameterizedTestParameters(params, one_fails)
{
	static int values[] = { 1, 2, 3 };

	return cr_make_param_array(int, values, sizeof(values) / sizeof(values[0]));
}

ParameterizedTest(int *value, params, one_fails)
{
	cr_expect(*value != 2, "parameter %d fails on purpose", *value);
}

ParameterizedTestParameters(params, one_crashes)
{
	static int values[] = { 1, 2, 3 };

	return cr_make_param_array(int, values, sizeof(values) / sizeof(values[0]));
}

ParameterizedTest(int *value, params, one_crashes)
{
	if (*value == 3)
		raise(SIGSEGV);
}

struct crit_params_pair {
	int a, b;
};

ParameterizedTestParameters(params, structs)
{
	static struct crit_params_pair pairs[] = { { 1, 2 }, { 3, 4 } };

	return cr_make_param_array(struct crit_params_pair, pairs, 2);
}

ParameterizedTest(struct crit_params_pair *p, params, structs)
{
	cr_assert_lt(p->a, p->b);
}

TheoryDataPoints(theory, all_hold) = {
	DataPoints(int, 1, 2),
	DataPoints(int, 4, 5, 6),
};

Theory((int a, int b), theory, all_hold)
{
	cr_assert_lt(a, b);
}

TheoryDataPoints(theory, one_breaks) = {
	DataPoints(int, 1, 2, 3),
	DataPoints(int, 4, 5),
};

Theory((int a, int b), theory, one_breaks)
{
	cr_assert_lt(a + b, 8);
}
