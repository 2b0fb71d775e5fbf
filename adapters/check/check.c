/*
 * check.c - the Check adapter (libcheck: suite_create, tcase_create,
 * srunner_run_all): recognising a Check binary, listing its TCases, and
 * honouring a registered command's CK_RUN_SUITE / CK_RUN_CASE.  Running a
 * batch is check-run.c and check-lines.c; the listing part loaded into the
 * binary is preload-check.c.
 *
 * What a case is.  Check can choose tests only by TCase (CK_RUN_SUITE and
 * CK_RUN_CASE, one name each, every suite and TCase of those names): a test
 * function cannot be run without the rest of its TCase, its checked and
 * unchecked fixtures.  So a case of balrun is a TCase, "suite/tcase": the
 * smallest thing that can run alone, whose time is measured alone, and
 * which a failure is charged to without charging its neighbours.  A test
 * function as a case would make every batch holding part of a TCase run
 * all of it (the others' side effects, crashes and time included) and its
 * timings would be the TCase's.  The TCase's outcome is the worst of its
 * tests'; its message names the failing test functions, and its output
 * holds each test function's result line.
 *
 * Recognising.  Debian has no shared libcheck: Check is compiled into the
 * binary, which needs libsubunit and references subunit_test_start
 * (dynamic symbols, which survive strip); an unstripped binary also
 * defines srunner_run_all.  A libcheck.so elsewhere is recognised by its
 * name.  A static binary cannot be listed (the shim cannot load into it):
 * it runs as one test, and a note says so.
 *
 * Listing.  Check has no list command.  The binary runs with the preload
 * shim in list mode and CK_RUN_SUITE / CK_RUN_CASE set to markers: Check
 * compares them with every suite and TCase name, the shim records each one
 * and makes sure nothing matches, so no test or fixture runs (preload.h).
 * A (suite, TCase) pair that repeats (two suites of one name, two
 * srunners) is one case: Check's selection cannot tell them apart.  The
 * TCases then run without the shim (listing.no_preload).  A program
 * that names its suite itself (srunner_run(sr, "S", ...)) ignores
 * CK_RUN_SUITE: no suite is recorded, and its listing is an error (its
 * tests may even have run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "check-internal.h"
#include "preload.h"
#include "util.h"

static int check_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	int subunit = facts_needs(f, "libsubunit.so") && facts_symbol(f, "subunit_test_start");
	int runner = facts_symbol(f, "srunner_run_all") || facts_symbol(f, "srunner_run_tagged") ||
		     facts_needs(f, "libcheck.so");

	if (!subunit && !runner)
		return 0;
	if (!f->needed.nr) {
		strbuf_addf(note, "'%s' is a static Check binary: balrun's preload shim cannot load into "
			    "it to find its TCases, so it runs as one test", id);
		return 0;
	}
	return 1;
}

static void check_list_command(struct strvec *argv, struct strvec *env)
{
	(void)argv;
	strvec_setenv(env, PRELOAD_ENV_MODE, "list");
	strvec_setenv(env, "CK_RUN_SUITE", PRELOAD_CHECK_SUITE);
	strvec_setenv(env, "CK_RUN_CASE", PRELOAD_CHECK_CASE);
	/* Check opens (and truncates) its log files even when nothing runs */
	strvec_unsetenv(env, "CK_LOG_FILE_NAME");
	strvec_unsetenv(env, "CK_XML_LOG_FILE_NAME");
	strvec_unsetenv(env, "CK_TAP_LOG_FILE_NAME");
}

uint64_t check_pack(size_t suite_len, size_t tcase_len)
{
	return (uint64_t)(uint32_t)suite_len | (uint64_t)(uint32_t)tcase_len << 32;
}

void check_split(const char *name, uint64_t check, char **suite, char **tcase)
{
	size_t n = strlen(name), slen = (uint32_t)check, tlen = (uint32_t)(check >> 32);
	const char *slash;

	if (check && slen + 1 + tlen <= n && name[slen] == '/') {
		*suite = xstrndup(name, slen);
		*tcase = xstrndup(name + slen + 1, tlen);
		return;
	}
	slash = strchr(name, '/');
	*suite = xstrndup(name, slash ? (size_t)(slash - name) : n);
	*tcase = xstrdup(slash ? slash + 1 : "");
}

