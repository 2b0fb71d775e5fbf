/*
 * gtest-listing.c - reading what `BIN --gtest_list_tests` left, and the
 * checks of the cases (gtest-internal.h).
 *
 * The JSON list (--gtest_output=json:/dev/fd/N beside --gtest_list_tests,
 * gtest 1.10 and later) names every suite and test exactly, whatever
 * main() prints on stdout:
 *
 *   {"testsuites": [{"name": "Nums/Param", "testsuite": [
 *       {"name": "IsSmall/0", "value_param": "1", "file": ..., "line": ...}, ...]}, ...]}
 *
 * gtest writes every byte from 0x80 up as "\u00XX" (its char is signed), so
 * a decoded code point below 0x100 stands for that byte: names come back as
 * the bytes they were registered with.
 *
 * The text list is the fallback (an older gtest):
 *
 *   Suite.                       a suite ("Typed/0.  # TypeParam = int")
 *     Name                       its test ("IsSmall/0  # GetParam() = 1")
 *       As Text: "..."           more of a GetParam() comment (4 spaces)
 *
 * Other lines before the first suite (gtest_main's "Running main() from",
 * whatever main() prints) are not part of it.  Both list in the order a
 * serial run runs the tests.  A disabled test is listed like any other.
 */
#define _GNU_SOURCE
#include "gtest-internal.h"
#include "util.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define GT_TYPE_COMMENT "  # TypeParam = "
#define GT_VALUE_COMMENT "  # GetParam() = "

int gtest_is_disabled(const char *suite, const char *name)
{
	return starts_with(suite, "DISABLED_") || strstr(suite, "/DISABLED_") ||
	       starts_with(name, "DISABLED_") || strstr(name, "/DISABLED_");
}

/* UTF-8 of code points below 0x100 back to those bytes; NULL if another code point is there. */
static char *gt_bytes(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		if (*p < 0x80) {
			*o++ = (char)*p++;
		} else if ((*p == 0xc2 || *p == 0xc3) && (p[1] & 0xc0) == 0x80) {
			*o++ = (char)(((p[0] & 0x1f) << 6) | (p[1] & 0x3f));
			p += 2;
		} else {
			free(out);
			return NULL;
		}
	}
	*o = '\0';
	return out;
}

static char *gt_json_name(json_t *obj)
{
	const char *s = json_string_value(json_object_get(obj, "name"));

	return s ? gt_bytes(s) : NULL;
}

/* One suite of the JSON list; 0, or -1 with err. */
static int gt_json_suite(json_t *suite, struct listing *l, struct strbuf *err)
{
	json_t *tests = json_object_get(suite, "testsuite"), *test;
	char *name = gt_json_name(suite);
	size_t i;

	if (!name || !json_is_array(tests)) {
		strbuf_adds(err, "its JSON listing has a suite without a name or a test list");
		free(name);
		return -1;
	}
	if (!json_array_size(tests)) {
		free(name);   /* every test of it filtered out */
		return 0;
	}
	listing_scope(l, name);
	json_array_foreach(tests, i, test) {
		char *tname = gt_json_name(test);

		if (!tname) {
			strbuf_addf(err, "its JSON listing has a test of '%s' without a name", name);
			return -1;
		}
		listing_test(l, xasprintf("%s.%s", name, tname), gtest_is_disabled(name, tname));
		free(tname);
	}
	return 0;
}

int gtest_parse_json(const char *text, struct listing *l, struct strbuf *err)
{
	json_error_t je;
	json_t *root = json_loads(text, 0, &je), *suites, *suite;
	size_t i;
	int ret = 0;

	if (!root) {
		strbuf_addf(err, "its JSON listing does not parse (%s, line %d)", je.text, je.line);
		return -1;
	}
	suites = json_object_get(root, "testsuites");
	if (!json_is_array(suites)) {
		strbuf_adds(err, "its JSON listing has no \"testsuites\" list");
		ret = -1;
	}
	json_array_foreach(suites, i, suite)
		if (!ret && gt_json_suite(suite, l, err))
			ret = -1;
	json_decref(root);
	return ret;
}

/* "Suite." or "Suite.  # TypeParam = T": the suite's length, 0 if the line is none. */
static size_t gt_text_suite(const char *line, size_t n)
{
	const char *c = memmem(line, n, GT_TYPE_COMMENT, strlen(GT_TYPE_COMMENT));
	size_t len = c ? (size_t)(c - line) : n;

	if (!len || line[0] == ' ' || line[len - 1] != '.')
		return 0;
	return len - 1;
}

/* The test line "  Name[  # GetParam() = v]" (indent removed) into l. */
static void gt_text_test(const char *item, size_t n, struct listing *l)
{
	const char *c = memmem(item, n, GT_VALUE_COMMENT, strlen(GT_VALUE_COMMENT));
	const char *suite = l->scopes[l->nscopes - 1];
	char *name = xstrndup(item, c ? (size_t)(c - item) : n);

	listing_test(l, xasprintf("%s.%s", suite, name), gtest_is_disabled(suite, name));
	free(name);
}

int gtest_parse_text(const char *text, struct listing *l, struct strbuf *err)
{
	int commented = 0;   /* the last test line had a GetParam() comment */

	if (strstr(text, "[ RUN      ] ") || strstr(text, "[==========] Running ")) {
		strbuf_adds(err, "it ran its tests instead of listing them (does its main() call "
			    "testing::InitGoogleTest()?)");
		return -1;
	}
	for (const char *s = text; *s;) {
		size_t n = strcspn(s, "\n"), slen;

		if (l->nscopes && starts_with(s, "    ") && commented) {
			;	/* more of the comment */
		} else if (l->nscopes && n > 2 && starts_with(s, "  ")) {
			gt_text_test(s + 2, n - 2, l);
			commented = memmem(s, n, GT_VALUE_COMMENT, strlen(GT_VALUE_COMMENT)) != NULL;
		} else if ((slen = gt_text_suite(s, n))) {
			listing_scope(l, xstrndup(s, slen));
			commented = 0;
		}
		s += n + (s[n] == '\n');
	}
	return 0;
}

/* A name no filter selects alone: gtest's pattern bytes, a control byte, balrun's "#k". */
static int gt_odd_name(const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || strchr(":-*?#", *p))
			return 1;
	return 0;
}

static int gt_cmp_names(const void *a, const void *b, void *data)
{
	const struct listing *l = data;
	return strcmp(l->v[*(const uint32_t *)a].name, l->v[*(const uint32_t *)b].name);
}

void gtest_set_checks(struct listing *l)
{
	uint32_t *by = xcalloc(l->n ? l->n : 1, sizeof(*by));
	unsigned char *alone = xcalloc(l->n ? l->n : 1, 1);
	uint64_t place = 0;

	for (size_t i = 0; i < l->n; i++)
		by[i] = (uint32_t)i;
	qsort_r(by, l->n, sizeof(*by), gt_cmp_names, l);
	for (size_t i = 0; i + 1 < l->n; i++)
		if (!strcmp(l->v[by[i]].name, l->v[by[i + 1]].name))
			alone[by[i]] = alone[by[i + 1]] = 1;
	for (size_t i = 0; i < l->n; i++) {
		struct listed_test *t = &l->v[i];
		uint64_t shard = 0;

		if (!t->disabled && (alone[i] || gt_odd_name(t->name)))
			shard = place + 1;
		place += !t->disabled;
		t->check = shard << 32 | t->scope;
	}
	free(alone);
	free(by);
}
