/*
 * criterion-run.c - the Criterion adapter's run_batch: a batch of
 * Criterion tests in one run of the binary (or several, in pattern mode).
 * What the processes print is followed by criterion-lines.c.
 *
 * Selecting the batch.  With the preload shim (inv->preload set: balrun
 * probed at collection that the shim works in this binary), the batch's
 * "<suite/name> <ordinal>" lines go to a selection file and the binary runs
 * as `BIN -j1 --verbose`: Criterion registers only those tests, each under
 * its ordinal as its name, and prints the marker "C <n> <dropped>" before
 * its first line (common/preload.h).  Without the shim, `--filter PATTERN`
 * selects, with the tests grouped per suite, "@(s1/@(a|b)|s2/@(c))": the
 * matcher's stack holds 100 entries (group k of a pattern needs k + its
 * alternatives + 1 of them; more crashes Criterion), so a batch that needs
 * more runs as several processes in turn.  Criterion matches such patterns
 * slowly (seconds for a few hundred tests): the shim is the way.
 */
#define _GNU_SOURCE
#include "criterion-internal.h"
#include "held.h"
#include "preload.h"
#include "util.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Criterion's matcher holds this many fragments; a pattern needing more crashes it. */
#define CRIT_MATCHER_STACK 100

/* ---- selecting ---- */

/* Shim mode: the selection file of the batch, at path. */
static int crit_write_selection(const struct proto_invocation *inv, const char *path,
				struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	int ret;

	for (size_t i = 0; i < inv->ntests; i++)
		strbuf_addf(&text, "%s %010" PRIu64 "\n", inv->tests[i], inv->ordinals[i]);
	ret = driver_write_file(path, text.buf, text.len, err);
	strbuf_release(&text);
	return ret;
}

/* Length of the suite part of "suite/name"; 0 for a name without a suite. */
static size_t crit_suite_len(const char *id)
{
	const char *slash = strchr(id, '/');
	return slash ? (size_t)(slash - id) : 0;
}

static int crit_cmp_names(const void *a, const void *b, void *data)
{
	char *const *tests = data;
	return strcmp(tests[*(const uint32_t *)a], tests[*(const uint32_t *)b]);
}

/*
 * Pattern mode: the next process's pattern, from tests sorted[*pos..) (the
 * invocation's indexes sorted by name), marking them in chunk.  A suite's
 * tests go into one group "suite/@(a|b)" while the matcher's stack allows:
 * group k of "@(G1|...|Gk|...)" needs k + its alternatives + 1 entries, at
 * most CRIT_MATCHER_STACK.  A name without a suite is a group of its own.
 */
static void crit_next_pattern(const struct proto_invocation *inv, const uint32_t *sorted,
			      size_t *pos, unsigned char *chunk, struct strbuf *pattern)
{
	size_t groups = 0, i = *pos;

	memset(chunk, 0, inv->ntests);
	strbuf_reset(pattern);
	strbuf_adds(pattern, "@(");
	while (i < inv->ntests && groups + 3 < CRIT_MATCHER_STACK) {
		const char *first = inv->tests[sorted[i]];
		size_t slen = crit_suite_len(first), m = 0;
		size_t room = CRIT_MATCHER_STACK - 2 - (groups + 1);

		if (groups)
			strbuf_addch(pattern, '|');
		groups++;
		if (!slen) {
			strbuf_adds(pattern, first);
			chunk[sorted[i++]] = 1;
			continue;
		}
		strbuf_addf(pattern, "%.*s/@(", (int)slen, first);
		while (i < inv->ntests && m < room && crit_suite_len(inv->tests[sorted[i]]) == slen &&
		       !strncmp(inv->tests[sorted[i]], first, slen)) {
			strbuf_addf(pattern, "%s%s", m ? "|" : "", inv->tests[sorted[i]] + slen + 1);
			chunk[sorted[i++]] = 1;
			m++;
		}
		strbuf_addch(pattern, ')');
	}
	strbuf_addch(pattern, ')');
	*pos = i;
}

/* Run one process with argv/env and settle it; 0, or -1 if it could not start. */
static int crit_run_process(struct crit *cr, char **argv, char **env)
{
	struct child c;

	cr->c = &c;
	cr->running = cr->any_test = cr->long_line = 0;
	cr->verdict_ns = 0;
	cr->shim_seen = cr->abandoned = 0;
	strbuf_reset(&cr->line);
	strbuf_reset(&cr->first);
	strbuf_reset(&cr->warnings);
	capture_reset(&cr->after);
	if (driver_follow(cr->s, cr->inv, &c, argv, env, &crit_ops, cr))
		return -1;
	crit_settle(cr);
	child_release(&c);
	cr->c = NULL;
	return 0;
}

/*
 * argv: BIN [registered arguments] [--filter PATTERN] -j1 --verbose
 * [--timeout=S]: ours last, so that they win over the registered ones.
 */
static void crit_argv(const struct proto_invocation *inv, const char *pattern, uint64_t timeout_ms,
		      struct strvec *argv)
{
	strvec_clear(argv);
	strvec_push(argv, inv->binary);
	driver_argv(argv, inv);
	if (pattern) {
		strvec_push(argv, "--filter");
		strvec_push(argv, pattern);
	}
	strvec_push(argv, "-j1");
	strvec_push(argv, "--verbose");
	if (timeout_ms)
		strvec_pushf(argv, "--timeout=%g", (double)timeout_ms / 1000.0);
}

