/*
 * oracle_cmocka.c - the serial answer for a cmocka 1.1.5 binary.
 *
 * Cases: the census (census.c, diff-census.so preloaded) lists every group
 * the binary runs and the tests of each, with their full names, without
 * running any.  A case is named "group/name" as balrun names it: the k-th
 * occurrence (k >= 2, in run order) of the same string in one binary gets
 * "#k"; a group fault shows the group as "name#k" for the k-th group of that
 * name.
 *
 * The serial run: the binary alone, no preload, default text output, stdout
 * and stderr on separate files.  Which output is the oracle (measured, see
 * /work/research/cmocka/FINDINGS.md and README.md):
 *   - XML is written once per group after its teardown, so a test that kills
 *     the process loses its whole group, and XML hides group-teardown
 *     failures: not used.
 *   - The default text output flushes every line, and stdout alone is in
 *     true order:
 *       [==========] Running N test(s).     a group starts (N tests)
 *       [ RUN      ] name                   the next test of the group starts
 *       [       OK ] name                   passed
 *       [  FAILED  ] name                   failed (an assertion, a caught
 *                                           signal, a leak, will_return left)
 *       [  SKIPPED ] name                   skipped
 *       [==========] N test(s) run.         the group ends
 *     A test whose setup or teardown failed is an ERROR, printed on stderr
 *     only: on stdout its RUN line is followed by the next RUN or the group
 *     end, and it counts as failed.  A group that ends with fewer RUN lines
 *     than it has tests had its group setup fail: those tests are not run.
 *     A RUN line with nothing after it: the test ended the process, crashed
 *     if by a signal, failed if by exit().  Cases after that are unknown.
 *   - cmocka cuts every line at 1023 bytes and then drops its newline, and
 *     prints names raw (a newline in a name splits its line), so tests are
 *     identified by position, group by group, the text is scanned for the
 *     markers anywhere, and the name each marker shows must be a prefix of
 *     the census name at that position (else: an oracle error).
 * stderr gives the group fixture failures: "[  FAILED  ] GROUP SETUP" and
 * "[  FAILED  ] GROUP TEARDOWN" belong to the group whose summary
 * ("[  PASSED  ] k test(s).", printed at every group end) comes next.
 *
 * Evidence of failures outside the tests: those two lines; the process
 * ending inside a group but outside a test (a group setup or teardown that
 * aborts or exits); killed by a signal after the last group; a non-zero exit
 * with no failed case.
 */
#define _GNU_SOURCE
#include "oracle.h"
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct cm_group {
	char *name;
	char *shown;          /* as balrun shows it in fault ids: "tests#2" */
	size_t first, count;  /* its cases: b->cases[first .. first+count) */
};

struct cm_priv {
	char *out, *err;
	const char *argv[2];
	struct cm_group *groups;
	size_t ngroups;
	char **raw;           /* each case's test name as cmocka prints it */
	char **base;          /* each case's "group/name", without #k */
	int *done;            /* a case got its serial answer */
};

/* Parse the census records: "G <len>\n<bytes>\n" and "T <len>\n<bytes>\n". */
static int cm_parse_census(struct diff_bin *b, struct cm_priv *p, const char *t, size_t n)
{
	const char *q = t, *end = t + n;

	while (q < end) {
		char kind = *q, *stop;
		unsigned long len;
		const char *s;

		if ((kind != 'G' && kind != 'T') || q + 2 > end || q[1] != ' ')
			return -1;
		len = strtoul(q + 2, &stop, 10);
		if (*stop != '\n' || (size_t)(end - stop - 1) < len + 1)
			return -1;
		s = stop + 1;
		if (kind == 'G') {
			struct cm_group *g;
			int same = 1;

			p->groups = xrealloc(p->groups, (p->ngroups + 1) * sizeof(*p->groups));
			g = &p->groups[p->ngroups++];
			g->name = xstrndup(s, len);
			for (size_t i = 0; i + 1 < p->ngroups; i++)
				same += !strcmp(p->groups[i].name, g->name);
			g->shown = same > 1 ? xasprintf("%s#%d", g->name, same) : xstrdup(g->name);
			g->first = b->ncases;
			g->count = 0;
		} else {
			struct cm_group *g = p->ngroups ? &p->groups[p->ngroups - 1] : NULL;
			char *id, *full;
			int same = 1;

			if (!g)
				return -1;
			id = xasprintf("%s/%.*s", g->name, (int)len, s);
			for (size_t i = 0; i < b->ncases; i++)
				same += !strcmp(p->base[i], id);
			full = same > 1 ? xasprintf("%s#%d", id, same) : xstrdup(id);
			diff_bin_add_case(b, full, strlen(full), DIFF_UNKNOWN, NULL);
			p->raw = xrealloc(p->raw, b->ncases * sizeof(*p->raw));
			p->raw[b->ncases - 1] = xstrndup(s, len);
			p->base = xrealloc(p->base, b->ncases * sizeof(*p->base));
			p->base[b->ncases - 1] = id;
			g->count++;
			free(full);
		}
		q = s + len + 1;
	}
	return 0;
}

