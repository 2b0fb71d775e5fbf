/*
 * test_tcache_damage.c - a damaged timings file never crashes balrun and
 * never costs more than the damaged lines: every truncation of a valid file,
 * garbage and NUL bytes, absurd numbers, a 1 MiB line, a foreign file, a
 * missing or newer version.  Each time the file is moved aside with its old
 * bytes, one line of warning says so, and the good entries are kept and
 * written back on save.
 */
#include "test_tcache_util.h"
#include "util.h"

#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

TestSuite(damage, .init = tt_setup, .fini = tt_teardown);

/* Write content as the timings file and open it, expecting damage. */
static struct timing_cache *open_damaged(const void *content, size_t len, struct strbuf *warn)
{
	tt_write(tt_file, content, len);
	strbuf_reset(warn);
	struct timing_cache *c = tt_open(tt_dir, warn);
	cr_assert_neq(warn->len, 0, "no warning");
	cr_assert_null(strchr(warn->buf, '\n'), "warning is not one line: %s", warn->buf);
	return c;
}

/* The one backup file: its bytes must be the original content. */
static void assert_backup_holds(const void *content, size_t len)
{
	struct strbuf old = STRBUF_INIT;
	char *backup = tt_find_name(tt_dir, "timings.bad-");

	cr_assert_not_null(backup, "no backup");
	cr_assert_eq(tt_count_names(tt_dir, "timings.bad-"), 1);
	cr_assert_eq(tt_read(backup, &old), 0);
	cr_assert_eq(old.len, len);
	cr_assert_eq(memcmp(old.buf, content, len), 0, "backup differs");
	cr_assert_eq(tt_count_names(tt_dir, "timings"), 2, "timings still there");  /* .bad- and .lock */
	strbuf_release(&old);
	free(backup);
}

static void remove_backups(void)
{
	char *backup;
	while ((backup = tt_find_name(tt_dir, "timings.bad-"))) {
		cr_assert_eq(unlink(backup), 0);
		free(backup);
	}
}

static const char good[] =
	"balrun-timings 1\n"
	"R\t1\t1700000000\tabcd1234\n"
	"B\tbin/a\t0.010000\t3\n"
	"T\ts::one\t1.000000\t0.100000\t1.100000\t3\tPASS\t2\t3\t100\t1\t1700000000\n"
	"T\ts::t\\two\t2.000000\t0.200000\t2.200000\t4\tFAIL\t5\t4\t200\t1\t1700000000\n"
	"T\ts::th\\\\ree\t3.000000\t0.300000\t3.300000\t5\tCRASH\t1f\t5\t300\t1\t1700000000\n"
	"T\ts::four\t4.000000\t0.400000\t4.400000\t6\tSKIP\t0\t0\t400\t1\t1700000000\n";

/* good in version 2: ids under a prefix; one seen_time is written out though it is its run's. */
static const char good_v2[] =
	"balrun-timings 2\n"
	"R\t1\t1700000000\tabcd1234\n"
	"B\tbin/a\t10000\t3\n"
	"P\ts::\n"
	"T\tone\t1000000\t100000\t1100000\t3\tPASS\t2\t3\t100\t1\t\n"
	"T\tt\\two\t2000000\t200000\t2200000\t4\tFAIL\t5\t4\t200\t1\t\n"
	"T\tth\\\\ree\t3000000\t300000\t3300000\t5\tCRASH\t1f\t5\t300\t1\t1700000000\n"
	"T\tfour\t4000000\t400000\t4400000\t6\tSKIP\t0\t0\t400\t1\t\n";

static void assert_subset_of_good(const struct tc_entry *e, void *full)
{
	tt_assert_same_entry(e, tc_get(full, e->id));
}