/* Shim mode: the environment of a run whose selection is at select, marked with mark. */
static void crit_shim_env(const struct proto_invocation *inv, const char *select, const char *mark,
			  struct strvec *env)
{
	driver_env(env, inv);
	/* balrun chose the tests already (the adapter applied the pattern at collection) */
	strvec_unsetenv(env, "CRITERION_TEST_PATTERN");
	strvec_setenv(env, PRELOAD_ENV_MODE, "run");
	strvec_setenv(env, PRELOAD_ENV_SELECT, select);
	strvec_setenv(env, PRELOAD_ENV_MARK, mark);
}

/*
 * Shim mode: one process.  A process held for this binary (worker/held.h)
 * gives its selection path and mark, so that the command built here is the
 * one it runs, and driver_follow takes it.
 */
static void crit_run_shim(struct crit *cr, struct strvec *argv)
{
	struct strbuf select = STRBUF_INIT, err = STRBUF_INIT;
	struct strvec env = STRVEC_INIT;
	const char *held_select, *held_mark;
	char mark[PRELOAD_MARK_MAX];

	if (held_adopt(cr->inv->binary, &held_select, &held_mark)) {
		strbuf_adds(&select, held_select);
		snprintf(mark, sizeof(mark), "%s", held_mark);
	} else {
		driver_nonce(mark);
		if (driver_temp_name("select", &select, &err)) {
			driver_fail_all(cr->s, cr->inv, err.buf);
			goto out;
		}
	}
	strbuf_addf(&cr->prefix, "%c" PRELOAD_MARK_TAG "%s ", PRELOAD_MARK_BYTE, mark);
	if (crit_write_selection(cr->inv, select.buf, &err)) {
		driver_fail_all(cr->s, cr->inv, err.buf);
		goto out;
	}
	crit_shim_env(cr->inv, select.buf, mark, &env);
	crit_argv(cr->inv, NULL, session_max_timeout_ms(cr->s), argv);
	crit_run_process(cr, argv->v, env.v);
	strvec_clear(&env);
	unlink(select.buf);
out:
	strbuf_release(&select);
	strbuf_release(&err);
}

void criterion_prestart(const struct proto_invocation *inv, uint32_t timeout_ms)
{
	struct strbuf select = STRBUF_INIT, err = STRBUF_INIT;
	struct strvec env = STRVEC_INIT, argv = STRVEC_INIT;
	char mark[17];

	if (!inv->preload || !*inv->preload || driver_temp_name("select", &select, &err))
		goto out;
	driver_nonce(mark);
	crit_shim_env(inv, select.buf, mark, &env);
	crit_argv(inv, NULL, timeout_ms, &argv);
	held_start(argv.v, env.v, inv->cwd, &crit_ops, select.buf, mark);
out:
	strvec_clear(&env);
	strvec_clear(&argv);
	strbuf_release(&select);
	strbuf_release(&err);
}

static void crit_run_patterns(struct crit *cr, struct strvec *argv)
{
	const struct proto_invocation *inv = cr->inv;
	uint32_t *sorted = xcalloc(inv->ntests ? inv->ntests : 1, sizeof(*sorted));
	unsigned char *chunk = xcalloc(inv->ntests ? inv->ntests : 1, 1);
	struct strbuf pattern = STRBUF_INIT;
	struct strvec env = STRVEC_INIT;
	size_t pos = 0;

	driver_env(&env, inv);
	for (size_t i = 0; i < inv->ntests; i++)
		sorted[i] = (uint32_t)i;
	qsort_r(sorted, inv->ntests, sizeof(*sorted), crit_cmp_names, inv->tests);
	cr->in_chunk = chunk;
	while (pos < inv->ntests && !cr->s->broken && !child_stop_requested) {
		crit_next_pattern(inv, sorted, &pos, chunk, &pattern);
		crit_argv(inv, pattern.buf, session_max_timeout_ms(cr->s), argv);
		if (crit_run_process(cr, argv->v, env.v))
			break;
	}
	cr->in_chunk = NULL;
	strvec_clear(&env);
	strbuf_release(&pattern);
	free(chunk);
	free(sorted);
}

void criterion_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct strvec argv = STRVEC_INIT;
	struct crit cr = { .s = s, .inv = inv };

	wtest_init(&cr.t);
	strbuf_init(&cr.line, 0);
	strbuf_init(&cr.first, 0);
	strbuf_init(&cr.where, 0);
	strbuf_init(&cr.diag, 0);
	strbuf_init(&cr.prefix, 0);
	strbuf_init(&cr.warnings, 0);
	capture_init(&cr.after, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	cr.shim = inv->preload && *inv->preload && inv->ordinals;
	if (cr.shim) {
		ordinal_index_init(&cr.ix, inv);
		crit_run_shim(&cr, &argv);
		ordinal_index_release(&cr.ix);
	} else {
		crit_run_patterns(&cr, &argv);
	}
	wtest_release(&cr.t);
	strbuf_release(&cr.line);
	strbuf_release(&cr.first);
	strbuf_release(&cr.where);
	strbuf_release(&cr.diag);
	strbuf_release(&cr.prefix);
	strbuf_release(&cr.warnings);
	capture_release(&cr.after);
	strvec_clear(&argv);
}
