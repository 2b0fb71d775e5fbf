/*
 * criterion-pattern.c - Criterion's test patterns (--filter,
 * CRITERION_TEST_PATTERN), matched the way Criterion matches them, so
 * that balrun runs exactly the cases a registered command would.
 *
 * A pattern matches a whole "suite/name" (anchored).  `*` matches any run
 * of characters and `?` any one, '/' included; `[...]` a class (`!` or
 * `^` first negates, `a-z` ranges); the extended groups `@(a|b)` one of
 * the alternatives, `?(..)` at most one, `*(..)` any number, `+(..)` at
 * least one, `!(..)` anything that matches none of them.  A backslash is
 * no escape (in Criterion 2.4.1 a backslash before a star still leaves a
 * star that matches anything), so it is left out.
 * Matching is a plain recursion over split points: patterns and names are
 * short.
 */
#include "criterion-internal.h"

#include <string.h>

/* The end of the group whose '(' is at p[0]: the index of its ')', or n if it is not closed. */
static size_t pat_group_end(const char *p, size_t n)
{
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '(')
			depth++;
		else if (p[i] == ')' && --depth == 0)
			return i;
	}
	return n;
}

static int pat_match(const char *p, size_t pn, const char *s, size_t sn);

/* One alternative of a group: does s match one of the '|'-separated parts of p (the inside)? */
static int pat_any_alt(const char *p, size_t pn, const char *s, size_t sn)
{
	size_t start = 0;
	int depth = 0;

	for (size_t i = 0; i <= pn; i++) {
		if (i < pn && p[i] == '(')
			depth++;
		else if (i < pn && p[i] == ')')
			depth--;
		if (i == pn || (p[i] == '|' && !depth)) {
			if (pat_match(p + start, i - start, s, sn))
				return 1;
			start = i + 1;
		}
	}
	return 0;
}

/* *(alts): s is zero or more pieces each matching an alternative. */
static int pat_star(const char *in, size_t inn, const char *s, size_t sn)
{
	if (!sn)
		return 1;
	for (size_t j = 1; j <= sn; j++)
		if (pat_any_alt(in, inn, s, j) && pat_star(in, inn, s + j, sn - j))
			return 1;
	return 0;
}

/* A class at p ("[...]"): its length in *len (0: not a class), whether c is in it. */
static int pat_class(const char *p, size_t pn, char c, size_t *len)
{
	size_t i = 1;
	int neg = 0, hit = 0;

	*len = 0;
	if (i < pn && (p[i] == '!' || p[i] == '^'))
		neg = 1, i++;
	for (size_t first = i; i < pn && (p[i] != ']' || i == first); i++) {
		if (i + 2 < pn && p[i + 1] == '-' && p[i + 2] != ']') {
			hit |= c >= p[i] && c <= p[i + 2];
			i += 2;
		} else {
			hit |= c == p[i];
		}
	}
	if (i >= pn)
		return 0;	/* not closed: a literal '[' */
	*len = i + 1;
	return hit != neg;
}

static int pat_match(const char *p, size_t pn, const char *s, size_t sn)
{
	while (pn) {
		char c = p[0];

		if (c == '\\') {
			p++, pn--;
			continue;
		}
		if (pn >= 2 && p[1] == '(' && strchr("@?*+!", c)) {
			size_t close = pat_group_end(p + 1, pn - 1) + 1;
			const char *in = p + 2, *rest = p + close + 1;
			size_t inn = close - 2, restn = close < pn ? pn - close - 1 : 0;

			if (close >= pn)
				return 0;	/* unclosed group: Criterion rejects the pattern */
			for (size_t j = 0; j <= sn; j++) {
				int here;

				switch (c) {
				case '@': here = pat_any_alt(in, inn, s, j); break;
				case '?': here = !j || pat_any_alt(in, inn, s, j); break;
				case '*': here = pat_star(in, inn, s, j); break;
				case '+': here = j && pat_star(in, inn, s, j); break;
				default: here = !pat_any_alt(in, inn, s, j); break;
				}
				if (here && pat_match(rest, restn, s + j, sn - j))
					return 1;
			}
			return 0;
		}
		if (c == '*') {
			for (size_t j = 0; j <= sn; j++)
				if (pat_match(p + 1, pn - 1, s + j, sn - j))
					return 1;
			return 0;
		}
		if (!sn)
			return 0;
		if (c == '[') {
			size_t len;
			int in = pat_class(p, pn, s[0], &len);

			if (len) {
				if (!in)
					return 0;
				p += len, pn -= len, s++, sn--;
				continue;
			}
		}
		if (c != '?' && c != s[0])
			return 0;
		p++, pn--, s++, sn--;
	}
	return sn == 0;
}

int criterion_pattern_match(const char *pattern, const char *name)
{
	return pat_match(pattern, strlen(pattern), name, strlen(name));
}
