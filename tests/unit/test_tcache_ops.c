/*
 * test_tcache_ops.c - pruning and merging of the timing cache: which tests,
 * runs and binaries a prune drops and keeps, that every save prunes so the
 * file stays proportional to the live tests through hundreds of runs, that
 * merging lets the newest record win and is associative, commutative and
 * idempotent byte for byte (on random tables with many ties), and how merge
 * treats missing, foreign, newer-version and truncated input files.
 */
#include "test_tcache_util.h"
#include "util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

TestSuite(ops, .init = tt_setup, .fini = tt_teardown);

#define DAY 86400
#define NOW 1700000000LL

/* A test line seen in run `run` at time `when`. */
static void add_test(struct strbuf *sb, const char *id, unsigned run, long long when)
{
	strbuf_addf(sb, "T\t%s\t1.000000\t0.000000\t1.000000\t3\tPASS\t0\t3\t0\t%u\t%lld\n", id, run,
		    when);
}

/* A cache whose newest run is 100 (at NOW), with tests of various ages. */
static struct timing_cache *aged_cache(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = tt_path(tt_dir, "timings");

	strbuf_adds(&sb, "balrun-timings 1\n");
	for (unsigned r = 1; r <= 100; r++)
		strbuf_addf(&sb, "R\t%u\t%lld\tabcd%u\n", r, NOW - (100 - r) * 3600LL, r);
	strbuf_adds(&sb, "B\tbin/old\t0.040000\t3\nB\tbin/new\t0.040000\t3\nB\tbin/never\t0.040000\t1\n");
	add_test(&sb, "bin/new::s/recent_run", 90, NOW - 60 * DAY);   /* in the last 50 runs */
	add_test(&sb, "bin/new::s/recent_day", 10, NOW - 2 * DAY);    /* within 30 days */
	add_test(&sb, "bin/old::s/stale", 50, NOW - 31 * DAY);        /* neither: dropped */
	add_test(&sb, "bin/old", 3, NOW - 400 * DAY);                 /* plain test, dropped */
	tt_write_str(path, sb.buf);
	strbuf_release(&sb);
	free(path);
	struct timing_cache *c = tt_open(tt_dir, NULL);
	tc_set_run_info(c, NULL, NOW);
	return c;
}

static size_t count_runs(const struct timing_cache *c)
{
	size_t n;
	tc_runs(c, &n);
	return n;
}

Test(ops, prune_drops_tests_stale_by_both_rules_and_what_they_leave)
{
	struct timing_cache *c = aged_cache();
	struct strbuf err = STRBUF_INIT;
	size_t dropped = 99;

	cr_assert_eq(tc_prune(c, &dropped, &err), 0, "%s", err.buf);
	cr_assert_eq(dropped, 2);
	cr_assert_eq(tc_count(c), 2);
	cr_assert_not_null(tc_get(c, "bin/new::s/recent_run"));
	cr_assert_not_null(tc_get(c, "bin/new::s/recent_day"));
	cr_assert_null(tc_get(c, "bin/old::s/stale"));
	/* runs: 90 and 10 (referenced) and 100 (the newest) */
	cr_assert_eq(count_runs(c), 3);
	cr_assert_eq(tc_last_run(c), 100);
	/* bin/old lost its last test; bin/never never had one and stays */
	cr_assert_null(tc_binary(c, "bin/old"));
	cr_assert_not_null(tc_binary(c, "bin/new"));
	cr_assert_not_null(tc_binary(c, "bin/never"));
	tt_assert_matches_disk(c);
	tc_free(c);
	strbuf_release(&err);
}

