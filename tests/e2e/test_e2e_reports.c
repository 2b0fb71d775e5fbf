/*
 * test_e2e_reports.c - the files a run writes besides --json.
 *
 * --junit FILE validates against the JUnit schema CI readers take
 * (tests/fixtures/data/junit.xsd), says for every test what the JSON
 * report says, stays valid XML whatever a test printed (plain_binary prints
 * every byte), and reads back into the timing cache with `balrun cache
 * import-junit` under the same ids.  --timeline FILE is well-formed XHTML
 * with a lane per worker, a bar per test that ran, the lower bound and the
 * end drawn, and nothing loaded from elsewhere.  --trace FILE has a
 * complete event per test on its worker's thread.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* The element of a testcase that says how it ended ("" when it passed). */
static const char *ending(const xmlNode *tc)
{
	for (const xmlNode *c = tc->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && (!strcmp((const char *)c->name, "failure") ||
						    !strcmp((const char *)c->name, "error") ||
						    !strcmp((const char *)c->name, "skipped")))
			return (const char *)c->name;
	return "";
}

static const char *want_ending(const char *outcome)
{
	if (!strcmp(outcome, "failed") || !strcmp(outcome, "timed out"))
		return "failure";
	if (!strcmp(outcome, "crashed") || !strcmp(outcome, "not run"))
		return "error";
	return strcmp(outcome, "skipped") ? "" : "skipped";
}

/* The testcase whose classname "::" name (or name alone) is id. */
static xmlNode *find_case(xmlNode *n, const char *id)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, "testcase")) {
			xmlChar *name = xmlGetProp(n, BAD_CAST "name"), *cls = xmlGetProp(n, BAD_CAST "classname");
			char *full = NULL;
			int hit;

			cr_assert(asprintf(&full, "%s::%s", cls, name) > 0);
			hit = !strcmp(full, id) || (!strcmp((char *)name, id) && !strcmp((char *)cls, id));
			free(full);
			xmlFree(name);
			xmlFree(cls);
			if (hit)
				return n;
		} else {
			xmlNode *found = find_case(n->children, id);
			if (found)
				return found;
		}
	}
	return NULL;
}

static int validates(xmlDoc *doc)
{
	xmlSchemaParserCtxt *pc = xmlSchemaNewParserCtxt(JUNIT_XSD);
	xmlSchema *schema = xmlSchemaParse(pc);
	xmlSchemaValidCtxt *vc;
	int ret;

	cr_assert_not_null(schema, "cannot read %s", JUNIT_XSD);
	vc = xmlSchemaNewValidCtxt(schema);
	ret = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaFreeValidCtxt(vc);
	xmlSchemaFree(schema);
	xmlSchemaFreeParserCtxt(pc);
	return ret == 0;
}

Test(junit, every_test_as_the_json_report_says_and_valid_whatever_was_printed)
{
	const char *dir = e2e_tmpdir();
	char xml[4200];
	struct e2e_run r;
	xmlDoc *doc;
	json_t *t;
	size_t i, n = 0;

	snprintf(xml, sizeof(xml), "%s/junit.xml", dir);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--junit", xml, e2e_fixture("crit_basic"),
				  e2e_fixture("cmocka_basic"), e2e_fixture("plain_fail"),
				  e2e_fixture("plain_binary"), e2e_fixture("trust_names")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	doc = xmlReadFile(xml, NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc, "not well-formed XML: %s", xml);
	cr_expect(validates(doc), "does not validate against %s", JUNIT_XSD);
	json_array_foreach(json_object_get(r.report, "tests"), i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *outcome = json_string_value(json_object_get(t, "outcome"));
		xmlNode *tc;

		if (strchr(id, '\\'))
			continue;	/* an escaped name (trust_names): in the file as escaped text too */
		tc = find_case(xmlDocGetRootElement(doc), id);
		cr_expect_not_null(tc, "no testcase for %s", id);
		if (tc)
			cr_expect_str_eq(ending(tc), want_ending(outcome), "%s: %s", id, outcome);
		n++;
	}
	cr_expect_gt(n, 15);
	/* every byte plain_binary printed is there, those XML cannot carry as \xNN */
	xmlNode *bin = find_case(xmlDocGetRootElement(doc), json_string_value(json_object_get(
					 e2e_test(&r, "plain_binary"), "id")));
	cr_assert_not_null(bin);
	xmlChar *text = xmlNodeGetContent(bin);
	cr_expect(strstr((char *)text, "\\x01") && strstr((char *)text, "\\xff") &&
		  strstr((char *)text, "]]> <&>") && strstr((char *)text, "ok"), "%s", text);
	xmlFree(text);
	xmlFreeDoc(doc);
	e2e_free(&r);
}

