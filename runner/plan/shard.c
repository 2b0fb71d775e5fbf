/*
 * shard.c - --shard K/N; see shard.h.
 *
 * The partition itself is bal_shard's (balancer/): this file parses the
 * value, builds the balancer input (with markers, so groups stay whole),
 * and deselects what belongs to other shards.
 */
#include "shard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "plan-input.h"
#include "util.h"

/*
 * CI conventions for "--shard ci": the variable naming this job's shard, the
 * one naming how many there are (NULL: none, the count comes from ci/N or
 * BALRUN_SHARD_COUNT), and the index base.  The first whose index is set
 * wins; BALRUN_SHARD_INDEX first, since it is only ever set on purpose.
 */
static const struct shard_ci {
	const char *index, *total;
	unsigned base;
} shard_cis[] = {
	{ "BALRUN_SHARD_INDEX", NULL, 0 },                             /* by hand: GitHub Actions, Jenkins */
	{ "CI_NODE_INDEX", "CI_NODE_TOTAL", 1 },                       /* GitLab */
	{ "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0 },               /* CircleCI */
	{ "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0 }, /* Buildkite */
	{ "JOB_COMPLETION_INDEX", NULL, 0 },                           /* Kubernetes indexed Job */
};

static int shard_number(const char *s, unsigned long *out)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	*out = strtoul(s, &end, 10);
	return *end || errno || *out > SHARD_MAX ? -1 : 0;
}

static int shard_check(struct shard *sh, unsigned long k, unsigned long n, const char *what,
		       struct strbuf *err)
{
	if (n < 1 || k < 1 || k > n) {
		strbuf_addf(err, "--shard: %s: shard %lu of %lu does not exist (shards are 1 to N)", what,
			    k, n);
		return -1;
	}
	sh->index = (unsigned)k;
	sh->total = (unsigned)n;
	return 0;
}

/* The number of shards, and what gave it ("CI_NODE_TOTAL='3'", "ci/4"). */
struct shard_count {
	unsigned long n;
	char what[64];
};

/* Note one source of the count (value NULL or empty: none); -1 with err if it is no number or disagrees. */
static int shard_count_add(struct shard_count *c, const char *name, const char *value, struct strbuf *err)
{
	unsigned long n;
	char what[64];

	if (!value || !*value)
		return 0;
	if (name)
		snprintf(what, sizeof(what), "%s='%.20s'", name, value);
	else
		snprintf(what, sizeof(what), "ci/%.20s", value);
	if (shard_number(value, &n)) {
		strbuf_addf(err, "--shard ci: %s is not a whole number up to %d", what, SHARD_MAX);
		return -1;
	}
	if (c->what[0] && c->n != n) {
		strbuf_addf(err, "--shard ci: %s and %s disagree on the number of shards", c->what, what);
		return -1;
	}
	c->n = n;
	memcpy(c->what, what, sizeof(what));
	return 0;
}

/* No index anywhere: say where balrun looked, and how to pass one where the engine has none. */
static void shard_ci_missing(struct strbuf *err)
{
	const char *gh = getenv("GITHUB_ACTIONS"), *jenkins = getenv("JENKINS_URL");

	strbuf_adds(err, "--shard ci: no shard index in the environment (BALRUN_SHARD_INDEX, CI_NODE_INDEX, "
		    "CIRCLE_NODE_INDEX, BUILDKITE_PARALLEL_JOB or JOB_COMPLETION_INDEX; docs/ci.md)");
	if (gh && !strcmp(gh, "true"))
		strbuf_adds(err, ": on GitHub Actions set BALRUN_SHARD_INDEX to ${{ strategy.job-index }} and "
			    "BALRUN_SHARD_COUNT to ${{ strategy.job-total }}");
	else if (jenkins && *jenkins)
		strbuf_adds(err, ": on Jenkins set BALRUN_SHARD_INDEX (from 0) and BALRUN_SHARD_COUNT");
	else
		strbuf_adds(err, "; or give --shard K/N");
}

/* --shard ci (count_arg NULL) or ci/N (count_arg N): this job's shard from the environment. */
static int shard_from_env(const char *count_arg, struct shard *sh, struct strbuf *err)
{
	const struct shard_ci *ci = NULL;
	struct shard_count c = { 0 };
	const char *k;
	unsigned long kv;
	char what[160];

	for (size_t i = 0; !ci && i < ARRAY_SIZE(shard_cis); i++)
		if ((k = getenv(shard_cis[i].index)) && *k)
			ci = &shard_cis[i];
	if (!ci) {
		shard_ci_missing(err);
		return -1;
	}
	if (shard_number(k, &kv)) {
		strbuf_addf(err, "--shard ci: %s='%.20s' is not a whole number up to %d", ci->index, k, SHARD_MAX);
		return -1;
	}
	if ((ci->total && shard_count_add(&c, ci->total, getenv(ci->total), err)) ||
	    shard_count_add(&c, NULL, count_arg, err) ||
	    shard_count_add(&c, "BALRUN_SHARD_COUNT", getenv("BALRUN_SHARD_COUNT"), err))
		return -1;
	if (!c.what[0]) {
		strbuf_addf(err, "--shard ci: %s='%.20s' says which shard but not how many: set "
			    "BALRUN_SHARD_COUNT or give --shard ci/N", ci->index, k);
		return -1;
	}
	snprintf(what, sizeof(what), "%s='%.20s' %s", ci->index, k, c.what);
	if (ci->base == 0 && kv >= c.n && c.n) {
		strbuf_addf(err, "--shard ci: %s: %s counts from 0, so shards are 0 to %lu", what, ci->index,
			    c.n - 1);
		return -1;
	}
	return shard_check(sh, kv + 1 - ci->base, c.n, what, err);
}

int shard_parse(const char *arg, struct shard *sh, struct strbuf *err)
{
	const char *slash = strchr(arg, '/');
	unsigned long k, n;
	char *ks;
	int bad;

	memset(sh, 0, sizeof(*sh));
	if (!strcmp(arg, "ci"))
		return shard_from_env(NULL, sh, err);
	if (!slash) {
		strbuf_addf(err, "--shard: '%s' is neither K/N (e.g. 2/4) nor ci", arg);
		return -1;
	}
	ks = xstrndup(arg, (size_t)(slash - arg));
	bad = strcmp(ks, "ci") ? shard_number(ks, &k) : 0;
	bad = bad || shard_number(slash + 1, &n);
	if (!bad && !strcmp(ks, "ci")) {
		free(ks);
		return shard_from_env(slash + 1, sh, err);
	}
	free(ks);
	if (bad) {
		strbuf_addf(err, "--shard: '%s' is not K/N or ci/N with whole numbers up to %d", arg, SHARD_MAX);
		return -1;
	}
	return shard_check(sh, k, n, arg, err);
}

void shard_select(struct shard *sh, struct run *r, const struct timing_cache *tc)
{
	struct plan_input in;
	const char **keys;
	uint32_t *shard_of;

	plan_input_build(&in, r, tc, 1, 1, -1);
	keys = xcalloc(in.n ? in.n : 1, sizeof(*keys));
	shard_of = xcalloc(in.n ? in.n : 1, sizeof(*shard_of));
	for (size_t i = 0; i < in.n; i++)
		keys[i] = r->tests[in.map[i]].id;
	free(sh->load);
	sh->load = xcalloc(sh->total, sizeof(*sh->load));
	bal_shard(in.tests, in.n, keys, sh->total, shard_of, sh->load);
	sh->of = in.n;
	sh->kept = 0;
	for (size_t i = 0; i < in.n; i++) {
		if (shard_of[i] + 1 == sh->index)
			sh->kept++;
		else
			r->tests[in.map[i]].selected = 0;
	}
	free(keys);
	free(shard_of);
	plan_input_release(&in);
}

void shard_describe(const struct shard *sh, FILE *out)
{
	double sum = 0;

	for (unsigned i = 0; i < sh->total; i++)
		sum += sh->load[i];
	fprintf(out, "balrun: shard %u/%u: %zu of %zu tests, about %.1fs of %.1fs of work\n", sh->index,
		sh->total, sh->kept, sh->of, sh->load[sh->index - 1], sum);
}

void shard_release(struct shard *sh)
{
	free(sh->load);
	sh->load = NULL;
}
