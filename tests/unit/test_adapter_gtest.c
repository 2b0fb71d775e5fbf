/*
 * test_adapter_gtest.c - the GoogleTest adapter without running a binary:
 * recognising a gtest binary from its facts, reading its listing (the JSON
 * list and the text fallback) through adapter->parse_listing, the checks
 * that tell the worker how to select each case, and a registered
 * command's own choice of cases through adapter->adopt_command.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "util.h"
#include "../../adapters/gtest/gtest-internal.h"

static const struct adapter *gtest(void)
{
	return adapter_by_name("gtest");
}

/* Parse a listing (JSON on the event fd, or only text); names as "name\n" lines, "!" before disabled ones. */
static int parse(const char *json, const char *text, int exited_zero, struct listing *l,
		 struct strbuf *names, struct strbuf *why)
{
	struct strbuf notes = STRBUF_INIT;
	struct listing_output o = { .id = "t", .out = text, .out_len = strlen(text),
				    .events = json ? json : "", .events_len = json ? strlen(json) : 0,
				    .exited_zero = exited_zero, .status = exited_zero ? "exit status 0" : "SIGSEGV" };
	int ret = gtest()->parse_listing(&o, l, why, &notes);

	for (size_t i = 0; !ret && i < l->n; i++)
		strbuf_addf(names, "%s%s\n", l->v[i].disabled ? "!" : "", l->v[i].name);
	strbuf_release(&notes);
	return ret;
}

#define SUITE(name, tests) "{\"name\": \"" name "\", \"tests\": 1, \"testsuite\": [" tests "]}"
#define TEST(name) "{\"name\": \"" name "\", \"file\": \"t.cc\", \"line\": 1}"

static const char json[] = "{\"tests\": 9, \"name\": \"AllTests\", \"testsuites\": ["
	SUITE("Basic", TEST("Pass") ", " TEST("DISABLED_Off") ", " TEST("Fail")) ", "
	SUITE("Empty", "") ", "
	SUITE("Typed\\/0", "{\"name\": \"Default\", \"type_param\": \"int\"}") ", "
	SUITE("Nums\\/Param", "{\"name\": \"IsSmall\\/0\", \"value_param\": \"1\"}") ", "
	SUITE("Odd", TEST("\\u00C3\\u00A9t\\u00C3\\u00A9") ", " TEST("dup") ", " TEST("dup") ", "
		     TEST("colon:minus-") ", " TEST("with space")) ", "
	SUITE("DISABLED_S", TEST("x")) "]}";

Test(gtest_list, json_names_bytes_and_disabled)
{
	struct listing l = { 0 };
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT;

	cr_assert_eq(parse(json, "Basic.\n  Pass\n", 1, &l, &names, &why), 0, "%s", why.buf);
	cr_expect_str_eq(names.buf, "Basic.Pass\n!Basic.DISABLED_Off\nBasic.Fail\nTyped/0.Default\n"
			 "Nums/Param.IsSmall/0\nOdd.\xc3\xa9t\xc3\xa9\nOdd.dup\nOdd.dup\nOdd.colon:minus-\n"
			 "Odd.with space\n!DISABLED_S.x\n");
	cr_expect_eq(l.nscopes, 5, "a suite with no test is no scope");
	cr_expect_str_eq(l.scopes[l.v[3].scope], "Typed/0");
	listing_release(&l);
	strbuf_release(&names);
	strbuf_release(&why);
}

/*
 * Checks: the scope in the low half; in the high half 0 for a name the
 * filter selects alone, else 1 + its place among the runnable (not
 * disabled) tests: the duplicates, ':' and '-'.
 */
Test(gtest_list, checks_say_how_to_select)
{
	struct listing l = { 0 };
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT;
	/* runnable places: Pass 0, Fail 1, Default 2, IsSmall/0 3, été 4, dup 5, dup 6, colon 7, space 8 */
	static const uint32_t place[] = { 0, 0, 0, 0, 0, 0, 6, 7, 8, 0, 0 };

	cr_assert_eq(parse(json, "", 1, &l, &names, &why), 0, "%s", why.buf);
	for (size_t i = 0; i < l.n; i++) {
		cr_expect_eq(GT_CHECK_PLACE(l.v[i].check), place[i], "%s", l.v[i].name);
		cr_expect_eq(GT_CHECK_SCOPE(l.v[i].check), l.v[i].scope, "%s", l.v[i].name);
	}
	listing_release(&l);
	strbuf_release(&names);
	strbuf_release(&why);
}

