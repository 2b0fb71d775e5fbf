/*
 * colour.c - the escapes for outcomes; see colour.h.
 */
#include "colour.h"

#include <stdlib.h>
#include <string.h>

int colour_wanted(int opt, int tty)
{
	const char *term = getenv("TERM");
	const char *no = getenv("NO_COLOR");

	if (opt >= 0)
		return opt;
	return tty && !(no && *no) && !(term && !strcmp(term, "dumb"));
}

const char *colour_outcome(enum outcome o, int color)
{
	if (!color)
		return "";
	switch (o) {
	case OUTCOME_PASS: return "\033[32m";
	case OUTCOME_SKIP: case OUTCOME_NOTRUN: case OUTCOME_FLAKY: case OUTCOME_ORDERDEP:
		return "\033[33m";
	default: return "\033[1;31m";
	}
}

const char *colour_reset(int color)
{
	return color ? "\033[0m" : "";
}
