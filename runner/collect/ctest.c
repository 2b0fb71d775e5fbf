/*
 * ctest.c - the tests of a CMake build directory, as CTest registered
 * them; see ctest.h.
 *
 * `ctest --show-only=json-v1` prints every test with its full command and
 * its properties (format "ctestInfo", version 1.x): no test runs.  Each
 * test becomes a test_command; each property the matching field, and the
 * ones that make a test a whole-process verdict (WILL_FAIL, the regular
 * expressions) make it whole.  The environment is resolved here, against
 * balrun's own (which every test process inherits, as it inherits
 * ctest's): ENVIRONMENT first, then ENVIRONMENT_MODIFICATION in order.
 */
#include "ctest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define CTEST_TIMEOUT 120.0	/* seconds for ctest to list the tests */

/* What every test of the listing shares: where ctest runs, its default time limit. */
struct ctest_ctx {
	const char *dir;           /* absolute */
	double timeout;            /* DartConfiguration.tcl's TimeOut:, 0 none */
	struct strbuf *notes;
};

/* A property value as strings: an array of strings, or one string. */
static void ctest_strings(json_t *v, struct strvec *out)
{
	size_t i;
	json_t *e;

	if (json_is_string(v)) {
		strvec_push(out, json_string_value(v));
		return;
	}
	json_array_foreach(v, i, e)
		if (json_is_string(e))
			strvec_push(out, json_string_value(e));
}

/*
 * CTest's regular expressions (cmsys) as POSIX extended ones: the same
 * syntax but for braces, which cmsys takes literally (it has no {n}).
 */
static void ctest_regexes(json_t *v, struct strvec *out)
{
	struct strvec raw = STRVEC_INIT;

	ctest_strings(v, &raw);
	for (size_t i = 0; i < raw.nr; i++) {
		struct strbuf re = STRBUF_INIT;

		for (const char *p = raw.v[i]; *p; p++) {
			if (*p == '\\' && p[1]) {
				strbuf_addch(&re, *p++);
				strbuf_addch(&re, *p);
				continue;
			}
			if (*p == '{' || *p == '}')
				strbuf_adds(&re, *p == '{' ? "[{]" : "[}]");
			else
				strbuf_addch(&re, *p);
		}
		strvec_push(out, re.buf);
		strbuf_release(&re);
	}
	strvec_clear(&raw);
}

/* ---- the environment ---- */

/* One variable as the test will see it: set (value) or not. */
struct ctest_var {
	char *name, *value;        /* value NULL: unset */
	char *base;                /* its value after ENVIRONMENT (for reset), NULL unset */
	int touched;
};

struct ctest_env {
	struct ctest_var *v;
	size_t n, alloc;
};

static struct ctest_var *ctest_var(struct ctest_env *e, const char *name, size_t len)
{
	const char *now;

	for (size_t i = 0; i < e->n; i++)
		if (strlen(e->v[i].name) == len && !strncmp(e->v[i].name, name, len))
			return &e->v[i];
	ALLOC_GROW(e->v, e->n + 1, e->alloc);
	e->v[e->n] = (struct ctest_var){ .name = xstrndup(name, len) };
	now = getenv(e->v[e->n].name);
	e->v[e->n].value = now ? xstrdup(now) : NULL;
	e->v[e->n].base = now ? xstrdup(now) : NULL;
	return &e->v[e->n++];
}

static void ctest_var_set(struct ctest_var *v, const char *value)
{
	free(v->value);
	v->value = value ? xstrdup(value) : NULL;
	v->touched = 1;
}

/* "A=1" sets A; "E" (no '=') unsets E, as ctest's putenv does. */
static void ctest_environment(struct ctest_env *e, const struct strvec *list)
{
	for (size_t i = 0; i < list->nr; i++) {
		const char *s = list->v[i], *eq = strchr(s, '=');
		struct ctest_var *v = ctest_var(e, s, eq ? (size_t)(eq - s) : strlen(s));

		ctest_var_set(v, eq ? eq + 1 : NULL);
		free(v->base);
		v->base = v->value ? xstrdup(v->value) : NULL;
	}
}

