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

/* CI conventions for "--shard ci": index and total variables, and the index base. */
static const struct shard_ci {
	const char *index, *total;
	unsigned base;
} shard_cis[] = {
	{ "CI_NODE_INDEX", "CI_NODE_TOTAL", 1 },                       /* GitLab */
	{ "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0 },               /* CircleCI */
	{ "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0 }, /* Buildkite */
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

static int shard_from_env(struct shard *sh, struct strbuf *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(shard_cis); i++) {
		const struct shard_ci *ci = &shard_cis[i];
		const char *k = getenv(ci->index), *n = getenv(ci->total);
		unsigned long kv, nv;
		char what[160];

		if (!k || !n || !*k || !*n)
			continue;
		snprintf(what, sizeof(what), "%s='%.20s' %s='%.20s'", ci->index, k, ci->total, n);
		if (shard_number(k, &kv) || shard_number(n, &nv)) {
			strbuf_addf(err, "--shard ci: %s are not whole numbers", what);
			return -1;
		}
		return shard_check(sh, kv + 1 - ci->base, nv, what, err);
	}
	strbuf_addf(err, "--shard ci: none of CI_NODE_INDEX/CI_NODE_TOTAL, CIRCLE_NODE_INDEX/"
		    "CIRCLE_NODE_TOTAL, BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT is set "
		    "(give --shard K/N)");
	return -1;
}

int shard_parse(const char *arg, struct shard *sh, struct strbuf *err)
{
	const char *slash = strchr(arg, '/');
	unsigned long k, n;
	char *ks;
	int bad;

	memset(sh, 0, sizeof(*sh));
	if (!strcmp(arg, "ci"))
		return shard_from_env(sh, err);
	if (!slash) {
		strbuf_addf(err, "--shard: '%s' is neither K/N (e.g. 2/4) nor ci", arg);
		return -1;
	}
	ks = xstrndup(arg, (size_t)(slash - arg));
	bad = shard_number(ks, &k) || shard_number(slash + 1, &n);
	free(ks);
	if (bad) {
		strbuf_addf(err, "--shard: '%s' is not K/N with whole numbers up to %d", arg, SHARD_MAX);
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