Test(ops, prune_rules_can_be_turned_off)
{
	struct timing_cache *c = aged_cache();
	struct strbuf err = STRBUF_INIT;
	size_t dropped;

	tc_set_prune(c, 0, 0);
	cr_assert_eq(tc_prune(c, &dropped, &err), 0);
	cr_assert_eq(dropped, 0);
	cr_assert_eq(tc_count(c), 4);
	tc_set_prune(c, 0, 30);      /* days only: recent_run is 60 days old */
	cr_assert_eq(tc_prune(c, &dropped, &err), 0);
	cr_assert_eq(dropped, 3);
	cr_assert_not_null(tc_get(c, "bin/new::s/recent_day"));
	tc_free(c);
	c = aged_cache();
	tc_set_prune(c, 5, 0);       /* runs only: none was seen in runs 96-100 */
	cr_assert_eq(tc_prune(c, &dropped, &err), 0);
	cr_assert_eq(dropped, 4);
	cr_assert_eq(tc_count(c), 0);
	cr_assert_eq(tc_last_run(c), 100, "run numbering must survive an empty cache");
	tc_free(c);
	strbuf_release(&err);
}

Test(ops, every_save_prunes_with_the_default_policy)
{
	struct timing_cache *c = aged_cache();

	tc_record_test(c, "bin/new::s/fresh", OUTCOME_PASS, 0.5, 0);
	tt_save(c);
	cr_assert_eq(tc_count(c), 3);
	cr_assert_null(tc_get(c, "bin/old::s/stale"));
	cr_assert_eq(tc_get(c, "bin/new::s/fresh")->seen_run, 101);
	tc_free(c);
}

/* 300 runs, one a day, each running 20 tests, 5 of them renamed every run. */
Test(ops, file_stays_proportional_to_live_tests_over_many_runs)
{
	struct strbuf id = STRBUF_INIT, text = STRBUF_INIT;
	char *path = tt_path(tt_dir, "timings");
	size_t max_lines = 0;

	for (int run = 1; run <= 300; run++) {
		struct timing_cache *c = tt_open(tt_dir, NULL);
		tc_set_run_info(c, "cafe", NOW + (long long)run * DAY);
		for (int k = 0; k < 20; k++) {
			strbuf_reset(&id);
			strbuf_addf(&id, "b::t%d", k < 15 ? k : run * 5 + k);
			tc_record_test(c, id.buf, OUTCOME_PASS, 0.1, 0);
		}
		tt_save(c);
		tc_free(c);
		tt_read(path, &text);
		size_t lines = 0;
		for (size_t i = 0; i < text.len; i++)
			lines += text.buf[i] == '\n';
		if (lines > max_lines)
			max_lines = lines;
	}
	/* live: 15 steady + 5 x 50 runs of renamed tests; runs: one per kept seen_run */
	struct timing_cache *c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_count(c), 15 + 5 * 50, "%zu", tc_count(c));
	cr_assert_eq(count_runs(c), 50);
	cr_assert_leq(max_lines, 1 + 50 + 15 + 5 * 50 + 5);
	tc_free(c);
	strbuf_release(&id);
	strbuf_release(&text);
	free(path);
}

/* ---- merging ---- */

static unsigned seed;

static unsigned rnd(unsigned n)
{
	seed = seed * 1103515245u + 12345u;
	return (seed >> 16) % n;
}

/*
 * A random shard file: tests from a pool of 30 ids with few distinct times
 * and run numbers (many ties), so every tie-break gets used.
 */
static char *random_file(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	char *path = tt_path(tt_dir, name);

	strbuf_adds(&sb, "balrun-timings 1\n");
	for (unsigned r = 1; r <= 3; r++)
		strbuf_addf(&sb, "R\t%u\t%u\t%s\n", r, 100 * (r + rnd(2)), rnd(2) ? "-" : "beef");
	for (int i = 0; i < 5; i++)
		strbuf_addf(&sb, "B\tbin%u\t0.0%u0000\t%u\n", rnd(4), rnd(9), rnd(3));
	for (int i = 0; i < 25; i++)
		strbuf_addf(&sb, "T\tbin%u::t%u\t%u.000000\t0.000000\t1.000000\t%u\t%s\t%x\t4\t0\t%u\t%u\n",
			    rnd(4), rnd(30), 1 + rnd(3), rnd(3), rnd(2) ? "PASS" : "FAIL", rnd(16),
			    1 + rnd(3), 100 * (1 + rnd(3)));
	tt_write_str(path, sb.buf);
	strbuf_release(&sb);
	return path;
}

