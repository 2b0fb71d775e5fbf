/*
 * test_markers_config.c - .balrun.conf (runner/input/config.c) and --shard values
 * (runner/plan/shard.c): options and markers read from a real file through
 * libgit2, every bad key or value named with the file, binaries globs,
 * command line beating the file, and every --shard form and mistake; the
 * [framework "NAME"] sections (runner/input/config-framework.c: every
 * mistake named with the file, its line and the key) and their commands
 * (adapters/configured/configured.c: words, quotes, placeholders,
 * expansion, listings).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "configured.h"
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

/* balrun.share-machine as read from the file (-2: not set). */
static int share_in(const char *text)
{
	struct config c;
	struct marker_set s = MARKER_SET_INIT;
	struct strbuf err = STRBUF_INIT;
	int v = read_conf(text, &c, &s, &err) ? -99 : c.share_machine;

	config_release(&c);
	marker_set_release(&s);
	strbuf_release(&err);
	return v;
}

Test(config, share_machine_key)
{
	struct options o = { .share_machine = -1 };
	struct strvec bins = STRVEC_INIT;
	struct marker_set s = MARKER_SET_INIT;
	struct strbuf err = STRBUF_INIT;
	char *argv0 = "given";

	cr_expect_eq(share_in("[balrun]\nworkers = 2\n"), -2);
	cr_expect_eq(share_in("[balrun]\nshare-machine = 4\n"), 4);
	cr_expect_eq(share_in("[balrun]\nshare-machine = auto\n"), 0);
	cr_expect_eq(share_in("[balrun]\nshare-machine = true\n"), 0);
	cr_expect_eq(share_in("[balrun]\nshare-machine = false\n"), -1);
	cr_expect_eq(share_in("[balrun]\nshare-machine = no\n"), -1);
	expect_bad("[balrun]\nshare-machine = lots\n", "balrun.share-machine: 'lots' is not a number");
	o.binaries = &argv0;
	o.nbinaries = 1;
	cr_assert_eq(apply(&o, "[balrun]\nshare-machine = 3\n", &bins, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(o.share_machine, 3, "the file's when --share-machine is not given");
	o.share_given = 1;
	o.share_machine = -1;
	cr_assert_eq(apply(&o, "[balrun]\nshare-machine = 3\n", &bins, &s, &err), 0, "%s", err.buf);
	cr_expect_eq(o.share_machine, -1, "--share-machine=no beats the file");
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
					    "BUILDKITE_PARALLEL_JOB_COUNT", "JOB_COMPLETION_INDEX",
					    "BALRUN_SHARD_INDEX", "BALRUN_SHARD_COUNT", "GITHUB_ACTIONS",
					    "JENKINS_URL" };
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
	expect_bad_shard("ci", "no shard index in the environment");

	setenv("CIRCLE_NODE_INDEX", "0", 1);
	setenv("CIRCLE_NODE_TOTAL", "3", 1);
	expect_shard("ci", 1, 3);	/* CircleCI counts from 0 */
	setenv("CI_NODE_INDEX", "3", 1);
	setenv("CI_NODE_TOTAL", "3", 1);
	expect_shard("ci", 3, 3);	/* GitLab first, from 1 */
	setenv("CI_NODE_INDEX", "0", 1);
	expect_bad_shard("ci", "CI_NODE_INDEX='0' CI_NODE_TOTAL='3': shard 0 of 3 does not exist");
	setenv("CI_NODE_INDEX", "x", 1);
	expect_bad_shard("ci", "CI_NODE_INDEX='x' is not a whole number");
	clear_ci_env();
}

/* Kubernetes's JOB_COMPLETION_INDEX and BALRUN_SHARD_INDEX count from 0; the count from ci/N or BALRUN_SHARD_COUNT. */
Test(shard, ci_index_with_a_count_from_elsewhere)
{
	clear_ci_env();
	setenv("JOB_COMPLETION_INDEX", "0", 1);
	expect_shard("ci/4", 1, 4);
	expect_bad_shard("ci", "JOB_COMPLETION_INDEX='0' says which shard but not how many");
	setenv("BALRUN_SHARD_COUNT", "4", 1);
	expect_shard("ci", 1, 4);
	expect_shard("ci/4", 1, 4);
	expect_bad_shard("ci/5", "ci/5 and BALRUN_SHARD_COUNT='4' disagree");
	setenv("JOB_COMPLETION_INDEX", "4", 1);
	expect_bad_shard("ci", "JOB_COMPLETION_INDEX counts from 0, so shards are 0 to 3");
	setenv("CI_NODE_INDEX", "2", 1);
	setenv("CI_NODE_TOTAL", "4", 1);
	expect_shard("ci", 2, 4);	/* GitLab before Kubernetes; its total agrees with BALRUN_SHARD_COUNT */
	setenv("CI_NODE_TOTAL", "3", 1);
	expect_bad_shard("ci", "CI_NODE_TOTAL='3' and BALRUN_SHARD_COUNT='4' disagree");
	setenv("BALRUN_SHARD_INDEX", "3", 1);
	expect_shard("ci", 4, 4);	/* set by hand: it wins */
	setenv("BALRUN_SHARD_COUNT", "", 1);
	expect_bad_shard("ci", "BALRUN_SHARD_INDEX='3' says which shard but not how many");
	expect_bad_shard("ci/x", "'ci/x' is not K/N or ci/N");
	clear_ci_env();
}

/* ---- [framework "NAME"] sections (config-framework.c) and their commands (adapters/configured/) ---- */

static int read_fw(const char *text, struct config *c, struct strbuf *err)
{
	struct marker_set s = MARKER_SET_INIT;
	int ret = read_conf(text, c, &s, err);

	marker_set_release(&s);
	return ret;
}

#define GOOD_HEAD "[balrun]\n\tworkers = 2\n[framework \"acme\"]\n\tbinaries = build/acme_* /opt/t/x\n" \
		  "\tlist = {bin} --enumerate\n"

Test(config, framework_a_whole_section)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	cr_assert_eq(read_fw(GOOD_HEAD "\trun = {bin} --only {names:,} --out={junit}\n"
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

	cr_expect_eq(read_fw(text, &c, &err), -1, "accepted: %s", text);
	for (size_t i = 0; words[i]; i++)
		cr_expect(strstr(err.buf, words[i]), "'%s' not in: %s", words[i], err.buf);
	cr_expect_null(strchr(err.buf, '\n'), "one line: %s", err.buf);
	config_release(&c);
	strbuf_release(&err);
}

#define W(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test(config, framework_every_mistake_named_with_file_line_and_key)
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

Test(config, framework_programs_become_absolute)
{
	struct strbuf err = STRBUF_INIT;
	struct config c;

	cr_assert_eq(read_fw("[framework \"t\"]\n\tbinaries = x\n\tlist = sh -c 'exec \"$0\" -l' {bin}\n"
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

Test(config, framework_expansion)
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

Test(config, framework_listings)
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
