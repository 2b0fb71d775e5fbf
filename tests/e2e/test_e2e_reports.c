/*
 * test_e2e_reports.c - the files a run writes besides --json.
 *
 * --junit FILE validates against the JUnit schema CI readers take
 * (tests/fixtures/data/junit.xsd), says for every test what the JSON
 * report says, stays valid XML whatever a test printed (plain_binary prints
 * every byte), and reads back into the timing cache with `balrun cache
 * import-junit` under the same ids.  --timeline FILE is well-formed XHTML
 * with a lane per worker, a bar per test that ran, the lower bound and the
 * end drawn, an outline per batch, and nothing loaded from elsewhere;
 * `balrun report` draws all three again byte for byte from the JSON report
 * and refuses a file that is not one (exit 4, one line); --plan --timeline
 * draws the predicted schedule.  --trace FILE has a
 * complete event per test on its worker's thread.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <stdarg.h>
#include <math.h>
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
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "title", NULL),
		     ran(&r) + count_elements(xmlDocGetRootElement(doc), "rect", "batch") + 1,
		     "a tooltip per bar and per batch (and the page's title)");
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

/* The value of attribute name of every element (name el, class cls) under n, appended to out. */
static void collect_attr(const xmlNode *n, const char *el, const char *cls, const char *name, json_t *out)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (!strcmp((const char *)n->name, el)) {
			xmlChar *c = xmlGetProp(n, BAD_CAST "class"), *v = xmlGetProp(n, BAD_CAST name);

			if (c && v && !strcmp((char *)c, cls))
				json_array_append_new(out, json_string((char *)v));
			xmlFree(c);
			xmlFree(v);
		}
		collect_attr(n->children, el, cls, name, out);
	}
}

Test(timeline, every_batch_outlined_around_its_tests)
{
	const char *dir = e2e_tmpdir();
	char html[4200], key[64];
	struct e2e_run r;
	json_t *t, *groups = json_object(), *v;
	const char *k;
	size_t i, batches = 0;
	xmlDoc *doc;

	snprintf(html, sizeof(html), "%s/timeline.html", dir);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--timeline", html, e2e_fixture("cmocka_basic"),
				  e2e_fixture("crit_basic"), e2e_fixture("plain_fail")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	/* the report's batches: tests of one unit on one worker */
	json_array_foreach(json_object_get(r.report, "tests"), i, t) {
		json_int_t unit = json_integer_value(json_object_get(t, "unit"));

		if (json_integer_value(json_object_get(t, "worker")) < 0)
			continue;
		cr_expect_gt(unit, 0, "%s ran in no unit", json_string_value(json_object_get(t, "id")));
		snprintf(key, sizeof(key), "%lld/%lld", (long long)json_integer_value(json_object_get(t, "worker")),
			 (long long)unit);
		v = json_object_get(groups, key);
		json_object_set_new(groups, key, json_integer(v ? json_integer_value(v) + 1 : 1));
	}
	json_object_foreach(groups, k, v)
		batches += json_integer_value(v) > 1;
	cr_assert_gt(batches, 0, "no test ran in a batch: the fixture no longer shows one");
	doc = xmlReadFile(html, NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc);
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "rect", "batch"), batches,
		     "an outline per unit of more than one test");
	xmlFreeDoc(doc);
	json_decref(groups);
	e2e_free(&r);
}

/* The whole of a file, or NULL. */
static char *slurp(const char *path)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	if (getdelim(&text, &n, '\0', f) < 0) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

Test(report, draws_the_same_files_again_from_the_json_report)
{
	const char *dir = e2e_tmpdir();
	const char *names[] = { "timeline.html", "junit.xml", "trace.json" };
	char first[3][4200], again[3][4200];
	struct e2e_run r;

	for (int i = 0; i < 3; i++) {
		snprintf(first[i], sizeof(first[i]), "%s/first-%s", dir, names[i]);
		snprintf(again[i], sizeof(again[i]), "%s/again-%s", dir, names[i]);
	}
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--no-cache", "--timeline", first[0], "--junit", first[1], "--trace",
				  first[2], e2e_fixture("crit_basic"), e2e_fixture("cmocka_basic"),
				  e2e_fixture("plain_fail")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	cr_assert_eq(e2e_sh("'%s' report --timeline '%s' --junit '%s' --trace '%s' '%s/report.json' >'%s/out'",
			    BALRUN_PATH, again[0], again[1], again[2], r.dir, dir), 0);
	for (int i = 0; i < 3; i++) {
		char *a = slurp(first[i]), *b = slurp(again[i]);

		cr_assert(a && b, "%s", names[i]);
		cr_expect_str_eq(b, a, "%s drawn again differs", names[i]);
		free(a);
		free(b);
	}
	cr_expect_eq(e2e_sh("grep -q '^== .* in [0-9.]*s ==$' '%s/out'", dir), 0, "the counts line");
	e2e_free(&r);
}

