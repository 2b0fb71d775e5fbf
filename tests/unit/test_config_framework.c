/*
 * test_config_framework.c - [framework "NAME"] sections of .balrun.conf
 * (runner/input/config-framework.c) read from real files through libgit2,
 * every mistake named with the file, its line and the key; and the
 * commands themselves (adapters/configured/configured.c): words, quotes,
 * placeholders, expansion, listings.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "configured.h"
#include "util.h"

static char dir[] = "/tmp/balrun-conffw.XXXXXX";

static void make_dir(void)
{
	cr_assert(mkdtemp(dir));
}

static void remove_dir(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd)) { /* left behind in /tmp */ }
	free(cmd);
}

TestSuite(conffw, .init = make_dir, .fini = remove_dir);

/* Read text as .balrun.conf: 0 or -1, the error in err. */
static int read_conf(const char *text, struct config *c, struct strbuf *err)
{
	char *path = xasprintf("%s/.balrun.conf", dir);
	struct marker_set s = MARKER_SET_INIT;
	FILE *f = fopen(path, "w");
	int ret;

	cr_assert(f);
	fputs(text, f);
	fclose(f);
	ret = config_read(c, path, ".balrun.conf", &s, err);
	marker_set_release(&s);
	free(path);
	return ret;
}

#define GOOD_HEAD "[balrun]\n\tworkers = 2\n[framework \"acme\"]\n\tbinaries = build/acme_* /opt/t/x\n" \
		  "\tlist = {bin} --enumerate\n"

Test(conffw, a_whole_section)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	cr_assert_eq(read_conf(GOOD_HEAD "\trun = {bin} --only {names:,} --out={junit}\n"
			       "\tresults = junit\n\tbatch = 20\n", &c, &err), 0, "%s", err.buf);
	cr_assert_eq(c.frameworks.n, 1);
	const struct conf_framework *f = &c.frameworks.v[0];
	cr_expect_str_eq(f->name, "acme");
	cr_assert_eq(f->binaries.nr, 2);
	cr_expect(strstr(f->binaries.v[0], "/build/acme_*") && f->binaries.v[0][0] == '/', "%s",
		  f->binaries.v[0]);
	cr_expect_str_eq(f->binaries.v[1], "/opt/t/x");
	cr_expect_eq(f->results, CONF_RESULTS_JUNIT);
	cr_expect_eq(f->batch, 20);
	cr_assert_eq(f->run.nr, 4);
	cr_expect_str_eq(f->run.v[2], "{names:,}");
	cr_expect(strstr(f->run_where, "'.balrun.conf' line 6: framework.acme.run"), "%s", f->run_where);
	char *match = xasprintf("%s/build/acme_one", dir);
	cr_expect_eq(conf_frameworks_match(&c.frameworks, match), f);
	cr_expect_null(conf_frameworks_match(&c.frameworks, "/elsewhere/acme_one"));
	free(match);
	config_release(&c);
	strbuf_release(&err);
}

/* text must fail with an error containing each of the NULL-terminated words. */
static void bad(const char *text, const char *const *words)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	cr_expect_eq(read_conf(text, &c, &err), -1, "accepted: %s", text);
	for (size_t i = 0; words[i]; i++)
		cr_expect(strstr(err.buf, words[i]), "'%s' not in: %s", words[i], err.buf);
	cr_expect_null(strchr(err.buf, '\n'), "one line: %s", err.buf);
	config_release(&c);
	strbuf_release(&err);
}

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test(conffw, every_mistake_named_with_file_line_and_key)
{
	bad(GOOD_HEAD "\trun = {bin} {names}\n\tresults = xml\n",
	    W("'.balrun.conf' line 7: framework.acme.results", "'xml' is not one of exitcode, tap, junit"));
	bad(GOOD_HEAD "\trun = {bin} --all\n\tresults = tap\n",
	    W("line 6: framework.acme.run", "one {names} or {names:SEP}"));
	bad(GOOD_HEAD "\trun = {bin} {names} {names}\n\tresults = tap\n", W("framework.acme.run", "not 2"));
	bad(GOOD_HEAD "\trun = {bin} {names}\n\tresults = junit\n", W("framework.acme.run", "{junit}"));
	bad(GOOD_HEAD "\trun = {bin} {names} {junit}\n\tresults = tap\n", W("framework.acme.run", "not junit"));
	bad(GOOD_HEAD "\trun = {bin} {nmes}\n\tresults = tap\n",
	    W("line 6: framework.acme.run", "unknown placeholder '{nmes}'"));
	bad(GOOD_HEAD "\trun = {bin} --x={names}\n\tresults = tap\n", W("framework.acme.run", "a word of its own"));
	bad(GOOD_HEAD "\trun = {bin} '{names}\n\tresults = tap\n", W("framework.acme.run", "unclosed ' quote"));
	bad(GOOD_HEAD "\trun = {bin} {names\n\tresults = tap\n", W("framework.acme.run", "unclosed placeholder"));
	bad(GOOD_HEAD "\trun = no-such-program-here {bin} {names}\n\tresults = tap\n",
	    W("framework.acme.run", "'no-such-program-here' is not found on PATH"));
	bad(GOOD_HEAD "\trun = {bin} {names}\n\tresults = tap\n\tbatch = 0\n",
	    W("line 8: framework.acme.batch", "'0' is not a number"));
	bad(GOOD_HEAD "\trun = {bin} {names}\n\tresults = tap\n\tcolour = red\n",
	    W("line 8: framework.acme.colour", "unknown key"));
	bad(GOOD_HEAD "\tresults = tap\n", W("'.balrun.conf' line 3: [framework \"acme\"]", "no run command"));
	bad(GOOD_HEAD "\trun = {bin} {names}\n", W("line 3: [framework \"acme\"]", "no results kind"));
	bad("[framework \"acme\"]\n\tlist = {bin}\n\trun = {bin} {names}\n\tresults = tap\n",
	    W("[framework \"acme\"]", "no binaries"));
	bad("[framework \"acme\"]\n\tbinaries = x\n\tlist = /bin/true\n\trun = {bin} {names}\n\tresults = tap\n",
	    W("line 3: framework.acme.list", "no {bin}"));
	bad("[framework \"acme\"]\n\tbinaries = x\n\tlist = {bin} {names}\n\trun = {bin} {names}\n"
	    "\tresults = tap\n", W("framework.acme.list", "takes no {names}"));
}

