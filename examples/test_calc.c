/*
 * test_calc.c - Criterion suite for the expression parser (lib/calc.c).
 *
 * Quick checks with short simulated-I/O pauses, a parameterized table, and
 * three long loops: fuzz/random_input (1.5 s of random expressions),
 * fuzz/precedence_table (1 s) and exhaustive/small_expressions (3 s, the
 * longest test of all the examples).  numbers/exponent fails on purpose:
 * the parser does not support "1e3".
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <math.h>
#include <stdio.h>

#include "calc.h"
#include "workload.h"

static double test_calc_ok(const char *expr)
{
	char err[64] = "";
	double value = NAN;

	cr_assert_eq(calc_eval(expr, &value, err, sizeof(err)), 0,
		     "calc_eval(\"%s\") failed: %s", expr, err);
	return value;
}

static void test_calc_expect(const char *expr, double want)
{
	cr_assert_float_eq(test_calc_ok(expr), want, 1e-9, "%s", expr);
}

static void test_calc_error(const char *expr, const char *message)
{
	char err[64] = "";
	double value;

	cr_assert_eq(calc_eval(expr, &value, err, sizeof(err)), -1,
		     "calc_eval(\"%s\") should fail", expr);
	cr_assert_str_eq(err, message);
}

Test(numbers, integers)
{
	test_calc_expect("42", 42);
	workload_sleep_ms(14);
}

Test(numbers, decimals)
{
	test_calc_expect("3.25", 3.25);
	workload_sleep_ms(28);
}

Test(numbers, exponent)
{
	workload_sleep_ms(55);
	test_calc_expect("1e3", 1000);
}

Test(arith, precedence)
{
	test_calc_expect("2 + 3 * 4", 14);
	test_calc_expect("(2 + 3) * 4", 20);
	workload_sleep_ms(40);
}

Test(arith, left_associative)
{
	test_calc_expect("10 - 4 - 3", 3);
	test_calc_expect("64 / 4 / 2", 8);
	workload_sleep_ms(65);
}

Test(arith, unary_minus)
{
	test_calc_expect("-3 * -(2 + 1)", 9);
	workload_sleep_ms(20);
}

Test(arith, modulo)
{
	test_calc_expect("17 % 5", 2);
	workload_sleep_ms(90);
}

Test(errors, division_by_zero)
{
	test_calc_error("1 / (2 - 2)", "division by zero");
	workload_sleep_ms(33);
}

Test(errors, unbalanced)
{
	test_calc_error("(1 + 2", "expected ')', got end of input");
	workload_sleep_ms(47);
}

Test(errors, stray_character)
{
	test_calc_error("1 + x", "unexpected 'x' at offset 4");
	workload_sleep_ms(70);
}

/* The expression is stored inline: Criterion copies parameters into the test
 * process, where pointers into the runner's memory would be meaningless. */
struct test_calc_case {
	char expr[16];
	double expected;
};

ParameterizedTestParameters(table, known_values)
{
	static struct test_calc_case cases[] = {
		{ "1 + 1", 2 }, { "2 * (3 + 4)", 14 }, { "7 / 2", 3.5 },
		{ "-(-(-1))", -1 }, { "0.5 * 0.5", 0.25 },
	};

	return cr_make_param_array(struct test_calc_case, cases,
				   sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct test_calc_case *c, table, known_values)
{
	test_calc_expect(c->expr, c->expected);
	workload_sleep_ms(30);
}

/* Random token soup must never crash the parser, whatever it returns. */
Test(fuzz, random_input)
{
	static const char tokens[] = "0123456789+-*/%(). x";
	struct workload_deadline d;
	uint64_t seed = 42;
	char expr[24], err[64];
	double value;

	for (workload_start(&d, 1500); workload_running(&d); ) {
		for (size_t i = 0; i < sizeof(expr) - 1; i++)
			expr[i] = tokens[workload_random(&seed) % (sizeof(tokens) - 1)];
		expr[sizeof(expr) - 1] = '\0';
		if (calc_eval(expr, &value, err, sizeof(err)))
			cr_assert_neq(err[0], '\0', "no message for \"%s\"", expr);
	}
}

/* a op1 b op2 c agrees with the same expression parenthesised by hand. */
Test(fuzz, precedence_table)
{
	static const char ops[] = "+-*";
	struct workload_deadline d;
	uint64_t seed = 7;
	char expr[64], grouped[64];

	for (workload_start(&d, 1000); workload_running(&d); ) {
		int a = workload_random(&seed) % 100, b = workload_random(&seed) % 100;
		int c = workload_random(&seed) % 100;
		char o1 = ops[workload_random(&seed) % 3], o2 = ops[workload_random(&seed) % 3];
		int first = o2 == '*' && o1 != '*';

		snprintf(expr, sizeof(expr), "%d %c %d %c %d", a, o1, b, o2, c);
		snprintf(grouped, sizeof(grouped), first ? "%d %c (%d %c %d)" : "(%d %c %d) %c %d",
			 a, o1, b, o2, c);
		test_calc_expect(expr, test_calc_ok(grouped));
	}
}

/* Every "a op b" for small a, b, evaluated over and over for 3 s. */
Test(exhaustive, small_expressions)
{
	static const char ops[] = "+-*";
	struct workload_deadline d;
	char expr[32];

	for (workload_start(&d, 3000); workload_running(&d); ) {
		for (int a = 0; a < 10; a++)
			for (int b = 0; b < 10; b++) {
				int op = (a + b) % 3;
				double want = op == 0 ? a + b : op == 1 ? a - b : a * b;

				snprintf(expr, sizeof(expr), "%d%c%d", a, ops[op], b);
				test_calc_expect(expr, want);
			}
	}
}
