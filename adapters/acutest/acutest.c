/*
 * acutest.c - the acutest adapter (mity/acutest, a header-only C/C++ test
 * facility): recognising an acutest binary, listing its tests, and a
 * registered command's own choice of tests.  Running a batch is
 * acutest-run.c.  Measured facts: /work/research/frameworks2/FINDINGS.md
 * section 4 (acutest 31751b4).
 *
 * acutest is compiled into the test program (its main() too), so the
 * binary needs no library of its own: it is recognised by its symbols,
 * acutest_list_ (the TEST_LIST array) or the functions every check and
 * message calls, acutest_check_ and acutest_message_.  A stripped binary
 * keeps none of them: it runs as one plain test.
 *
 * The listing, `BIN [registered arguments] --list` (acutest's main() runs no
 * test for it):
 *
 *   Unit tests:
 *     name one
 *     name two
 *
 * Tests in TEST_LIST order, which is the order acutest runs them whatever
 * the order of the names on its command line.  Lines before "Unit tests:"
 * (a constructor's banner) are not tests.  acutest has no suites and no
 * disabled tests; all tests share one scope.  A name may repeat: acutest
 * selects only the first test of a name, so a later one is unreachable
 * (acutest-internal.h) and balrun reports it not run.
 */
#include "acutest-internal.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

static int acutest_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	(void)id;
	(void)note;
	return facts_symbol(f, "acutest_list_") == FACTS_DEFINED ||
	       (facts_symbol(f, "acutest_check_") == FACTS_DEFINED &&
		facts_symbol(f, "acutest_message_") == FACTS_DEFINED);
}

static void acutest_list_command(struct strvec *argv, struct strvec *env)
{
	(void)env;
	strvec_push(argv, "--list");
}

/* Is [line, line+len) the name of a test listed earlier? */
static int acu_listed(const struct listing *l, const char *line, size_t len)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strncmp(l->v[i].name, line, len) && !l->v[i].name[len])
			return 1;
	return 0;
}

static int acutest_parse_listing(const struct listing_output *o, struct listing *l,
				 struct strbuf *why, struct strbuf *notes)
{
	const char *p = o->out, *end = o->out + o->out_len;
	size_t unreachable = 0;
	int in_list = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!in_list && len == 11 && !memcmp(p, "Unit tests:", 11)) {
			in_list = 1;
			listing_scope(l, xstrdup(""));
		} else if (in_list && len >= 2 && !memcmp(p, "  ", 2)) {
			int again = acu_listed(l, p + 2, len - 2);
			struct listed_test *t = listing_test(l, xstrndup(p + 2, len - 2), 0);

			t->check = (uint64_t)(l->n - 1) | (again ? ACU_CHECK_UNREACHABLE : 0);
			unreachable += again;
		} else if (in_list) {
			in_list = 0;	/* whatever comes after the list */
		}
		p += len + 1;
	}
	if (!l->nscopes) {
		strbuf_addf(why, "its --list (%s) printed no \"Unit tests:\" list", o->status);
		return -1;
	}
	if (!o->exited_zero)
		strbuf_addf(notes, "'%s': its --list ended with %s after listing its tests; running them "
			    "all the same\n", o->id, o->status);
	if (unreachable)
		strbuf_addf(notes, "'%s': %zu test%s repeat%s an earlier test's name: acutest selects only "
			    "the first test of a name, so balrun reports %s not run\n", o->id, unreachable,
			    unreachable == 1 ? "" : "s", unreachable == 1 ? "s" : "",
			    unreachable == 1 ? "it" : "them");
	return 0;
}

/* ---- a registered command's own choice ---- */

static int acu_word_at(const char *name, const char *at, size_t len)
{
	static const char delim[] = " \t-_/.,:;";

	return (at == name || strchr(delim, at[-1])) && (!at[len] || strchr(delim, at[len]));
}

static int acu_has_word(const char *name, const char *pattern)
{
	size_t len = strlen(pattern);

	for (const char *at = strstr(name, pattern); at; at = strstr(at + 1, pattern))
		if (acu_word_at(name, at, len))
			return 1;
	return 0;
}

int acutest_selects(char *const *names, size_t n, size_t place, const char *pattern)
{
	int word = 0, sub = 0;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(names[i], pattern))
			return i == place;
	for (size_t i = 0; i < n; i++)
		word |= acu_has_word(names[i], pattern);
	if (word)
		return acu_has_word(names[place], pattern);
	for (size_t i = 0; i < n; i++)
		sub |= strstr(names[i], pattern) != NULL;
	return sub && strstr(names[place], pattern) != NULL;
}

/* Options of acutest's that take the next argument when given without a value. */
static int acu_takes_next(const char *arg)
{
	return !strcmp(arg, "-x") || !strcmp(arg, "--worker");
}

static int acu_is_exclude(const char *arg)
{
	return !strcmp(arg, "-X") || !strcmp(arg, "--exclude") || !strcmp(arg, "-s") ||
	       !strcmp(arg, "--skip");
}

/*
 * The command's arguments are acutest's (its main() is acutest's): test
 * names choose tests (-X/--exclude turns the choice round); its options
 * (--tap, --verbose, --exec, --xml-output, ...) would change what balrun
 * reads and are dropped: balrun passes its own.
 */
int acutest_adopt(struct strvec *args, struct strvec *env, struct listing *l, struct strbuf *why)
{
	struct strvec names = STRVEC_INIT;
	char **all = xcalloc(l->n ? l->n : 1, sizeof(*all));
	int exclude = 0, dashdash = 0;

	(void)env;
	for (size_t i = 0; i < args->nr; i++) {
		const char *a = args->v[i];

		if (dashdash || a[0] != '-' || !strcmp(a, "-"))
			strvec_push(&names, a);
		else if (!strcmp(a, "--"))
			dashdash = 1;
		else if (acu_is_exclude(a))
			exclude = 1;
		else if (acu_takes_next(a))
			i++;
	}
	for (size_t i = 0; i < l->n; i++)
		all[i] = l->v[i].name;
	for (size_t i = 0; names.nr && i < l->n; i++) {
		int chosen = 0;

		for (size_t k = 0; k < names.nr && !chosen; k++)
			chosen = acutest_selects(all, l->n, i, names.v[k]);
		l->v[i].filtered = exclude ? chosen : !chosen;
	}
	if (names.nr)
		strbuf_addf(why, "%s %zu name%s of the command", exclude ? "excluding" : "the tests of",
			    names.nr, names.nr == 1 ? "" : "s");
	strvec_clear(args);
	strvec_clear(&names);
	free(all);
	return 0;
}

const struct adapter adapter_acutest = {
	.name = "acutest",
	.flags = ADAPTER_CHECKS,
	.recognise = acutest_recognise,
	.list_command = acutest_list_command,
	.parse_listing = acutest_parse_listing,
	.adopt_command = acutest_adopt,
	.run_batch = acutest_run_batch,
};
