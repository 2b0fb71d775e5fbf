/*
 * workers.h - how many workers a run gets, decided here and nowhere else.
 *
 * A number given with -n wins; else BALRUN_WORKERS when set (it also
 * stands in for "-n auto"); else .balrun.conf's "workers"; else auto.  Auto is
 * the CPUs this process may run on (sched_getaffinity, so taskset and
 * container cpusets count), capped by the cgroup CPU quota (v2 cpu.max, v1
 * cpu.cfs_quota_us / cpu.cfs_period_us; a missing file or "max" means no
 * limit), rounded up, at least 1; and once the tests are selected, capped
 * by the memory the machine has for the heaviest of them (capacity.h states
 * the rule, sysmem.h reads the memory).  A count asked for that is more than
 * the machine takes gets a warning, not a change.
 *
 * The machine is read under the roots BALRUN_PROC_ROOT and
 * BALRUN_CGROUP_ROOT (default /proc and /sys/fs/cgroup), which tests point
 * at fake trees.
 */
#ifndef BALRUN_WORKERS_H
#define BALRUN_WORKERS_H

#include "capacity.h"
#include "run.h"
#include "strbuf.h"
#include "tcache.h"

#define WORKERS_MAX 1024

/*
 * The worker count before the tests are known (workers_choose's first
 * step): cli is -n's value if given (0 auto), config the config file's (-1
 * none, 0 auto); BALRUN_WORKERS is read here.  -1 with a one-line err for
 * a bad BALRUN_WORKERS.
 */
int workers_resolve(int cli_given, int cli, int config, struct strbuf *err);

/*
 * Parse a worker count: "auto" (0) or a number up to WORKERS_MAX (0 means
 * 1).  what names the source in messages ("-n", "BALRUN_WORKERS", a config
 * key).  0 on success, -1 with a one-line err naming what and the value.
 */
int workers_parse(const char *what, const char *s, int *out, struct strbuf *err);

/*
 * A run's worker count, in two steps: workers_choose before the tests are
 * known (the count asked for, or auto from the CPUs alone: the markers of
 * ctest's PROCESSORS are capped by it), then workers_settle once they are
 * selected.
 */
struct workers_choice {
	unsigned requested;            /* the count asked for (-n, BALRUN_WORKERS, config); 0: auto */
	char what[64];                 /* how it was asked, for the warning: "-n 16", "BALRUN_WORKERS=16" */
	struct capacity_facts facts;   /* the machine (and after workers_settle, the tests) */
	struct capacity cap;           /* the rule's decision */
	unsigned workers;              /* the count so far */
};

/*
 * Step 1, as workers_resolve: -1 with a one-line err for a bad
 * BALRUN_WORKERS; else c->workers.  Reads the machine.
 */
int workers_choose(struct workers_choice *c, int cli_given, int cli, int config, struct strbuf *err);

/*
 * Step 2, for the selected tests of r (their peak RSS from tc, which may be
 * NULL): auto becomes the capacity rule's count; a count asked for stays,
 * with a one-line warning appended to warn if the machine cannot take it
 * (capacity_warn).  Returns c->workers.
 */
unsigned workers_settle(struct workers_choice *c, const struct run *r, const struct timing_cache *tc,
			struct strbuf *warn);

/*
 * With auto, why the count (capacity_explain), else nothing.  brief: only
 * when it is not the CPUs in the affinity mask (a quota or memory held it
 * below, or waiting tests raised it above).
 */
void workers_explain(const struct workers_choice *c, int brief, struct strbuf *why);

/*
 * The automatic worker count from the CPUs alone.  cgroup_root is normally "/sys/fs/cgroup"
 * (tests pass a fake tree).  why (may be NULL) receives a short
 * explanation, e.g. "2 CPUs, quota 1.5 -> 2".
 */
int workers_auto(const char *cgroup_root, struct strbuf *why);

/* Quota in CPUs from the cgroup files under root, or 0 for none. */
double workers_cgroup_quota(const char *root);

#endif
