/*
 * calc.h - an arithmetic expression parser, the code under test of
 * example_calc.
 *
 * Grammar (recursive descent, usual precedence, left-associative):
 *	expr   = term { ("+" | "-") term }
 *	term   = factor { ("*" | "/" | "%") factor }
 *	factor = [ "-" ] ( number | "(" expr ")" )
 *	number = digits [ "." digits ]
 * Blanks between tokens are ignored.  Not supported: exponents ("1e3").
 */
#ifndef EXAMPLES_CALC_H
#define EXAMPLES_CALC_H

#include <stddef.h>

/*
 * Evaluate expr into *out.  Returns 0, or -1 with a message in err (e.g.
 * "unexpected 'x' at offset 3", "division by zero").
 */
int calc_eval(const char *expr, double *out, char *err, size_t errsize);

#endif
