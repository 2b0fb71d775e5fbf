/*
 * fault-util.c - checks shared by the fault-injection end-to-end tests; see
 * fault-util.h.
 */
#define _GNU_SOURCE
#include "fault-util.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"

#include "tcache.h"

/* Strings handed out stay reachable until exit (no leak reports, putenv-safe). */
static const char *fu_keep(char *s)
{
	static char *pool[256];
	static size_t n;

	cr_assert(s && n < sizeof(pool) / sizeof(pool[0]));
	pool[n++] = s;
	return s;
}

const char *fu_dir(const char **assignment)
{
	const char *dir = e2e_tmpdir();
	char *a;

	cr_assert(asprintf(&a, "FAULT_DIR=%s", dir) > 0);
	*assignment = fu_keep(a);
	return dir;
}

void fu_wait_file(const char *path)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (int i = 0; i < 6000; i++) {
		if (access(path, F_OK) == 0)
			return;
		nanosleep(&tick, NULL);
	}
	cr_assert_fail("'%s' never appeared", path);
}

void fu_assert_all_dead(const char *dir)
{
	char path[4200];
	FILE *f;
	long pid;
	int n = 0;

	snprintf(path, sizeof(path), "%s/pids", dir);
	f = fopen(path, "r");
	cr_assert(f, "no pids were recorded in '%s'", path);
	while (fscanf(f, "%ld", &pid) == 1) {
		char st = fixture_proc_state(pid);
		cr_expect(st == 0 || st == 'Z' || st == 'X', "process %ld outlived balrun (state %c)",
			  pid, st);
		n++;
	}
	fclose(f);
	cr_assert(n > 0, "no pids were recorded in '%s'", path);
}

void fu_assert_accounted(const struct e2e_run *r, size_t n)
{
	json_t *tests = json_object_get(r->report, "tests"), *t;
	size_t i;

	cr_assert(tests, "no report; exit %d; stderr: %s", r->code, r->err);
	cr_assert_eq(json_array_size(tests), n, "%zu tests reported, not %zu", json_array_size(tests), n);
	json_array_foreach(tests, i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *o = json_string_value(json_object_get(t, "outcome"));
		cr_assert(id && o, "test %zu has no id or outcome", i);
		e2e_test(r, id);	/* exactly once */
	}
}

unsigned fu_cache_runs(const char *cache_dir, const char *suffix)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *tc = tc_open(cache_dir, &warn, &err);
	const struct tc_entry *v;
	size_t n;
	unsigned runs = 0, hits = 0;

	cr_assert(tc, "timing cache in '%s' does not open: %s", cache_dir, err.buf);
	cr_assert_eq(warn.len, 0, "timing cache in '%s' is damaged: %s", cache_dir, warn.buf);
	v = tc_entries(tc, &n);
	for (size_t i = 0; i < n; i++) {
		size_t a = strlen(v[i].id), b = strlen(suffix);
		if (a >= b && !strcmp(v[i].id + a - b, suffix)) {
			runs = v[i].runs;
			hits++;
		}
	}
	cr_assert(hits <= 1, "'%s' is in the cache %u times", suffix, hits);
	tc_free(tc);
	strbuf_release(&warn);
	strbuf_release(&err);
	return runs;
}

const char *fu_message(const struct e2e_run *r, const char *suffix)
{
	const char *s = json_string_value(json_object_get(e2e_test(r, suffix), "message"));
	return s ? s : "";
}

const char *fu_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int c;

	if (!f)
		return NULL;
	m = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	return fu_keep(buf);
}
