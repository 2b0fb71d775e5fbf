/*
 * test_tcache.c - the timing cache's records and rules: every field and
 * escaped ids survive a save and a load, later records win, the smoothing,
 * spread and history rules for each outcome, binary overheads, run numbers
 * and the run record.  Damage is in test_tcache_damage.c, the save protocol
 * in test_tcache_save.c.
 */
#include "test_tcache_util.h"
#include "util.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

TestSuite(tcache, .init = tt_setup, .fini = tt_teardown);

#define EPS 1e-9

/* A hand-written version 1 file with every field set, including escapes. */
static const char every_field[] =
	"balrun-timings 1\n"
	"R\t7\t1700000000\t0123456789abcdef0123456789abcdef01234567\n"
	"R\t8\t1700000100\t-\n"
	"B\tbin/with\\ttab\t0.012500\t9\n"
	"T\tsuite::a\\tb\\nc\\\\d\\re\t1.500000\t0.250000\t1.750000\t12\tTIMEOUT\t8000000d\t32\t4096\t8\t1700000100\n"
	"T\tplain\t0.000001\t0.000000\t0.000002\t1\tSKIP\t0\t0\t0\t7\t1700000000\n";

/*
 * The same in version 2, as balrun writes it, plus two tests under a P line
 * (one whose seen_time is not its run's and that has flags).
 */
static const char every_field_v2[] =
	"balrun-timings 2\n"
	"R\t7\t1700000000\t0123456789abcdef0123456789abcdef01234567\n"
	"R\t8\t1700000100\t-\n"
	"B\tbin/with\\ttab\t12500\t9\n"
	"T\tsuite::a\\tb\\nc\\\\d\\re\t1500000\t250000\t1750000\t12\tTIMEOUT\t8000000d\t32\t4096\t8\t\n"
	"T\tplain\t1\t0\t2\t1\tSKIP\t0\t0\t0\t7\t\n"
	"P\tplain::\n"
	"T\tb\\n\t3\t1\t4\t2\tPASS\t2\t2\t5\t8\t1700000999\t1\n"
	"T\tc\t3\t1\t4\t2\tPASS\t2\t2\t5\t8\t\n";

/* Every field of every_field's entries, as read from either version. */
static void assert_every_field(struct timing_cache *c)
{
	const struct tc_entry *e = tc_get(c, "suite::a\tb\nc\\d\re");
	cr_assert_not_null(e);
	cr_assert_float_eq(e->mean, 1.5, EPS);
	cr_assert_float_eq(e->spread, 0.25, EPS);
	cr_assert_float_eq(e->last, 1.75, EPS);
	cr_assert_eq(e->runs, 12);
	cr_assert_eq(e->last_outcome, OUTCOME_TIMEOUT);
	cr_assert_eq(e->history, 0x8000000du);
	cr_assert_eq(e->hist_len, 32);
	cr_assert_eq(e->rss_kb, 4096);
	cr_assert_eq(e->seen_run, 8);
	cr_assert_eq(e->seen_time, 1700000100);
	e = tc_get(c, "plain");
	cr_assert_float_eq(e->mean, 1e-6, 1e-12);
	cr_assert_float_eq(e->last, 2e-6, 1e-12);
	cr_assert_eq(e->last_outcome, OUTCOME_SKIP);
	cr_assert_eq(e->seen_run, 7);
	cr_assert_eq(e->seen_time, 1700000000);
	const struct tc_binary *b = tc_binary(c, "bin/with\ttab");
	cr_assert_not_null(b);
	cr_assert_float_eq(b->overhead, 0.0125, EPS);
	cr_assert_eq(b->runs, 9);
	cr_assert_null(tc_get(c, "suite::a"));
}

/* The cache of a file holding text. */
static struct timing_cache *open_text(const char *text)
{
	tt_write_str(tt_file, text);
	return tt_open(tt_dir, NULL);
}

Test(tcache, reads_every_field_and_escape)
{
	struct timing_cache *c = open_text(every_field);

	cr_assert_eq(tc_count(c), 2);
	assert_every_field(c);
	tc_free(c);
}