Test(gtest_list, text_fallback)
{
	struct listing l = { 0 };
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT;
	const char *text = "Running main() from gtest_main.cc\nmain() ran.\n"
		"Basic.\n  Pass\n  DISABLED_Off\n"
		"Typed/2.  # TypeParam = std::string\n  Default\n"
		"S/StrParam.\n  Len/2  # GetParam() = \"\\xC3\"\n    As Text: \"\xc3\"\n  Len/3\n"
		"Odd Suite.\n  with space\n";

	cr_assert_eq(parse(NULL, text, 1, &l, &names, &why), 0, "%s", why.buf);
	cr_expect_str_eq(names.buf, "Basic.Pass\n!Basic.DISABLED_Off\nTyped/2.Default\nS/StrParam.Len/2\n"
			 "S/StrParam.Len/3\nOdd Suite.with space\n");
	listing_release(&l);
	strbuf_release(&names);
	strbuf_release(&why);
}

Test(gtest_list, what_is_no_listing)
{
	struct listing l = { 0 };
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT;

	cr_expect_eq(parse(NULL, "[==========] Running 2 tests\n[ RUN      ] A.b\n", 1, &l, &names, &why), -1);
	cr_expect(strstr(why.buf, "InitGoogleTest"), "%s", why.buf);
	listing_release(&l);
	strbuf_reset(&why);
	cr_expect_eq(parse(NULL, "This program contains tests written using Google Test. You can\n",
			   1, &l, &names, &why), -1);
	cr_expect(strstr(why.buf, "help"), "%s", why.buf);
	listing_release(&l);
	strbuf_reset(&why);
	cr_expect_eq(parse("{\"testsuites\": [", "", 1, &l, &names, &why), -1);
	cr_expect(strstr(why.buf, "does not parse"), "%s", why.buf);
	listing_release(&l);
	strbuf_reset(&why);
	cr_expect_eq(parse(NULL, "", 0, &l, &names, &why), -1, "died and listed nothing");
	listing_release(&l);
	strbuf_reset(&names);
	strbuf_reset(&why);
	/* a listing that died after it: its cases count */
	cr_expect_eq(parse(json, "", 0, &l, &names, &why), 0, "%s", why.buf);
	cr_expect_eq(l.n, 11);
	listing_release(&l);
	strbuf_release(&names);
	strbuf_release(&why);
}

/* Binaries built with gtest: libgtest.so, or gtest's symbols however they mangle. */
Test(gtest_list, recognise)
{
	static const char *const regs[] = {
		"_ZN7testing8internal23MakeAndRegisterTestInfoEPKcS2_S2_S2_NS0_12CodeLocationEPKvPFvvES7_PNS0_15TestFactoryBaseE",
		"_ZN7testing14InitGoogleTestEPiPPc", "_ZN7testing8UnitTest3RunEv", NULL,
	};
	struct strbuf notes = STRBUF_INIT;
	struct binary_facts f;

	for (int i = 0; regs[i]; i++) {
		facts_init(&f);
		f.is_elf = 1;
		facts_add_symbol(&f, "main", 1);
		facts_add_symbol(&f, regs[i], i == 1);
		facts_sort(&f);
		cr_expect_str_eq(adapter_recognise(&f, "t", &notes)->name, "gtest", "%s", regs[i]);
		facts_release(&f);
	}
	facts_init(&f);
	f.is_elf = 1;
	strvec_push(&f.needed, "libgtest.so.1.12.1");
	cr_expect_str_eq(adapter_recognise(&f, "t", &notes)->name, "gtest");
	facts_release(&f);
	facts_init(&f);	/* stripped: nothing to go by */
	f.is_elf = 1;
	strvec_push(&f.needed, "libstdc++.so.6");
	facts_add_symbol(&f, "_ZN7testing_not_gtest", 0);
	facts_sort(&f);
	cr_expect_str_eq(adapter_recognise(&f, "t", &notes)->name, "plain");
	cr_expect_eq(facts_symbol_prefix(&f, "_ZN7testing"), FACTS_REFERENCED);
	cr_expect_eq(facts_symbol_prefix(&f, "_ZN7testinh"), FACTS_ABSENT);
	facts_release(&f);
	strbuf_release(&notes);
}

Test(gtest_filter, matches_as_gtest)
{
	cr_expect(gtest_filter_match("*", "A.b"));
	cr_expect(gtest_filter_match("A.*", "A.b"));
	cr_expect(!gtest_filter_match("A.*", "AB.b"));
	cr_expect(gtest_filter_match("X.y:A.?", "A.b"));
	cr_expect(!gtest_filter_match("A.*-A.b", "A.b"));
	cr_expect(gtest_filter_match("A.*-A.b", "A.c"));
	cr_expect(gtest_filter_match("-A.b", "Z.z"), "an empty positive part before '-' is '*'");
	cr_expect(!gtest_filter_match("-A.b:Z.*", "Z.z"));
	cr_expect(!gtest_filter_match("", "A.b"), "an empty filter matches nothing");
	cr_expect(gtest_filter_match("*a*b*c", "xaxxbxcc"));
	cr_expect(!gtest_filter_match("Odd.colon:minus-", "Odd.colon:minus-"), "':' and '-' cannot be escaped");
	cr_expect(gtest_filter_match("Odd.colon?minus?", "Odd.colon:minus-"));
}

