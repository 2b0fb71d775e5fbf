/*
 * workers.h - how many workers "-n auto" means.
 *
 * The CPUs this process may run on (sched_getaffinity, so taskset and
 * container cpusets count), capped by the cgroup CPU quota (v2 cpu.max, v1
 * cpu.cfs_quota_us / cpu.cfs_period_us; a missing file or "max" means no
 * limit), rounded up, at least 1.  BALRUN_WORKERS, if set, overrides it.
 */
#ifndef BALRUN_WORKERS_H
#define BALRUN_WORKERS_H

#include "strbuf.h"

/*
 * The automatic worker count.  cgroup_root is normally "/sys/fs/cgroup"
 * (tests pass a fake tree).  why (may be NULL) receives a short
 * explanation, e.g. "2 CPUs in the affinity mask, cgroup quota 1.5 CPUs".
 */
int workers_auto(const char *cgroup_root, struct strbuf *why);

/* Quota in CPUs from the cgroup files under root, or 0 for none. */
double workers_cgroup_quota(const char *root);

#endif