/* The case suite/tcase, unless the listing has it already (then 0). */
static void check_add_case(struct listing *l, const char *suite, const char *tcase)
{
	char *name = xasprintf("%s/%s", suite, tcase);
	uint64_t check = check_pack(strlen(suite), strlen(tcase));
	uint32_t scope = UINT32_MAX;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].check == check && !strcmp(l->v[i].name, name)) {
			free(name);
			return;
		}
	for (size_t i = 0; i < l->nscopes && scope == UINT32_MAX; i++)
		if (!strcmp(l->scopes[i], suite))
			scope = (uint32_t)i;
	if (scope == UINT32_MAX) {
		listing_scope(l, xstrdup(suite));
		scope = (uint32_t)(l->nscopes - 1);
	}
	listing_test(l, name, 0)->check = check;
	l->v[l->n - 1].scope = scope;
}

/* The shim's records: "P check", then "S suite" and its "C tcase" lines.  -1 with why if damaged. */
static int check_parse_records(const char *text, size_t len, struct listing *l, int *present,
			       size_t *suites, struct strbuf *why)
{
	const char *s = text, *end = text + len;
	char *suite = NULL;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *value = nl && n >= 2 && s[1] == ' ' ? adapter_unescape(s + 2, n - 2) : NULL;

		if (!value || !strchr("PSC", s[0]) || (s[0] == 'C' && !suite)) {
			strbuf_addf(why, "the preload shim's listing is damaged near '%.40s'", s);
			free(value);
			free(suite);
			return -1;
		}
		if (s[0] == 'P') {
			*present = 1;
			free(value);
		} else if (s[0] == 'S') {
			free(suite);
			suite = value;
			++*suites;
		} else {
			check_add_case(l, suite, value);
			free(value);
		}
		s = nl + 1;
	}
	free(suite);
	return 0;
}

static int check_parse_listing(const struct listing_output *o, struct listing *l, struct strbuf *why,
			       struct strbuf *notes)
{
	size_t suites = 0;
	int present = 0;

	if (check_parse_records(o->events, o->events_len, l, &present, &suites, why))
		return -1;
	if (!present) {
		strbuf_adds(why, "balrun's preload shim did not load into it (is it linked statically?)");
		return -1;
	}
	if (!suites) {
		strbuf_addf(why, "it ran no Check suite selected by CK_RUN_SUITE (ended with %s): "
			    "does it call srunner_run_all()?", o->status);
		return -1;
	}
	if (!o->exited_zero && !l->n) {
		strbuf_addf(why, "it found no TCase and ended with %s", o->status);
		return -1;
	}
	l->no_preload = 1;   /* the shim only lists: TCases are chosen by CK_RUN_SUITE and CK_RUN_CASE */
	if (!o->exited_zero)
		strbuf_addf(notes, "'%s': its listing run ended with %s after naming its TCases; "
			    "running them all the same\n", o->id, o->status);
	return 0;
}

/*
 * A registered command's own choice: CK_RUN_SUITE and CK_RUN_CASE in its
 * environment leave the other cases out (balrun sets its own for every
 * TCase it runs).  The tag variables stay: Check applies them when the TCase
 * runs, and a TCase they leave out runs no test (skipped).
 */
static int check_adopt(struct strvec *args, struct strvec *env, struct listing *l, struct strbuf *why)
{
	const char *suite = strvec_getenv(env, "CK_RUN_SUITE"), *tcase = strvec_getenv(env, "CK_RUN_CASE");

	(void)args;
	if (!suite && !tcase)
		return 0;
	for (size_t i = 0; i < l->n; i++) {
		char *s, *t;

		check_split(l->v[i].name, l->v[i].check, &s, &t);
		l->v[i].filtered = (suite && strcmp(s, suite)) || (tcase && strcmp(t, tcase));
		free(s);
		free(t);
	}
	strbuf_addf(why, "%s%s%s%s", suite ? "CK_RUN_SUITE=" : "", suite ? suite : "",
		    suite && tcase ? " " : "", tcase ? "CK_RUN_CASE=" : "");
	if (tcase)
		strbuf_adds(why, tcase);
	strvec_unsetenv(env, "CK_RUN_SUITE");
	strvec_unsetenv(env, "CK_RUN_CASE");
	return 0;
}

const struct adapter adapter_check = {
	.name = "check",
	.flags = ADAPTER_PRELOAD | ADAPTER_CHECKS,
	.recognise = check_recognise,
	.list_command = check_list_command,
	.parse_listing = check_parse_listing,
	.adopt_command = check_adopt,
	.run_batch = check_run_batch,
};
