/*
 * test_strlib.c - Criterion suite for the string library (lib/strlib.c).
 *
 * Most tests are quick checks plus a short simulated-I/O pause (see
 * lib/workload.h); replace/stress is a 0.9 s loop over large inputs.
 * trim/tabs fails on purpose: str_trim() does not trim tabs (a real bug in
 * lib/strlib.c, kept so the example has a genuine failure).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strlib.h"
#include "workload.h"

static void check_replace(const char *s, const char *from, const char *to, const char *want)
{
	char *got = str_replace_all(s, from, to);

	cr_assert_not_null(got);
	cr_assert_str_eq(got, want, "replacing '%s' by '%s' in '%s'", from, to, s);
	free(got);
}

/* str_trim() works in place: trim a copy of input and compare. */
static void check_trim(const char *input, const char *want)
{
	char copy[64];

	snprintf(copy, sizeof(copy), "%s", input);
	cr_assert_str_eq(str_trim(copy), want, "str_trim(\"%s\") gave \"%s\"", input, copy);
}

Test(trim, spaces_both_ends)
{
	check_trim("  hello  ", "hello");
	workload_sleep_ms(20);
}

Test(trim, empty_and_blank)
{
	check_trim("", "");
	check_trim("    ", "");
	workload_sleep_ms(12);
}

Test(trim, inner_spaces_kept)
{
	check_trim(" a b  c ", "a b  c");
	workload_sleep_ms(35);
}

Test(trim, tabs)
{
	workload_sleep_ms(40);
	check_trim("\tindented\t", "indented");
}

Test(split, count_fields)
{
	cr_assert_eq(str_count_fields("a,b,c", ','), 3);
	cr_assert_eq(str_count_fields("", ','), 1);
	cr_assert_eq(str_count_fields("a,,b", ','), 3);
	workload_sleep_ms(15);
}

Test(split, field_by_index)
{
	char out[16];

	cr_assert_eq(str_field("alpha:beta:gamma", ':', 1, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "beta");
	cr_assert_eq(str_field("alpha:beta:gamma", ':', 3, out, sizeof(out)), -1);
	workload_sleep_ms(45);
}

Test(split, field_truncated)
{
	char out[4];

	cr_assert_eq(str_field("abcdefgh,x", ',', 0, out, sizeof(out)), 0);
	cr_assert_str_eq(out, "abc");
	workload_sleep_ms(25);
}

Test(split, csv_file)
{
	const char *rows[] = { "id,name,score", "1,ada,97", "2,brian,88", "3,cleo,91" };
	char score[8];
	int total = 0;

	for (size_t i = 1; i < sizeof(rows) / sizeof(rows[0]); i++) {
		cr_assert_eq(str_count_fields(rows[i], ','), 3);
		cr_assert_eq(str_field(rows[i], ',', 2, score, sizeof(score)), 0);
		total += atoi(score);
	}
	cr_assert_eq(total, 276);
	workload_sleep_ms(85);
}

Test(affix, starts_with)
{
	cr_assert(str_starts_with("balrun", "bal"));
	cr_assert(str_starts_with("balrun", ""));
	cr_assert_not(str_starts_with("bal", "balrun"));
	workload_sleep_ms(10);
}

Test(affix, ends_with)
{
	cr_assert(str_ends_with("report.json", ".json"));
	cr_assert_not(str_ends_with("json", "report.json"));
	workload_sleep_ms(18);
}

Test(case, upper_lower_round_trip)
{
	char s[] = "Load-Balanced 42";

	cr_assert_str_eq(str_upper(s), "LOAD-BALANCED 42");
	cr_assert_str_eq(str_lower(s), "load-balanced 42");
	workload_sleep_ms(30);
}

Test(case, non_ascii_untouched)
{
	char s[] = "caf\xc3\xa9";

	cr_assert_str_eq(str_upper(s), "CAF\xc3\xa9");
	workload_sleep_ms(60);
}

Test(replace, single)
{
	check_replace("hello world", "world", "there", "hello there");
	workload_sleep_ms(22);
}

Test(replace, many_and_growing)
{
	check_replace("a.b.c.d", ".", "::", "a::b::c::d");
	workload_sleep_ms(50);
}

Test(replace, no_match)
{
	check_replace("unchanged", "xyz", "!", "unchanged");
	workload_sleep_ms(75);
}

Test(replace, stress)
{
	struct workload_deadline d;
	char big[4097];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (workload_start(&d, 900); workload_running(&d); ) {
		char *once = str_replace_all(big, "a", "bb");
		char *back = str_replace_all(once, "bb", "a");

		cr_assert_eq(strlen(once), 2 * strlen(big));
		cr_assert_str_eq(back, big);
		free(once);
		free(back);
	}
}