/* A listing of cases a.a, a.b, a.DISABLED_c, b.a, b.b for adopt_command. */
static void small_listing(struct listing *l)
{
	static const char *const names[] = { "a.a", "a.b", "a.DISABLED_c", "b.a", "b.b" };

	memset(l, 0, sizeof(*l));
	listing_scope(l, xstrdup("a"));
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		if (i == 3)
			listing_scope(l, xstrdup("b"));
		listing_test(l, xstrdup(names[i]), strstr(names[i], "DISABLED_") != NULL);
	}
	gtest_set_checks(l);
}

/* adopt_command on args and env; the filtered cases as "01001" into out. */
static int adopt(const char *const *args, const char *const *env, struct listing *l,
		 struct strvec *left, char *out, struct strbuf *why)
{
	struct strvec e = STRVEC_INIT;
	int ret;

	small_listing(l);
	for (; args && *args; args++)
		strvec_push(left, *args);
	for (; env && *env; env++)
		strvec_push(&e, *env);
	ret = gtest()->adopt_command(left, &e, l, why);
	for (size_t i = 0; i < l->n; i++)
		out[i] = l->v[i].filtered ? '1' : '0';
	out[l->n] = '\0';
	strvec_clear(&e);
	return ret;
}

Test(gtest_adopt, filter_flag_beats_the_variable)
{
	const char *const args[] = { "--data", "--gtest_filter=a.*-a.b", NULL };
	const char *const env[] = { "GTEST_FILTER=b.*", NULL };
	struct strvec left = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct listing l;
	char out[8];

	cr_assert_eq(adopt(args, env, &l, &left, out, &why), 0, "%s", why.buf);
	cr_expect_str_eq(out, "01011");
	cr_expect_eq(left.nr, 1, "the filter is balrun's now");
	cr_expect_str_eq(left.v[0], "--data");
	cr_expect_str_eq(why.buf, "--gtest_filter=a.*-a.b");
	listing_release(&l);
	strvec_clear(&left);
	strbuf_reset(&why);
	cr_assert_eq(adopt(NULL, env, &l, &left, out, &why), 0, "%s", why.buf);
	cr_expect_str_eq(out, "11100");
	cr_expect_str_eq(why.buf, "GTEST_FILTER=b.*");
	listing_release(&l);
	strvec_clear(&left);
	strbuf_release(&why);
}

/* CTest's gtest_discover_tests: one command per case. */
Test(gtest_adopt, one_case_per_command)
{
	const char *const args[] = { "--gtest_filter=b.a", "--gtest_also_run_disabled_tests", NULL };
	struct strvec left = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct listing l;
	char out[8];

	cr_assert_eq(adopt(args, NULL, &l, &left, out, &why), 0, "%s", why.buf);
	cr_expect_str_eq(out, "11101");
	cr_expect(!l.v[2].disabled, "its disabled cases run");
	cr_expect_eq(left.nr, 1);
	cr_expect_str_eq(left.v[0], "--gtest_also_run_disabled_tests=1");
	listing_release(&l);
	strvec_clear(&left);
	strbuf_release(&why);
}

Test(gtest_adopt, shards_and_what_runs_whole)
{
	const char *const shard[] = { "GTEST_TOTAL_SHARDS=2", "GTEST_SHARD_INDEX=1", NULL };
	const char *const bad_shard[] = { "GTEST_TOTAL_SHARDS=2", NULL };
	const char *const whole[][2] = { { "--gtest_fail_fast", NULL }, { "--gtest_repeat=3", NULL },
					 { "--gtest_list_tests", NULL }, { "--gtest_flagfile=f", NULL } };
	const char *const fast[] = { "GTEST_FAIL_FAST=1", NULL };
	struct strvec left = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	struct listing l;
	char out[8];

	/* runnable: a.a 0, a.b 1, b.a 2, b.b 3 (the disabled one is not counted) */
	cr_assert_eq(adopt(NULL, shard, &l, &left, out, &why), 0, "%s", why.buf);
	cr_expect_str_eq(out, "10010");
	cr_expect(strstr(why.buf, "shard 1 of 2"), "%s", why.buf);
	listing_release(&l);
	strbuf_reset(&why);
	cr_expect_eq(adopt(NULL, bad_shard, &l, &left, out, &why), 1);
	listing_release(&l);
	for (size_t i = 0; i < ARRAY_SIZE(whole); i++) {
		strbuf_reset(&why);
		strvec_clear(&left);
		cr_expect_eq(adopt(whole[i], NULL, &l, &left, out, &why), 1, "%s", whole[i][0]);
		cr_expect(strstr(why.buf, whole[i][0]), "%s", why.buf);
		listing_release(&l);
	}
	strvec_clear(&left);
	cr_expect_eq(adopt(NULL, fast, &l, &left, out, &why), 1);
	listing_release(&l);
	strvec_clear(&left);
	strbuf_release(&why);
}
