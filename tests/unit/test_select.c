/*
 * test_select.c - which collected tests run (runner/input/select.c): -k
 * patterns as substrings and globs, "not" patterns, and --lf with and
 * without failures remembered (read through input/known.h, as a run
 * reads them); labels a build system registered match -k as ids do.  And
 * what the timing cache knows of the tests (input/known.c): the planning
 * timings' facts and the local cache's each in their own fields, the later
 * of two lines winning, entries of tests the run lacks passed over.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "known.h"
#include "select.h"
#include "util.h"

/* bin/t with tests math/add, math/sub, io/read, io/write. */
static void make_run(struct run *r)
{
	static const char *const names[] = { "math/add", "math/sub", "io/read", "io/write" };
	struct binary *b;

	run_init(r);
	b = run_add_binary(r);
	b->id = xstrdup("bin/t");
	b->adapter = adapter_by_name("criterion");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		run_add_test(r, 0, names[i]);
}

/* The selected tests' names, space-separated. */
static const char *chosen(const struct run *r, struct strbuf *sb)
{
	strbuf_reset(sb);
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected)
			strbuf_addf(sb, "%s%s", sb->len ? " " : "", r->tests[i].name);
	return sb->buf;
}

Test(select, keywords_as_substrings_globs_and_not)
{
	struct run r;
	struct strbuf note = STRBUF_INIT, sb = STRBUF_INIT;
	char *none[] = { NULL }, *sub[] = { "math" }, *glob[] = { "*::io/w*" }, *both[] = { "math", "io/read" };
	char *exclude[] = { "not *sub" }, *mixed[] = { "math", "not add" }, *nothing[] = { "zzz" };

	make_run(&r);
	cr_expect_eq(select_tests(&r, none, 0, 0, &note), 4);
	cr_expect_eq(select_tests(&r, sub, 1, 0, &note), 2);
	cr_expect_str_eq(chosen(&r, &sb), "math/add math/sub");
	cr_expect_eq(select_tests(&r, glob, 1, 0, &note), 1);
	cr_expect_str_eq(chosen(&r, &sb), "io/write");
	cr_expect_eq(select_tests(&r, both, 2, 0, &note), 3, "any positive pattern may match");
	cr_expect_eq(select_tests(&r, exclude, 1, 0, &note), 3, "only exclusions: the rest runs");
	cr_expect_str_eq(chosen(&r, &sb), "math/add io/read io/write");
	cr_expect_eq(select_tests(&r, mixed, 2, 0, &note), 1);
	cr_expect_str_eq(chosen(&r, &sb), "math/sub");
	cr_expect_eq(select_tests(&r, nothing, 1, 0, &note), 0);
	cr_expect_str_eq(note.buf, "");
	run_release(&r);
	strbuf_release(&note);
	strbuf_release(&sb);
}

Test(select, last_failed_picks_the_failures_or_says_there_are_none)
{
	struct run r;
	struct strbuf note = STRBUF_INIT, sb = STRBUF_INIT, warn = STRBUF_INIT, err = STRBUF_INIT;
	char dir[] = "/tmp/balrun-select.XXXXXX", *sub[] = { "math" };
	struct timing_cache *tc;

	cr_assert(mkdtemp(dir));
	make_run(&r);
	tc = known_open(&r, dir, KNOWN_LOCAL | KNOWN_PLAN, &warn, &err);
	cr_assert(tc, "%s", err.buf);
	cr_expect_eq(select_tests(&r, sub, 0, 1, &note), 4, "nothing remembered: all run");
	cr_expect(strstr(note.buf, "--lf: no test failed last time"), "%s", note.buf);
	tc_record_test(tc, "bin/t::math/sub", OUTCOME_FAIL, 0.1, 0);
	tc_record_test(tc, "bin/t::io/read", OUTCOME_CRASH, 0.1, 0);
	tc_record_test(tc, "bin/t::io/write", OUTCOME_PASS, 0.1, 0);
	cr_assert_eq(tc_save(tc, &err), 0, "%s", err.buf);	/* what the next run reads */
	tc_free(tc);
	tc = known_open(&r, dir, KNOWN_LOCAL, &warn, &err);	/* as the next run reads it */
	cr_assert(tc, "%s", err.buf);
	strbuf_reset(&note);
	cr_expect_eq(select_tests(&r, sub, 0, 1, &note), 2);
	cr_expect_str_eq(chosen(&r, &sb), "math/sub io/read");
	cr_expect_eq(select_tests(&r, sub, 1, 1, &note), 1, "-k narrows --lf");
	cr_expect_str_eq(chosen(&r, &sb), "math/sub");
	cr_expect_str_eq(note.buf, "");
	tc_free(tc);
	run_release(&r);
	strbuf_release(&note);
	strbuf_release(&sb);
	strbuf_release(&warn);
	strbuf_release(&err);
	char *rm = xasprintf("rm -rf '%s'", dir);
	cr_expect_eq(system(rm), 0);
	free(rm);
}

