/*
 * test_adapter_glib.c - the GLib adapter (adapters/glib/) without running
 * a binary: recognising GTest binaries from their symbols, the listing
 * command, reading the --GTestLogFD records of a listing (exact names,
 * suites as scopes, paths that are also suites, damaged records), adopting
 * a registered command's -p/-s/-x/-r arguments, and matching the names GLib
 * prints in TAP lines (non-ASCII shown as '?').
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "adapter.h"
#include "adapter-facts.h"
#include "glib-internal.h"
#include "preload.h"
#include "util.h"

TestSuite(glib);

static const struct adapter *glib(void)
{
	return adapter_by_name("glib");
}

Test(glib, recognised_by_g_test_init_and_g_test_run)
{
	struct binary_facts f;
	const char *const main_only[] = { "main", NULL };
	const char *const gtest[] = { "g_test_init", "g_test_run", "g_test_add_func", NULL };
	const char *const suite_run[] = { "g_test_init", "g_test_run_suite", NULL };
	const char *const glib_only[] = { "g_main_loop_new", "g_print", NULL };

	test_facts(&f, "libglib-2.0.so.0", main_only, gtest);          /* dynamic: U symbols, stripped too */
	cr_expect_str_eq(test_recognised(&f, NULL), "glib");
	test_facts(&f, NULL, gtest, NULL);                             /* static: defined */
	cr_expect_str_eq(test_recognised(&f, NULL), "glib");
	test_facts(&f, "libglib-2.0.so.0", main_only, suite_run);
	cr_expect_str_eq(test_recognised(&f, NULL), "glib");
	test_facts(&f, "libglib-2.0.so.0", main_only, glib_only);      /* any GLib program: not a test */
	cr_expect_str_eq(test_recognised(&f, NULL), "plain");
}

Test(glib, lists_with_a_log_fd)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	char want[64];

	glib()->list_command(&argv, &env);
	snprintf(want, sizeof(want), "--GTestLogFD=%d", PRELOAD_EVENT_FD);
	cr_assert_eq(argv.nr, 2);
	cr_expect_str_eq(argv.v[0], "-l");
	cr_expect_str_eq(argv.v[1], want);
	strvec_clear(&argv);
	strvec_clear(&env);
}

static void be32(struct strbuf *sb, uint32_t v)
{
	unsigned char b[4] = { v >> 24, v >> 16, v >> 8, v };

	strbuf_add(sb, b, 4);
}

/* One record as GLib writes it: type, strings, n_nums zero doubles. */
static void record(struct strbuf *sb, uint32_t type, const char *s1, const char *s2, uint32_t nnums)
{
	struct strbuf body = STRBUF_INIT;
	const char *strs[2] = { s1, s2 };
	uint32_t nstr = (s1 != NULL) + (s1 && s2);

	be32(&body, type);
	be32(&body, nstr);
	be32(&body, nnums);
	be32(&body, 0);
	for (uint32_t i = 0; i < nstr; i++) {
		be32(&body, (uint32_t)strlen(strs[i]));
		strbuf_adds(&body, strs[i]);
	}
	for (uint32_t i = 0; i < nnums; i++)
		strbuf_add(&body, "\0\0\0\0\0\0\0\0", 8);
	be32(sb, (uint32_t)body.len + 4);
	strbuf_add(sb, body.buf, body.len);
	strbuf_release(&body);
}

static int parse(const struct strbuf *events, int exited_zero, struct listing *l, struct strbuf *why)
{
	struct strbuf notes = STRBUF_INIT;
	struct listing_output o = { .id = "t", .out = "/odd/?t?\n", .out_len = 9, .events = events->buf,
				    .events_len = events->len, .exited_zero = exited_zero,
				    .status = exited_zero ? "exit 0" : "killed by SIGTRAP" };
	int ret = glib()->parse_listing(&o, l, why, &notes);

	strbuf_release(&notes);
	return ret;
}

Test(glib, listing_records_give_exact_names_suites_and_suite_paths)
{
	struct strbuf ev = STRBUF_INIT, why = STRBUF_INIT;
	struct listing l = { 0 };

	record(&ev, 2, "t", "R02Sseed", 0);            /* START_BINARY */
	record(&ev, 10, "", NULL, 0);                   /* START_SUITE */
	record(&ev, GL_LOG_LIST_CASE, "/odd", NULL, 0);
	record(&ev, GL_LOG_LIST_CASE, "/basic/pass", NULL, 0);
	record(&ev, GL_LOG_LIST_CASE, "/basic/fail", NULL, 0);
	record(&ev, GL_LOG_LIST_CASE, "/odd/\xc3\xa9t\xc3\xa9", NULL, 0);
	record(&ev, GL_LOG_LIST_CASE, "/odd/deep/x", NULL, 0);
	record(&ev, GL_LOG_LIST_CASE, "/basic/pass", NULL, 0);   /* a repeated -p lists it again */
	record(&ev, 6, "/basic/pass", NULL, 3);        /* STOP_CASE with numbers */
	cr_assert_eq(parse(&ev, 1, &l, &why), 0, "%s", why.buf);
	cr_assert_eq(l.n, 5);
	cr_expect_str_eq(l.v[0].name, "/odd");
	cr_expect_str_eq(l.v[3].name, "/odd/\xc3\xa9t\xc3\xa9");
	cr_expect_str_eq(l.v[4].name, "/odd/deep/x");
	cr_assert_eq(l.nscopes, 4);
	cr_expect_str_eq(l.scopes[l.v[0].scope], "/");
	cr_expect_str_eq(l.scopes[l.v[1].scope], "/basic");
	cr_expect_eq(l.v[1].scope, l.v[2].scope);
	cr_expect_str_eq(l.scopes[l.v[3].scope], "/odd");
	cr_expect_str_eq(l.scopes[l.v[4].scope], "/odd/deep");
	cr_expect_eq(l.v[0].check, GL_CHECK_SUITE, "/odd is also the suite of /odd/été");
	for (size_t i = 1; i < l.n; i++)
		cr_expect_eq(l.v[i].check, 0, "%s", l.v[i].name);
	listing_release(&l);
	strbuf_release(&ev);
	strbuf_release(&why);
}

