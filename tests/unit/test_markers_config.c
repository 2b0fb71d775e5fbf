/*
 * test_markers_config.c - .balrun.conf (runner/input/config.c) and --shard values
 * (runner/plan/shard.c): options and markers read from a real file through
 * libgit2, every bad key or value named with the file, binaries globs,
 * command line beating the file, and every --shard form and mistake.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "shard.h"
#include "util.h"
#include "workers.h"

static char dir[] = "/tmp/balrun-conf.XXXXXX";

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

TestSuite(config, .init = make_dir, .fini = remove_dir);

static char *write_file(const char *name, const char *text, mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
	return path;
}

static int read_conf(const char *text, struct config *c, struct marker_set *s, struct strbuf *err)
{
	char *path = write_file(".balrun.conf", text, 0644);
	int ret = config_read(c, path, ".balrun.conf", s, err);
	free(path);
	return ret;
}

Test(config, options_and_markers)
{
	struct config c;
	struct marker_set s = MARKER_SET_INIT;
	struct strbuf err = STRBUF_INIT;

	cr_assert_eq(read_conf("# comment\n[balrun]\n\tworkers = 3\n\ttimeout = 7.5\n"
			       "\tbinaries = build/t_* other\n\tbinaries = third\n"
			       "[group \"Db.Main\"]\n\ttests = a::db/* b::db/*\n"
			       "[serial]\n\ttests = *::perf/*\n[lock \"port\"]\n\ttests = *::net/*\n"
			       "[weight \"4\"]\n\ttests = *::heavy/*\n[timeout \"90\"]\n\ttests = *::slow/*\n",
			       &c, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(c.workers, 3);
	cr_expect_eq(c.timeout, 7.5);
	cr_expect_eq(c.binaries.nr, 3);
	cr_expect_str_eq(c.binaries.v[1], "other");
	cr_expect_str_eq(c.dir, dir);
	cr_assert_eq(s.nr, 6);
	cr_expect_str_eq(s.v[0].name, "Db.Main", "subsections keep their case and dots");
	cr_expect_str_eq(s.v[1].pattern, "b::db/*");
	cr_expect_str_eq(s.v[1].where, ".balrun.conf: group.Db.Main.tests = b::db/*");
	cr_expect_eq(s.v[1].origin, MARKER_FROM_CONFIG);
	cr_expect_eq(s.v[2].kind, MARKER_SERIAL);
	cr_expect_str_eq(s.v[3].name, "port");
	cr_expect_eq(s.v[4].value, 4);
	cr_expect_eq(s.v[5].value, 90);
	config_release(&c);
	marker_set_release(&s);
	strbuf_release(&err);
}

static void expect_bad(const char *text, const char *needle)
{
	struct config c;
	struct marker_set s = MARKER_SET_INIT;
	struct strbuf err = STRBUF_INIT;

	cr_expect_eq(read_conf(text, &c, &s, &err), -1, "accepted: %s", text);
	cr_expect(strstr(err.buf, needle), "'%s' lacks '%s'", err.buf, needle);
	cr_expect(strstr(err.buf, ".balrun.conf"), "names the file: %s", err.buf);
	config_release(&c);
	marker_set_release(&s);
	strbuf_release(&err);
}

Test(config, bad_keys_and_values)
{
	expect_bad("[balrun]\nworker = 3\n", "unknown key 'balrun.worker'");
	expect_bad("[groups \"x\"]\ntests = a\n", "unknown key 'groups.x.tests'");
	expect_bad("[group \"x\"]\ntest = a\n", "unknown key 'group.x.test'");
	expect_bad("[group]\ntests = a\n", "unknown key 'group.tests'");
	expect_bad("[serial \"x\"]\ntests = a\n", "unknown key 'serial.x.tests'");
	expect_bad("[balrun \"x\"]\nworkers = 2\n", "unknown key 'balrun.x.workers'");
	expect_bad("[balrun]\nworkers = lots\n", "balrun.workers: 'lots' is neither a whole number nor auto");
	expect_bad("[balrun]\ntimeout = 0\n", "balrun.timeout: '0' is not a positive number of seconds");
	expect_bad("[weight \"heavy\"]\ntests = a\n", "weight 'heavy' is not a whole number");
	expect_bad("[timeout \"soon\"]\ntests = a\n", "timeout 'soon' is not a positive number");
	expect_bad("[lock \"l\"]\ntests\n", "'lock.l.tests' has no value");
	expect_bad("[group \"x\"\ntests = a\n", "cannot read '.balrun.conf'");
}

Test(config, missing_file_is_an_error_when_named)
{
	struct config c;
	struct marker_set s = MARKER_SET_INIT;
	struct strbuf err = STRBUF_INIT;

	cr_expect_eq(config_read(&c, "/nonexistent/x.conf", "/nonexistent/x.conf", &s, &err), -1);
	cr_expect(strstr(err.buf, "cannot read '/nonexistent/x.conf'"), "%s", err.buf);
	config_release(&c);
	strbuf_release(&err);
}

Test(config, binaries_globs_are_relative_to_the_file)
{
	struct config c = { 0 };
	struct strvec out = STRVEC_INIT;
	struct strbuf err = STRBUF_INIT;
	char *sub = xasprintf("%s/build", dir);

	cr_assert_eq(mkdir(sub, 0755), 0);
	free(write_file("build/t_b", "#!/bin/sh\n", 0755));
	free(write_file("build/t_a", "#!/bin/sh\n", 0755));
	free(write_file("build/t_a.c", "int x;\n", 0644));
	c.dir = sub;
	c.display = ".balrun.conf";
	strvec_push(&c.binaries, "t_*");
	cr_assert_eq(config_binaries(&c, &out, &err), 0, "%s", err.buf);
	cr_assert_eq(out.nr, 2, "the non-executable t_a.c is left out");
	cr_expect(strstr(out.v[0], "/build/t_a") && strstr(out.v[1], "/build/t_b"), "sorted: %s %s",
		  out.v[0], out.v[1]);
	strvec_push(&c.binaries, "nothing_*");
	cr_expect_eq(config_binaries(&c, &out, &err), -1);
	cr_expect_str_eq(err.buf, "'.balrun.conf': balrun.binaries: 'nothing_*' matches no executable file "
			 "(are the tests built?)");
	strvec_clear(&out);
	strvec_clear(&c.binaries);
	free(sub);
	strbuf_release(&err);
}

static int apply(struct options *o, const char *conf, struct strvec *bins, struct marker_set *s,
		 struct strbuf *err)
{
	struct repo_info repo = { .root = dir };
	char *path = write_file("my.conf", conf, 0644);
	int ret;

	o->config = path;
	ret = config_apply(o, &repo, bins, NULL, s, err);
	o->config = NULL;
	free(path);
	return ret;
}

Test(config, command_line_beats_the_file)
{
	struct options o = { 0 };
	struct strvec bins = STRVEC_INIT;
	struct marker_set s = MARKER_SET_INIT;
	struct strbuf err = STRBUF_INIT;
	char *argv0 = "given";
	const char *conf = "[balrun]\nworkers = 3\ntimeout = 9\nbinaries = t_x\n[serial]\ntests = *\n";

	free(write_file("t_x", "#!/bin/sh\n", 0755));
	unsetenv("BALRUN_WORKERS");
	cr_assert_eq(apply(&o, conf, &bins, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(workers_resolve(o.workers_given, o.workers, o.config_workers, &err), 3);
	cr_expect_eq(o.timeout, 9);
	cr_assert_eq(o.nbinaries, 1, "no binaries given: the file's");
	cr_expect(strstr(o.binaries[0], "/t_x"));
	cr_expect_eq(s.nr, 1);

	memset(&o, 0, sizeof(o));
	o.workers_given = 1;
	o.timeout = 2;
	o.binaries = &argv0;
	o.nbinaries = 1;
	strvec_push(&o.marker_args, "--lock");
	strvec_push(&o.marker_args, "l=*");
	cr_assert_eq(apply(&o, conf, &bins, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(o.workers, 0, "-n auto was given");
	cr_expect_eq(o.timeout, 2);
	cr_expect_str_eq(o.binaries[0], "given");
	cr_expect_eq(s.nr, 3, "file markers, then the command line's");
	cr_expect_eq(s.v[2].origin, MARKER_FROM_CLI);
	strvec_clear(&o.marker_args);

	memset(&o, 0, sizeof(o));
	setenv("BALRUN_WORKERS", "5", 1);
	cr_assert_eq(apply(&o, conf, &bins, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(workers_resolve(o.workers_given, o.workers, o.config_workers, &err), 5,
		     "BALRUN_WORKERS beats the file");
	unsetenv("BALRUN_WORKERS");

	strvec_clear(&o.marker_args);
	strvec_clear(&bins);
	marker_set_release(&s);
	strbuf_release(&err);
}

Test(config, no_config_ignores_the_repository_file)
{
	struct options o = { 0 };
	struct repo_info repo = { .root = dir };
	struct strvec bins = STRVEC_INIT;
	struct marker_set s = MARKER_SET_INIT;
	struct strbuf err = STRBUF_INIT;

	free(write_file(".balrun.conf", "[serial]\ntests = *\n", 0644));
	o.no_config = 1;
	cr_assert_eq(config_apply(&o, &repo, &bins, NULL, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(s.nr, 0);
	o.no_config = 0;
	cr_assert_eq(config_apply(&o, &repo, &bins, NULL, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(s.nr, 1, "<root>/.balrun.conf is read by default");
	marker_set_release(&s);
	strbuf_release(&err);
}

static void expect_shard(const char *arg, unsigned k, unsigned n)
{
	struct shard sh;
	struct strbuf err = STRBUF_INIT;

	cr_expect_eq(shard_parse(arg, &sh, &err), 0, "%s: %s", arg, err.buf);
	cr_expect_eq(sh.index, k, "%s", arg);
	cr_expect_eq(sh.total, n, "%s", arg);
	strbuf_release(&err);
}

static void expect_bad_shard(const char *arg, const char *needle)
{
	struct shard sh;
	struct strbuf err = STRBUF_INIT;

	cr_expect_eq(shard_parse(arg, &sh, &err), -1, "%s accepted", arg);
	cr_expect(strstr(err.buf, needle), "'%s' lacks '%s'", err.buf, needle);
	cr_expect(starts_with(err.buf, "--shard"), "%s", err.buf);
	strbuf_release(&err);
}

static void clear_ci_env(void)
{
	static const char *const vars[] = { "CI_NODE_INDEX", "CI_NODE_TOTAL", "CIRCLE_NODE_INDEX",
					    "CIRCLE_NODE_TOTAL", "BUILDKITE_PARALLEL_JOB",
					    "BUILDKITE_PARALLEL_JOB_COUNT" };
	for (size_t i = 0; i < ARRAY_SIZE(vars); i++)
		unsetenv(vars[i]);
}

Test(shard, forms)
{
	clear_ci_env();
	expect_shard("1/1", 1, 1);
	expect_shard("2/4", 2, 4);
	expect_bad_shard("0/4", "shard 0 of 4 does not exist");
	expect_bad_shard("5/4", "shard 5 of 4 does not exist");
	expect_bad_shard("1/0", "does not exist");
	expect_bad_shard("2", "'2' is neither K/N");
	expect_bad_shard("a/b", "'a/b' is not K/N");
	expect_bad_shard("-1/3", "is not K/N");
	expect_bad_shard("1/99999", "is not K/N");
	expect_bad_shard("ci", "none of CI_NODE_INDEX/CI_NODE_TOTAL");

	setenv("CIRCLE_NODE_INDEX", "0", 1);
	setenv("CIRCLE_NODE_TOTAL", "3", 1);
	expect_shard("ci", 1, 3);	/* CircleCI counts from 0 */
	setenv("CI_NODE_INDEX", "3", 1);
	setenv("CI_NODE_TOTAL", "3", 1);
	expect_shard("ci", 3, 3);	/* GitLab first, from 1 */
	setenv("CI_NODE_INDEX", "0", 1);
	expect_bad_shard("ci", "CI_NODE_INDEX='0' CI_NODE_TOTAL='3': shard 0 of 3 does not exist");
	setenv("CI_NODE_INDEX", "x", 1);
	expect_bad_shard("ci", "are not whole numbers");
	clear_ci_env();
}
