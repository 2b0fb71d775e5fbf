/*
 * test_adapters.c - the adapter table (adapters/adapter.c), the facts
 * adapters recognise a binary by, and the listing parsers of the Criterion
 * and cmocka adapters, without running any binary.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "adapter.h"
#include "adapter-facts.h"
#include "preload.h"
#include "util.h"

/* Criterion's --list output text through its adapter: the number of tests, or -1 with err. */
static long parse_criterion(const char *text, struct listing *l, struct strbuf *err)
{
	struct strbuf notes = STRBUF_INIT;
	struct listing_output o = { .id = "t", .out = text, .out_len = strlen(text), .events = "P",
				    .exited_zero = 1, .status = "exit status 0" };
	long n = adapter_by_name("criterion")->parse_listing(&o, l, err, &notes) ? -1 : (long)l->n;

	strbuf_release(&notes);
	return n;
}

/* The cmocka shim's list records through its adapter: 0, or -1 with err. */
static int parse_cmocka(const char *text, size_t len, struct listing *l, struct strbuf *err)
{
	struct strbuf notes = STRBUF_INIT;
	struct listing_output o = { .id = "t", .out = "", .events = text, .events_len = len,
				    .exited_zero = 1, .status = "exit status 0" };
	int ret = adapter_by_name("cmocka")->parse_listing(&o, l, err, &notes);

	strbuf_release(&notes);
	return ret;
}

/* Parse text; names of the listing joined as "suite/name\n" lines, "!" before disabled ones. */
static long parse(const char *text, struct strbuf *names, struct strbuf *err)
{
	struct listing l = { 0 };
	long n;

	strbuf_reset(names);
	strbuf_reset(err);
	n = parse_criterion(text, &l, err);
	for (size_t i = 0; n >= 0 && i < l.n; i++)
		strbuf_addf(names, "%s%s\n", l.v[i].disabled ? "!" : "", l.v[i].name);
	listing_release(&l);
	return n;
}

Test(criterion_list, ascii_tree_with_disabled_tests)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	const char *text = "math: 3 tests\n|-- add\n|-- bad (skipped)\n`-- sub\nio: 1 test\n`-- read\n";
	cr_assert_eq(parse(text, &names, &err), 4, "%s", err.buf);
	cr_expect_str_eq(names.buf, "math/add\n!math/bad\nmath/sub\nio/read\n");
	strbuf_release(&names);
	strbuf_release(&err);
}

Test(criterion_list, utf8_tree)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	const char *text = "s: 2 tests\n\u251c\u2500\u2500 a\n\u2514\u2500\u2500 b\n";
	cr_assert_eq(parse(text, &names, &err), 2, "%s", err.buf);
	cr_expect_str_eq(names.buf, "s/a\ns/b\n");
	strbuf_release(&names);
	strbuf_release(&err);
}

Test(criterion_list, empty_listing_is_zero_tests)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	cr_expect_eq(parse("", &names, &err), 0);
	strbuf_release(&names);
	strbuf_release(&err);
}

/* A library constructor's banner around the listing is not part of it (issue 8, item 7). */
Test(criterion_list, banner_lines_around_the_listing_are_left_out)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	const char *text = "libfoo 1.2 starting up\nmath: 2 tests\n|-- add\n`-- sub\nbye from libfoo\n";
	cr_assert_eq(parse(text, &names, &err), 2, "%s", err.buf);
	cr_expect_str_eq(names.buf, "math/add\nmath/sub\n");
	strbuf_release(&names);
	strbuf_release(&err);
}

Test(criterion_list, foreign_text_is_rejected)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	cr_expect_eq(parse("usage: foo [options]\n", &names, &err), -1);
	cr_expect(strstr(err.buf, "holds no test listing"), "%s", err.buf);
	cr_expect_eq(parse("s: 3 tests\n|-- a\n", &names, &err), -1, "count mismatch accepted");
	cr_expect(strstr(err.buf, "ends 2 tests short"), "%s", err.buf);
	cr_expect_eq(parse("|-- orphan\n", &names, &err), -1, "item before any suite accepted");
	cr_expect_eq(parse("s: 2 tests\n|-- a\nnoise\n`-- b\n", &names, &err), -1,
		     "a suite cut by another line accepted");
	strbuf_release(&names);
	strbuf_release(&err);
}

/* cmocka: percent-encoded records; any byte but NUL in a name (issue 8, item 5). */
Test(cmocka_list, records_decode_to_any_bytes)
{
	struct listing l = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *text = "G tests\nT a\nT two%0Alines\nG tests\nT a\nT 100%25%20sure\n";

	cr_assert_eq(parse_cmocka(text, strlen(text), &l, &err), 0, "%s", err.buf);
	cr_assert_eq(l.n, 4);
	cr_assert_eq(l.nscopes, 2);
	cr_expect_str_eq(l.v[1].name, "tests/two\nlines");
	cr_expect_str_eq(l.v[3].name, "tests/100% sure");
	cr_expect_eq(l.v[2].scope, 1);
	cr_expect_eq(l.v[2].check, preload_check("tests", "a"));
	listing_release(&l);
	const char *bad[] = { "T orphan\n", "G g\nT a%0\n", "G g\nT a%00\n", "G g\nX a\n", "G g\nT a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&err);
		cr_expect_eq(parse_cmocka(bad[i], strlen(bad[i]), &l, &err), -1, "%s", bad[i]);
		listing_release(&l);
	}
	strbuf_release(&err);
}