/* value joined to old with sep, before (prepend) or after it; old unset or empty: value alone. */
static char *ctest_join(const char *old, const char *value, const char *sep, int prepend)
{
	if (!old || !*old)
		return xstrdup(value);
	return prepend ? xasprintf("%s%s%s", value, sep, old) : xasprintf("%s%s%s", old, sep, value);
}

/* "NAME=op:value" of ENVIRONMENT_MODIFICATION.  0, or -1 with err. */
static int ctest_modify(struct ctest_env *e, const char *s, struct strbuf *err)
{
	static const struct { const char *op, *sep; int prepend; } joins[] = {
		{ "string_append", "", 0 }, { "string_prepend", "", 1 },
		{ "path_list_append", ":", 0 }, { "path_list_prepend", ":", 1 },
		{ "cmake_list_append", ";", 0 }, { "cmake_list_prepend", ";", 1 },
	};
	const char *eq = strchr(s, '='), *colon = eq ? strchr(eq + 1, ':') : NULL;
	struct ctest_var *v;
	size_t oplen;

	if (!eq || !colon) {
		strbuf_addf(err, "ENVIRONMENT_MODIFICATION '%s' is not NAME=OP:VALUE", s);
		return -1;
	}
	v = ctest_var(e, s, (size_t)(eq - s));
	oplen = (size_t)(colon - eq - 1);
	if (oplen == 3 && !strncmp(eq + 1, "set", 3)) {
		ctest_var_set(v, colon + 1);
		return 0;
	}
	if (oplen == 5 && !strncmp(eq + 1, "unset", 5)) {
		ctest_var_set(v, NULL);
		return 0;
	}
	if (oplen == 5 && !strncmp(eq + 1, "reset", 5)) {
		ctest_var_set(v, v->base);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(joins); i++) {
		if (strlen(joins[i].op) == oplen && !strncmp(eq + 1, joins[i].op, oplen)) {
			char *j = ctest_join(v->value, colon + 1, joins[i].sep, joins[i].prepend);
			ctest_var_set(v, j);
			free(j);
			return 0;
		}
	}
	strbuf_addf(err, "ENVIRONMENT_MODIFICATION '%s': unknown operation '%.*s'", s, (int)oplen, eq + 1);
	return -1;
}

/* The changes to balrun's environment, into c->env.  0, or -1 with err. */
static int ctest_resolve_env(const struct strvec *environment, const struct strvec *mods,
			     struct test_command *c, struct strbuf *err)
{
	struct ctest_env e = { 0 };
	int ret = 0;

	ctest_environment(&e, environment);
	for (size_t i = 0; i < mods->nr && !ret; i++)
		ret = ctest_modify(&e, mods->v[i], err);
	for (size_t i = 0; i < e.n; i++) {
		if (!ret && e.v[i].touched) {
			if (e.v[i].value)
				strvec_pushf(&c->env, "%s=%s", e.v[i].name, e.v[i].value);
			else
				strvec_push(&c->env, e.v[i].name);
		}
		free(e.v[i].name);
		free(e.v[i].value);
		free(e.v[i].base);
	}
	free(e.v);
	return ret;
}

/* ---- one test ---- */

#define CTEST_GTEST_SKIPPED "\\[  SKIPPED \\]"

/* RESOURCE_GROUPS: each resource type becomes a lock (see ctest.h). */
static void ctest_resource_groups(json_t *v, struct test_command *c)
{
	size_t i, k;
	json_t *group, *req;

	json_array_foreach(v, i, group) {
		json_array_foreach(json_object_get(group, "requirements"), k, req) {
			const char *type = json_string_value(json_object_get(req, ".type"));
			int seen = 0;

			if (!type)
				continue;
			for (size_t l = 0; l < c->locks.nr; l++)
				seen |= !strncmp(c->locks.v[l], "resource:", 9) &&
					!strcmp(c->locks.v[l] + 9, type);
			if (!seen)
				strvec_pushf(&c->locks, "resource:%s", type);
		}
	}
}