/* Merge files into a fresh file named out (replacing it); returns its path. */
static char *merge_into(const char *out, const char *const *files, size_t n)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	char *path = tt_path(tt_dir, out);
	struct timing_cache *c = tc_open_file(path, &warn, &err);

	cr_assert_not_null(c, "%s", err.buf);
	cr_assert_eq(tc_merge_files(c, files, n, 1, &warn, &err), 0, "%s", err.buf);
	cr_assert_eq(warn.len, 0, "%s", warn.buf);
	tc_free(c);
	strbuf_release(&warn);
	strbuf_release(&err);
	return path;
}

static void assert_same_bytes(const char *p, const char *q)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;

	cr_assert_eq(tt_read(p, &a), 0);
	cr_assert_eq(tt_read(q, &b), 0);
	cr_assert(a.len == b.len && !memcmp(a.buf, b.buf, a.len), "'%s' and '%s' differ:\n%s\n---\n%s",
		  p, q, a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
}

Test(ops, merge_is_associative_commutative_and_idempotent)
{
	for (seed = 1; seed <= 40; seed++) {
		char *a = random_file("a"), *b = random_file("b"), *c = random_file("c");
		char *bc = merge_into("bc", (const char *[]){ b, c }, 2);
		char *a_bc = merge_into("a_bc", (const char *[]){ a, bc }, 2);
		char *ab = merge_into("ab", (const char *[]){ a, b }, 2);
		char *ab_c = merge_into("ab_c", (const char *[]){ ab, c }, 2);
		char *cba = merge_into("cba", (const char *[]){ c, b, a }, 3);
		char *ba = merge_into("ba", (const char *[]){ b, a }, 2);
		char *aa = merge_into("aa", (const char *[]){ a, a }, 2);
		char *a1 = merge_into("a1", (const char *[]){ a }, 1);

		assert_same_bytes(a_bc, ab_c);
		assert_same_bytes(a_bc, cba);
		assert_same_bytes(ab, ba);
		assert_same_bytes(aa, a1);
		char *all[] = { a, b, c, bc, a_bc, ab, ab_c, cba, ba, aa, a1 };
		for (size_t i = 0; i < ARRAY_SIZE(all); i++)
			free(all[i]);
	}
}

/* Shards start from the same base; each ran some tests; the newest record of each wins. */
Test(ops, merge_keeps_the_newest_record_of_every_test)
{
	struct strbuf base = STRBUF_INIT, s1 = STRBUF_INIT, s2 = STRBUF_INIT;
	char *pbase = tt_path(tt_dir, "base"), *p1 = tt_path(tt_dir, "s1"), *p2 = tt_path(tt_dir, "s2");

	strbuf_adds(&base, "balrun-timings 1\nR\t7\t1000\t-\n");
	add_test(&base, "x::a", 7, 1000);
	add_test(&base, "x::b", 7, 1000);
	add_test(&base, "x::c", 7, 1000);
	strbuf_addf(&s1, "%sR\t8\t2000\taaaa\nT\tx::a\t5.000000\t0.000000\t5.000000\t4\tPASS\t0\t4\t0\t8\t2000\n",
		    base.buf);
	strbuf_addf(&s2, "%sR\t8\t2001\taaaa\nT\tx::b\t7.000000\t0.000000\t7.000000\t4\tFAIL\t1\t4\t0\t8\t2001\n",
		    base.buf);
	tt_write_str(pbase, base.buf);
	tt_write_str(p1, s1.buf);
	tt_write_str(p2, s2.buf);
	/* into the cache itself (not replace): its own content is one of the inputs */
	char *cache = tt_path(tt_dir, "timings");
	tt_write_str(cache, base.buf);
	free(cache);
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_merge_files(c, (const char *[]){ p1, p2 }, 2, 0, &warn, &err), 0, "%s", err.buf);
	cr_assert_float_eq(tc_get(c, "x::a")->mean, 5.0, 1e-9);
	cr_assert_float_eq(tc_get(c, "x::b")->mean, 7.0, 1e-9);
	cr_assert_eq(tc_get(c, "x::b")->last_outcome, OUTCOME_FAIL);
	cr_assert_float_eq(tc_get(c, "x::c")->mean, 1.0, 1e-9);
	cr_assert_eq(tc_last_run(c), 8);
	tt_assert_matches_disk(c);
	/* the next run is numbered after every shard's */
	tc_record_test(c, "x::c", OUTCOME_PASS, 1, 0);
	tt_save(c);
	cr_assert_eq(tc_get(c, "x::c")->seen_run, 9);
	tc_free(c);
	strbuf_release(&base);
	strbuf_release(&s1);
	strbuf_release(&s2);
	strbuf_release(&warn);
	strbuf_release(&err);
	free(pbase);
	free(p1);
	free(p2);
}

