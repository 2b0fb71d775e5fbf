/*
 * test_adapter_acutest.c - the acutest adapter without running a binary:
 * recognising an acutest binary from its facts, reading its --list through
 * adapter->parse_listing (the checks that tell the worker each test's place
 * and whether a name can select it), acutest's own name matching, and a
 * registered command's own choice of tests through adapter->adopt_command.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "util.h"
#include "../../adapters/acutest/acutest-internal.h"

static const struct adapter *acutest(void)
{
	return adapter_by_name("acutest");
}

/* Parse a listing; names as "name\n" lines, "!" before unreachable ones. */
static int parse(const char *text, int exited_zero, struct listing *l, struct strbuf *names,
		 struct strbuf *why, struct strbuf *notes)
{
	struct listing_output o = { .id = "t", .out = text, .out_len = strlen(text), .events = "",
				    .exited_zero = exited_zero,
				    .status = exited_zero ? "exit status 0" : "SIGSEGV" };
	int ret = acutest()->parse_listing(&o, l, why, notes);

	for (size_t i = 0; !ret && i < l->n; i++)
		strbuf_addf(names, "%s%s\n", l->v[i].check & ACU_CHECK_UNREACHABLE ? "!" : "", l->v[i].name);
	return ret;
}

static const char listing[] = "a banner from a constructor\n"
	"Unit tests:\n  pass\n  with space\n  -dash\n  \xc3\xa9t\xc3\xa9\n  dup\n  pass extended\n  dup\n"
	"  dup\n";

Test(acutest_list, names_places_and_duplicates)
{
	struct listing l = { 0 };
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT, notes = STRBUF_INIT;

	cr_assert_eq(parse(listing, 1, &l, &names, &why, &notes), 0, "%s", why.buf);
	cr_expect_str_eq(names.buf, "pass\nwith space\n-dash\n\xc3\xa9t\xc3\xa9\ndup\npass extended\n!dup\n!dup\n");
	for (size_t i = 0; i < l.n; i++) {
		cr_expect_eq(ACU_CHECK_PLACE(l.v[i].check), i);
		cr_expect_eq(l.v[i].scope, 0);
		cr_expect_not(l.v[i].disabled);
	}
	cr_expect_eq(l.nscopes, 1);
	cr_expect(strstr(notes.buf, "2 tests repeat an earlier test's name"), "%s", notes.buf);
	listing_release(&l);
	strbuf_release(&names);
	strbuf_release(&why);
	strbuf_release(&notes);
}

Test(acutest_list, what_is_no_listing)
{
	struct listing l = { 0 };
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT, notes = STRBUF_INIT;

	cr_expect_eq(parse("Test pass...    [ OK ]\n", 1, &l, &names, &why, &notes), -1);
	cr_expect(strstr(why.buf, "Unit tests:"), "%s", why.buf);
	listing_release(&l);
	cr_expect_eq(parse("Unit tests:\n", 1, &l, &names, &why, &notes), 0, "an empty list is a list");
	cr_expect_eq(l.n, 0);
	listing_release(&l);
	/* a listing that died after it: its tests count, with a note */
	cr_expect_eq(parse("Unit tests:\n  a\n  b\n", 0, &l, &names, &why, &notes), 0);
	cr_expect_eq(l.n, 2);
	cr_expect(strstr(notes.buf, "ended with SIGSEGV"), "%s", notes.buf);
	listing_release(&l);
	strbuf_release(&names);
	strbuf_release(&why);
	strbuf_release(&notes);
}

/* acutest_list_ (TEST_LIST) or its check and message functions; stripped: plain. */
Test(acutest_list, recognise)
{
	struct strbuf notes = STRBUF_INIT;
	struct binary_facts f;

	facts_init(&f);
	f.is_elf = 1;
	facts_add_symbol(&f, "acutest_list_", 1);
	facts_sort(&f);
	cr_expect_str_eq(adapter_recognise(&f, "t", &notes)->name, "acutest");
	facts_release(&f);
	facts_init(&f);
	f.is_elf = 1;
	facts_add_symbol(&f, "acutest_check_", 1);
	facts_add_symbol(&f, "acutest_message_", 1);
	facts_sort(&f);
	cr_expect_str_eq(adapter_recognise(&f, "t", &notes)->name, "acutest");
	facts_release(&f);
	facts_init(&f);	/* only a reference: some other program calling into an acutest library */
	f.is_elf = 1;
	facts_add_symbol(&f, "acutest_list_", 0);
	facts_sort(&f);
	cr_expect_str_eq(adapter_recognise(&f, "t", &notes)->name, "plain");
	facts_release(&f);
	strbuf_release(&notes);
}