Test(tcache, reads_every_field_of_version_2)
{
	struct timing_cache *c = open_text(every_field_v2);

	cr_assert_eq(tc_count(c), 4);
	assert_every_field(c);
	cr_assert_not_null(tc_get(c, "plain::c"));
	const struct tc_entry *e = tc_get(c, "plain::b\n");
	cr_assert_not_null(e, "the shared prefix was not applied");
	cr_assert_float_eq(e->mean, 3e-6, 1e-12);
	cr_assert_float_eq(e->spread, 1e-6, 1e-12);
	cr_assert_float_eq(e->last, 4e-6, 1e-12);
	cr_assert_eq(e->history, 2);
	cr_assert_eq(e->rss_kb, 5);
	cr_assert_eq(e->seen_run, 8);
	cr_assert_eq(e->seen_time, 1700000999);
	cr_assert_eq(e->flags, TC_FLAG_ORDER_DEPENDENT);
	tc_free(c);
}

/* A version 1 file is read whole and written back as version 2 with the same values. */
Test(tcache, version_1_is_rewritten_as_version_2)
{
	struct strbuf text = STRBUF_INIT;
	struct timing_cache *c = open_text(every_field);

	tc_record_test(c, "plain::b", OUTCOME_PASS, 0.5, 0);
	tt_save(c);
	tt_read(tt_file, &text);
	cr_assert(starts_with(text.buf, "balrun-timings 2\n"), "%s", text.buf);
	cr_assert_not_null(strstr(text.buf, "\nT\tplain\t1\t0\t2\t1\tSKIP\t0\t0\t0\t7\t\n"), "%s", text.buf);
	cr_assert_not_null(strstr(text.buf, "\nT\tplain::b\t500000\t0\t500000\t1\tPASS\t0\t1\t0\t9\t\n"), "%s", text.buf);
	tt_assert_matches_disk(c);
	tc_free(c);
	c = tt_open(tt_dir, NULL);
	assert_every_field(c);
	tc_free(c);
	strbuf_release(&text);
}

Test(tcache, save_writes_back_every_field_unchanged)
{
	char *path = tt_path(tt_dir, "timings");
	struct strbuf text = STRBUF_INIT;
	tt_write_str(path, every_field_v2);
	struct timing_cache *c = tt_open(tt_dir, NULL);

	tc_set_run_info(c, "ABCDEF12", 1700000200);
	tc_record_test(c, "other", OUTCOME_PASS, 0.5, 10);
	tt_save(c);
	tt_assert_matches_disk(c);
	tt_read(path, &text);
	/* The old records come back byte for byte, after the header. */
	for (const char *line = strchr(every_field_v2, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
		char *one = xstrndup(line, (size_t)(strchr(line, '\n') - line + 1));
		cr_assert_not_null(strstr(text.buf, one), "lost line: %s", one);
		free(one);
	}
	cr_assert_not_null(strstr(text.buf, "\nR\t9\t1700000200\tabcdef12\n"), "%s", text.buf);
	/* "other" is not under the prefix: back to none */
	cr_assert_not_null(strstr(text.buf, "\nP\t\nT\tother\t500000\t0\t500000\t1\tPASS\t0\t1\t10\t9\t\n"), "%s", text.buf);
	cr_assert(starts_with(text.buf, "balrun-timings 2\n"));
	strbuf_release(&text);
	tc_free(c);
	free(path);
}

Test(tcache, ids_with_every_special_byte_round_trip)
{
	static const char *ids[] = { "tab\there", "new\nline", "back\\slash", "\\t literally",
				     "cr\r", "\\", "\t\n\\\r", "end\\", "ünïcødé::名前" };
	struct timing_cache *c = tt_open(tt_dir, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		tc_record_test(c, ids[i], OUTCOME_PASS, 0.001 * (double)(i + 1), i);
	tc_record_binary(c, "b\\in\t1", 0.25);
	tt_save(c);
	tc_free(c);
	c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_count(c), ARRAY_SIZE(ids));
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const struct tc_entry *e = tc_get(c, ids[i]);
		cr_assert_not_null(e, "lost id %zu", i);
		cr_assert_float_eq(e->mean, 0.001 * (double)(i + 1), EPS);
		cr_assert_eq(e->rss_kb, i);
	}
	cr_assert_not_null(tc_binary(c, "b\\in\t1"));
	tc_free(c);
}