Test(report, bad_input_is_one_line_and_exit_4)
{
	const char *dir = e2e_tmpdir();
	static const char *const files[][2] = {
		{ "notjson", "this is not JSON" },
		{ "noversion", "{\"tests\": []}" },
		{ "version2", "{\"version\": 2, \"tests\": []}" },
		{ "outcome", "{\"version\": 1, \"tests\": [{\"id\": \"a::b\", \"outcome\": \"great\"}]}" },
		{ "noid", "{\"version\": 1, \"tests\": [{\"outcome\": \"passed\"}]}" },
		{ "workers", "{\"version\": 1, \"workers\": 99999999, \"tests\": []}" },
	};
	static const char *const says[] = { "notjson", "no \"version\"", "version 2", "unknown outcome",
					     "test 1 has no", "99999999 workers" };
	char path[4200];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i][0]);
		FILE *f = fopen(path, "w");
		cr_assert_not_null(f);
		fputs(files[i][1], f);
		fclose(f);
		cr_expect_eq(e2e_sh("'%s' report --timeline '%s/t.html' '%s' 2>'%s/err' >/dev/null", BALRUN_PATH,
				    dir, path, dir), 4, "%s", files[i][0]);
		cr_expect_eq(e2e_sh("test $(wc -l <'%s/err') = 1 && grep -qF -- '%s' '%s/err'", dir, says[i], dir), 0,
			     "%s: one line saying %s", files[i][0], says[i]);
		cr_expect_neq(e2e_sh("test -e '%s/t.html'", dir), 0, "%s: a timeline written", files[i][0]);
	}
	snprintf(path, sizeof(path), "%s/notjson", dir);
	cr_expect_eq(e2e_sh("'%s' report '%s/missing.json' 2>'%s/err'", BALRUN_PATH, dir, dir), 4);
	cr_expect_eq(e2e_sh("grep -q 'missing.json' '%s/err'", dir), 0);
	cr_expect_eq(e2e_sh("'%s' report --timeline /no/such/dir/t.html '%s' 2>'%s/err'", BALRUN_PATH, path, dir), 4);
	cr_expect_eq(e2e_sh("grep -q -- '--timeline: cannot write ./no/such/dir/t.html' '%s/err'", dir), 0);
	cr_expect_eq(e2e_sh("'%s' report 2>/dev/null", BALRUN_PATH), 4, "no report");
	cr_expect_eq(e2e_sh("'%s' report a.json b.json 2>/dev/null", BALRUN_PATH), 4, "two reports");
	cr_expect_eq(e2e_sh("'%s' report --frobnicate x.json 2>/dev/null", BALRUN_PATH), 4, "an unknown option");
	cr_expect_eq(e2e_sh("'%s' report --help | grep -q 'usage: balrun report'", BALRUN_PATH), 0);
}

Test(plan, timeline_draws_the_predicted_schedule)
{
	const char *dir = e2e_tmpdir();
	char cache[4200], html[4200];
	struct e2e_run r;
	json_t *starts = json_array(), *s;
	xmlDoc *doc;
	size_t i;

	snprintf(cache, sizeof(cache), "%s/cache", dir);
	snprintf(html, sizeof(html), "%s/plan.html", dir);
	e2e_balrun(&r, NULL, ARGS("-n", "2", "--cache-dir", cache, e2e_fixture("crit_basic"),
				  e2e_fixture("cmocka_basic")));
	cr_assert_eq(r.code, 1, "stderr: %s", r.err);
	cr_assert_eq(e2e_sh("'%s' -n 2 --cache-dir '%s' --plan --timeline '%s' '%s' '%s' >'%s/plan.txt'", BALRUN_PATH,
			    cache, html, e2e_fixture("crit_basic"), e2e_fixture("cmocka_basic"), dir), 0);
	doc = xmlReadFile(html, NULL, XML_PARSE_NONET);
	cr_assert_not_null(doc);
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "g", "lane"), 2);
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "rect", "test"), ran(&r), "a bar per test planned");
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "line", "predicted"), 1);
	cr_expect_eq(count_elements(xmlDocGetRootElement(doc), "line", "wall"), 0, "nothing ran: no end");
	collect_attr(xmlDocGetRootElement(doc), "rect", "test", "x", starts);
	json_array_foreach(starts, i, s)
		cr_expect_geq(atof(json_string_value(s)), 90.0, "a bar before the start of the axis");
	xmlFreeDoc(doc);
	/* the heading's prediction is the one --plan printed */
	snprintf(cache, sizeof(cache), "%s/plan.txt", dir);
	char *text = slurp(cache), *page = slurp(html), *line, want[64];
	double predicted;

	cr_assert(text && page);
	line = strstr(text, "predicted makespan ");
	cr_assert(line && sscanf(line, "predicted makespan %lfs", &predicted) == 1, "%s", text);
	/*
	 * --plan prints three decimals, the heading two, both rounded from the
	 * same prediction: 0.325 printed may be 0.3249 or 0.3251 behind it, so
	 * the heading says 0.32 or 0.33; either is the same prediction.
	 */
	const char *said = strstr(page, "predicted ");
	cr_assert(said, "the heading gives no prediction");
	snprintf(want, sizeof(want), "%.3f", predicted);
	cr_expect(fabs(atof(said + strlen("predicted ")) - predicted) <= 0.0051,
		  "the heading's prediction is not the %s --plan printed", want);
	free(text);
	free(page);
	json_decref(starts);
	e2e_free(&r);
}
