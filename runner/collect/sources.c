/*
 * sources.c - where the tests of a run come from; see sources.h.
 */
#include "sources.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "automake.h"
#include "ctest.h"
#include "meson.h"
#include "util.h"

/* 1 if s matches the POSIX extended regular expression re (checked by cli.c). */
static int sources_match(const char *re, const char *s)
{
	regex_t r;
	int hit;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB))
		return 0;
	hit = !regexec(&r, s, 0, NULL, 0);
	regfree(&r);
	return hit;
}

static int sources_any_label(const char *re, const struct strvec *labels)
{
	for (size_t i = 0; i < labels->nr; i++)
		if (sources_match(re, labels->v[i]))
			return 1;
	return 0;
}

/*
 * meson's --suite NAME: a suite "project:suite" matches NAME if NAME is
 * the whole of it, its suite part, or its project part.
 */
static int sources_suite(const char *want, const struct strvec *suites)
{
	size_t n = strlen(want);

	for (size_t i = 0; i < suites->nr; i++) {
		const char *s = suites->v[i], *colon = strchr(s, ':');

		if (!strcmp(s, want) || (colon && !strcmp(colon + 1, want)) ||
		    (colon && (size_t)(colon - s) == n && !strncmp(s, want, n)))
			return 1;
	}
	return 0;
}

/* The selection flags' verdict on one registered test. */
static int sources_chosen(const struct options *o, const struct test_command *c)
{
	const struct strvec *l = &c->labels;

	if (o->tests_regex.nr && !sources_match(o->tests_regex.v[o->tests_regex.nr - 1], c->name))
		return 0;
	if (o->exclude_regex.nr && sources_match(o->exclude_regex.v[o->exclude_regex.nr - 1], c->name))
		return 0;
	for (size_t i = 0; i < o->label_regex.nr; i++)
		if (!sources_any_label(o->label_regex.v[i], l))
			return 0;
	for (size_t i = 0; i < o->label_exclude.nr; i++)
		if (sources_any_label(o->label_exclude.v[i], l))
			return 0;
	for (size_t i = 0; i < o->no_suites.nr; i++)
		if (sources_suite(o->no_suites.v[i], l))
			return 0;
	if (!o->suites.nr)
		return 1;
	for (size_t i = 0; i < o->suites.nr; i++)
		if (sources_suite(o->suites.v[i], l))
			return 1;
	return 0;
}

static int sources_has(const struct strvec *v, const char *s)
{
	for (size_t i = 0; i < v->nr; i++)
		if (!strcmp(v->v[i], s))
			return 1;
	return 0;
}

/* Bring in the setup and cleanup tests of every fixture a kept test needs, until none is missing. */
static void sources_fixtures(struct test_command *cmds, size_t n, unsigned char *keep)
{
	for (int changed = 1; changed;) {
		changed = 0;
		for (size_t i = 0; i < n; i++) {
			if (!keep[i])
				continue;
			for (size_t f = 0; f < cmds[i].fixtures_required.nr; f++) {
				const char *fx = cmds[i].fixtures_required.v[f];

				for (size_t k = 0; k < n; k++) {
					if (keep[k] || (!sources_has(&cmds[k].fixtures_setup, fx) &&
							!sources_has(&cmds[k].fixtures_cleanup, fx)))
						continue;
					keep[k] = 1;
					changed = 1;
				}
			}
		}
	}
}

int sources_select(const struct options *o, struct test_command *cmds, size_t *n, struct strbuf *err)
{
	unsigned char *keep = xcalloc(*n ? *n : 1, 1);
	size_t out = 0;

	(void)err;
	for (size_t i = 0; i < *n; i++)
		keep[i] = sources_chosen(o, &cmds[i]);
	sources_fixtures(cmds, *n, keep);
	for (size_t i = 0; i < *n; i++) {
		if (!keep[i]) {
			test_command_release(&cmds[i]);
			continue;
		}
		if (out != i) {
			cmds[out] = cmds[i];
			test_command_init(&cmds[i]);
		}
		out++;
	}
	*n = out;
	free(keep);
	return 0;
}

static int sources_is_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	int yes = stat(path, &st) == 0;

	free(path);
	return yes;
}

/*
 * Tests whose program the build system could not find.  As ctest does, one
 * such test is NOT RUN and the others run; when none of them has a program
 * the tree was never built, a collection error.
 */
static enum import_status sources_missing_programs(struct test_command *cmds, size_t n,
						   const char *tool, struct strbuf *err)
{
	size_t missing = 0, runnable = 0;

	for (size_t i = 0; i < n; i++) {
		struct test_command *c = &cmds[i];

		if (c->disabled)
			continue;
		runnable++;
		if (c->program)
			continue;
		missing++;
		if (!c->unrunnable)
			c->unrunnable = xasprintf("%s found no executable for it (is it built?)", tool);
	}
	if (!missing || missing < runnable)
		return IMPORT_OK;
	strbuf_addf(err, "%s test '%s': %s found no executable for it or any other test "
		    "(is the project built?)", cmds[0].origin, cmds[0].name, tool);
	return IMPORT_ERROR;
}

