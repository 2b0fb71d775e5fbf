/*
 * calc.c - the expression parser under test (see calc.h for the grammar).
 *
 * One function per grammar rule; the parser state is the input position and
 * the first error, after which every rule returns at once.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>

#include "calc.h"

struct calc_parser {
	const char *start, *pos;
	char *err;
	size_t errsize;
	int failed;
};

static double calc_expr(struct calc_parser *p);

static double calc_fail(struct calc_parser *p, const char *what)
{
	if (!p->failed) {
		if (*p->pos)
			snprintf(p->err, p->errsize, "%s '%c' at offset %d", what,
				 *p->pos, (int)(p->pos - p->start));
		else
			snprintf(p->err, p->errsize, "%s end of input", what);
	}
	p->failed = 1;
	return 0;
}

static char calc_peek(struct calc_parser *p)
{
	while (*p->pos == ' ' || *p->pos == '\t')
		p->pos++;
	return *p->pos;
}

static double calc_number(struct calc_parser *p)
{
	double value = 0, scale = 1;

	if (!isdigit((unsigned char)*p->pos))
		return calc_fail(p, "unexpected");
	while (isdigit((unsigned char)*p->pos))
		value = value * 10 + (*p->pos++ - '0');
	if (*p->pos != '.')
		return value;
	p->pos++;
	if (!isdigit((unsigned char)*p->pos))
		return calc_fail(p, "expected a digit, got");
	while (isdigit((unsigned char)*p->pos))
		value += (*p->pos++ - '0') * (scale /= 10);
	return value;
}

static double calc_factor(struct calc_parser *p)
{
	double value;

	if (calc_peek(p) == '-') {
		p->pos++;
		return -calc_factor(p);
	}
	if (calc_peek(p) != '(')
		return calc_number(p);
	p->pos++;
	value = calc_expr(p);
	if (calc_peek(p) != ')')
		return calc_fail(p, "expected ')', got");
	p->pos++;
	return value;
}

static double calc_apply(struct calc_parser *p, char op, double a, double b)
{
	if ((op == '/' || op == '%') && b == 0) {
		if (!p->failed)
			snprintf(p->err, p->errsize, "division by zero");
		p->failed = 1;
		return 0;
	}
	switch (op) {
	case '+': return a + b;
	case '-': return a - b;
	case '*': return a * b;
	case '/': return a / b;
	default:  return fmod(a, b);
	}
}

static double calc_term(struct calc_parser *p)
{
	double value = calc_factor(p);
	char op;

	while (!p->failed && ((op = calc_peek(p)) == '*' || op == '/' || op == '%')) {
		p->pos++;
		value = calc_apply(p, op, value, calc_factor(p));
	}
	return value;
}

static double calc_expr(struct calc_parser *p)
{
	double value = calc_term(p);
	char op;

	while (!p->failed && ((op = calc_peek(p)) == '+' || op == '-')) {
		p->pos++;
		value = calc_apply(p, op, value, calc_term(p));
	}
	return value;
}

int calc_eval(const char *expr, double *out, char *err, size_t errsize)
{
	struct calc_parser p = { expr, expr, err, errsize, 0 };
	double value = calc_expr(&p);

	if (!p.failed && calc_peek(&p))
		calc_fail(&p, "unexpected");
	if (p.failed)
		return -1;
	*out = value;
	return 0;
}
