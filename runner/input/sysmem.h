/*
 * sysmem.h - how much memory this process may use, for "-n auto"
 * (capacity.h decides from it).
 *
 * Two figures, each 0 when unknown:
 *   - MemAvailable from <proc_root>/meminfo (the kernel's estimate of what
 *     can be allocated without swapping; missing before Linux 3.14);
 *   - the cgroup memory limit: the smallest limit on the way from this
 *     process's own cgroup (<proc_root>/self/cgroup) up to the root of the
 *     hierarchy under <cgroup_root>: cgroup v2 memory.max ("max": none), v1
 *     memory/memory.limit_in_bytes (v1 writes "no limit" as a number near
 *     2^63: anything from SYSMEM_HUGE up is none).  A path that is not there
 *     under the root (a container without its own cgroup namespace sees the
 *     host's path) falls back to the levels that are, down to the root itself.
 * Only the limit counts, not what the cgroup already uses of it: its usage
 * includes page cache the kernel gives back; MemAvailable covers the rest.
 * Files that are missing, unreadable or hold garbage count as no figure;
 * nothing here fails.
 */
#ifndef BALRUN_SYSMEM_H
#define BALRUN_SYSMEM_H

#include <stdint.h>

#define SYSMEM_HUGE (1ull << 60)   /* a limit this large is no limit */

/* MemAvailable in bytes from <proc_root>/meminfo, 0 if unknown. */
uint64_t sysmem_available(const char *proc_root);

/* The cgroup memory limit in bytes as described above, 0 for none. */
uint64_t sysmem_cgroup_limit(const char *proc_root, const char *cgroup_root);

#endif