/* One property into c (timeout < 0: not given). */
static void ctest_property(const char *name, json_t *v, struct test_command *c, struct strvec *environment,
			   struct strvec *mods, struct strvec *required, double *timeout,
			   const struct ctest_ctx *x)
{
	if (!strcmp(name, "WORKING_DIRECTORY") && json_is_string(v)) {
		const char *wd = json_string_value(v);

		free(c->cwd);	/* a relative one is relative to where ctest runs */
		c->cwd = wd[0] == '/' ? xstrdup(wd) : xasprintf("%s/%s", x->dir, wd);
	} else if (!strcmp(name, "ENVIRONMENT")) {
		ctest_strings(v, environment);
	} else if (!strcmp(name, "ENVIRONMENT_MODIFICATION")) {
		ctest_strings(v, mods);
	} else if (!strcmp(name, "TIMEOUT") && json_is_number(v)) {
		*timeout = json_number_value(v);
	} else if (!strcmp(name, "REQUIRED_FILES")) {
		ctest_strings(v, required);	/* checked once the directory is known */
	} else if (!strcmp(name, "DISABLED")) {
		c->disabled = json_is_true(v);
	} else if (!strcmp(name, "WILL_FAIL")) {
		if (json_is_true(v)) {
			c->judge |= INV_WILL_FAIL;
			c->whole = 1;
		}
	} else if (!strcmp(name, "SKIP_RETURN_CODE") && json_is_integer(v)) {
		c->judge |= INV_SKIP_CODE;
		c->skip_code = json_integer_value(v);
	} else if (!strcmp(name, "PASS_REGULAR_EXPRESSION")) {
		ctest_regexes(v, &c->pass_regex);
		c->whole = 1;
	} else if (!strcmp(name, "FAIL_REGULAR_EXPRESSION")) {
		ctest_regexes(v, &c->fail_regex);
		c->whole = 1;
	} else if (!strcmp(name, "SKIP_REGULAR_EXPRESSION")) {
		ctest_regexes(v, &c->skip_regex);
		/*
		 * gtest_discover_tests() gives every test this one: GTEST_SKIP's
		 * line.  Split into cases, the GoogleTest adapter reports such a
		 * case skipped itself; run whole, the expression still applies.
		 */
		if (json_array_size(v) != 1 ||
		    !json_is_string(json_array_get(v, 0)) ||
		    strcmp(json_string_value(json_array_get(v, 0)), CTEST_GTEST_SKIPPED))
			c->whole = 1;
	} else if (!strcmp(name, "RUN_SERIAL")) {
		c->serial = json_is_true(v);
	} else if (!strcmp(name, "RESOURCE_LOCK")) {
		ctest_strings(v, &c->locks);
	} else if (!strcmp(name, "PROCESSORS") && json_is_integer(v)) {
		c->weight = json_integer_value(v) > 1 ? (unsigned)json_integer_value(v) : 1;
	} else if (!strcmp(name, "LABELS")) {
		ctest_strings(v, &c->labels);
	} else if (!strcmp(name, "FIXTURES_SETUP")) {
		ctest_strings(v, &c->fixtures_setup);
	} else if (!strcmp(name, "FIXTURES_CLEANUP")) {
		ctest_strings(v, &c->fixtures_cleanup);
	} else if (!strcmp(name, "FIXTURES_REQUIRED")) {
		ctest_strings(v, &c->fixtures_required);
	} else if (!strcmp(name, "DEPENDS")) {
		ctest_strings(v, &c->depends);
	} else if (!strcmp(name, "RESOURCE_GROUPS")) {
		ctest_resource_groups(v, c);
	} else if (!strcmp(name, "TIMEOUT_AFTER_MATCH")) {
		strbuf_addf(x->notes, "CTest test '%s': TIMEOUT_AFTER_MATCH is not supported; its TIMEOUT "
			    "applies\n", c->name);
	}
}

/*
 * Its time limit as ctest computes it: TIMEOUT if positive, none if 0,
 * else the default (DartConfiguration.tcl's TimeOut:, written by
 * include(CTest); without it ctest's 10000000 s, in effect none).
 */