Test(tcache, later_records_win)
{
	char *path = tt_path(tt_dir, "timings");
	tt_write_str(path, "balrun-timings 1\n"
		     "R\t1\t100\t-\n"
		     "B\tbin\t1.000000\t1\n"
		     "T\tt\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t1\t1\t100\n"
		     "T\tu\t5.000000\t0.000000\t5.000000\t1\tPASS\t0\t1\t1\t1\t100\n"
		     "R\t1\t200\tabcd\n"
		     "B\tbin\t2.000000\t2\n"
		     "T\tt\t3.000000\t0.500000\t3.000000\t2\tFAIL\t1\t2\t7\t1\t200\n");
	struct timing_cache *c = tt_open(tt_dir, NULL);
	struct strbuf text = STRBUF_INIT;

	cr_assert_eq(tc_count(c), 2);
	cr_assert_float_eq(tc_get(c, "t")->mean, 3.0, EPS);
	cr_assert_eq(tc_get(c, "t")->last_outcome, OUTCOME_FAIL);
	cr_assert_float_eq(tc_get(c, "u")->mean, 5.0, EPS);
	cr_assert_float_eq(tc_binary(c, "bin")->overhead, 2.0, EPS);
	tc_record_test(c, "v", OUTCOME_PASS, 1, 0);
	tt_save(c);
	tt_read(path, &text);
	cr_assert_not_null(strstr(text.buf, "R\t1\t200\tabcd\nR\t2\t"), "%s", text.buf);
	cr_assert_null(strstr(text.buf, "\t100\t-"));
	strbuf_release(&text);
	tc_free(c);
	free(path);
}

/* Record one result and save it as a run of its own. */
static const struct tc_entry *run_one(struct timing_cache *c, enum outcome o, double s)
{
	tc_record_test(c, "t", o, s, 0);
	tt_save(c);
	return tc_get(c, "t");
}

Test(tcache, smoothing_of_pass_and_fail)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	const struct tc_entry *e = run_one(c, OUTCOME_PASS, 1.0);

	cr_assert_float_eq(e->mean, 1.0, EPS);   /* the first sample sets the mean */
	cr_assert_float_eq(e->spread, 0.0, EPS);
	e = run_one(c, OUTCOME_PASS, 2.0);
	cr_assert_float_eq(e->mean, 1.3, EPS);   /* 1.0 + 0.3 * (2.0 - 1.0) */
	cr_assert_float_eq(e->spread, 0.3, EPS); /* 0 + 0.3 * (|2.0 - 1.0| - 0) */
	cr_assert_float_eq(e->last, 2.0, EPS);
	e = run_one(c, OUTCOME_FAIL, 0.3);
	cr_assert_float_eq(e->mean, 1.0, EPS);   /* 1.3 + 0.3 * (0.3 - 1.3) */
	cr_assert_float_eq(e->spread, 0.51, EPS);/* 0.3 + 0.3 * (1.0 - 0.3) */
	cr_assert_float_eq(e->last, 0.3, EPS);
	cr_assert_eq(e->runs, 3);
	cr_assert_eq(e->last_outcome, OUTCOME_FAIL);
	tt_assert_matches_disk(c);
	tc_free(c);
}

Test(tcache, timeout_raises_mean_and_others_leave_it)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	const struct tc_entry *e = run_one(c, OUTCOME_PASS, 1.0);

	e = run_one(c, OUTCOME_TIMEOUT, 5.0);
	cr_assert_float_eq(e->mean, 5.0, EPS);
	cr_assert_float_eq(e->spread, 0.0, EPS);
	cr_assert_float_eq(e->last, 5.0, EPS);
	e = run_one(c, OUTCOME_TIMEOUT, 0.5);    /* never lowers it */
	cr_assert_float_eq(e->mean, 5.0, EPS);
	for (enum outcome o = OUTCOME_CRASH; o <= OUTCOME_NOTRUN; o++) {
		if (o == OUTCOME_TIMEOUT)
			continue;
		e = run_one(c, o, 99.0);
		cr_assert_float_eq(e->mean, 5.0, EPS, "%s changed the mean", outcome_tag(o));
		cr_assert_float_eq(e->last, 0.5, EPS, "%s changed last", outcome_tag(o));
	}
	cr_assert_eq(e->runs, 5);                /* NOTRUN is not a run */
	cr_assert_eq(e->last_outcome, OUTCOME_SKIP);
	cr_assert_eq(e->seen_run, 6);            /* but it was seen in run 6 */
	tc_free(c);
}

