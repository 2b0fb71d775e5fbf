/*
 * oracle_check.c - the serial answer for a Check 0.15 binary.
 *
 * Cases: Check has no listing.  The census (census.c, diff-census.so
 * preloaded, DIFF_CENSUS_CHECK set, CK_RUN_SUITE / CK_RUN_CASE set to
 * markers) records every suite Check compares with CK_RUN_SUITE and, after
 * it, every TCase it compares with CK_RUN_CASE; no test runs.  A case is a
 * TCase, "suite/tcase", as balrun names it; a (suite, TCase) pair that comes
 * again (two suites of one name) is the same case.
 *
 * The serial run: the binary alone, forking (the default), with
 * CK_LOG_FILE_NAME naming a file in the oracle's directory; stdout and
 * stderr in separate files.  The log has "Running suite S" as each suite
 * starts, then one line per test result:
 *     file:line:R:tcase:test:iteration: message
 * R: P passed, F failed, S a checked fixture failed (failed), E an error:
 * "Received signal N" crashed, "Test timeout expired" timed out, anything
 * else ("Early exit with return value 3") failed.  A line belongs to the
 * running suite's TCase whose ":R:tcase:test:" it holds (the longest such
 * name: TCase names may hold ':').  A case's answer is its worst line.
 * An unchecked fixture that fails is on stdout only,
 * "file:line:S:tcase:unchecked_setup:0: message": its TCase (the first case
 * of that TCase name with no result) failed.  A case with no line at all
 * ran no test: skipped (balrun says the same of a TCase whose tests the tags
 * leave out).  If the process was killed, such cases are unknown instead.
 *
 * Evidence of a failure outside the tests: a non-zero exit with no failed
 * case, "[after tests]".
 */
#define _GNU_SOURCE
#include "oracle.h"
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct ck_priv {
	char *out, *err, *log, *log_env;
	const char *argv[2];
	const char *env[2];
	char **suite, **tcase;   /* per case */
	int *seen;               /* per case: a result line, or the unchecked failure */
};

/* Add suite/tcase unless it is a case already. */
static void ck_add(struct diff_bin *b, struct ck_priv *p, const char *suite, const char *tcase,
		   size_t tlen)
{
	char *name = xasprintf("%s/%.*s", suite, (int)tlen, tcase);

	if (!diff_bin_find(b, name)) {
		diff_bin_add_case(b, name, strlen(name), DIFF_SKIPPED, NULL);
		p->suite = xrealloc(p->suite, b->ncases * sizeof(*p->suite));
		p->tcase = xrealloc(p->tcase, b->ncases * sizeof(*p->tcase));
		p->suite[b->ncases - 1] = xstrdup(suite);
		p->tcase[b->ncases - 1] = xstrndup(tcase, tlen);
	}
	free(name);
}

/* The census records "S <len>\n<suite>\n" and "C <len>\n<tcase>\n".  -1 if malformed. */
static int ck_census(struct diff_bin *b, struct ck_priv *p, const char *t, size_t n)
{
	const char *q = t, *end = t + n;
	char *suite = NULL;

	while (q < end) {
		char kind = *q, *stop;
		unsigned long len = strtoul(q + 2, &stop, 10);
		const char *s = stop + 1;

		if ((kind != 'S' && kind != 'C') || *stop != '\n' || (size_t)(end - s) < len + 1 ||
		    (kind == 'C' && !suite)) {
			free(suite);
			return -1;
		}
		if (kind == 'S') {
			free(suite);
			suite = xstrndup(s, len);
		} else {
			ck_add(b, p, suite, s, len);
		}
		q = s + len + 1;
	}
	free(suite);
	return 0;
}

void oracle_check_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	static const char *const env[] = { "DIFF_CENSUS_CHECK=1", "CK_RUN_SUITE=diff:suites",
					   "CK_RUN_CASE=diff:tcases", NULL };
	struct ck_priv *p = calloc(1, sizeof(*p));
	size_t n = 0;
	int status;
	char *text = diff_census(b, tmpdir, env, &n, &status);

	if (!text || ck_census(b, p, text, n) < 0 || !b->ncases)
		diff_bin_error(b, "the census of %s (%s) is missing, malformed or empty", b->base,
			       spawn_describe(status));
	p->seen = calloc(b->ncases + 1, sizeof(*p->seen));
	free(text);
	p->out = xasprintf("%s/serial.out", tmpdir);
	p->err = xasprintf("%s/serial.err", tmpdir);
	p->log = xasprintf("%s/serial.log", tmpdir);
	p->log_env = xasprintf("CK_LOG_FILE_NAME=%s", p->log);
	p->argv[0] = b->path;
	p->env[0] = p->log_env;
	b->priv = p;
	job->argv = p->argv;
	job->env = p->env;
	job->out_path = p->out;
	job->err_path = p->err;
	job->limit_s = 120;
}