void oracle_cmocka_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	struct cm_priv *p = calloc(1, sizeof(*p));
	size_t n = 0;
	int status;
	char *text = diff_census(b, tmpdir, NULL, &n, &status);

	b->priv = p;
	if (!text || cm_parse_census(b, p, text, n) < 0 || !b->ncases)
		diff_bin_error(b, "the census of %s (%s) is missing, malformed or empty", b->base,
			       spawn_describe(status));
	p->done = calloc(b->ncases + 1, sizeof(*p->done));
	free(text);

	p->out = xasprintf("%s/serial.out", tmpdir);
	p->err = xasprintf("%s/serial.err", tmpdir);
	p->argv[0] = b->path;
	job->argv = p->argv;
	job->out_path = p->out;
	job->err_path = p->err;
	job->limit_s = 60;
}

enum cm_tok { TOK_GROUP, TOK_RUN, TOK_OK, TOK_FAILED, TOK_SKIPPED, TOK_NONE };

static const char *const cm_tokens[] = {
	[TOK_GROUP] = "[==========] ", [TOK_RUN] = "[ RUN      ] ", [TOK_OK] = "[       OK ] ",
	[TOK_FAILED] = "[  FAILED  ] ", [TOK_SKIPPED] = "[  SKIPPED ] ",
};

static enum cm_tok cm_token_at(const char *q, const char *end)
{
	if (*q != '[')
		return TOK_NONE;
	for (int i = 0; i < TOK_NONE; i++)
		if (starts_with_n(q, (size_t)(end - q), cm_tokens[i]))
			return (enum cm_tok)i;
	return TOK_NONE;
}

/* A marker's text ends at a newline or where cmocka glued the next marker on. */
static const char *cm_payload_end(const char *s, const char *end)
{
	for (const char *q = s; q < end; q++)
		if (*q == '\n' || cm_token_at(q, end) != TOK_NONE)
			return q;
	return end;
}

struct cm_scan {
	struct diff_bin *b;
	struct cm_priv *p;
	long g;               /* current group, -1 before the first */
	int in_group;
	size_t pos;           /* RUN lines seen in the current group */
	long open;            /* the case between its RUN line and its verdict, or -1 */
};

static void cm_settle(struct cm_scan *s, long idx, enum diff_outcome o, const char *note)
{
	struct diff_case *c = &s->b->cases[idx];

	c->oracle = o;
	free(c->note);
	c->note = xstrdup(note);
	s->p->done[idx] = 1;
}

static void cm_check_name(struct cm_scan *s, long idx, const char *what, const char *t, size_t n)
{
	const char *raw = s->p->raw[idx];

	if (strlen(raw) < n || memcmp(raw, t, n))
		diff_bin_error(s->b, "%s line '%.*s' at the position of '%.60s'", what,
			       (int)(n < 60 ? n : 60), t, s->b->cases[idx].name);
}

