/*
 * test_cli.c - balrun's command-line parsing (runner/input/cli.c): defaults, every
 * flag, and a one-line error naming the flag for every bad value.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static enum cli_result parse(struct options *o, struct strbuf *err, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	strbuf_reset(err);
	return cli_parse(o, argc, argv, err);
}

/* At block scope: the parsed options keep pointers into it. */
#define ARGV(...) ((char *[]){ "balrun", __VA_ARGS__, NULL })

Test(cli, defaults)
{
	struct options o;
	struct strbuf err = STRBUF_INIT;
	char **argv = ARGV("bin");
	cr_assert_eq(parse(&o, &err, argv), CLI_RUN);
	cr_expect_eq(o.workers, 0, "auto by default");
	cr_expect_eq(o.failed_first, 1);
	cr_expect_eq(o.maxfail, 0);
	cr_expect_eq(o.smoke, -1);
	cr_expect_eq(o.collect_timeout, 30);
	cr_expect_eq(o.nbinaries, 1);
	cr_expect_str_eq(o.binaries[0], "bin");
	cli_release(&o);
	strbuf_release(&err);
}

Test(cli, every_flag)
{
	struct options o;
	struct strbuf err = STRBUF_INIT;
	char **argv = ARGV("a", "-n", "3", "-x", "-k", "foo", "-k", "not bar", "--lf", "--no-ff",
					  "--durations", "5", "--timeout", "2.5", "--collect-timeout", "4",
					  "--cache-dir", "/tmp/c", "--smoke", "0", "--json", "r.json", "-v", "-v",
					  "--color", "never", "b", "--", "-c");
	cr_assert_eq(parse(&o, &err, argv),
		  CLI_RUN, "%s", err.buf);
	cr_expect_eq(o.workers, 3);
	cr_expect_eq(o.maxfail, 1);
	cr_expect_eq(o.nkeywords, 2);
	cr_expect_str_eq(o.keywords[1], "not bar");
	cr_expect_eq(o.last_failed, 1);
	cr_expect_eq(o.failed_first, 0);
	cr_expect_eq(o.durations, 5);
	cr_expect_float_eq(o.timeout, 2.5, 1e-9);
	cr_expect_float_eq(o.collect_timeout, 4, 1e-9);
	cr_expect_str_eq(o.cache_dir, "/tmp/c");
	cr_expect_eq(o.smoke, 0);
	cr_expect_str_eq(o.json, "r.json");
	cr_expect_eq(o.verbose, 2);
	cr_expect_eq(o.color, 0);
	/* options after binaries are options; after -- everything is a binary */
	cr_assert_eq(o.nbinaries, 3);
	cr_expect_str_eq(o.binaries[0], "a");
	cr_expect_str_eq(o.binaries[1], "b");
	cr_expect_str_eq(o.binaries[2], "-c");
	cli_release(&o);
	strbuf_release(&err);
}

Test(cli, workers_values)
{
	struct options o;
	struct strbuf err = STRBUF_INIT;
	char **auto_argv = ARGV("-n", "auto", "b");
	cr_assert_eq(parse(&o, &err, auto_argv), CLI_RUN);
	cr_expect_eq(o.workers, 0);
	cli_release(&o);
	char **zero_argv = ARGV("-n", "0", "b");
	cr_assert_eq(parse(&o, &err, zero_argv), CLI_RUN);
	cr_expect_eq(o.workers, 1, "-n 0 runs in one worker");
	cli_release(&o);
	char **twelve_argv = ARGV("--workers=12", "b");
	cr_assert_eq(parse(&o, &err, twelve_argv), CLI_RUN);
	cr_expect_eq(o.workers, 12);
	cli_release(&o);
	strbuf_release(&err);
}

static void expect_error(char **argv, const char *needle)
{
	struct options o;
	struct strbuf err = STRBUF_INIT;
	cr_expect_eq(parse(&o, &err, argv), CLI_ERROR, "accepted, wanted an error about %s", needle);
	cr_expect(strstr(err.buf, needle), "error '%s' lacks '%s'", err.buf, needle);
	cr_expect(!strchr(err.buf, '\n'), "error is not one line: %s", err.buf);
	cli_release(&o);
	strbuf_release(&err);
}

Test(cli, bad_values_name_the_flag)
{
	expect_error(ARGV("-n", "lots"), "-n: 'lots'");
	expect_error(ARGV("-n", "-2"), "-n");
	expect_error(ARGV("-n", "5000"), "1024");
	expect_error(ARGV("-n"), "-n needs a value");
	expect_error(ARGV("--maxfail", "0"), "--maxfail: '0'");
	expect_error(ARGV("--maxfail", "2x"), "--maxfail: '2x'");
	expect_error(ARGV("--timeout", "0"), "--timeout: '0'");
	expect_error(ARGV("--timeout", "nan"), "--timeout: 'nan'");
	expect_error(ARGV("--timeout", "inf"), "--timeout: 'inf'");
	expect_error(ARGV("--collect-timeout", ""), "--collect-timeout");
	expect_error(ARGV("--durations", "-1"), "--durations");
	expect_error(ARGV("--smoke", "x"), "--smoke");
	expect_error(ARGV("--color", "sometimes"), "--color: 'sometimes'");
	expect_error(ARGV("--no-such-flag"), "--no-such-flag");
	expect_error(ARGV("-Z"), "-Z");
	expect_error(ARGV("--share-machine=0"), "--share-machine: '0' is not a number from 1 up, auto or no");
	expect_error(ARGV("--share-machine=many"), "--share-machine: 'many'");
}

/* --share-machine's value alone, or -99 when parsing failed. */
static int share_of(char **argv)
{
	struct options o;
	struct strbuf err = STRBUF_INIT;
	int v = parse(&o, &err, argv) == CLI_RUN ? o.share_machine : -99;

	cr_expect(v == -1 || o.share_given, "--share-machine was given");
	cli_release(&o);
	strbuf_release(&err);
	return v;
}

Test(cli, share_machine_values)
{
	cr_expect_eq(share_of(ARGV("bin")), -1, "off unless asked");
	cr_expect_eq(share_of(ARGV("--share-machine", "bin")), 0, "no value: the CPUs");
	cr_expect_eq(share_of(ARGV("--share-machine=auto", "bin")), 0);
	cr_expect_eq(share_of(ARGV("--share-machine=6", "bin")), 6);
	cr_expect_eq(share_of(ARGV("--share-machine=no", "bin")), -1);
}

Test(cli, help_and_version_exit_ok, .init = cr_redirect_stdout)
{
	struct options o;
	struct strbuf err = STRBUF_INIT;
	cr_expect_eq(parse(&o, &err, ARGV("--help")), CLI_EXIT_OK);
	cli_release(&o);
	cr_expect_eq(parse(&o, &err, ARGV("--version")), CLI_EXIT_OK);
	fflush(stdout);
	cr_expect_stdout_neq_str("");
	cli_release(&o);
	strbuf_release(&err);
}

Test(cli, automake_flags)
{
	struct options o;
	struct strbuf err = STRBUF_INIT;
	char **argv = ARGV("--automake", "build", "--no-log-compiler");

	cr_assert_eq(parse(&o, &err, argv), CLI_RUN, "%s", err.buf);
	cr_expect_str_eq(o.automake_dir, "build");
	cr_expect_eq(o.no_log_compiler, 1);
	cr_expect_eq(o.nbinaries, 0);
	cli_release(&o);
	strbuf_release(&err);
}