/* The build systems balrun imports from: flag, origin, the tool named in messages. */
enum sources_kind { SOURCES_CTEST, SOURCES_MESON, SOURCES_AUTOMAKE, SOURCES_NONE };
static const char *const sources_flag[] = { "--ctest", "--meson", "--automake" };
static const char *const sources_origin[] = { "CTest", "meson", "automake" };
static const char *const sources_tool[] = { "ctest", "meson", "make check" };

/* The registered tests of dir, through its build system. */
static enum import_status sources_import(const struct options *o, enum sources_kind kind, const char *dir,
					 struct test_command **cmds, size_t *n, struct strbuf *notes,
					 struct strbuf *err)
{
	enum import_status st;

	st = kind == SOURCES_CTEST ? ctest_import(dir, o->build_config, cmds, n, notes, err) :
	     kind == SOURCES_MESON ? meson_import(dir, o->benchmarks, cmds, n, notes, err) :
	     automake_import(dir, o->no_log_compiler, cmds, n, notes, err);
	if (st == IMPORT_OK && o->benchmarks && kind != SOURCES_MESON) {
		strbuf_addf(err, "--benchmarks: only meson has benchmarks");
		st = IMPORT_USAGE;
	}
	if (st == IMPORT_OK && o->no_log_compiler && kind != SOURCES_AUTOMAKE) {
		strbuf_addf(err, "--no-log-compiler: only automake has LOG_COMPILER");
		st = IMPORT_USAGE;
	}
	if (st == IMPORT_OK && sources_select(o, *cmds, n, err))
		st = IMPORT_USAGE;
	if (st == IMPORT_OK)
		st = sources_missing_programs(*cmds, *n, sources_tool[kind], err);
	for (size_t i = 0; st == IMPORT_OK && i < *n; i++)	/* --timeout-multiplier */
		(*cmds)[i].timeout *= o->timeout_multiplier;
	return st;
}

/* The build directory flag given (one at most), or SOURCES_NONE; -1 with err if several. */
static int sources_flag_kind(const struct options *o, const char **dir, struct strbuf *err)
{
	const char *dirs[] = { o->ctest_dir, o->meson_dir, o->automake_dir };
	int kind = SOURCES_NONE;

	for (int k = 0; k < SOURCES_NONE; k++) {
		if (!dirs[k])
			continue;
		if (kind != SOURCES_NONE) {
			strbuf_addf(err, "%s and %s: one build directory at a time", sources_flag[kind],
				    sources_flag[k]);
			return -1;
		}
		kind = k;
		*dir = dirs[k];
	}
	return kind;
}

/* The build system of the current directory, or SOURCES_NONE. */
static enum sources_kind sources_detect(void)
{
	if (sources_is_file(".", "CTestTestfile.cmake"))
		return SOURCES_CTEST;
	if (sources_is_file(".", "meson-info/intro-tests.json") ||
	    sources_is_file(".", "meson-private/coredata.dat"))
		return SOURCES_MESON;
	if (automake_is_build_dir("."))
		return SOURCES_AUTOMAKE;
	return SOURCES_NONE;
}

enum import_status sources_gather(const struct options *o, char *const *binaries, size_t nbinaries,
				  int from_config, struct test_command **cmds, size_t *n,
				  const char **origin, struct strbuf *notes, struct strbuf *err)
{
	const char *dir = ".";
	int kind;

	*cmds = NULL;
	*n = 0;
	if ((kind = sources_flag_kind(o, &dir, err)) < 0)
		return IMPORT_USAGE;
	if (kind != SOURCES_NONE && nbinaries && !from_config) {
		strbuf_addf(err, "%s with binaries: give one or the other", sources_flag[kind]);
		return IMPORT_USAGE;
	}
	if (kind == SOURCES_NONE && !nbinaries)
		kind = sources_detect();
	if (kind != SOURCES_NONE) {
		*origin = sources_origin[kind];
		return sources_import(o, kind, dir, cmds, n, notes, err);
	}
	if (o->no_log_compiler) {
		strbuf_addf(err, "--no-log-compiler: only automake has LOG_COMPILER (give --automake DIR, or "
			    "run balrun in an automake build directory)");
		return IMPORT_USAGE;
	}
	if (o->tests_regex.nr || o->exclude_regex.nr || o->label_regex.nr || o->label_exclude.nr ||
	    o->suites.nr || o->no_suites.nr) {
		strbuf_addf(err, "-R, -E, -L, -LE, --suite and --no-suite choose among the tests of a "
			    "build system (CMake, meson or automake build directory, --ctest, --meson, "
			    "--automake)");
		return IMPORT_USAGE;
	}
	*origin = "binaries";
	*cmds = xcalloc(nbinaries ? nbinaries : 1, sizeof(**cmds));
	for (size_t i = 0; i < nbinaries; i++) {
		test_command_init(&(*cmds)[i]);
		(*cmds)[i].program = xstrdup(binaries[i]);
	}
	*n = nbinaries;
	return IMPORT_OK;
}