static void cm_on_group_line(struct cm_scan *s, const char *t, size_t n)
{
	struct cm_priv *p = s->p;

	if (starts_with_n(t, n, "Running ")) {
		unsigned long count = strtoul(t + 8, NULL, 10);
		if (s->in_group)
			diff_bin_error(s->b, "a group starts before group %ld ended", s->g + 1);
		s->g++;
		s->in_group = 1;
		s->pos = 0;
		if ((size_t)s->g >= p->ngroups)
			diff_bin_error(s->b, "group %ld runs but the census has %zu", s->g + 1,
				       p->ngroups);
		else if (count != p->groups[s->g].count)
			diff_bin_error(s->b, "group %ld runs %lu tests, the census lists %zu",
				       s->g + 1, count, p->groups[s->g].count);
		return;
	}
	if (!n || *t < '0' || *t > '9')
		return;   /* not "N test(s) run." */
	if (s->open >= 0)
		cm_settle(s, s->open, DIFF_FAILED, "RUN and no verdict on stdout (cmocka's ERROR)");
	s->open = -1;
	if (s->in_group && (size_t)s->g < p->ngroups) {
		struct cm_group *grp = &p->groups[s->g];
		for (size_t i = s->pos; i < grp->count; i++)
			cm_settle(s, (long)(grp->first + i), DIFF_NOT_RUN,
				  "the group ended before it (group setup failed)");
	}
	s->in_group = 0;
}

static void cm_on_token(struct cm_scan *s, enum cm_tok tok, const char *t, size_t n)
{
	struct cm_priv *p = s->p;

	if (tok == TOK_GROUP) {
		cm_on_group_line(s, t, n);
		return;
	}
	if (!s->in_group || (size_t)s->g >= p->ngroups) {
		diff_bin_error(s->b, "a %.12s line outside any group", cm_tokens[tok]);
		return;
	}
	if (tok == TOK_RUN) {
		struct cm_group *grp = &p->groups[s->g];
		if (s->open >= 0)
			cm_settle(s, s->open, DIFF_FAILED,
				  "RUN and no verdict on stdout (cmocka's ERROR)");
		s->open = -1;
		if (s->pos >= grp->count) {
			diff_bin_error(s->b, "group %ld runs more tests than the census lists", s->g + 1);
			return;
		}
		s->open = (long)(grp->first + s->pos++);
		cm_check_name(s, s->open, "RUN", t, n);
		return;
	}
	if (s->open < 0) {
		diff_bin_error(s->b, "a verdict with no test running");
		return;
	}
	cm_check_name(s, s->open, "verdict", t, n);
	cm_settle(s, s->open, tok == TOK_OK ? DIFF_PASSED : tok == TOK_FAILED ? DIFF_FAILED : DIFF_SKIPPED,
		  "cmocka's verdict line");
	s->open = -1;
}

static void cm_scan_stdout(struct cm_scan *s, const char *t, size_t n)
{
	const char *end = t + n;

	for (const char *q = t; q < end; q++) {
		enum cm_tok tok = cm_token_at(q, end);
		const char *ps, *pe;

		if (tok == TOK_NONE)
			continue;
		ps = q + strlen(cm_tokens[tok]);
		pe = cm_payload_end(ps, end);
		cm_on_token(s, tok, ps, (size_t)(pe - ps));
		q = pe - 1;
	}
}

/* Group fixture failures on stderr, by group: returns a bit per group (1 setup, 2 teardown). */
static void cm_scan_stderr(struct diff_bin *b, struct cm_priv *p, const char *t, size_t n, int *flags)
{
	size_t ge = 0;

	for (const char *q = t; q && q < t + n; q++) {
		size_t left = (size_t)(t + n - q);

		if (*q != '[')
			continue;
		if (starts_with_n(q, left, "[  PASSED  ] "))
			ge++;
		else if (ge < p->ngroups && starts_with_n(q, left, "[  FAILED  ] GROUP SETUP"))
			flags[ge] |= 1;
		else if (ge < p->ngroups && starts_with_n(q, left, "[  FAILED  ] GROUP TEARDOWN"))
			flags[ge] |= 2;
	}
	(void)b;
}