Test(glib, damaged_records_and_a_failed_listing_are_errors)
{
	struct strbuf ev = STRBUF_INIT, why = STRBUF_INIT;
	struct listing l = { 0 };

	record(&ev, GL_LOG_LIST_CASE, "/a", NULL, 0);
	strbuf_setlen(&ev, ev.len - 1);                 /* cut short */
	cr_expect_eq(parse(&ev, 1, &l, &why), -1);
	cr_expect(strstr(why.buf, "damaged"), "%s", why.buf);
	listing_release(&l);
	strbuf_reset(&ev);
	strbuf_reset(&why);
	cr_expect_eq(parse(&ev, 0, &l, &why), -1, "a duplicate path is fatal in GLib, before any listing");
	cr_expect(strstr(why.buf, "killed by SIGTRAP"), "%s", why.buf);
	listing_release(&l);
	strbuf_reset(&why);
	record(&ev, GL_LOG_LIST_CASE, "/a", NULL, 0);   /* main() returned non-zero after listing */
	cr_expect_eq(parse(&ev, 0, &l, &why), 0, "%s", why.buf);
	cr_expect_eq(l.n, 1);
	listing_release(&l);
	strbuf_reset(&ev);
	strbuf_reset(&why);
	cr_expect_eq(parse(&ev, 1, &l, &why), 0, "no test at all is a listing");
	cr_expect_eq(l.n, 0);
	listing_release(&l);
	strbuf_release(&ev);
	strbuf_release(&why);
}

/* A listing of these paths, the command's arguments adopted; the remaining arguments joined by ' '. */
static int adopt(const char *const *paths, const char *const *args, struct listing *l,
		 struct strbuf *kept, struct strbuf *why)
{
	struct strvec a = STRVEC_INIT, env = STRVEC_INIT;
	int ret;

	listing_scope(l, xstrdup("/"));
	for (; *paths; paths++)
		listing_test(l, xstrdup(*paths), 0);
	for (; *args; args++)
		strvec_push(&a, *args);
	ret = glib()->adopt_command(&a, &env, l, why);
	for (size_t i = 0; i < a.nr; i++)
		strbuf_addf(kept, "%s%s", i ? " " : "", a.v[i]);
	strvec_clear(&a);
	strvec_clear(&env);
	return ret;
}

Test(glib, adopts_the_commands_own_choice)
{
	const char *const paths[] = { "/a/x", "/a/y", "/ab/z", "/b/w", NULL };
	const char *const args[] = { "--seed=R02S1", "-p", "/a", "-s", "/a/y", "-x=/ab", "-m", "slow",
				     "--GTestSkipCount", "2", "-r=/b", "--GTestLogFD", "9", "-k", NULL };
	struct strbuf kept = STRBUF_INIT, why = STRBUF_INIT;
	struct listing l = { 0 };

	cr_assert_eq(adopt(paths, args, &l, &kept, &why), 0);
	cr_expect_str_eq(kept.buf, "--seed=R02S1 -m slow -k");
	cr_expect(!l.v[0].filtered);
	cr_expect(l.v[1].filtered, "-s /a/y");
	cr_expect(l.v[2].filtered, "-x /ab is a byte prefix");
	cr_expect(!l.v[3].filtered);
	cr_expect_str_eq(why.buf, "-s /a/y, -x /ab");
	listing_release(&l);
	strbuf_release(&kept);
	strbuf_release(&why);
}

Test(glib, a_listing_command_runs_whole)
{
	const char *const paths[] = { "/a", NULL };
	const char *const args[] = { "-l", NULL };
	struct strbuf kept = STRBUF_INIT, why = STRBUF_INIT;
	struct listing l = { 0 };

	cr_expect_eq(adopt(paths, args, &l, &kept, &why), 1);
	cr_expect_str_eq(why.buf, "its arguments have -l");
	listing_release(&l);
	strbuf_release(&kept);
	strbuf_release(&why);
}

static int matches(const char *expected, const char *shown, size_t *used)
{
	return gl_name_matches(expected, shown, strlen(shown), used);
}

Test(glib, names_as_glib_prints_them)
{
	size_t used = 0;

	cr_expect(matches("/basic/pass", "/basic/pass", &used));
	cr_expect_eq(used, 11);
	cr_expect(matches("/basic/pass", "/basic/pass # SKIP x", &used));
	cr_expect_eq(used, 11);
	cr_expect(matches("/odd/\xc3\xa9t\xc3\xa9", "/odd/?t?", &used), "a C locale: one '?' a character");
	cr_expect_eq(used, 8);
	cr_expect(matches("/odd/\xc3\xa9t\xc3\xa9", "/odd/\xc3\xa9t\xc3\xa9", &used));
	cr_expect(matches("/q/\xe2\x82\xac", "/q/?", &used), "a 3-byte character");
	cr_expect(matches("/odd/star*q?", "/odd/star*q?", &used));
	cr_expect(!matches("/basic/pass", "/basic/pas", &used));
	cr_expect(!matches("/odd/\xc3\xa9", "/odd/x", &used));
	cr_expect(!matches("/a/b", "/a/c", &used));
}