/* acutest's three tiers: exact (the first of the name), else whole words, else substrings. */
Test(acutest_list, selects_as_acutest)
{
	char *names[] = { "pass", "pass extended", "xpass", "assert", "dup", "dup", "a-b c" };
	size_t n = ARRAY_SIZE(names);

	cr_expect(acutest_selects(names, n, 0, "pass"));
	cr_expect_not(acutest_selects(names, n, 1, "pass"), "an exact name selects only itself");
	cr_expect(acutest_selects(names, n, 1, "extended"));
	cr_expect_not(acutest_selects(names, n, 2, "extended"));
	cr_expect(acutest_selects(names, n, 0, "ass"), "substring");
	cr_expect(acutest_selects(names, n, 3, "ass"));
	cr_expect_not(acutest_selects(names, n, 4, "ass"));
	cr_expect(acutest_selects(names, n, 4, "dup"));
	cr_expect_not(acutest_selects(names, n, 5, "dup"), "only the first of a name");
	cr_expect(acutest_selects(names, n, 6, "b"), "'-' and ' ' delimit words");
	cr_expect_not(acutest_selects(names, n, 0, "b"));
	cr_expect_not(acutest_selects(names, n, 0, "nosuch"));
}

static void adopt(const char *const *args, size_t nargs, struct listing *l, struct strbuf *kept,
		  struct strbuf *why)
{
	struct strvec a = STRVEC_INIT, env = STRVEC_INIT;

	for (size_t i = 0; i < nargs; i++)
		strvec_push(&a, args[i]);
	cr_assert_eq(acutest()->adopt_command(&a, &env, l, why), 0);
	for (size_t i = 0; i < a.nr; i++)
		strbuf_addf(kept, "%s ", a.v[i]);
	strvec_clear(&a);
}

static char *filtered(const struct listing *l)
{
	struct strbuf b = STRBUF_INIT;

	for (size_t i = 0; i < l->n; i++)
		strbuf_addch(&b, l->v[i].filtered ? '-' : '+');
	return strbuf_detach(&b, NULL);
}

/* Names choose tests, -X turns the choice round, acutest's options go: balrun passes its own. */
Test(acutest_adopt, names_exclude_and_options)
{
	static const char *const none[] = { "--tap", "-v", "--exec=never", "-x", "out.xml" };
	static const char *const some[] = { "-E", "extended", "--", "-dash", "\xc3\xa9t\xc3\xa9" };
	static const char *const excl[] = { "--exclude", "dup", "--xml-output=x.xml" };
	struct listing l = { 0 };
	struct strbuf names = STRBUF_INIT, why = STRBUF_INIT, notes = STRBUF_INIT, kept = STRBUF_INIT;
	char *f;

	cr_assert_eq(parse(listing, 1, &l, &names, &why, &notes), 0);
	adopt(none, ARRAY_SIZE(none), &l, &kept, &why);
	cr_expect_str_eq(kept.buf, "", "options are dropped");
	cr_expect_str_eq(f = filtered(&l), "++++++++", "no name: every test");
	free(f);
	adopt(some, ARRAY_SIZE(some), &l, &kept, &why);
	cr_expect_str_eq(f = filtered(&l), "--++-+--");
	free(f);
	adopt(excl, ARRAY_SIZE(excl), &l, &kept, &why);
	cr_expect_str_eq(f = filtered(&l), "++++-+++", "-X dup leaves out the first dup only");
	free(f);
	cr_expect_str_eq(kept.buf, "");
	listing_release(&l);
	strbuf_release(&names);
	strbuf_release(&why);
	strbuf_release(&notes);
	strbuf_release(&kept);
}