/* The process ended: settle the open test, and record a death outside the tests. */
static void cm_on_end(struct cm_scan *s, int st)
{
	struct diff_bin *b = s->b;
	struct cm_priv *p = s->p;
	int normal = st >= 0 && WIFEXITED(st);

	if (st < 0)
		return;
	if (s->open >= 0) {
		char *note = xasprintf("the process ended in the test (%s)", spawn_describe(st));
		cm_settle(s, s->open, WIFSIGNALED(st) ? DIFF_CRASHED : DIFF_FAILED, note);
		free(note);
		s->open = -1;
		return;
	}
	if (s->in_group && (size_t)s->g < p->ngroups) {
		struct cm_group *grp = &p->groups[s->g];
		if (s->pos == 0)
			diff_bin_add_evidence(b, FAULT_GROUP_SETUP, grp->shown,
					      "the process ended (%s) in group %s before its first test",
					      spawn_describe(st), grp->shown);
		else
			diff_bin_add_evidence(b, FAULT_GROUP_TEARDOWN_OR_AFTER, grp->shown,
					      "the process ended (%s) in group %s after its last verdict",
					      spawn_describe(st), grp->shown);
		return;
	}
	if (!normal)
		diff_bin_add_evidence(b, FAULT_AFTER, NULL, "the process was %s outside any group",
				      spawn_describe(st));
}

void oracle_cmocka_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct cm_priv *p = b->priv;
	struct cm_scan s = { .b = b, .p = p, .g = -1, .open = -1 };
	size_t on = 0, en = 0;
	char *out = slurp(p->out, &on), *err = slurp(p->err, &en);
	int *flags = calloc(p->ngroups + 1, sizeof(*flags));
	int st = job->status, any_fail = 0, reached_all;

	b->status = st;
	b->wall_s = job->wall_s;
	if (st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED)
		diff_bin_error(b, "serial run %s", spawn_describe(st));
	if (out)
		cm_scan_stdout(&s, out, on);
	cm_on_end(&s, st);
	if (err)
		cm_scan_stderr(b, p, err, en, flags);
	for (size_t g = 0; g < p->ngroups; g++) {
		struct cm_group *grp = &p->groups[g];
		int skipped_all = grp->count && b->cases[grp->first].oracle == DIFF_NOT_RUN;

		if (flags[g] & 1)
			diff_bin_add_evidence(b, FAULT_GROUP_SETUP, grp->shown,
					      "stderr: [  FAILED  ] GROUP SETUP (group %s)", grp->shown);
		if ((flags[g] & 1) != (skipped_all ? 1 : 0) && grp->count)
			diff_bin_error(b, "group %s: GROUP SETUP on stderr and not-run tests disagree",
				       grp->shown);
		if (flags[g] & 2)
			diff_bin_add_evidence(b, FAULT_GROUP_TEARDOWN, grp->shown,
					      "stderr: [  FAILED  ] GROUP TEARDOWN (group %s)",
					      grp->shown);
	}
	reached_all = s.g + 1 == (long)p->ngroups && !s.in_group;
	for (size_t i = 0; i < b->ncases; i++) {
		if (!p->done[i]) {
			b->cases[i].oracle = DIFF_UNKNOWN;
			b->cases[i].note = xstrdup("never reached by the serial run");
			if (reached_all)
				diff_bin_error(b, "'%.60s' has no serial answer although every group ran",
					       b->cases[i].name);
		}
		any_fail |= diff_outcome_fails(b->cases[i].oracle);
	}
	if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) && !any_fail && !b->nev)
		diff_bin_add_evidence(b, FAULT_AFTER, NULL, "serial %s with no failed test",
				      spawn_describe(st));
	for (size_t i = 0; i < p->ngroups; i++) {
		free(p->groups[i].name);
		free(p->groups[i].shown);
	}
	for (size_t i = 0; i < b->ncases; i++) {
		free(p->raw[i]);
		free(p->base[i]);
	}
	free(p->raw);
	free(p->base);
	free(p->groups);
	free(p->done);
	free(flags);
	free(out);
	free(err);
	free(p->out);
	free(p->err);
	free(p);
	b->priv = NULL;
}