/* A merge that must fail with a message naming the file, leaving the cache alone. */
static void assert_merge_fails(const char *content, const char *expect)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT, after = STRBUF_INIT;
	char *in = tt_path(tt_dir, "input"), *cache = tt_path(tt_dir, "timings");
	struct timing_cache *c;

	unlink(in);
	if (content)
		tt_write_str(in, content);
	tt_write_str(cache, "balrun-timings 1\nR\t1\t5\t-\n");
	c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_merge_files(c, (const char *[]){ in }, 1, 0, &warn, &err), -1);
	cr_assert_not_null(strstr(err.buf, "'"), "%s", err.buf);
	cr_assert_not_null(strstr(err.buf, in), "%s", err.buf);
	cr_assert_not_null(strstr(err.buf, expect), "%s", err.buf);
	tt_read(cache, &after);
	cr_assert_str_eq(after.buf, "balrun-timings 1\nR\t1\t5\t-\n");
	cr_assert_eq(tt_count_names(tt_dir, "input"), content ? 1 : 0, "an input file was moved");
	tc_free(c);
	strbuf_release(&warn);
	strbuf_release(&err);
	strbuf_release(&after);
	free(in);
	free(cache);
}

Test(ops, merge_refuses_missing_foreign_and_future_files)
{
	assert_merge_fails(NULL, "No such file");
	assert_merge_fails("hello\n", "not a balrun timings file");
	assert_merge_fails("balrun-timings 3\nX\tnew\n", "newer balrun (version 3)");
	assert_merge_fails("balrun-timings 0\n", "unknown version");
}

Test(ops, merge_of_a_truncated_file_warns_and_keeps_its_good_records)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT, sb = STRBUF_INIT;
	char *in = tt_path(tt_dir, "shard");

	strbuf_adds(&sb, "balrun-timings 1\nR\t1\t5\t-\n");
	add_test(&sb, "good", 1, 5);
	add_test(&sb, "cut", 1, 5);
	tt_write(in, sb.buf, sb.len - 9);
	struct timing_cache *c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_merge_files(c, (const char *[]){ in }, 1, 0, &warn, &err), 0, "%s", err.buf);
	cr_assert_not_null(strstr(warn.buf, "truncated last line"), "%s", warn.buf);
	cr_assert_not_null(strstr(warn.buf, in), "%s", warn.buf);
	cr_assert_not_null(tc_get(c, "good"));
	cr_assert_null(tc_get(c, "cut"));
	tc_free(c);
	strbuf_release(&warn);
	strbuf_release(&err);
	strbuf_release(&sb);
	free(in);
}

Test(ops, timings_from_a_buffer_are_read_only)
{
	static const char text[] = "balrun-timings 1\nR\t1\t5\t-\n"
				   "T\tt\t2.000000\t0.000000\t2.000000\t1\tPASS\t0\t1\t0\t1\t5\n";
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *c = tc_from_buffer("HEAD:.balrun/timings", text, sizeof(text) - 1, &warn);

	cr_assert_eq(warn.len, 0);
	cr_assert_float_eq(tc_get(c, "t")->mean, 2.0, 1e-9);
	tc_record_test(c, "t", OUTCOME_PASS, 1, 0);
	cr_assert_eq(tc_save(c, &err), -1);
	cr_assert_not_null(strstr(err.buf, "read-only"), "%s", err.buf);
	tc_free(c);
	c = tc_from_buffer("x", text, 20, &warn);
	cr_assert_not_null(strstr(warn.buf, "damaged"), "%s", warn.buf);
	tc_free(c);
	strbuf_release(&warn);
	strbuf_release(&err);
}