Test(select, keywords_match_registered_labels)
{
	struct run r;
	struct strbuf note = STRBUF_INIT, sb = STRBUF_INIT;
	char *label[] = { "slow" }, *glob[] = { "sl*" }, *not[] = { "not slow" }, *part[] = { "lo" };
	struct binary *b;

	make_run(&r);
	b = run_add_binary(&r);	/* a CTest test of one case, labelled */
	b->id = xstrdup("net_test");
	b->adapter = adapter_by_name("plain");
	strvec_push(&b->cmd.labels, "unit");
	strvec_push(&b->cmd.labels, "slow");
	run_add_test(&r, 1, NULL);
	cr_expect_eq(select_tests(&r, label, 1, 0, &note), 1);
	cr_expect_str_eq(chosen(&r, &sb), "net_test");
	cr_expect_eq(select_tests(&r, glob, 1, 0, &note), 1);
	cr_expect_eq(select_tests(&r, not, 1, 0, &note), 4, "not LABEL leaves its tests out");
	cr_expect_eq(select_tests(&r, part, 1, 0, &note), 1, "a substring of a label, as of an id");
	run_release(&r);
	strbuf_release(&note);
	strbuf_release(&sb);
}

/* ---- what the timing cache knows, copied into the tests (input/known.c) ---- */

#define KNOWN_LINE(id, mean, runs, outcome, hist, rss, flags) \
	"T\tbin/t::" id "\t" mean "\t0.000000\t" mean "\t" runs "\t" outcome "\t" hist "\t1\t" rss \
	"\t1\t1700000000\t" flags "\n"

Test(known, the_planning_and_the_local_timings_fill_their_own_fields)
{
	static const char plan[] = "balrun-timings 1\nR\t1\t1700000000\t-\n"
		KNOWN_LINE("math/add", "9.000000", "1", "PASS", "0", "100", "0")
		KNOWN_LINE("math/add", "2.500000", "3", "FAIL", "1", "2048", "0")	/* the later wins */
		KNOWN_LINE("math/sub", "0.000000", "0", "NOTRUN", "0", "0", "1")	/* flagged, never ran */
		KNOWN_LINE("gone", "7.000000", "1", "PASS", "0", "0", "0");		/* not in the run */
	static const char local[] = "balrun-timings 1\nR\t1\t1700000000\t-\n"
		KNOWN_LINE("io/read", "1.000000", "1", "CRASH", "1", "0", "0")
		KNOWN_LINE("io/write", "1.000000", "1", "PASS", "0", "0", "0");
	struct strbuf warn = STRBUF_INIT;
	struct timing_cache *p = tc_from_buffer("plan", plan, sizeof(plan) - 1, &warn);
	struct timing_cache *l = tc_from_buffer("local", local, sizeof(local) - 1, &warn);
	struct test_case *add, *sub, *rd, *wr;
	struct run r;

	cr_assert_eq(warn.len, 0, "%s", warn.buf);
	make_run(&r);
	add = &r.tests[0], sub = &r.tests[1], rd = &r.tests[2], wr = &r.tests[3];
	known_from(&r, p, KNOWN_PLAN);
	known_from(&r, l, KNOWN_LOCAL);
	cr_expect(add->est_known);
	cr_expect_float_eq(add->est, 2.5, 1e-9);
	cr_expect(add->failed_last);
	cr_expect_eq(add->cached_rss_kb, 2048);
	cr_expect(!add->lf_failed && !add->passed_last, "the local timings do not know it");
	cr_expect(!sub->est_known && sub->order_dep && !sub->failed_last);
	cr_expect(rd->lf_failed && !rd->passed_last && !rd->est_known, "local facts only");
	cr_expect(wr->passed_last && !wr->lf_failed && !wr->failed_last);
	tc_free(p);
	tc_free(l);
	run_release(&r);
	strbuf_release(&warn);
}
