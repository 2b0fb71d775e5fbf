/*
 * reap.h - leave no process behind: become the reaper of orphaned
 * descendants, then kill and reap every child that is not wanted.
 *
 * A test may leave processes behind: daemons it forked, processes that
 * setsid() away from its process group, or (Criterion) per-test children
 * that live in sessions of their own.  Signalling the test's process group
 * misses all of those.  A process that is a "child subreaper"
 * (prctl PR_SET_CHILD_SUBREAPER, Linux 3.4+) inherits every orphan among its
 * descendants instead of init, so it can find them as its own children and
 * kill them.  balrun-worker does this after each invocation and balrun
 * itself after losing a worker and before it returns from the dispatch loop.
 *
 * Children are found in /proc/self/task/<tid>/children (CONFIG_PROC_CHILDREN),
 * or, where that file does not exist, by scanning the ppid field of every
 * /proc/<pid>/stat.  Only pids given to waitpid() one by one are reaped, so
 * children the caller waits for itself (kept ones) are never stolen.
 */
#ifndef BALRUN_REAP_H
#define BALRUN_REAP_H

#include <stddef.h>
#include <sys/types.h>

/* Inherit orphaned descendants from now on.  0, or -1 (errno set) where unsupported. */
int reap_become_subreaper(void);

/*
 * SIGKILL and reap every child of this process whose pid is not in
 * keep[0..nkeep), again and again until none is left (killing a child hands
 * its own children to us).  Returns the number of processes killed.
 */
unsigned reap_descendants(const pid_t *keep, size_t nkeep);

/*
 * The children of this process, not counting keep[], into *out (malloc'd,
 * free it).  Returns how many.  For tests and diagnostics as much as for
 * reap_descendants.
 */
size_t reap_list_children(pid_t **out, const pid_t *keep, size_t nkeep);

#endif
