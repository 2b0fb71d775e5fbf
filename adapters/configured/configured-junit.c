/*
 * configured-junit.c - the JUnit XML file a configured framework's run
 * wrote ({junit}), read with libxml2 (network access and entities off);
 * see configured-internal.h.  runner/cache/junit.c reads JUnit files too,
 * for timings only: it keeps ids and times, this keeps what a test's
 * result needs (its parts of the name, message and output), in the worker.
 */
#include "configured-internal.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct cf_junit_walk {
	struct cf_junit_case *v;
	size_t n, alloc;
};

static int cf_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static char *cf_prop(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s = xstrdup(v ? (const char *)v : "");

	xmlFree(v);
	return s;
}

static double cf_time(const xmlNode *tc)
{
	char *t = cf_prop(tc, "time"), *end;
	double v = strtod(t, &end);

	if (end == t || *end || !isfinite(v) || v < 0)
		v = -1;
	free(t);
	return v;
}

/* The text inside n, appended to out with a newline after it. */
static void cf_text(const xmlNode *n, struct strbuf *out)
{
	xmlChar *text = xmlNodeGetContent(n);

	if (text && *text) {
		strbuf_adds(out, (const char *)text);
		if (out->buf[out->len - 1] != '\n')
			strbuf_addch(out, '\n');
	}
	xmlFree(text);
}

/* The first line of the text inside n ("" if none). */
static char *cf_first_line(const xmlNode *n)
{
	xmlChar *text = xmlNodeGetContent(n);
	const char *s = text ? (const char *)text : "";
	char *line;

	s += strspn(s, " \t\r\n");
	line = xstrndup(s, strcspn(s, "\r\n"));
	xmlFree(text);
	return line;
}

static void cf_case(struct cf_junit_walk *w, const xmlNode *tc, const char *suite)
{
	struct cf_junit_case *c;

	ALLOC_GROW(w->v, w->n + 1, w->alloc);
	c = &w->v[w->n++];
	memset(c, 0, sizeof(*c));
	c->name = cf_prop(tc, "name");
	c->classname = cf_prop(tc, "classname");
	c->suite = xstrdup(suite ? suite : "");
	c->time = cf_time(tc);
	c->outcome = OUTCOME_PASS;
	strbuf_init(&c->output, 0);
	for (const xmlNode *k = tc->children; k; k = k->next) {
		enum outcome o = cf_is(k, "failure") ? OUTCOME_FAIL : cf_is(k, "error") ? OUTCOME_CRASH :
				 cf_is(k, "skipped") ? OUTCOME_SKIP : OUTCOME_PASS;

		if (cf_is(k, "system-out") || cf_is(k, "system-err")) {
			cf_text(k, &c->output);
			continue;
		}
		if (o == OUTCOME_PASS || outcome_worst(c->outcome, o) == c->outcome)
			continue;
		c->outcome = o;
		free(c->message);
		c->message = cf_prop(k, "message");
		if (!*c->message) {
			free(c->message);
			c->message = cf_first_line(k);
		}
		cf_text(k, &c->output);
	}
}

static void cf_walk(struct cf_junit_walk *w, const xmlNode *n, const char *suite)
{
	for (; n; n = n->next) {
		if (cf_is(n, "testcase")) {
			cf_case(w, n, suite);
		} else if (cf_is(n, "testsuite")) {
			char *name = cf_prop(n, "name");
			cf_walk(w, n->children, name);
			free(name);
		} else if (n->type == XML_ELEMENT_NODE) {
			cf_walk(w, n->children, suite);
		}
	}
}

int cf_junit_read(const char *path, struct cf_junit_case **v, size_t *n, struct strbuf *err)
{
	struct cf_junit_walk w = { 0 };
	xmlDoc *doc;

	*v = NULL;
	*n = 0;
	if (access(path, R_OK) < 0) {
		strbuf_addf(err, "cannot read '%s': %s", path, strerror(errno));
		return -1;
	}
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		strbuf_addf(err, "'%s' is empty or not XML", path);
		return -1;
	}
	cf_walk(&w, xmlDocGetRootElement(doc), NULL);
	xmlFreeDoc(doc);
	*v = w.v;
	*n = w.n;
	return 0;
}

void cf_junit_free(struct cf_junit_case *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].classname);
		free(v[i].suite);
		free(v[i].message);
		strbuf_release(&v[i].output);
	}
	free(v);
}