Test(conffw, programs_become_absolute)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	cr_assert_eq(read_conf("[framework \"t\"]\n\tbinaries = x\n\tlist = sh -c 'exec \"$0\" -l' {bin}\n"
			       "\trun = tools/run.sh {bin} {names}\n\tresults = exitcode\n", &c, &err), 0,
		     "%s", err.buf);
	const struct conf_framework *f = &c.frameworks.v[0];
	cr_expect_eq(f->list.v[0][0], '/', "sh found on PATH: %s", f->list.v[0]);
	/* git-config syntax ate the double quotes; single quotes are ours */
	cr_expect_str_eq(f->list.v[2], "exec $0 -l", "single quotes keep a word");
	char *want = xasprintf("%s/tools/run.sh", dir);
	cr_expect_str_eq(f->run.v[0], want, "relative to the file's directory");
	free(want);
	config_release(&c);
	strbuf_release(&err);
}

Test(conffw, expansion)
{
	char *words[] = { "{bin}", "--only={names:, }", "{names}", "{{x}}", "-o", "{junit}.xml" };
	char *names[] = { "a/b", "c d" };
	struct conf_subst sub = { .bin = "/t/bin", .names = names, .nnames = 2, .junit = "/tmp/j" };
	struct strvec argv = STRVEC_INIT;
	struct strbuf err = STRBUF_INIT;
	unsigned used, n;

	cr_assert_eq(conf_command_scan(words, 6, &used, &n, &err), 0, "%s", err.buf);
	cr_expect_eq(used, CONF_PH_BIN | CONF_PH_NAMES | CONF_PH_JUNIT);
	cr_expect_eq(n, 2);
	conf_command_expand(words, 6, &sub, &argv);
	cr_assert_eq(argv.nr, 7);
	cr_expect_str_eq(argv.v[0], "/t/bin");
	cr_expect_str_eq(argv.v[1], "--only=a/b, c d");
	cr_expect_str_eq(argv.v[2], "a/b");
	cr_expect_str_eq(argv.v[3], "c d", "one argument per name, blanks and all");
	cr_expect_str_eq(argv.v[4], "{x}");
	cr_expect_str_eq(argv.v[6], "/tmp/j.xml");
	strvec_clear(&argv);
	strbuf_release(&err);
}

Test(conffw, listings)
{
	static const char out[] = "  math/add \nmath/sub\r\n\n io/x\nmath/mul\nlonely\n";
	struct conf_framework f = { .list_where = "'.balrun.conf' line 5: framework.t.list",
				    .results = CONF_RESULTS_TAP };
	struct listing_output o = { .id = "t", .out = out, .out_len = sizeof(out) - 1, .exited_zero = 1 };
	struct listing l = { 0 };
	struct strbuf why = STRBUF_INIT;

	cr_assert_eq(conf_parse_listing(&f, &o, &l, &why), 0, "%s", why.buf);
	cr_assert_eq(l.n, 5);
	cr_expect_str_eq(l.v[0].name, "math/add");
	cr_expect_str_eq(l.v[2].name, "io/x");
	cr_assert_eq(l.nscopes, 4, "math, io, math again, and the empty scope");
	cr_expect_str_eq(l.scopes[l.v[1].scope], "math");
	cr_expect_str_eq(l.scopes[l.v[4].scope], "");
	listing_release(&l);

	f.results = CONF_RESULTS_EXITCODE;
	cr_assert_eq(conf_parse_listing(&f, &o, &l, &why), 0);
	cr_expect_eq(l.nscopes, 5, "exitcode: one process per case, a scope each");
	listing_release(&l);

	o.exited_zero = 0;
	cr_expect_eq(conf_parse_listing(&f, &o, &l, &why), -1);
	cr_expect(strstr(why.buf, "framework.t.list"), "%s", why.buf);
	listing_release(&l);
	strbuf_release(&why);
}
