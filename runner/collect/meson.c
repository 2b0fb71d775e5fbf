/*
 * meson.c - the tests of a meson build directory, as `meson test` would
 * run them; see meson.h.
 *
 * The list is meson-info/intro-tests.json (or intro-benchmarks.json),
 * which meson writes at configure time: no meson needed to read it.  It
 * lacks two things `meson test` knows: which tests should fail, and the
 * real environment (an append or prepend shows as a bare value, and meson
 * prepends LD_LIBRARY_PATH itself).  When meson is installed, balrun asks
 * it: `meson test --no-rebuild --wrapper PROBE` runs every test's command
 * through a wrapper that runs nothing and says "ok", and meson's log then
 * holds each test's exact environment, and "UNEXPECTEDPASS" for exactly the
 * should_fail tests.  Without meson the introspection alone is used, and a
 * note says what is approximate.
 */
#include "meson.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

#define MESON_PROBE_TIMEOUT 300.0
#define MESON_PROBE_LOGBASE "balrun-probe"

extern char **environ;

static char *meson_file(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* A whole file into sb.  0, or -1. */
static int meson_read(const char *path, struct strbuf *sb)
{
	FILE *f = fopen(path, "r");
	char buf[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(sb, buf, n);
	fclose(f);
	return 0;
}

/* ---- one test of the introspection ---- */

static void meson_strings(json_t *v, struct strvec *out)
{
	size_t i;
	json_t *e;

	json_array_foreach(v, i, e)
		if (json_is_string(e))
			strvec_push(out, json_string_value(e));
}

/* The introspection's env: values applied to an empty environment (exact only for plain sets). */
static void meson_intro_env(json_t *env, struct test_command *c)
{
	const char *k;
	json_t *v;

	json_object_foreach(env, k, v)
		if (json_is_string(v))
			strvec_pushf(&c->env, "%s=%s", k, json_string_value(v));
}

static int meson_test(json_t *t, const char *dir, struct test_command *c, struct strbuf *err)
{
	json_t *cmd = json_object_get(t, "cmd"), *wd = json_object_get(t, "workdir");
	const char *name = json_string_value(json_object_get(t, "name"));
	const char *protocol = json_string_value(json_object_get(t, "protocol"));
	json_int_t timeout = json_integer_value(json_object_get(t, "timeout"));

	test_command_init(c);
	c->origin = "meson";
	c->name = xstrdup(name ? name : "");
	if (!name || !json_is_array(cmd) || !json_array_size(cmd) ||
	    !json_is_string(json_array_get(cmd, 0))) {
		strbuf_addf(err, "meson test '%s': no command in meson-info/intro-tests.json", c->name);
		c->program = xstrdup("");
		return -1;
	}
	c->program = xstrdup(json_string_value(json_array_get(cmd, 0)));
	for (size_t i = 1; i < json_array_size(cmd); i++)
		strvec_push(&c->args, json_string_value(json_array_get(cmd, i)) ?
			    json_string_value(json_array_get(cmd, i)) : "");
	c->cwd = xstrdup(json_is_string(wd) ? json_string_value(wd) : dir);
	c->timeout = timeout > 0 ? (double)timeout : 0;	/* <= 0: none */
	c->serial = json_is_false(json_object_get(t, "is_parallel"));
	c->judge = INV_HARD_ERROR;	/* 77 skips (the default), 99 is an error */
	meson_strings(json_object_get(t, "suite"), &c->labels);
	meson_intro_env(json_object_get(t, "env"), c);
	if (protocol && !strcmp(protocol, "tap"))
		c->framework = "tap";
	return 0;
}

/* ---- the probe: should_fail and the real environment ---- */

/* The environment changes that turn balrun's environment into env (a JSON object). */
static void meson_env_changes(json_t *env, struct test_command *c)
{
	const char *k;
	json_t *v;

	strvec_clear(&c->env);
	json_object_foreach(env, k, v) {
		const char *now = getenv(k), *val = json_string_value(v);

		if (val && (!now || strcmp(now, val)))
			strvec_pushf(&c->env, "%s=%s", k, val);
	}
	for (char **e = environ; *e; e++) {
		char *name = xstrndup(*e, strcspn(*e, "="));

		if (!json_object_get(env, name))
			strvec_push(&c->env, name);	/* meson's test would not have it */
		free(name);
	}
}

/* The first test of cmds[0..n) named name whose arguments are argv (after the wrapper) and not yet probed. */
static struct test_command *meson_probed(struct test_command *cmds, size_t n, unsigned char *seen,
					 const char *name, json_t *argv)
{
	for (size_t i = 0; i < n; i++) {
		int same = !seen[i] && !strcmp(cmds[i].name, name) &&
			   json_array_size(argv) >= cmds[i].args.nr + 2 &&
			   !strcmp(json_string_value(json_array_get(argv, 1)) ?
				   json_string_value(json_array_get(argv, 1)) : "", cmds[i].program);

		for (size_t a = 0; same && a < cmds[i].args.nr; a++)
			same = json_string_value(json_array_get(argv, a + 2)) &&
			       !strcmp(json_string_value(json_array_get(argv, a + 2)), cmds[i].args.v[a]);
		if (same) {
			seen[i] = 1;
			return &cmds[i];
		}
	}
	return NULL;
}

/* A test's name in meson's log: "project:suite+suite / name" without its prefix. */
static const char *meson_log_name(json_t *o)
{
	const char *name = json_string_value(json_object_get(o, "name")), *slash;

	if (!name)
		return "";
	slash = strstr(name, " / ");
	return slash ? slash + 3 : name;
}

/* Read meson's probe log (one JSON object a line) into the tests.  Returns how many were found. */
static size_t meson_read_probe(const char *log, struct test_command *cmds, size_t n)
{
	struct strbuf text = STRBUF_INIT;
	unsigned char *seen = xcalloc(n ? n : 1, 1);
	size_t found = 0;

	if (!meson_read(log, &text)) {
		for (char *line = text.buf, *end; *line; line = end + (*end != '\0')) {
			json_t *o, *argv;
			struct test_command *c;
			const char *result;

			end = line + strcspn(line, "\n");
			o = json_loadb(line, (size_t)(end - line), 0, NULL);
			argv = json_object_get(o, "command");
			result = json_string_value(json_object_get(o, "result"));
			c = o ? meson_probed(cmds, n, seen, meson_log_name(o), argv) : NULL;
			if (c) {
				meson_env_changes(json_object_get(o, "env"), c);
				if (result && !strcmp(result, "UNEXPECTEDPASS")) {
					/* should_fail: a verdict on the whole process */
					c->judge |= INV_WILL_FAIL | INV_INVERT_CRASH;
					c->whole = 1;
				}
				found++;
			}
			json_decref(o);
		}
	}
	free(seen);
	strbuf_release(&text);
	return found;
}

/* A wrapper that runs nothing and reports one passing TAP test (every protocol reads it as a pass). */
static const char meson_wrapper[] = "#!/bin/sh\nprintf '1..1\\nok 1 probe\\n'\nexit 0\n";

/* Ask meson for should_fail and the real environments; a note when it cannot. */
static void meson_probe(const char *dir, int benchmarks, struct test_command *cmds, size_t n,
			struct strbuf *notes)
{
	char *meson = collect_which("meson"), *wrapper = NULL, why[512], *log = NULL, *argv[11];
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT, err = STRBUF_INIT;
	struct proc_opts po = { 0 };
	size_t k = 0, found = 0;
	int status;

	if (!meson || !(wrapper = collect_temp_file("meson-probe", meson_wrapper, 1, &err)))
		goto out;
	argv[k++] = meson;
	argv[k++] = "test";
	argv[k++] = "--no-rebuild";
	argv[k++] = "--wrapper";
	argv[k++] = wrapper;
	argv[k++] = "--logbase";
	argv[k++] = MESON_PROBE_LOGBASE;
	if (benchmarks)
		argv[k++] = "--benchmark";
	argv[k] = NULL;
	po.file = meson;
	po.argv = argv;
	po.cwd = dir;
	if (!proc_capture(&po, MESON_PROBE_TIMEOUT, &out, &errout, &status, why, sizeof(why))) {
		char *base = strrchr(wrapper, '/') + 1;

		log = xasprintf("%s/meson-logs/%s-%s.json", dir, MESON_PROBE_LOGBASE, base);
		found = meson_read_probe(log, cmds, n);
		unlink(log);
		free(log);
		log = xasprintf("%s/meson-logs/%s-%s.txt", dir, MESON_PROBE_LOGBASE, base);
		unlink(log);
		free(log);
		log = xasprintf("%s/meson-logs/%s-%s.junit.xml", dir, MESON_PROBE_LOGBASE, base);
		unlink(log);
		free(log);
	}
out:
	if (found < n)
		strbuf_addf(notes, "meson: %s; should_fail tests, and environments that append or "
			    "prepend, are as meson-info/intro-tests.json shows them (approximate)\n",
			    !meson ? "meson is not installed" : err.len ? err.buf :
			    "`meson test --wrapper` did not report every test");
	if (wrapper)
		unlink(wrapper);
	free(wrapper);
	free(meson);
	strbuf_release(&out);
	strbuf_release(&errout);
	strbuf_release(&err);
}

/* ---- the listing ---- */

static enum import_status meson_check_info(const char *dir, const char *where, struct strbuf *err)
{
	char *path = meson_file(dir, "meson-info/meson-info.json");
	struct strbuf text = STRBUF_INIT;
	json_t *info;
	enum import_status ret = IMPORT_OK;

	if (meson_read(path, &text)) {
		strbuf_addf(err, "--meson: '%s' is not a meson build directory (no meson-info/meson-info.json)",
			    where);
		ret = IMPORT_USAGE;
	} else if (!(info = json_loadb(text.buf, text.len, 0, NULL))) {
		strbuf_addf(err, "'%s': meson-info/meson-info.json is not JSON", where);
		ret = IMPORT_ERROR;
	} else {
		if (json_is_true(json_object_get(info, "error"))) {
			strbuf_addf(err, "'%s': meson's last configure failed (meson-info.json says so): run "
				    "meson setup --reconfigure", where);
			ret = IMPORT_USAGE;
		}
		json_decref(info);
	}
	free(path);
	strbuf_release(&text);
	return ret;
}

enum import_status meson_import(const char *where, int benchmarks, struct test_command **cmds, size_t *n,
				struct strbuf *notes, struct strbuf *err)
{
	char *dir = realpath(where, NULL), *path = NULL;
	struct strbuf text = STRBUF_INIT;
	enum import_status ret;
	json_t *list = NULL, *t;
	size_t i;

	*cmds = NULL;
	*n = 0;
	if (!dir) {
		strbuf_addf(err, "--meson: '%s': %m", where);
		return IMPORT_USAGE;
	}
	if ((ret = meson_check_info(dir, where, err)))
		goto out;
	path = meson_file(dir, benchmarks ? "meson-info/intro-benchmarks.json" : "meson-info/intro-tests.json");
	if (meson_read(path, &text) || !(list = json_loadb(text.buf, text.len, 0, NULL)) ||
	    !json_is_array(list)) {
		strbuf_addf(err, "'%s': cannot read %s (was the first meson setup successful?)", where, path);
		ret = IMPORT_ERROR;
		goto out;
	}
	*cmds = xcalloc(json_array_size(list) + 1, sizeof(**cmds));
	json_array_foreach(list, i, t) {
		struct strbuf line = STRBUF_INIT;

		if (meson_test(t, dir, &(*cmds)[(*n)++], &line)) {
			strbuf_addf(err, "%s%s", err->len ? "\n" : "", line.buf);
			ret = IMPORT_ERROR;
		}
		strbuf_release(&line);
	}
	if (!ret)
		meson_probe(dir, benchmarks, *cmds, *n, notes);
out:
	json_decref(list);
	strbuf_release(&text);
	free(path);
	free(dir);
	return ret;
}