static double ctest_timeout(double given, const struct ctest_ctx *x)
{
	if (given > 0)
		return given;
	return given == 0 ? 0 : x->timeout;
}

/* Why c cannot run, as ctest would find before starting it; NULL if it can. */
static char *ctest_unrunnable(const struct test_command *c, const struct strvec *required)
{
	struct stat st;

	if (c->cwd && (stat(c->cwd, &st) || !S_ISDIR(st.st_mode)))
		return xasprintf("its working directory '%s' does not exist", c->cwd);
	for (size_t i = 0; i < required->nr; i++) {
		const char *f = required->v[i];
		char *path = f[0] == '/' || !c->cwd ? xstrdup(f) : xasprintf("%s/%s", c->cwd, f);
		int missing = stat(path, &st) != 0;

		free(path);
		if (missing)
			return xasprintf("required file '%s' is missing (REQUIRED_FILES)", f);
	}
	return NULL;
}

/* Test t of the listing into c.  0, or -1 with a line in err. */
static int ctest_test(json_t *t, struct test_command *c, const struct ctest_ctx *x, struct strbuf *err)
{
	json_t *cmd = json_object_get(t, "command"), *props = json_object_get(t, "properties"), *p;
	const char *name = json_string_value(json_object_get(t, "name"));
	struct strvec environment = STRVEC_INIT, mods = STRVEC_INIT, required = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	double timeout = -1;
	size_t i;
	int ret = 0;

	test_command_init(c);
	c->origin = "CTest";
	c->judge = INV_SKIP_CODE;	/* 77 is a failure unless SKIP_RETURN_CODE says otherwise */
	c->name = xstrdup(name ? name : "");
	if (!name || !*name) {
		strbuf_addf(err, "a CTest test has no name");
		return -1;
	}
	c->cwd = xstrdup(x->dir);
	json_array_foreach(props, i, p) {
		const char *pname = json_string_value(json_object_get(p, "name"));
		if (pname)
			ctest_property(pname, json_object_get(p, "value"), c, &environment, &mods, &required,
				       &timeout, x);
	}
	c->timeout = ctest_timeout(timeout, x);
	/* ctest adds it to every test's environment */
	strvec_push(&environment, "CTEST_INTERACTIVE_DEBUG_MODE=1");
	if (!json_is_array(cmd) || !json_array_size(cmd) || !json_is_string(json_array_get(cmd, 0)))
		goto out;	/* no executable: program stays NULL (sources.c reports it if selected) */
	c->program = xstrdup(json_string_value(json_array_get(cmd, 0)));
	for (i = 1; i < json_array_size(cmd); i++)
		strvec_push(&c->args, json_string_value(json_array_get(cmd, i)) ?
			    json_string_value(json_array_get(cmd, i)) : "");
	if (ctest_resolve_env(&environment, &mods, c, &why))
		c->unrunnable = strbuf_detach(&why, NULL);	/* ctest: Not Run (BAD_COMMAND) */
	else
		c->unrunnable = ctest_unrunnable(c, &required);
out:
	strvec_clear(&environment);
	strvec_clear(&mods);
	strvec_clear(&required);
	strbuf_release(&why);
	return ret;
}

/* ---- the listing ---- */

/* The default time limit: `TimeOut:` in DartConfiguration.tcl (include(CTest)), else none. */
static double ctest_default_timeout(const char *dir)
{
	char *path = xasprintf("%s/DartConfiguration.tcl", dir), line[512];
	FILE *f = fopen(path, "r");
	double t = 0;

	free(path);
	while (f && fgets(line, sizeof(line), f))
		if (starts_with(line, "TimeOut:"))
			t = strtod(line + strlen("TimeOut:"), NULL);
	if (f)
		fclose(f);
	return t > 0 ? t : 0;
}

