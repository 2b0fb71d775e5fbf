/*
 * harness.c - run balrun for end-to-end tests; see harness.h.
 */
#define _GNU_SOURCE
#include "harness.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;

	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	if (f)
		fclose(f);
	fclose(m);
	return buf;
}

static void rm_rf(void)
{
	/* the temp dirs live under one parent created per process */
	const char *parent = getenv("BALRUN_E2E_TMP");
	if (parent && strstr(parent, "/balrun-e2e.")) {
		char *cmd;
		if (asprintf(&cmd, "rm -rf '%s'", parent) > 0) {
			if (system(cmd)) { /* nothing more to do */ }
			free(cmd);
		}
	}
}

/* Strings handed to callers stay valid (and reachable) until exit. */
static const char *keep(const char *s)
{
	static char *pool[1024];
	static size_t n;
	cr_assert(n < sizeof(pool) / sizeof(pool[0]));
	pool[n] = strdup(s);
	return pool[n++];
}

const char *e2e_tmpdir(void)
{
	static char *parent;
	static int n;
	char path[4096];

	if (!parent) {
		char tmpl[] = "/tmp/balrun-e2e.XXXXXX";
		parent = strdup(mkdtemp(tmpl));
		setenv("BALRUN_E2E_TMP", parent, 1);
		atexit(rm_rf);
	}
	snprintf(path, sizeof(path), "%s/%d", parent, n++);
	cr_assert(mkdir(path, 0700) == 0, "mkdir %s", path);
	return keep(path);
}

const char *e2e_fixture(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	return keep(path);
}

/*
 * The balrun under test: BALRUN_E2E_BALRUN if set (to show that a test
 * fails on an older balrun), else the one of this build.
 */
static const char *balrun_path(void)
{
	const char *p = getenv("BALRUN_E2E_BALRUN");
	return p && *p ? p : BALRUN_PATH;
}

pid_t e2e_start(struct e2e_run *r, const char *const *env, const char *const *args)
{
	const char *dir = e2e_tmpdir();
	char out[4200], err[4200], json[4200];
	const char *argv[64];
	size_t n = 0;
	pid_t pid;

	snprintf(out, sizeof(out), "%s/stdout", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(json, sizeof(json), "%s/report.json", dir);
	argv[n++] = balrun_path();
	argv[n++] = "--json";
	argv[n++] = json;
	for (size_t i = 0; args[i]; i++) {
		cr_assert(n < 62);
		argv[n++] = args[i];
	}
	argv[n] = NULL;
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int in = open("/dev/null", O_RDONLY);
		dup2(in, 0);
		dup2(o, 1);
		dup2(e, 2);
		/* a make running ctest must not lend balrun a jobserver its descriptors miss */
		unsetenv("MAKEFLAGS");
		for (size_t i = 0; env && env[i]; i++)
			putenv((char *)env[i]);
		/* balrun starts with stdio only, as from a shell: what tests inherit is balrun's doing */
		close_range(3, ~0u, 0);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	memset(r, 0, sizeof(*r));
	r->dir = dir;
	return pid;
}

void e2e_finish(struct e2e_run *r, pid_t pid)
{
	char path[4200];
	int status;

	cr_assert(wait4(pid, &status, 0, &r->ru) == pid);
	r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	snprintf(path, sizeof(path), "%s/stdout", r->dir);
	r->out = slurp(path);
	snprintf(path, sizeof(path), "%s/stderr", r->dir);
	r->err = slurp(path);
	snprintf(path, sizeof(path), "%s/report.json", r->dir);
	r->report = json_load_file(path, 0, NULL);
}

void e2e_balrun(struct e2e_run *r, const char *const *env, const char *const *args)
{
	e2e_finish(r, e2e_start(r, env, args));
}

void e2e_free(struct e2e_run *r)
{
	free(r->out);
	free(r->err);
	json_decref(r->report);
	memset(r, 0, sizeof(*r));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

json_t *e2e_test(const struct e2e_run *r, const char *suffix)
{
	json_t *tests = json_object_get(r->report, "tests"), *found = NULL, *t;
	size_t i, hits = 0;

	cr_assert(tests, "no report; stderr: %s", r->err);
	json_array_foreach(tests, i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		if (id && ends_with(id, suffix)) {
			found = t;
			hits++;
		}
	}
	cr_assert_eq(hits, 1, "test ending in '%s' found %zu times", suffix, hits);
	return found;
}

const char *e2e_outcome(const struct e2e_run *r, const char *suffix)
{
	return json_string_value(json_object_get(e2e_test(r, suffix), "outcome"));
}

size_t e2e_count(const struct e2e_run *r)
{
	return json_array_size(json_object_get(r->report, "tests"));
}

size_t e2e_count_outcome(const struct e2e_run *r, const char *outcome)
{
	json_t *tests = json_object_get(r->report, "tests"), *t;
	size_t i, n = 0;
	json_array_foreach(tests, i, t)
		n += !strcmp(json_string_value(json_object_get(t, "outcome")), outcome);
	return n;
}

int e2e_sh(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	cr_assert(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}
