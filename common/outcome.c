/*
 * outcome.c - names of test outcomes; see outcome.h.
 */
#include "outcome.h"

#include <string.h>

static const struct {
	const char *name, *tag;
} outcomes[OUTCOME__COUNT] = {
	[OUTCOME_PASS] = { "passed", "PASS" },
	[OUTCOME_FAIL] = { "failed", "FAIL" },
	[OUTCOME_CRASH] = { "crashed", "CRASH" },
	[OUTCOME_TIMEOUT] = { "timed out", "TIMEOUT" },
	[OUTCOME_SKIP] = { "skipped", "SKIP" },
	[OUTCOME_NOTRUN] = { "not run", "NOTRUN" },
	[OUTCOME_FLAKY] = { "flaky", "FLAKY" },
	[OUTCOME_ORDERDEP] = { "order-dependent", "ORDER" },
};

const char *outcome_name(enum outcome o)
{
	return (unsigned)o < OUTCOME__COUNT ? outcomes[o].name : "unknown";
}

const char *outcome_tag(enum outcome o)
{
	return (unsigned)o < OUTCOME__COUNT ? outcomes[o].tag : "?";
}

int outcome_parse(const char *s)
{
	for (int i = 0; i < OUTCOME__WIRE; i++)
		if (!strcmp(s, outcomes[i].tag) || !strcmp(s, outcomes[i].name))
			return i;
	return -1;
}

int outcome_is_failure(enum outcome o)
{
	return o == OUTCOME_FAIL || o == OUTCOME_CRASH || o == OUTCOME_TIMEOUT;
}
