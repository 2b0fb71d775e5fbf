/*
 * gtest-filter.c - gtest's --gtest_filter, and a registered command's own
 * choice of cases (adopt_command).
 *
 * The filter, as gtest 1.12 reads it: the text up to the first '-' is the
 * positive part, the rest the negative part; each part is ':'-separated
 * patterns matched against the whole "Suite.Name", '*' any run of bytes
 * and '?' one byte.  A case runs if a positive pattern matches it and no
 * negative one does; an empty positive part before a '-' means "*".
 *
 * What a command registered by CTest or meson says about its cases, read
 * as gtest reads it (a flag beats the environment variable; a later flag
 * beats an earlier one; the variable is the command's own, else balrun's):
 *
 *   --gtest_filter / GTEST_FILTER        cases it leaves out are left out
 *                                        (CTest's gtest_discover_tests
 *                                        registers one command per case)
 *   --gtest_also_run_disabled_tests /    its disabled cases run: kept as
 *     GTEST_ALSO_RUN_DISABLED_TESTS      --gtest_also_run_disabled_tests=1
 *   GTEST_TOTAL_SHARDS and               cases of the other shards are left
 *     GTEST_SHARD_INDEX                  out
 *   --gtest_fail_fast / GTEST_FAIL_FAST, the command's answer depends on
 *     --gtest_repeat=N / GTEST_REPEAT,   running it whole: it runs whole
 *     --gtest_list_tests, --gtest_flagfile
 *
 * --gtest_brief, --gtest_color and --gtest_shuffle are dropped (the worker
 * reads gtest's full output, in the listing's order); its other arguments
 * stay (main() may read them).
 */
#define _GNU_SOURCE
#include "gtest-internal.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the filter ---- */

/* gtest's PatternMatchesString: '*' and '?' over pattern[0..plen). */
static int gt_glob(const char *p, size_t plen, const char *name)
{
	const char *pe = p + plen, *star = NULL, *resume = NULL;

	while (*name) {
		if (p < pe && (*p == '?' || *p == *name)) {
			p++;
			name++;
		} else if (p < pe && *p == '*') {
			star = ++p;
			resume = name;
		} else if (star) {
			p = star;
			name = ++resume;
		} else {
			return 0;
		}
	}
	while (p < pe && *p == '*')
		p++;
	return p == pe;
}

/* Does one of the ':'-separated patterns of list[0..len) match name? */
static int gt_match_list(const char *list, size_t len, const char *name)
{
	const char *end = list + len;

	for (const char *p = list;; ) {
		const char *colon = memchr(p, ':', (size_t)(end - p));
		const char *pe = colon ? colon : end;

		if (gt_glob(p, (size_t)(pe - p), name))
			return 1;
		if (!colon)
			return 0;
		p = colon + 1;
	}
}

int gtest_filter_match(const char *filter, const char *name)
{
	const char *dash = strchr(filter, '-');
	size_t plen = dash ? (size_t)(dash - filter) : strlen(filter);

	if (dash && !plen) {
		if (!gt_glob("*", 1, name))
			return 0;
	} else if (!gt_match_list(filter, plen, name)) {
		return 0;
	}
	return !dash || !gt_match_list(dash + 1, strlen(dash + 1), name);
}

/* ---- the registered command ---- */

struct gt_command {
	char *filter;              /* NULL: none */
	const char *filter_from;   /* "--gtest_filter" or "GTEST_FILTER" */
	int also_disabled;
	const char *whole;         /* why it runs whole, or NULL */
};

/* The command's variable, else balrun's own unless the command unsets it. */
static const char *gt_env(const struct strvec *env, const char *name)
{
	const char *v = strvec_getenv(env, name);

	if (!v && !strvec_has_unset(env, name))
		v = getenv(name);
	return v;
}

/* "--gtest_NAME" alone or "--gtest_NAME=v": v ("" alone), else NULL. */
static const char *gt_flag(const char *arg, const char *name)
{
	size_t n = strlen(name);

	if (!starts_with(arg, "--gtest_") || strncmp(arg + 8, name, n))
		return NULL;
	arg += 8 + n;
	return !*arg ? arg : *arg == '=' ? arg + 1 : NULL;
}

static int gt_flag_true(const char *v)
{
	return !(*v == '0' || *v == 'f' || *v == 'F');
}