/* Every prefix of text (4 tests) loads a subset of the whole, warning unless it ends a line. */
static void check_every_truncation(const char *text)
{
	tt_write_str(tt_file, text);
	struct timing_cache *full = tt_open(tt_dir, NULL);
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	size_t complete_tests = 0;

	cr_assert_eq(tc_count(full), 4);
	for (size_t len = 0; len <= strlen(text); len++) {
		tt_write(tt_file, text, len);
		strbuf_reset(&warn);
		struct timing_cache *c = tc_open(tt_dir, &warn, &err);
		cr_assert_not_null(c, "prefix %zu: %s", len, err.buf);
		int at_line_end = len == 0 || text[len - 1] == '\n';
		if (at_line_end) {
			cr_assert_eq(warn.len, 0, "prefix %zu: %s", len, warn.buf);
			complete_tests = tc_count(c);   /* the whole file is the last line end */
		} else {
			cr_assert_neq(warn.len, 0, "prefix %zu: no warning", len);
			cr_assert_null(strchr(warn.buf, '\n'));
			assert_backup_holds(text, len);
			remove_backups();
		}
		cr_assert_leq(tc_count(c), 4);
		tc_each(c, assert_subset_of_good, full);
		tc_free(c);
	}
	cr_assert_eq(complete_tests, 4);
	strbuf_release(&warn);
	strbuf_release(&err);
	tc_free(full);
}

Test(damage, every_truncation_loads_a_subset)
{
	check_every_truncation(good);
}

Test(damage, every_truncation_of_version_2_loads_a_subset)
{
	check_every_truncation(good_v2);
}

/* Version 2 reads back the same entries as version 1. */
Test(damage, both_versions_of_good_hold_the_same_entries)
{
	tt_write_str(tt_file, good);
	struct timing_cache *v1 = tt_open(tt_dir, NULL);
	tt_write_str(tt_file, good_v2);
	struct timing_cache *v2 = tt_open(tt_dir, NULL);

	cr_assert_eq(tc_count(v2), 4);
	tc_each(v2, assert_subset_of_good, v1);
	tc_free(v1);
	tc_free(v2);
}

/*
 * Version 2: a bad P line spoils the T lines up to the next P line, P is
 * unknown in version 1, and a header line (files joined with cat) starts
 * without a prefix.
 */
Test(damage, version_2_bad_lines_are_skipped)
{
	static const char text[] =
		"balrun-timings 2\n"
		"R\t1\t5\t-\n"
		"T\tfirst\t1\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n"
		"P\ta::\n"
		"T\tx\t1.5\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n"
		"T\ty\t7\t0\t7\t1\tPASS\t0\t1\t0\t1\t\n"
		"P\tbad\\q\n"
		"T\tz\t1\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n"
		"P\tb::\n"
		"T\tnorun\t1\t0\t1\t1\tPASS\t0\t1\t0\t4\t\n"
		"T\tneg\t-1\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n"
		"T\tbig\t1000000000001\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n"
		"T\tshort\t1\n"
		"P\t\n"
		"T\t\t1\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n"
		"P\tc::\n"
		"balrun-timings 1\n"
		"P\tzz::\n"
		"T\tfirst\t2.000000\t0.000000\t2.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"balrun-timings 2\n"
		"T\tsecond\t1\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n"
		"balrun-timings 7\n"
		"T\tlast\t1\t0\t1\t1\tPASS\t0\t1\t0\t1\t\n";
	struct strbuf warn = STRBUF_INIT;
	struct timing_cache *c = open_damaged(text, sizeof(text) - 1, &warn);

	cr_assert_not_null(strstr(warn.buf, "(line 5: bad duration; 9 more bad lines)"), "%s", warn.buf);
	cr_assert_eq(tc_count(c), 4);
	cr_assert_float_eq(tc_get(c, "first")->mean, 2.0, 1e-9);
	cr_assert_float_eq(tc_get(c, "a::y")->mean, 7e-6, 1e-12);
	cr_assert_not_null(tc_get(c, "second"));
	cr_assert_not_null(tc_get(c, "last"));
	cr_assert_eq(tc_get(c, "second")->seen_time, 5);
	tc_free(c);
	remove_backups();
	strbuf_release(&warn);
}

