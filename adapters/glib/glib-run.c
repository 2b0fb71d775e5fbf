/*
 * glib-run.c - the GLib adapter's run_batch: a batch of GTest paths in one
 * run of the binary (or a few), followed by glib-lines.c.
 *
 * A process runs `BIN [registered arguments] --tap -k -p PATH1 -p PATH2 ...`
 * with the batch's paths in serial order (by ordinal).  --tap makes the
 * output TAP whatever the arguments before it said; -k (keep going) lets a
 * g_test_fail() end only its own test, as a serial run with -k does.  Each
 * -p is a pass of its own over the test tree (GLib looks each path up by
 * walking the suites on its way, so a pass costs about the size of those
 * suites: see docs/usage.md for what that means for very large suites).
 *
 * A path that is also a suite holding tests (GL_CHECK_SUITE, from the
 * listing) would run those tests too: "-x PATH/" after it makes GLib skip
 * them (it says so with a SKIP line, which glib-lines.c counts and drops).
 * -x skips by prefix for the whole process, so a test of the batch that
 * lies under such a path runs in a later process: the tests are split into
 * levels (0 for most; 1 + the level of the deepest such path of the batch
 * above it), one process per level, in order.  A process also takes no more
 * than GL_ARGS_MAX bytes of paths (exec's limits); the rest go to another.
 */
#define _GNU_SOURCE
#include "driver.h"
#include "glib-internal.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Bytes of -p/-x arguments one process takes at most. */
#define GL_ARGS_MAX (96u << 10)

static int gl_is_suite(const struct proto_invocation *inv, int i)
{
	return inv->checks && (inv->checks[i] & GL_CHECK_SUITE);
}

static int gl_cmp_ordinal(const void *a, const void *b, void *data)
{
	const uint64_t *ord = data;
	uint64_t x = ord[*(const int *)a], y = ord[*(const int *)b];

	return (x > y) - (x < y);
}

static int gl_cmp_name(const void *a, const void *b, void *data)
{
	char *const *tests = data;

	return strcmp(tests[*(const int *)a], tests[*(const int *)b]);
}

static int gl_cmp_length(const void *a, const void *b, void *data)
{
	char *const *tests = data;
	size_t x = strlen(tests[*(const int *)a]), y = strlen(tests[*(const int *)b]);

	return (x > y) - (x < y);
}

/* Index among suites[0..n) (sorted by name) of the test named name[0..len), or -1. */
static int gl_find_suite(const struct proto_invocation *inv, const int *suites, size_t n,
			 const char *name, size_t len)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *t = inv->tests[suites[mid]];
		int c = strncmp(t, name, len);

		if (!c && !t[len])
			return suites[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Each test's level (see the top of the file); the highest one is returned. */
static int gl_levels(const struct proto_invocation *inv, int *level)
{
	int *suites = xcalloc(inv->ntests + 1, sizeof(*suites)), *by_len;
	size_t nsuites = 0;
	int top = 0;

	for (size_t i = 0; i < inv->ntests; i++)
		if (gl_is_suite(inv, (int)i))
			suites[nsuites++] = (int)i;
	if (!nsuites) {
		free(suites);
		return 0;
	}
	qsort_r(suites, nsuites, sizeof(*suites), gl_cmp_name, inv->tests);
	by_len = xcalloc(inv->ntests, sizeof(*by_len));
	for (size_t i = 0; i < inv->ntests; i++)
		by_len[i] = (int)i;
	qsort_r(by_len, inv->ntests, sizeof(*by_len), gl_cmp_length, inv->tests);
	for (size_t k = 0; k < inv->ntests; k++) {
		const char *name = inv->tests[by_len[k]];
		int q = by_len[k], a;

		for (const char *p = strchr(name + 1, '/'); p; p = strchr(p + 1, '/'))
			if ((a = gl_find_suite(inv, suites, nsuites, name, (size_t)(p - name))) >= 0 &&
			    a != q && level[a] + 1 > level[q])
				level[q] = level[a] + 1;
		top = level[q] > top ? level[q] : top;
	}
	free(by_len);
	free(suites);
	return top;
}

/* Run one process for tests[0..n) (invocation indexes, in pass order).  0, or -1 if it could not start. */
static int gl_run_process(struct session *s, const struct proto_invocation *inv, const int *tests,
			  size_t n, char *const *env)
{
	struct strvec argv = STRVEC_INIT;
	struct gl_run g = { .s = s, .inv = inv, .tests = tests, .ntests = n, .tap_next = 1 };
	struct child c;
	int ret;

	strvec_push(&argv, inv->binary);
	driver_argv(&argv, inv);
	strvec_push(&argv, "--tap");
	strvec_push(&argv, "-k");
	for (size_t i = 0; i < n; i++) {
		strvec_push(&argv, "-p");
		strvec_push(&argv, inv->tests[tests[i]]);
		if (gl_is_suite(inv, tests[i])) {
			strvec_push(&argv, "-x");
			strvec_pushf(&argv, "%s/", inv->tests[tests[i]]);
		}
	}
	wtest_init(&g.t);
	strbuf_init(&g.bail, 0);
	strbuf_init(&g.line, 0);
	capture_init(&g.after, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
	g.c = &c;
	ret = driver_follow(s, inv, &c, argv.v, env, &gl_ops, &g);
	if (!ret) {
		gl_settle(&g);
		child_release(&c);
	}
	wtest_release(&g.t);
	strbuf_release(&g.bail);
	strbuf_release(&g.line);
	capture_release(&g.after);
	strvec_clear(&argv);
	return ret;
}

/* The tests of one level, in serial order, in processes of at most GL_ARGS_MAX bytes of paths. */
static int gl_run_level(struct session *s, const struct proto_invocation *inv, const int *order,
			const int *level, int lvl, char *const *env)
{
	int *chunk = xcalloc(inv->ntests + 1, sizeof(*chunk));
	size_t n = 0, bytes = 0;
	int ret = 0;

	for (size_t i = 0; i <= inv->ntests && !ret; i++) {
		size_t need = i < inv->ntests ? 2 * strlen(inv->tests[order[i]]) + 16 : 0;

		if (n && (i == inv->ntests || bytes + need > GL_ARGS_MAX)) {
			if (s->broken || child_stop_requested)
				break;
			ret = gl_run_process(s, inv, chunk, n, env);
			n = bytes = 0;
		}
		if (i < inv->ntests && level[order[i]] == lvl) {
			chunk[n++] = order[i];
			bytes += need;
		}
	}
	free(chunk);
	return ret;
}

void glib_run_batch(struct session *s, const struct proto_invocation *inv)
{
	int *order = xcalloc(inv->ntests + 1, sizeof(*order));
	int *level = xcalloc(inv->ntests + 1, sizeof(*level));
	struct strvec env = STRVEC_INIT;
	int top;

	for (size_t i = 0; i < inv->ntests; i++)
		order[i] = (int)i;
	if (inv->ordinals)
		qsort_r(order, inv->ntests, sizeof(*order), gl_cmp_ordinal, inv->ordinals);
	top = gl_levels(inv, level);
	driver_env(&env, inv);
	for (int lvl = 0; lvl <= top; lvl++)
		if (gl_run_level(s, inv, order, level, lvl, env.v))
			break;
	strvec_clear(&env);
	free(level);
	free(order);
}