/* One argument: noted in c, and 1 if it stays in the command's arguments. */
static int gt_read_arg(const char *a, struct gt_command *c)
{
	const char *v;

	if ((v = gt_flag(a, "filter")) && a[strlen("--gtest_filter")] == '=') {
		free(c->filter);
		c->filter = xstrdup(v);
		c->filter_from = "--gtest_filter";
		return 0;
	}
	if ((v = gt_flag(a, "also_run_disabled_tests"))) {
		c->also_disabled = gt_flag_true(v);
		return 0;
	}
	if (gt_flag(a, "brief") || gt_flag(a, "color") || gt_flag(a, "shuffle"))
		return 0;	/* what the worker reads, or its order: the worker's own */
	if (((v = gt_flag(a, "fail_fast")) && gt_flag_true(v)) ||
	    ((v = gt_flag(a, "list_tests")) && gt_flag_true(v)) ||
	    ((v = gt_flag(a, "repeat")) && *v && atoi(v) != 1) || gt_flag(a, "flagfile"))
		c->whole = a;
	return 1;
}

static void gt_read_env(const struct strvec *env, struct gt_command *c)
{
	const char *v;

	if ((v = gt_env(env, "GTEST_FILTER"))) {
		c->filter = xstrdup(v);
		c->filter_from = "GTEST_FILTER";
	}
	if ((v = gt_env(env, "GTEST_ALSO_RUN_DISABLED_TESTS")))
		c->also_disabled = strcmp(v, "0") != 0;
	if ((v = gt_env(env, "GTEST_FAIL_FAST")) && strcmp(v, "0"))
		c->whole = "GTEST_FAIL_FAST";
	if ((v = gt_env(env, "GTEST_REPEAT")) && atoi(v) != 1)
		c->whole = "GTEST_REPEAT";
}

/*
 * GTEST_TOTAL_SHARDS and GTEST_SHARD_INDEX: leave out the cases of the
 * other shards (gtest counts the runnable cases that pass the filter).
 * 0, or -1 if gtest would refuse them (the command then runs whole).
 */
static int gt_shard(const struct strvec *env, struct listing *l, struct strbuf *why)
{
	const char *total = gt_env(env, "GTEST_TOTAL_SHARDS"), *index = gt_env(env, "GTEST_SHARD_INDEX");
	long t, k;
	size_t runnable = 0;

	if (!total && !index)
		return 0;
	t = total ? atol(total) : -1;
	k = index ? atol(index) : -1;
	if (t < 1 || k < 0 || k >= t)
		return -1;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].filtered || l->v[i].disabled)
			continue;
		l->v[i].filtered = (long)(runnable++ % (size_t)t) != k;
	}
	strbuf_addf(why, "%sshard %ld of %ld", why->len ? ", " : "", k, t);
	return 0;
}

int gtest_adopt(struct strvec *args, struct strvec *env, struct listing *l, struct strbuf *why)
{
	struct gt_command c = { 0 };
	struct strvec kept = STRVEC_INIT;
	int ret = 0;

	gt_read_env(env, &c);
	for (size_t i = 0; i < args->nr; i++)
		if (gt_read_arg(args->v[i], &c))
			strvec_push(&kept, args->v[i]);
	if (c.also_disabled) {
		strvec_push(&kept, "--gtest_also_run_disabled_tests=1");
		for (size_t i = 0; i < l->n; i++)
			l->v[i].disabled = 0;
	}
	for (size_t i = 0; c.filter && i < l->n; i++)
		l->v[i].filtered = !gtest_filter_match(c.filter, l->v[i].name);
	if (c.filter)
		strbuf_addf(why, "%s=%s", c.filter_from, c.filter);
	if (!c.whole && gt_shard(env, l, why))
		c.whole = "GTEST_TOTAL_SHARDS and GTEST_SHARD_INDEX that gtest refuses";
	if (c.whole) {
		strbuf_reset(why);
		strbuf_addf(why, "%s changes what its run means", c.whole);
		ret = 1;
	} else {
		gtest_set_checks(l);
		strvec_clear(args);
		*args = kept;
		kept = (struct strvec)STRVEC_INIT;
	}
	strvec_clear(&kept);
	free(c.filter);
	return ret;
}
