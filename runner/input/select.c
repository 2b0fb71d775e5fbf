/*
 * select.c - which collected tests run: -k and --lf; see select.h.
 */
#define _GNU_SOURCE
#include "select.h"

#include <fnmatch.h>
#include <string.h>

#include "util.h"

static int keyword_matches_one(const char *pattern, const char *s)
{
	return strstr(s, pattern) || fnmatch(pattern, s, 0) == 0;
}

/* A pattern matches the test's id or one of its labels (CTest LABELS, meson suites). */
static int keyword_matches(const char *pattern, const char *id, const struct strvec *labels)
{
	if (keyword_matches_one(pattern, id))
		return 1;
	for (size_t i = 0; i < labels->nr; i++)
		if (keyword_matches_one(pattern, labels->v[i]))
			return 1;
	return 0;
}

/* -k: any positive pattern matches (or there is none) and no "not" pattern does. */
static int keywords_select(char *const *keywords, size_t n, const char *id,
			   const struct strvec *labels)
{
	int positives = 0, hit = 0;
	for (size_t i = 0; i < n; i++) {
		const char *k = keywords[i];
		if (starts_with(k, "not ")) {
			if (keyword_matches(k + 4, id, labels))
				return 0;
			continue;
		}
		positives++;
		hit |= keyword_matches(k, id, labels);
	}
	return !positives || hit;
}

size_t select_tests(struct run *r, char *const *keywords, size_t nkeywords, int last_failed,
		    struct strbuf *note)
{
	size_t n = 0, failed = 0;

	for (size_t i = 0; i < r->ntests; i++) {
		struct test_case *t = &r->tests[i];
		t->selected = keywords_select(keywords, nkeywords, t->id, &r->bins[t->binary].cmd.labels);
		failed += t->selected && t->lf_failed;
	}
	if (last_failed && !failed)
		strbuf_adds(note, "--lf: no test failed last time; running all selected tests\n");
	for (size_t i = 0; i < r->ntests; i++) {
		struct test_case *t = &r->tests[i];
		if (last_failed && failed && !t->lf_failed)
			t->selected = 0;
		n += t->selected;
	}
	return n;
}