Test(tcache, history_bits)
{
	static const enum outcome seq[] = { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_CRASH, OUTCOME_TIMEOUT,
					    OUTCOME_SKIP, OUTCOME_NOTRUN, OUTCOME_PASS };
	struct timing_cache *c = tt_open(tt_dir, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(seq); i++)   /* all in one save, in order */
		tc_record_test(c, "t", seq[i], 0.1, 0);
	tt_save(c);
	const struct tc_entry *e = tc_get(c, "t");
	cr_assert_eq(e->hist_len, 5);
	cr_assert_eq(e->history, 0xeu, "history %x", e->history);  /* newest first: 0 1 1 1 0 */
	cr_assert_eq(e->runs, 6);
	for (int i = 0; i < 40; i++)
		tc_record_test(c, "t", i % 3 ? OUTCOME_PASS : OUTCOME_FAIL, 0.1, 0);
	tt_save(c);
	e = tc_get(c, "t");
	cr_assert_eq(e->hist_len, 32);
	for (int ago = 0; ago < 32; ago++)
		cr_assert_eq((e->history >> ago) & 1, (39 - ago) % 3 ? 0u : 1u, "bit %d", ago);
	tt_assert_matches_disk(c);
	tc_free(c);
}

Test(tcache, absurd_durations_are_not_recorded)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);

	tc_record_test(c, "t", OUTCOME_PASS, 2.0, 0);
	tc_record_test(c, "t", OUTCOME_PASS, NAN, 0);
	tc_record_test(c, "t", OUTCOME_FAIL, -1.0, 0);
	tc_record_test(c, "t", OUTCOME_TIMEOUT, INFINITY, 0);
	tc_record_test(c, "", OUTCOME_PASS, 1.0, 0);
	tc_record_binary(c, "b", NAN);
	tt_save(c);
	const struct tc_entry *e = tc_get(c, "t");
	cr_assert_float_eq(e->mean, 2.0, EPS);
	cr_assert_eq(e->runs, 4);
	cr_assert_eq(e->history, 0x3u);   /* newest first: TIMEOUT, FAIL, PASS, PASS */
	cr_assert_eq(tc_count(c), 1);
	cr_assert_null(tc_binary(c, "b"));
	tt_assert_matches_disk(c);
	tc_free(c);
}

Test(tcache, binary_overhead_is_smoothed)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);

	tc_record_binary(c, "bin/a", 0.1);
	tc_record_binary(c, "bin/a", 0.2);
	tt_save(c);
	cr_assert_float_eq(tc_binary(c, "bin/a")->overhead, 0.13, EPS);
	cr_assert_eq(tc_binary(c, "bin/a")->runs, 2);
	cr_assert_null(tc_binary(c, "bin/b"));
	tc_free(c);
}

Test(tcache, runs_are_numbered_and_recorded)
{
	char *path = tt_path(tt_dir, "timings");
	struct strbuf text = STRBUF_INIT;
	struct timing_cache *c = tt_open(tt_dir, NULL);

	tc_set_run_info(c, "deadbeef", 1700000000);
	tc_record_test(c, "t", OUTCOME_PASS, 1, 0);
	tt_save(c);
	cr_assert_eq(tc_get(c, "t")->seen_run, 1);
	cr_assert_eq(tc_get(c, "t")->seen_time, 1700000000);
	tc_set_run_info(c, "not hex!", 1700000005);
	tc_record_test(c, "u", OUTCOME_PASS, 1, 0);
	tt_save(c);
	cr_assert_eq(tc_get(c, "t")->seen_run, 1);
	cr_assert_eq(tc_get(c, "u")->seen_run, 2);
	tt_read(path, &text);
	cr_assert_not_null(strstr(text.buf, "R\t1\t1700000000\tdeadbeef\nR\t2\t1700000005\t-\n"), "%s", text.buf);
	strbuf_release(&text);
	tc_free(c);
	free(path);
}

Test(tcache, missing_cache_is_empty_and_nothing_is_saved_without_results)
{
	char *sub = tt_path(tt_dir, "not/there");
	struct strbuf warn = STRBUF_INIT;
	struct timing_cache *c = tt_open(sub, &warn);

	cr_assert_eq(warn.len, 0);
	cr_assert_eq(tc_count(c), 0);
	cr_assert_null(tc_get(c, "x"));
	cr_assert_str_eq(tc_dir(c), sub);
	tt_save(c);
	cr_assert_eq(tt_count_names(tt_dir, ""), 2, "save without results created files");  /* . and .. */
	tc_free(c);
	strbuf_release(&warn);
	free(sub);
}

static void count_entry(const struct tc_entry *e, void *data)
{
	(*(size_t *)data)++;
	cr_assert_not_null(e->id);
}