/* The Criterion adapter says when the shim cannot choose tests, and when --list failed after listing. */
Test(criterion_list, notes_for_no_shim_and_a_failed_list)
{
	struct strbuf notes = STRBUF_INIT, err = STRBUF_INIT;
	struct listing l = { 0 };
	const char *text = "s: 1 test\n`-- a\n";
	struct listing_output o = { .id = "bin/t", .out = text, .out_len = strlen(text), .events = "",
				    .exited_zero = 0, .status = "killed by SIGABRT" };

	cr_assert_eq(adapter_by_name("criterion")->parse_listing(&o, &l, &err, &notes), 0, "%s", err.buf);
	cr_expect(l.no_preload);
	cr_expect(strstr(notes.buf, "'bin/t': balrun's preload shim cannot choose its tests"), "%s", notes.buf);
	cr_expect(strstr(notes.buf, "ended with killed by SIGABRT after listing"), "%s", notes.buf);
	listing_release(&l);
	/* nothing listed and a failed exit: an error, not zero tests */
	o.out = "";
	o.out_len = 0;
	cr_expect_eq(adapter_by_name("criterion")->parse_listing(&o, &l, &err, &notes), -1);
	cr_expect_str_eq(err.buf, "not a Criterion test listing");
	listing_release(&l);
	strbuf_release(&notes);
	strbuf_release(&err);
}

Test(adapters, names_look_up_back)
{
	size_t n;
	const struct adapter *const *all = adapter_all(&n);

	cr_assert_geq(n, 3);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(adapter_by_name(all[i]->name), all[i], "%s", all[i]->name);
		cr_expect(all[i]->recognise && all[i]->run_batch, "%s", all[i]->name);
		/* a listed framework can list; a one-test one cannot, nor one the config teaches */
		int lists = !(all[i]->flags & (ADAPTER_ONE_TEST | ADAPTER_CONFIG));
		cr_expect_eq(lists, all[i]->list_command != NULL, "%s", all[i]->name);
		cr_expect_eq(lists, all[i]->parse_listing != NULL, "%s", all[i]->name);
	}
	cr_expect_str_eq(adapter_by_name("cmocka")->name, "cmocka");
	cr_expect_null(adapter_by_name("nosuch"));
	cr_expect_null(adapter_by_name(NULL));
	cr_expect_str_eq(all[n - 1]->name, "plain", "plain must come last: it takes every executable");
}

Test(adapters, recognise_by_libraries_and_symbols)
{
	struct binary_facts f;
	struct strbuf notes = STRBUF_INIT;
	const char *const main_only[] = { "main", NULL };
	const char *const cm_entry[] = { "_cmocka_run_group_tests", NULL };
	const char *const cr_entry[] = { "criterion_initialize", NULL };

	test_facts(&f, "libcriterion.so.3", main_only, NULL);
	cr_expect_str_eq(test_recognised(&f, &notes), "criterion");
	test_facts(&f, NULL, main_only, cr_entry);	/* Criterion's entry point without its library name */
	cr_expect_str_eq(test_recognised(&f, &notes), "criterion");
	test_facts(&f, "libcmocka.so.0", main_only, cm_entry);
	cr_expect_str_eq(test_recognised(&f, &notes), "cmocka");
	cr_expect_str_eq(notes.buf, "");
	/* referenced through another library: the shim would not see it called */
	test_facts(&f, "libtorture.so", main_only, cm_entry);
	cr_expect_str_eq(test_recognised(&f, &notes), "plain");
	/* compiled in: plain, and a note says why */
	test_facts(&f, NULL, cm_entry, NULL);
	cr_expect_str_eq(test_recognised(&f, &notes), "plain");
	cr_expect(strstr(notes.buf, "'bin/t' has cmocka compiled in"), "%s", notes.buf);
	test_facts(&f, NULL, NULL, NULL);
	f.is_elf = 0;
	cr_expect_str_eq(test_recognised(&f, &notes), "(none)", "a file that is neither ELF nor script");
	strbuf_release(&notes);
}

Test(adapters, facts_keep_one_symbol_per_name_defined_first)
{
	struct binary_facts f;
	const char *const defined[] = { "b", "a", NULL };
	const char *const referenced[] = { "a", "c", "b", NULL };

	test_facts(&f, "libx.so.1", defined, referenced);
	cr_expect_eq(f.nsymbols, 3);
	cr_expect_eq(facts_symbol(&f, "a"), FACTS_DEFINED);
	cr_expect_eq(facts_symbol(&f, "b"), FACTS_DEFINED);
	cr_expect_eq(facts_symbol(&f, "c"), FACTS_REFERENCED);
	cr_expect_eq(facts_symbol(&f, "d"), FACTS_ABSENT);
	cr_expect(facts_needs(&f, "libx.so"));
	cr_expect(!facts_needs(&f, "liby.so"));
	facts_release(&f);
}
