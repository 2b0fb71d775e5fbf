/*
 * shard.h - --shard K/N: run one of N time-balanced parts of the suite, for
 * CI jobs that each run a part.
 *
 * Every job collects the same tests and computes the same partition
 * (bal_shard: longest first to the least-loaded shard, by the timing cache's
 * estimates; groups stay whole), then keeps shard K.  Tests of other shards
 * are deselected: not run and not reported.  Within the shard the run is
 * the usual dynamic, longest-first one.  The jobs agree as long as they see
 * the same tests and the same timings (a shared or committed .balrun/
 * cache, or none at all); see docs/markers.md.
 *
 * K/N forms: "2/4" (1-based, as GitLab's CI_NODE_INDEX), or "ci": taken from
 * the environment, the first of these whose index is set:
 *   BALRUN_SHARD_INDEX (0-based; set by hand where the engine has no
 *     variable: GitHub Actions from ${{ strategy.job-index }}, Jenkins from a
 *     matrix axis),
 *   CI_NODE_INDEX/CI_NODE_TOTAL (GitLab, 1-based),
 *   CIRCLE_NODE_INDEX/CIRCLE_NODE_TOTAL (CircleCI, 0-based),
 *   BUILDKITE_PARALLEL_JOB/BUILDKITE_PARALLEL_JOB_COUNT (Buildkite, 0-based),
 *   JOB_COMPLETION_INDEX (a Kubernetes indexed Job, 0-based).
 * The count is the engine's total variable, "ci/N"'s N, or
 * BALRUN_SHARD_COUNT; those given must agree, and one must be.  Every bad or
 * inconsistent value is one line naming the variable (docs/ci.md).
 */
#ifndef BALRUN_SHARD_H
#define BALRUN_SHARD_H

#include <stdio.h>

#include "run.h"
#include "strbuf.h"
#include "tcache.h"

#define SHARD_MAX 10000

struct shard {
	unsigned index;    /* 1-based; 0 = not sharded */
	unsigned total;
	size_t kept, of;   /* tests in this shard, of the selected tests before sharding */
	double *load;      /* total entries: estimated seconds of each shard (after shard_select) */
};

/* Parse a --shard value: K/N, ci or ci/N.  0, or -1 with err naming --shard (and the variables for "ci"). */
int shard_parse(const char *arg, struct shard *sh, struct strbuf *err);

/*
 * Partition the selected tests of r (disabled ones included, so that every
 * test is reported by exactly one shard) and deselect those of other
 * shards.  tc gives the estimates (NULL: none).
 */
void shard_select(struct shard *sh, struct run *r, const struct timing_cache *tc);

/* "shard 2/4: 30 of 120 tests, about 12.3s of 48.0s of work" */
void shard_describe(const struct shard *sh, FILE *out);

void shard_release(struct shard *sh);

#endif