Test(damage, bad_lines_are_skipped_and_the_rest_kept_and_written_back)
{
	static const char text[] =
		"balrun-timings 1\n"
		"T\tfirst\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"T\tnan\tnan\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"T\tneg\t-1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"T\tinf\t1.000000\tinf\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"T\thuge\t1e300\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"T\tbits\t1.000000\t0.000000\t1.000000\t1\tPASS\t4\t2\t0\t1\t5\n"
		"T\tlen\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t33\t0\t1\t5\n"
		"T\toutcome\t1.000000\t0.000000\t1.000000\t1\tWEIRD\t0\t1\t0\t1\t5\n"
		"T\tesc\\q\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"T\t\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"T\tshort\t1.000000\n"
		"T\truns\t1.000000\t0.000000\t1.000000\t-1\tPASS\t0\t1\t0\t1\t5\n"
		"T\ttime\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t-5\n"
		"R\t0\t5\t-\n"
		"R\t3\t5\tnot-hex\n"
		"X\tunknown\n"
		"\n"
		"garbage without tabs\n"
		"T\tnul\0byte\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n"
		"B\tcpu\t1.000000\t1\tmany\n"
		"T\tlast\t2.000000\t0.000000\t2.000000\t1\tPASS\t0\t1\t0\t1\t5\n";
	struct strbuf warn = STRBUF_INIT;
	struct timing_cache *c = open_damaged(text, sizeof(text) - 1, &warn);

	char *expect = xasprintf("timing cache '%s' is damaged (line 3: bad duration; 18 more bad lines); "
				 "kept it as '%s.bad-", tt_file, tt_file);
	cr_assert(starts_with(warn.buf, expect), "%s", warn.buf);
	cr_assert_not_null(strstr(warn.buf, "', going on with 2 entries"), "%s", warn.buf);
	assert_backup_holds(text, sizeof(text) - 1);
	cr_assert_eq(tc_count(c), 2);
	cr_assert_not_null(tc_get(c, "first"));
	cr_assert_float_eq(tc_get(c, "last")->mean, 2.0, 1e-9);
	tt_save_one_more(c, 3);   /* clean now, and nothing was lost */
	free(expect);
	strbuf_release(&warn);
}

/* A foreign or other-version file: nothing read, file moved aside, a fresh one saved. */
static void check_unreadable(const char *text, const char *reason)
{
	struct strbuf warn = STRBUF_INIT;
	struct timing_cache *c = open_damaged(text, strlen(text), &warn);

	cr_assert_not_null(strstr(warn.buf, reason), "%s", warn.buf);
	cr_assert_not_null(strstr(warn.buf, "going on with 0 entries"), "%s", warn.buf);
	cr_assert_eq(tc_count(c), 0);
	assert_backup_holds(text, strlen(text));
	tt_save_one_more(c, 1);
	remove_backups();
	strbuf_release(&warn);
}

Test(damage, foreign_and_other_versions_are_moved_aside)
{
	check_unreadable("balrun-timings 3\nT\tnew\tformat\n", "(line 1: written by a newer balrun (version 3))");
	check_unreadable("balrun-timings 0\n", "(line 1: unknown version (version 0))");
	check_unreadable("T\ts::one\t1.000000\t0.100000\t1.100000\t3\tPASS\t2\t3\t100\t1\t1700000000\n",
			 "(line 1: not a balrun timings file)");
	check_unreadable("{\"json\": true}\n", "not a balrun timings file");
	check_unreadable("balrun-timings 1", "(line 1: truncated last line)");
}

Test(damage, nul_bytes_and_binary_garbage)
{
	char text[600];
	struct strbuf warn = STRBUF_INIT;
	size_t n = strlen(good);

	memcpy(text, good, n);
	for (size_t i = 0; i < 100; i++)
		text[n + i] = (char)(i * 37);            /* includes NULs, tabs, newlines */
	static const char after[] = "\nT\tafter\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n";
	memcpy(text + n + 100, after, sizeof(after) - 1);
	n += 100 + sizeof(after) - 1;
	struct timing_cache *c = open_damaged(text, n, &warn);
	cr_assert_not_null(tc_get(c, "after"), "%s", warn.buf);
	cr_assert_not_null(tc_get(c, "s::four"));
	assert_backup_holds(text, n);
	tc_free(c);
	strbuf_release(&warn);
}

