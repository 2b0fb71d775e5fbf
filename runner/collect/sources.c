/*
 * sources.c - where the tests of a run come from; see sources.h.
 */
#include "sources.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

/* The registered tests of dir, through its build system. */
static enum import_status sources_import(const struct options *o, const char *ctest, const char *meson,
					 struct test_command **cmds, size_t *n, struct strbuf *notes,
					 struct strbuf *err)
{
	enum import_status st;

	st = ctest ? ctest_import(ctest, o->build_config, cmds, n, notes, err) :
	     meson_import(meson, o->benchmarks, cmds, n, notes, err);
	if (st == IMPORT_OK && o->benchmarks && ctest) {
		strbuf_addf(err, "--benchmarks: only meson has benchmarks");
		st = IMPORT_USAGE;
	}
	if (st == IMPORT_OK && sources_select(o, *cmds, n, err))
		st = IMPORT_USAGE;
	if (st == IMPORT_OK)
		st = sources_missing_programs(*cmds, *n, ctest ? "ctest" : "meson", err);
	for (size_t i = 0; st == IMPORT_OK && i < *n; i++)	/* --timeout-multiplier */
		(*cmds)[i].timeout *= o->timeout_multiplier;
	return st;
}

enum import_status sources_gather(const struct options *o, char *const *binaries, size_t nbinaries,
				  int from_config, struct test_command **cmds, size_t *n,
				  const char **origin, struct strbuf *notes, struct strbuf *err)
{
	const char *ctest = o->ctest_dir, *meson = o->meson_dir;

	*cmds = NULL;
	*n = 0;
	if (ctest && meson) {
		strbuf_addf(err, "--ctest and --meson: one build directory at a time");
		return IMPORT_USAGE;
	}
	if ((ctest || meson) && nbinaries && !from_config) {
		strbuf_addf(err, "%s with binaries: give one or the other", ctest ? "--ctest" : "--meson");
		return IMPORT_USAGE;
	}
	if (!ctest && !meson && !nbinaries) {
		if (sources_is_file(".", "CTestTestfile.cmake"))
			ctest = ".";
		else if (sources_is_file(".", "meson-info/intro-tests.json") ||
			 sources_is_file(".", "meson-private/coredata.dat"))
			meson = ".";
	}
	if (ctest || meson) {
		*origin = ctest ? "CTest" : "meson";
		return sources_import(o, ctest, meson, cmds, n, notes, err);
	}
	if (o->tests_regex.nr || o->exclude_regex.nr || o->label_regex.nr || o->label_exclude.nr ||
	    o->suites.nr || o->no_suites.nr) {
		strbuf_addf(err, "-R, -E, -L, -LE, --suite and --no-suite choose among the tests of a "
			    "build system (CMake or meson build directory, --ctest, --meson)");
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
