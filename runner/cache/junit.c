/*
 * junit.c - JUnit XML to balrun results with libxml2; see junit.h.
 *
 * The whole document is parsed (files are small: one element per test) with
 * network access and entity expansion off, then walked depth first: every
 * <testcase> at any depth counts, and its nearest <testsuite> ancestor gives
 * the suite name (a report balrun wrote, <testsuites name="balrun">, gives
 * back its ids: classname "::" name).  A repeated id is folded into the result before it when
 * the two are adjacent, which is how Criterion writes the parameters of one
 * test; that keeps reading linear.  (Non-adjacent repeats stay separate
 * results and are each recorded.)
 */
#include "junit.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct junit_walk {
	const char *prefix;
	struct junit_results *out;
	size_t first;          /* index of this file's first result in out */
	struct strbuf id;
	const char *sep;       /* between classname and name: "/", or "::" in balrun's own reports */
};

static int junit_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* Worse outcomes rank higher: the one kept when a test is seen twice. */
static int junit_rank(enum outcome o)
{
	static const int rank[OUTCOME__COUNT] = {
		[OUTCOME_SKIP] = 0, [OUTCOME_PASS] = 1, [OUTCOME_FAIL] = 2,
		[OUTCOME_TIMEOUT] = 3, [OUTCOME_CRASH] = 4, [OUTCOME_NOTRUN] = 0,
	};
	return rank[o];
}

static enum outcome junit_outcome(const xmlNode *tc)
{
	for (const xmlNode *c = tc->children; c; c = c->next) {
		if (junit_is(c, "failure"))
			return OUTCOME_FAIL;
		if (junit_is(c, "error"))
			return OUTCOME_CRASH;
		if (junit_is(c, "skipped"))
			return OUTCOME_SKIP;
	}
	return OUTCOME_PASS;
}

static double junit_time(const xmlNode *tc)
{
	xmlChar *t = xmlGetProp(tc, (const xmlChar *)"time");
	double v = NAN;
	char *end;

	if (t) {
		v = strtod((const char *)t, &end);
		if (end == (char *)t || *end || !isfinite(v) || v < 0)
			v = NAN;
		xmlFree(t);
	}
	return v;
}

/* Build the balrun id of a testcase into w->id; -1 if it has no name. */
static int junit_id(struct junit_walk *w, const xmlNode *tc, const char *suite)
{
	xmlChar *name = xmlGetProp(tc, (const xmlChar *)"name");
	xmlChar *cls = xmlGetProp(tc, (const xmlChar *)"classname");
	const char *group = cls ? (const char *)cls : suite;

	strbuf_reset(&w->id);
	if (name && *name) {
		strbuf_adds(&w->id, w->prefix ? w->prefix : "");
		if (group && *group && strcmp(group, (const char *)name))
			strbuf_addf(&w->id, "%s%s", group, w->sep);
		strbuf_adds(&w->id, (const char *)name);
	}
	xmlFree(name);
	xmlFree(cls);
	return w->id.len ? 0 : -1;
}

static void junit_add(struct junit_walk *w, enum outcome o, double seconds)
{
	struct junit_results *out = w->out;

	if (out->nr > w->first && !strcmp(out->v[out->nr - 1].id, w->id.buf)) {
		struct junit_result *r = &out->v[out->nr - 1];
		if (!isnan(seconds))
			r->seconds = isnan(r->seconds) ? seconds : r->seconds + seconds;
		if (junit_rank(o) > junit_rank(r->outcome))
			r->outcome = o;
		return;
	}
	ALLOC_GROW(out->v, out->nr + 1, out->alloc);
	out->v[out->nr++] = (struct junit_result){ xstrdup(w->id.buf), o, seconds };
}

static void junit_walk(struct junit_walk *w, const xmlNode *n, const char *suite)
{
	for (; n; n = n->next) {
		if (junit_is(n, "testcase")) {
			if (!junit_id(w, n, suite))
				junit_add(w, junit_outcome(n), junit_time(n));
		} else if (junit_is(n, "testsuite")) {
			xmlChar *name = xmlGetProp(n, (const xmlChar *)"name");
			junit_walk(w, n->children, (const char *)name);
			xmlFree(name);
		} else if (n->type == XML_ELEMENT_NODE) {
			xmlChar *name = junit_is(n, "testsuites") ?
					xmlGetProp(n, (const xmlChar *)"name") : NULL;

			if (name && !strcmp((const char *)name, "balrun"))
				w->sep = "::";	/* balrun --junit: classname::name is the id */
			xmlFree(name);
			junit_walk(w, n->children, suite);
		}
	}
}

int junit_read(const char *path, const char *prefix, struct junit_results *out,
	       struct strbuf *err)
{
	xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
				  XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	struct junit_walk w = { prefix, out, out->nr, STRBUF_INIT, "/" };

	if (!doc && access(path, R_OK) < 0) {
		strbuf_addf(err, "read '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		size_t n = e && e->message ? strcspn(e->message, "\n") : 0;
		strbuf_addf(err, "read '%s': not an XML file", path);
		if (n && e->line > 0)
			strbuf_addf(err, " (line %d: %.*s)", e->line, (int)n, e->message);
		return -1;
	}
	junit_walk(&w, xmlDocGetRootElement(doc), NULL);
	xmlFreeDoc(doc);
	strbuf_release(&w.id);
	if (out->nr == w.first) {
		strbuf_addf(err, "read '%s': no <testcase> with a name in it", path);
		return -1;
	}
	return 0;
}

void junit_results_release(struct junit_results *r)
{
	for (size_t i = 0; i < r->nr; i++)
		free(r->v[i].id);
	free(r->v);
	memset(r, 0, sizeof(*r));
}
