/*
 * gtest-run.c - the GoogleTest adapter's run_batch: a batch of gtest cases
 * in one run of the binary, plus one run for each case that no filter can
 * select alone.  What the processes print is followed by gtest-lines.c.
 *
 *   BIN [registered arguments] --gtest_filter=S.a:S.b:T.c
 *
 * selects the cases by their exact names (gtest hashes names without
 * wildcards, so a filter of thousands costs milliseconds); past
 * GT_FILTER_ARG_MAX bytes the filter goes through --gtest_flagfile (one
 * argument may not pass 128 KiB).  gtest runs them in its own order, the
 * listing's.  A case whose name a filter cannot select alone (its check,
 * gtest-internal.h) runs by itself as
 *
 *   GTEST_TOTAL_SHARDS=GT_SHARDS GTEST_SHARD_INDEX=<place> BIN ... --gtest_filter=*
 *
 * The environment: gtest's switches that change what runs or what it
 * prints are set or removed (GTEST_COLOR=no, GTEST_BRIEF=0,
 * GTEST_FAIL_FAST=0, GTEST_SHUFFLE=0, GTEST_REPEAT=1; no GTEST_FILTER,
 * GTEST_OUTPUT, sharding or GTEST_ALSO_RUN_DISABLED_TESTS: a registered
 * command's own choice was applied at collection, gtest-filter.c), as
 * environment variables rather than flags, which an older gtest refuses
 * (an unknown --gtest_ flag makes it print its help and run nothing).
 * TEST_PREMATURE_EXIT_FILE names a file of the worker's: gtest creates it
 * when its run starts and removes it when the run ends, so a process that
 * exits 0 while the file is still there ended early (exit(0) in a test or
 * a fixture).
 */
#define _GNU_SOURCE
#include "gtest-internal.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Longer filters go through a flag file. */
#define GT_FILTER_ARG_MAX (96u << 10)

static const char *const gt_unset[] = {
	"GTEST_FILTER", "GTEST_OUTPUT", "GTEST_TOTAL_SHARDS", "GTEST_SHARD_INDEX",
	"GTEST_SHARD_STATUS_FILE", "GTEST_ALSO_RUN_DISABLED_TESTS", "GTEST_LIST_TESTS",
};
static const char *const gt_set[][2] = {
	{ "GTEST_COLOR", "no" }, { "GTEST_BRIEF", "0" }, { "GTEST_FAIL_FAST", "0" },
	{ "GTEST_SHUFFLE", "0" }, { "GTEST_REPEAT", "1" },
};

static void gt_env(struct strvec *env, const struct proto_invocation *inv, const char *exit_file)
{
	driver_env(env, inv);
	for (size_t i = 0; i < ARRAY_SIZE(gt_unset); i++)
		strvec_unsetenv(env, gt_unset[i]);
	for (size_t i = 0; i < ARRAY_SIZE(gt_set); i++)
		strvec_setenv(env, gt_set[i][0], gt_set[i][1]);
	strvec_setenv(env, "TEST_PREMATURE_EXIT_FILE", exit_file);
}

static void gt_reset(struct gt *g)
{
	g->running = g->foreign = g->any_test = g->failed = g->ended = 0;
	g->in_suite = g->suite_tests = g->suite_fault = g->long_line = 0;
	g->suite_scope = -1;
	g->block = -1;
	strbuf_reset(&g->line);
	strbuf_reset(&g->first);
	capture_reset(&g->outside);
}

/* A path for TEST_PREMATURE_EXIT_FILE, with no file there yet.  0, or -1 with err. */
static int gt_exit_file(struct strbuf *path, struct strbuf *err)
{
	if (driver_temp_file("gtest-exit", "", 0, path, err))
		return -1;
	unlink(path->buf);
	return 0;
}

/* Run one process and settle it.  0, or -1 if it could not start (or be set up). */
static int gt_run_process(struct gt *g, struct strvec *argv, const char *shard)
{
	struct strbuf exit_file = STRBUF_INIT, err = STRBUF_INIT;
	struct strvec env = STRVEC_INIT;
	struct child c;
	int ret = -1;

	if (gt_exit_file(&exit_file, &err)) {
		driver_fail_all(g->s, g->inv, err.buf);
		goto out;
	}
	gt_env(&env, g->inv, exit_file.buf);
	if (shard) {
		strvec_setenv(&env, "GTEST_TOTAL_SHARDS", GT_SHARDS);
		strvec_setenv(&env, "GTEST_SHARD_INDEX", shard);
	}
	gt_reset(g);
	g->c = &c;
	if (!driver_follow(g->s, g->inv, &c, argv->v, env.v, &gt_ops, g)) {
		gt_settle(g, WIFEXITED(c.status) && !WEXITSTATUS(c.status) && !access(exit_file.buf, F_OK));
		child_release(&c);
		ret = 0;
	}
	g->c = NULL;
	unlink(exit_file.buf);
out:
	strvec_clear(&env);
	strbuf_release(&exit_file);
	strbuf_release(&err);
	return ret;
}

