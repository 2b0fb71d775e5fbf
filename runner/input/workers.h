/*
 * workers.h - how many workers a run gets, decided here and nowhere else.
 *
 * A number given with -n wins; else BALRUN_WORKERS when set (it also
 * stands in for "-n auto"); else .balrun.conf's "workers"; else auto.  Auto is
 * the CPUs this process may run on (sched_getaffinity, so taskset and
 * container cpusets count), capped by the cgroup CPU quota (v2 cpu.max, v1
 * cpu.cfs_quota_us / cpu.cfs_period_us; a missing file or "max" means no
 * limit), rounded up, at least 1.
 */
#ifndef BALRUN_WORKERS_H
#define BALRUN_WORKERS_H

#include "strbuf.h"

#define WORKERS_MAX 1024

/*
 * The run's worker count, as above: cli is -n's value if given (0 auto),
 * config the config file's (-1 none, 0 auto); BALRUN_WORKERS is read here.
 * -1 with a one-line err for a bad BALRUN_WORKERS.
 */
int workers_resolve(int cli_given, int cli, int config, struct strbuf *err);

/*
 * Parse a worker count: "auto" (0) or a number up to WORKERS_MAX (0 means
 * 1).  what names the source in messages ("-n", "BALRUN_WORKERS", a config
 * key).  0 on success, -1 with a one-line err naming what and the value.
 */
int workers_parse(const char *what, const char *s, int *out, struct strbuf *err);

/*
 * The automatic worker count.  cgroup_root is normally "/sys/fs/cgroup"
 * (tests pass a fake tree).  why (may be NULL) receives a short
 * explanation, e.g. "2 CPUs in the affinity mask, cgroup quota 1.5 CPUs".
 */
int workers_auto(const char *cgroup_root, struct strbuf *why);

/* Quota in CPUs from the cgroup files under root, or 0 for none. */
double workers_cgroup_quota(const char *root);

#endif
