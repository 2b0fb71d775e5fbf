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
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define CTEST_TIMEOUT 120.0	/* seconds for ctest to list the tests */

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
				seen |= !strcmp(c->locks.v[l], type);
			if (!seen)
				strvec_pushf(&c->locks, "resource:%s", type);
		}
	}
}

/* One property into c.  0, or -1 with err (naming the property). */
static int ctest_property(const char *name, json_t *v, struct test_command *c, struct strvec *environment,
			  struct strvec *mods, struct strbuf *notes, struct strbuf *err)
{
	if (!strcmp(name, "WORKING_DIRECTORY") && json_is_string(v)) {
		free(c->cwd);
		c->cwd = xstrdup(json_string_value(v));
	} else if (!strcmp(name, "ENVIRONMENT")) {
		ctest_strings(v, environment);
	} else if (!strcmp(name, "ENVIRONMENT_MODIFICATION")) {
		ctest_strings(v, mods);
	} else if (!strcmp(name, "TIMEOUT") && json_is_number(v)) {
		c->timeout = json_number_value(v) > 0 ? json_number_value(v) : 0;
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
		ctest_strings(v, &c->pass_regex);
		c->whole = 1;
	} else if (!strcmp(name, "FAIL_REGULAR_EXPRESSION")) {
		ctest_strings(v, &c->fail_regex);
		c->whole = 1;
	} else if (!strcmp(name, "SKIP_REGULAR_EXPRESSION")) {
		ctest_strings(v, &c->skip_regex);
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
		strbuf_addf(notes, "CTest test '%s': TIMEOUT_AFTER_MATCH is not supported; its TIMEOUT "
			    "applies\n", c->name);
	}
	(void)err;
	return 0;
}

/* Test t of the listing into c.  0, or -1 with a line in err. */
static int ctest_test(json_t *t, struct test_command *c, struct strbuf *notes, struct strbuf *err)
{
	json_t *cmd = json_object_get(t, "command"), *props = json_object_get(t, "properties"), *p;
	const char *name = json_string_value(json_object_get(t, "name"));
	struct strvec environment = STRVEC_INIT, mods = STRVEC_INIT;
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int ret = 0;

	test_command_init(c);
	c->origin = "CTest";
	c->name = xstrdup(name ? name : "");
	if (!name || !*name) {
		strbuf_addf(err, "a CTest test has no name");
		return -1;
	}
	json_array_foreach(props, i, p) {
		const char *pname = json_string_value(json_object_get(p, "name"));
		if (pname)
			ctest_property(pname, json_object_get(p, "value"), c, &environment, &mods, notes, err);
	}
	if (!json_is_array(cmd) || !json_array_size(cmd) || !json_is_string(json_array_get(cmd, 0))) {
		if (!c->disabled) {
			strbuf_addf(err, "CTest test '%s': ctest found no executable for its command (is the "
				    "project built?)", c->name);
			ret = -1;
		}
		c->program = xstrdup("");
		goto out;
	}
	c->program = xstrdup(json_string_value(json_array_get(cmd, 0)));
	for (i = 1; i < json_array_size(cmd); i++)
		strvec_push(&c->args, json_string_value(json_array_get(cmd, i)) ?
			    json_string_value(json_array_get(cmd, i)) : "");
	if (ctest_resolve_env(&environment, &mods, c, &why)) {
		strbuf_addf(err, "CTest test '%s': %s", c->name, why.buf);
		ret = -1;
	}
out:
	strvec_clear(&environment);
	strvec_clear(&mods);
	strbuf_release(&why);
	return ret;
}

/* ---- the listing ---- */

static int ctest_parse(const char *text, size_t len, const char *dir, struct test_command **cmds, size_t *n,
		       struct strbuf *notes, struct strbuf *err)
{
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

		if (ctest_test(t, &(*cmds)[*n], notes, &line)) {
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

/* ctest on balrun's PATH, or NULL. */
static char *ctest_program(void)
{
	const char *path = getenv("PATH"), *p = path ? path : "/usr/bin:/bin";

	while (*p) {
		size_t len = strcspn(p, ":");
		char *file = xasprintf("%.*s/ctest", (int)len, p);

		if (len && access(file, X_OK) == 0)
			return file;
		free(file);
		p += len + (p[len] == ':');
	}
	return NULL;
}

enum import_status ctest_import(const char *dir, struct test_command **cmds, size_t *n,
				struct strbuf *notes, struct strbuf *err)
{
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT;
	char *file = ctest_program(), *argv[3], why[512], st[64];
	struct proc_opts po = { 0 };
	enum import_status ret = IMPORT_OK;
	int status;

	*cmds = NULL;
	*n = 0;
	if (!file) {
		strbuf_addf(err, "'%s' is a CTest build directory, but ctest is not installed (it comes "
			    "with cmake)", dir);
		return IMPORT_USAGE;
	}
	argv[0] = file;
	argv[1] = "--show-only=json-v1";
	argv[2] = NULL;
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
	strbuf_release(&out);
	strbuf_release(&errout);
	return ret;
}