static int ctest_parse(const char *text, size_t len, const char *dir, struct test_command **cmds, size_t *n,
		       struct strbuf *notes, struct strbuf *err)
{
	struct ctest_ctx x = { .dir = dir, .timeout = ctest_default_timeout(dir), .notes = notes };
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr), *tests, *t;
	json_t *version = json_object_get(root, "version");
	size_t i;
	int ret = 0;

	*cmds = NULL;
	*n = 0;
	if (!root) {
		strbuf_addf(err, "ctest --show-only=json-v1 in '%s' printed no JSON (%s at line %d)", dir,
			    jerr.text, jerr.line);
		return -1;
	}
	if (strcmp(json_string_value(json_object_get(root, "kind")) ?
		   json_string_value(json_object_get(root, "kind")) : "", "ctestInfo") ||
	    json_integer_value(json_object_get(version, "major")) != 1) {
		strbuf_addf(err, "ctest in '%s' printed format '%s' version %lld.%lld; balrun reads "
			    "ctestInfo version 1", dir,
			    json_string_value(json_object_get(root, "kind")) ?
			    json_string_value(json_object_get(root, "kind")) : "?",
			    (long long)json_integer_value(json_object_get(version, "major")),
			    (long long)json_integer_value(json_object_get(version, "minor")));
		json_decref(root);
		return -1;
	}
	tests = json_object_get(root, "tests");
	*cmds = xcalloc(json_array_size(tests) + 1, sizeof(**cmds));
	json_array_foreach(tests, i, t) {
		struct strbuf line = STRBUF_INIT;

		if (ctest_test(t, &(*cmds)[*n], &x, &line)) {
			strbuf_addf(err, "%s\n", line.buf);
			ret = -1;
		}
		strbuf_release(&line);
		(*n)++;
	}
	json_decref(root);
	if (ret && err->len && err->buf[err->len - 1] == '\n')
		strbuf_setlen(err, err->len - 1);
	return ret;
}

/* 1 if dir holds a CTestTestfile.cmake (ctest lists nothing, silently, elsewhere). */
static int ctest_is_build_dir(const char *dir)
{
	char *path = xasprintf("%s/CTestTestfile.cmake", dir);
	int yes = access(path, F_OK) == 0;

	free(path);
	return yes;
}

enum import_status ctest_import(const char *where, const char *config, struct test_command **cmds,
				size_t *n, struct strbuf *notes, struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT;
	char *file = collect_which("ctest"), *argv[5], why[512], st[64], *dir = realpath(where, NULL);
	struct proc_opts po = { 0 };
	enum import_status ret = IMPORT_OK;
	int status;

	*cmds = NULL;
	*n = 0;
	if (!dir || !ctest_is_build_dir(dir)) {
		strbuf_addf(err, "--ctest: '%s' is not a CMake build directory (no CTestTestfile.cmake)", where);
		free(dir);
		free(file);
		return IMPORT_USAGE;
	}
	if (!file) {
		strbuf_addf(err, "'%s' is a CTest build directory, but ctest is not installed (it comes "
			    "with cmake)", where);
		free(dir);
		return IMPORT_USAGE;
	}
	argv[0] = file;
	argv[1] = "--show-only=json-v1";
	argv[2] = config ? "-C" : NULL;
	argv[3] = (char *)config;
	argv[4] = NULL;
	po.file = file;
	po.argv = argv;
	po.cwd = dir;
	if (proc_capture(&po, CTEST_TIMEOUT, &out, &errout, &status, why, sizeof(why))) {
		strbuf_addf(err, "listing the CTest tests of '%s': %s", dir, why);
		ret = IMPORT_ERROR;
	} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		strbuf_addf(err, "ctest --show-only=json-v1 in '%s' failed (%s): %.*s", dir,
			    proc_describe_status(status, st, sizeof(st)),
			    (int)strcspn(errout.buf, "\n"), errout.buf);
		ret = IMPORT_ERROR;
	} else if (ctest_parse(out.buf, out.len, dir, cmds, n, notes, err)) {
		ret = IMPORT_ERROR;
	}
	free(file);
	free(dir);
	strbuf_release(&out);
	strbuf_release(&errout);
	return ret;
}