Test(damage, a_one_mebibyte_line)
{
	struct strbuf text = STRBUF_INIT, id = STRBUF_INIT, warn = STRBUF_INIT;

	for (int i = 0; i < 1 << 20; i++)
		strbuf_addch(&id, 'a' + i % 26);
	struct timing_cache *c = tt_open(tt_dir, NULL);
	tc_record_test(c, id.buf, OUTCOME_PASS, 1.5, 0);   /* a valid huge id round-trips */
	tt_save(c);
	tc_free(c);
	c = tt_open(tt_dir, NULL);
	cr_assert_float_eq(tc_get(c, id.buf)->mean, 1.5, 1e-9);
	tc_free(c);

	strbuf_adds(&text, good);
	strbuf_adds(&text, "T\t");
	strbuf_add(&text, id.buf, id.len);                  /* a huge line missing its fields */
	strbuf_adds(&text, "\nT\tafter\t1.000000\t0.000000\t1.000000\t1\tPASS\t0\t1\t0\t1\t5\n");
	c = open_damaged(text.buf, text.len, &warn);
	cr_assert_not_null(strstr(warn.buf, "(line 8: too few fields)"), "%s", warn.buf);
	cr_assert_eq(tc_count(c), 5);
	tc_free(c);
	strbuf_release(&text);
	strbuf_release(&id);
	strbuf_release(&warn);
}

Test(damage, empty_file_and_repeated_header_are_fine)
{
	struct strbuf text = STRBUF_INIT;

	tt_write(tt_file, "", 0);
	struct timing_cache *c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_count(c), 0);
	tc_free(c);

	/* Two files joined with cat: the second's records win. */
	strbuf_adds(&text, good);
	strbuf_adds(&text, "balrun-timings 1\nT\ts::one\t9.000000\t0.000000\t9.000000\t1\tPASS\t0\t1\t0\t2\t5\n");
	tt_write(tt_file, text.buf, text.len);
	c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_count(c), 4);
	cr_assert_float_eq(tc_get(c, "s::one")->mean, 9.0, 1e-9);
	tc_free(c);
	strbuf_release(&text);
}

Test(damage, backups_in_the_same_second_get_numbered)
{
	struct strbuf warn = STRBUF_INIT;

	for (int i = 0; i < 3; i++) {
		struct timing_cache *c = open_damaged("junk\n", 5, &warn);
		tc_free(c);
	}
	/* All three kept, unless the clock ticked in between (then fewer share a name). */
	cr_assert_eq(tt_count_names(tt_dir, "timings.bad-"), 3);
	char *backup = tt_find_name(tt_dir, "timings.bad-");
	cr_assert_not_null(backup);
	free(backup);
	cr_assert_not_null(strstr(warn.buf, ".bad-"), "%s", warn.buf);
	strbuf_release(&warn);
}

Test(damage, a_file_damaged_before_save_is_moved_aside_and_merged)
{
	tt_write_str(tt_file, good);
	struct timing_cache *c = tt_open(tt_dir, NULL);
	struct strbuf text = STRBUF_INIT;

	strbuf_adds(&text, good);
	strbuf_adds(&text, "T\tbroken");      /* another writer's torn line, somehow */
	tt_write(tt_file, text.buf, text.len);
	tc_record_test(c, "new", OUTCOME_PASS, 1, 0);
	tt_save(c);
	cr_assert_eq(tc_count(c), 5);
	cr_assert_eq(tt_count_names(tt_dir, "timings.bad-"), 1);
	tt_assert_matches_disk(c);
	tc_free(c);
	strbuf_release(&text);
}