/* BIN [registered arguments] */
static void gt_argv(const struct proto_invocation *inv, struct strvec *argv)
{
	strvec_clear(argv);
	strvec_push(argv, inv->binary);
	driver_argv(argv, inv);
}

/* --gtest_filter=<the by-name tests>, or a flag file that says it (path in file). */
static int gt_filter_arg(const struct gt *g, struct strvec *argv, struct strbuf *file,
			 struct strbuf *err)
{
	struct strbuf f = STRBUF_INIT;
	int ret = 0;

	strbuf_adds(&f, "--gtest_filter=");
	for (size_t i = 0; i < g->nby_name; i++)
		strbuf_addf(&f, "%s%s", i ? ":" : "", g->inv->tests[g->by_name[i]]);
	if (f.len <= GT_FILTER_ARG_MAX) {
		strvec_push(argv, f.buf);
	} else {
		strbuf_addch(&f, '\n');
		ret = driver_temp_file("gtest-flags", f.buf, f.len, file, err);
		if (!ret)
			strvec_pushf(argv, "--gtest_flagfile=%s", file->buf);
	}
	strbuf_release(&f);
	return ret;
}

static int gt_run_named(struct gt *g)
{
	struct strvec argv = STRVEC_INIT;
	struct strbuf file = STRBUF_INIT, err = STRBUF_INIT;
	int ret = -1;

	gt_argv(g->inv, &argv);
	if (gt_filter_arg(g, &argv, &file, &err))
		driver_fail_all(g->s, g->inv, err.buf);
	else
		ret = gt_run_process(g, &argv, NULL);
	if (file.len)
		unlink(file.buf);
	strvec_clear(&argv);
	strbuf_release(&file);
	strbuf_release(&err);
	return ret;
}

/* Test i alone, by its place among the runnable tests. */
static int gt_run_alone(struct gt *g, size_t i)
{
	struct strvec argv = STRVEC_INIT;
	char shard[16];
	int ret;

	snprintf(shard, sizeof(shard), "%u", GT_CHECK_PLACE(g->inv->checks[i]) - 1);
	gt_argv(g->inv, &argv);
	strvec_push(&argv, "--gtest_filter=*");
	g->alone = (int)i;
	ret = gt_run_process(g, &argv, shard);
	g->alone = -1;
	strvec_clear(&argv);
	return ret;
}

static int gt_cmp_names(const void *a, const void *b, void *data)
{
	char *const *tests = data;
	return strcmp(tests[*(const uint32_t *)a], tests[*(const uint32_t *)b]);
}

static void gt_init(struct gt *g)
{
	const struct proto_invocation *inv = g->inv;

	g->alone = -1;
	g->by_name = xcalloc(inv->ntests ? inv->ntests : 1, sizeof(*g->by_name));
	for (size_t i = 0; i < inv->ntests; i++)
		if (!GT_CHECK_PLACE(inv->checks[i]))
			g->by_name[g->nby_name++] = (uint32_t)i;
	qsort_r(g->by_name, g->nby_name, sizeof(*g->by_name), gt_cmp_names, inv->tests);
	wtest_init(&g->t);
	strbuf_init(&g->name, 0);
	strbuf_init(&g->msg, 0);
	strbuf_init(&g->suite_msg, 0);
	strbuf_init(&g->line, 0);
	strbuf_init(&g->first, 0);
	capture_init(&g->outside, CAPTURE_HEAD_MAX, CAPTURE_TAIL_MAX);
}

static void gt_release(struct gt *g)
{
	free(g->by_name);
	wtest_release(&g->t);
	strbuf_release(&g->name);
	strbuf_release(&g->msg);
	strbuf_release(&g->suite_msg);
	strbuf_release(&g->line);
	strbuf_release(&g->first);
	capture_release(&g->outside);
}

void gtest_run_batch(struct session *s, const struct proto_invocation *inv)
{
	struct gt g = { .s = s, .inv = inv };
	int failed = 0;

	if (!inv->checks) {
		driver_fail_all(s, inv, "internal error: a gtest invocation without checks");
		return;
	}
	gt_init(&g);
	if (g.nby_name)
		failed = gt_run_named(&g);
	for (size_t i = 0; i < inv->ntests && !failed && !s->broken && !child_stop_requested; i++)
		if (GT_CHECK_PLACE(inv->checks[i]))
			failed = gt_run_alone(&g, i);
	gt_release(&g);
}