Test(junit, reads_back_into_the_timing_cache_under_the_same_ids)
{
	const char *dir = e2e_tmpdir();
	char xml[4200], cache[4200], out[4200];
	struct e2e_run r;
	json_t *exported, *t;
	size_t i;

	snprintf(xml, sizeof(xml), "%s/junit.xml", dir);
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(out, sizeof(out), "%s/export.json", dir);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--junit", xml, e2e_fixture("crit_basic"),
				  e2e_fixture("cmocka_basic"), e2e_fixture("plain_fail")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	cr_assert_eq(e2e_sh("'%s' cache import-junit --cache-dir '%s' '%s' >/dev/null", BALRUN_PATH, cache, xml), 0);
	cr_assert_eq(e2e_sh("'%s' cache export --format json --cache-dir '%s' -o '%s'", BALRUN_PATH, cache, out), 0);
	exported = json_load_file(out, 0, NULL);
	cr_assert_not_null(exported);
	json_array_foreach(json_object_get(r.report, "tests"), i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *outcome = json_string_value(json_object_get(t, "outcome"));
		json_t *e, *found = NULL;
		size_t k;

		json_array_foreach(json_object_get(exported, "tests"), k, e)
			if (!strcmp(json_string_value(json_object_get(e, "id")), id))
				found = e;
		cr_expect_not_null(found, "%s is not in the cache", id);
		if (found && strcmp(outcome, "skipped") && strcmp(outcome, "crashed"))
			cr_expect_str_eq(json_string_value(json_object_get(found, "last_outcome")), outcome,
					 "%s", id);
	}
	json_decref(exported);
	e2e_free(&r);
}

/* Elements named name under n whose class attribute is cls (NULL: any). */
static size_t count_elements(const xmlNode *n, const char *name, const char *cls)
{
	size_t k = 0;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, name)) {
			xmlChar *c = xmlGetProp(n, BAD_CAST "class");
			k += !cls || (c && !strcmp((char *)c, cls));
			xmlFree(c);
		}
		k += count_elements(n->children, name, cls);
	}
	return k;
}

/* Tests of the report that ran on a worker. */
static size_t ran(const struct e2e_run *r)
{
	json_t *t;
	size_t i, n = 0;

	json_array_foreach(json_object_get(r->report, "tests"), i, t)
		n += json_integer_value(json_object_get(t, "worker")) >= 0;
	return n;
}

Test(timeline, a_lane_per_worker_a_bar_per_test_and_nothing_from_the_network)
{
	const char *dir = e2e_tmpdir();
	char html[4200], *text;
	struct e2e_run r;
	xmlDoc *doc;
	FILE *f;
	size_t n = 0;

	snprintf(html, sizeof(html), "%s/timeline.html", dir);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--timeline", html, e2e_fixture("crit_basic"),
				  e2e_fixture("cmocka_basic"), e2e_fixture("plain_binary")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	doc = xmlReadFile(html, NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc, "the timeline is not well-formed XHTML");
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "g", "lane"), 2, "a lane per worker");
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "rect", "test"), ran(&r), "a bar per test that ran");
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "line", "bound"), 1, "the lower bound");
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "line", "wall"), 1, "the end of the run");
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "title", NULL), ran(&r) + 1,
		     "a tooltip per bar (and the page's title)");
	xmlFreeDoc(doc);
	f = fopen(html, "r");
	cr_assert(getdelim(&text, &n, '\0', f) > 0);
	fclose(f);
	cr_expect(!strstr(text, "src=") && !strstr(text, "href=") && !strstr(text, "@import"),
		  "self-contained: nothing loaded from elsewhere");
	free(text);
	e2e_free(&r);
}

Test(trace, an_event_per_test_on_its_worker_thread)
{
	const char *dir = e2e_tmpdir();
	char path[4200];
	struct e2e_run r;
	json_t *trace, *e, *t;
	size_t i, k, complete = 0, threads = 0;

	snprintf(path, sizeof(path), "%s/trace.json", dir);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--trace", path, e2e_fixture("crit_basic"),
				  e2e_fixture("plain_fail")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	trace = json_load_file(path, 0, NULL);
	cr_assert_not_null(trace, "not JSON");
	json_array_foreach(json_object_get(trace, "traceEvents"), i, e) {
		const char *ph = json_string_value(json_object_get(e, "ph"));

		threads += !strcmp(ph, "M") && !strcmp(json_string_value(json_object_get(e, "name")), "thread_name");
		if (strcmp(ph, "X"))
			continue;
		complete++;
		cr_expect(json_number_value(json_object_get(e, "dur")) >= 0);
		json_array_foreach(json_object_get(r.report, "tests"), k, t)
			if (!strcmp(json_string_value(json_object_get(t, "id")),
				    json_string_value(json_object_get(e, "name"))))
				cr_expect_eq(json_integer_value(json_object_get(t, "worker")),
					     json_integer_value(json_object_get(e, "tid")));
	}
	cr_expect_eq(complete, ran(&r));
	cr_expect_eq(threads, 2);
	json_decref(trace);
	e2e_free(&r);
}