Test(tcache, each_visits_every_entry_of_a_big_table)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	struct strbuf id = STRBUF_INIT;
	size_t seen = 0;

	for (int i = 0; i < 5000; i++) {
		strbuf_reset(&id);
		strbuf_addf(&id, "suite::test_%d", i);
		tc_record_test(c, id.buf, OUTCOME_PASS, i * 0.001, 0);
	}
	tt_save(c);
	tc_each(c, count_entry, &seen);
	cr_assert_eq(seen, 5000);
	for (int i = 0; i < 5000; i++) {
		strbuf_reset(&id);
		strbuf_addf(&id, "suite::test_%d", i);
		cr_assert_float_eq(tc_get(c, id.buf)->mean, i * 0.001, EPS);
	}
	tt_assert_matches_disk(c);
	strbuf_release(&id);
	tc_free(c);
}

/* A binary's CPU per wall second: smoothed, whole thousandths, an optional last column of B. */
Test(tcache, binary_cpu_share_is_smoothed_and_kept)
{
	struct strbuf text = STRBUF_INIT;
	struct timing_cache *c = tt_open(tt_dir, NULL);

	tc_record_binary_cpu(c, "bin/sleepy", 0.1, 1.0);       /* first: taken as it is */
	tc_record_binary_cpu(c, "bin/sleepy", 0.5, 1.0);       /* then moved by 0.3 of the way */
	tc_record_binary_cpu(c, "bin/sleepy", 5.0, 0.001);     /* too short to say: ignored */
	tc_record_binary_cpu(c, "bin/sleepy", -1, 1.0);        /* nonsense: ignored */
	tc_record_binary(c, "bin/plain", 0.25);
	tt_save(c);
	cr_assert_float_eq(tc_binary(c, "bin/sleepy")->cpu_share, 0.22, 1e-9);
	cr_assert_eq(tc_binary(c, "bin/plain")->cpu_share, 0);
	tt_read(tt_file, &text);
	cr_assert_not_null(strstr(text.buf, "\nB\tbin/sleepy\t0\t0\t220\n"), "%s", text.buf);
	cr_assert_not_null(strstr(text.buf, "\nB\tbin/plain\t250000\t1\n"), "%s", text.buf);
	tc_free(c);
	c = open_text(text.buf);
	cr_assert_float_eq(tc_binary(c, "bin/sleepy")->cpu_share, 0.22, 1e-9);
	tc_free(c);
	strbuf_release(&text);
}

/* A test last seen in no known run (run 0, time 0): its time is written out, never left to a run. */
Test(tcache, seen_in_no_run_keeps_its_time)
{
	struct strbuf text = STRBUF_INIT;
	struct timing_cache *c = open_text("balrun-timings 1\n"
					   "T\told\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t0\t0\n");

	tc_record_test(c, "new", OUTCOME_PASS, 1, 0);
	tt_save(c);
	tt_read(tt_file, &text);
	cr_assert_not_null(strstr(text.buf, "\nT\told\t1000000\t0\t1000000\t1\tPASS\t0\t1\t0\t0\t0\n"), "%s", text.buf);
	tt_assert_matches_disk(c);
	tc_free(c);
	strbuf_release(&text);
}

/* Prefixes with bytes that need escaping, ids that end at a separator, and a run of them, written and read back. */
Test(tcache, prefixes_with_escapes_and_bare_separators_round_trip)
{
	static const char *ids[] = { "b\tin::g\\r/one", "b\tin::g\\r/two", "b\tin::g\\r/", "b\tin::", "b\tin::h/x",
				     "b\tin::h/y", "c.d", "c.e", "/", "//", "::", "x" };
	struct strbuf text = STRBUF_INIT;
	struct timing_cache *c = tt_open(tt_dir, NULL);

	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		tc_record_test(c, ids[i], OUTCOME_PASS, 0.001 * (double)(i + 1), i);
	tt_save(c);
	tt_read(tt_file, &text);
	cr_assert_not_null(strstr(text.buf, "\nP\tb\\tin::g\\\\r/\nT\tone\t"), "%s", text.buf);
	tc_free(c);
	c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_count(c), ARRAY_SIZE(ids));
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		const struct tc_entry *e = tc_get(c, ids[i]);
		cr_assert_not_null(e, "lost id %zu", i);
		cr_assert_eq(e->rss_kb, i, "id %zu has another's record", i);
	}
	tc_free(c);
	strbuf_release(&text);
}
