/*
 * oracle.c - outcomes, and the case and evidence lists of a zoo binary;
 * see oracle.h.
 */
#define _GNU_SOURCE
#include "oracle.h"
#include "spawn.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const diff_outcome_names[DIFF__COUNT] = {
	[DIFF_PASSED] = "passed",   [DIFF_FAILED] = "failed",   [DIFF_CRASHED] = "crashed",
	[DIFF_TIMED_OUT] = "timed out", [DIFF_SKIPPED] = "skipped", [DIFF_NOT_RUN] = "not run",
	[DIFF_UNKNOWN] = "unknown",
};

static const struct diff_oracle diff_oracles[] = {
	{ "criterion", FW_CRITERION, oracle_criterion_prepare, oracle_criterion_finish },
	{ "cmocka", FW_CMOCKA, oracle_cmocka_prepare, oracle_cmocka_finish },
	{ "glib", FW_GLIB, oracle_glib_prepare, oracle_glib_finish },
	{ "check", FW_CHECK, oracle_check_prepare, oracle_check_finish },
	{ "tap", FW_TAP, oracle_tap_prepare, oracle_tap_finish },
	{ "gtest", FW_GTEST, oracle_gtest_prepare, oracle_gtest_finish },
	{ "acutest", FW_ACUTEST, oracle_acutest_prepare, oracle_acutest_finish },
	{ "plain", FW_PLAIN, oracle_plain_prepare, oracle_plain_finish },   /* last: the default */
};

const struct diff_oracle *diff_oracle_find(const char *name, enum diff_framework fw)
{
	size_t n = sizeof(diff_oracles) / sizeof(diff_oracles[0]);

	for (size_t i = 0; i < n; i++)
		if (name ? !strcmp(name, diff_oracles[i].name) : fw == diff_oracles[i].fw)
			return &diff_oracles[i];
	return &diff_oracles[n - 1];
}

void diff_bin_add_raw(struct diff_bin *b, char ***raws, char *raw)
{
	char *full;
	int same = 1;

	for (size_t k = 0; k < b->ncases; k++)
		same += !strcmp((*raws)[k], raw);
	full = same > 1 ? xasprintf("%s#%d", raw, same) : xstrdup(raw);
	diff_bin_add_case(b, full, strlen(full), DIFF_UNKNOWN, NULL);
	free(full);
	*raws = xrealloc(*raws, b->ncases * sizeof(**raws));
	(*raws)[b->ncases - 1] = raw;
}

const char *diff_outcome_name(enum diff_outcome o)
{
	return (unsigned)o < DIFF__COUNT ? diff_outcome_names[o] : "?";
}

int diff_outcome_parse(const char *s)
{
	for (int i = 0; s && i < DIFF_UNKNOWN; i++)
		if (!strcmp(s, diff_outcome_names[i]))
			return i;
	return -1;
}

enum diff_outcome diff_outcome_worst(enum diff_outcome a, enum diff_outcome b)
{
	static const int rank[DIFF__COUNT] = {
		[DIFF_PASSED] = 0, [DIFF_SKIPPED] = 1, [DIFF_NOT_RUN] = 1, [DIFF_FAILED] = 2,
		[DIFF_TIMED_OUT] = 3, [DIFF_CRASHED] = 4, [DIFF_UNKNOWN] = 5,
	};
	return rank[b] > rank[a] ? b : a;
}

int diff_outcome_fails(enum diff_outcome o)
{
	return o == DIFF_FAILED || o == DIFF_CRASHED || o == DIFF_TIMED_OUT || o == DIFF_NOT_RUN;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		abort();
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

int starts_with_n(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && !memcmp(s, p, pl);
}

void diff_bin_add_case(struct diff_bin *b, const char *name, size_t len,
		       enum diff_outcome o, const char *note)
{
	struct diff_case *c;

	b->cases = xrealloc(b->cases, (b->ncases + 1) * sizeof(*b->cases));
	c = &b->cases[b->ncases++];
	c->name = name ? xstrndup(name, len) : NULL;
	c->oracle = o;
	c->note = note ? xstrdup(note) : NULL;
}

void diff_bin_add_evidence(struct diff_bin *b, enum diff_fault kind, const char *group,
			   const char *fmt, ...)
{
	struct diff_evidence *e;
	va_list ap;

	b->ev = xrealloc(b->ev, (b->nev + 1) * sizeof(*b->ev));
	e = &b->ev[b->nev++];
	e->kind = kind;
	e->group = group ? xstrdup(group) : NULL;
	va_start(ap, fmt);
	if (vasprintf(&e->what, fmt, ap) < 0)
		abort();
	va_end(ap);
}

void diff_bin_error(struct diff_bin *b, const char *fmt, ...)
{
	va_list ap;
	char *line, *all;

	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) < 0)
		abort();
	va_end(ap);
	all = xasprintf("%s%s\n", b->errors ? b->errors : "", line);
	free(b->errors);
	free(line);
	b->errors = all;
}

struct diff_case *diff_bin_find(struct diff_bin *b, const char *name)
{
	for (size_t i = 0; i < b->ncases; i++)
		if (b->cases[i].name && !strcmp(b->cases[i].name, name))
			return &b->cases[i];
	return NULL;
}

void diff_bin_release(struct diff_bin *b)
{
	for (size_t i = 0; i < b->ncases; i++) {
		free(b->cases[i].name);
		free(b->cases[i].note);
	}
	for (size_t i = 0; i < b->nev; i++) {
		free(b->ev[i].group);
		free(b->ev[i].what);
	}
	free(b->cases);
	free(b->ev);
	free(b->errors);
	free(b->path);
	memset(b, 0, sizeof(*b));
}

char *diff_census(const struct diff_bin *b, const char *tmpdir, const char *const *extra, size_t *n,
		  int *status)
{
	char *cfile = xasprintf("%s/census", tmpdir), *cout = xasprintf("%s/census.out", tmpdir);
	/* an ASan binary: the census need not come after the runtime, it runs no test */
	const char *env[16] = { xasprintf("DIFF_CENSUS_FILE=%s", cfile),
				xasprintf("LD_PRELOAD=%s", DIFF_CENSUS_PATH),
				"ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0" };
	const char *cargv[] = { b->path, NULL };
	struct spawn_job census = { .argv = cargv, .env = env, .out_path = cout, .err_path = cout,
				    .limit_s = 30 };
	char *text;

	for (size_t i = 3; extra && *extra && i + 1 < sizeof(env) / sizeof(env[0]); i++)
		env[i] = *extra++;
	remove(cfile);
	*status = spawn_one(&census);
	text = slurp(cfile, n);
	free((char *)env[0]);
	free((char *)env[1]);
	free(cfile);
	free(cout);
	return text;
}