/* The outcome of a result line's kind and message. */
static enum diff_outcome ck_outcome(char kind, const char *msg, size_t n)
{
	if (kind == 'P')
		return DIFF_PASSED;
	if (kind == 'E' && memmem(msg, n, "Received signal", 15))
		return DIFF_CRASHED;
	if (kind == 'E' && memmem(msg, n, "Test timeout expired", 20))
		return DIFF_TIMED_OUT;
	return DIFF_FAILED;
}

/* The case of suite whose ":R:tcase:" line holds (the longest TCase name); -1 if none.  *kind, *msg set. */
static long ck_match(const struct diff_bin *b, const struct ck_priv *p, const char *suite,
		     const char *l, size_t n, char *kind, const char **msg)
{
	long best = -1;
	size_t best_len = 0;

	for (size_t i = 0; i < b->ncases; i++) {
		size_t tl = strlen(p->tcase[i]);
		char *key;

		if (suite && strcmp(p->suite[i], suite))
			continue;
		for (const char *r = "PFES"; *r; r++) {
			const char *at;

			key = xasprintf(":%c:%s:", *r, p->tcase[i]);
			at = memmem(l, n, key, strlen(key));
			if (at && (best < 0 || tl > best_len)) {
				const char *rest = at + strlen(key);
				const char *colon = memchr(rest, ':', (size_t)(l + n - rest));

				best = (long)i;
				best_len = tl;
				*kind = *r;
				colon = colon ? memchr(colon + 1, ':', (size_t)(l + n - colon - 1)) : NULL;
				*msg = colon ? colon + 1 : l + n;
			}
			free(key);
		}
	}
	return best;
}

/* Each line of text (len bytes) to fn. */
static void ck_lines(const char *text, size_t len, void (*fn)(struct diff_bin *, const char *, size_t),
		     struct diff_bin *b)
{
	for (const char *l = text; l && l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(text + len - l);

		fn(b, l, n);
		l += n + 1;
	}
}

static char *ck_running;   /* the suite the log is in (ck_lines callbacks) */

static void ck_log_line(struct diff_bin *b, const char *l, size_t n)
{
	struct ck_priv *p = b->priv;
	const char *msg;
	char kind;
	long i;

	if (starts_with_n(l, n, "Running suite ")) {
		free(ck_running);
		ck_running = xstrndup(l + 14, n - 14);
		return;
	}
	i = ck_running ? ck_match(b, p, ck_running, l, n, &kind, &msg) : -1;
	if (i < 0)
		return;
	if (!p->seen[i]++)
		b->cases[i].oracle = DIFF_PASSED;
	b->cases[i].oracle = diff_outcome_worst(b->cases[i].oracle,
						ck_outcome(kind, msg, (size_t)(l + n - msg)));
}

static void ck_out_line(struct diff_bin *b, const char *l, size_t n)
{
	struct ck_priv *p = b->priv;

	if (!memmem(l, n, ":unchecked_setup:", 17))
		return;
	for (size_t i = 0; i < b->ncases; i++) {
		char *key = xasprintf(":S:%s:unchecked_setup:", p->tcase[i]);
		int hit = memmem(l, n, key, strlen(key)) != NULL;

		free(key);
		if (hit && !p->seen[i]) {
			p->seen[i] = 1;
			b->cases[i].oracle = DIFF_FAILED;
			b->cases[i].note = xstrdup("unchecked setup failed (stdout)");
			return;
		}
	}
}

void oracle_check_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct ck_priv *p = b->priv;
	size_t loglen = 0, outlen = 0;
	char *log = slurp(p->log, &loglen), *out = slurp(p->out, &outlen);
	int st = job->status, failed = 0;

	b->status = st;
	b->wall_s = job->wall_s;
	ck_lines(log, loglen, ck_log_line, b);
	ck_lines(out, outlen, ck_out_line, b);
	free(ck_running);
	ck_running = NULL;
	for (size_t i = 0; i < b->ncases; i++) {
		if (!p->seen[i] && (st < 0 || WIFSIGNALED(st)))
			b->cases[i].oracle = DIFF_UNKNOWN;
		failed |= diff_outcome_fails(b->cases[i].oracle);
	}
	if (st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED)
		diff_bin_error(b, "serial run %s", spawn_describe(st));
	else if (WIFSIGNALED(st) || (WEXITSTATUS(st) && !failed))
		diff_bin_add_evidence(b, FAULT_AFTER, NULL, "%s with no failed TCase", spawn_describe(st));
	for (size_t i = 0; i < b->ncases; i++) {
		free(p->suite[i]);
		free(p->tcase[i]);
	}
	free(p->suite);
	free(p->tcase);
	free(p->seen);
	free(log);
	free(out);
	free(p->out);
	free(p->err);
	free(p->log);
	free(p->log_env);
	free(p);
	b->priv = NULL;
}
