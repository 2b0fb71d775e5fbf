/*
 * reap.c - find, kill and reap a process's unwanted children; see reap.h.
 *
 * Listing reads /proc/self/task/<tid>/children for every thread (an orphan
 * is handed to one thread of the subreaper, any of them), falling back to a
 * scan of /proc/<pid>/stat when the kernel lacks that file.  Each listed
 * child gets SIGKILL and a blocking waitpid() of its own pid: SIGKILL cannot
 * be caught, so the wait is short.  The loop runs until a listing finds
 * nothing, bounded so that a process that forks faster than we kill (a fork
 * bomb) cannot keep us here for ever.
 */
#define _GNU_SOURCE
#include "reap.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

#define REAP_MAX_ROUNDS 1000

int reap_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

struct reap_list {
	pid_t *v;
	size_t n, alloc;
	const pid_t *keep;
	size_t nkeep;
};

static void reap_add(struct reap_list *l, long pid)
{
	if (pid <= 0)
		return;
	for (size_t i = 0; i < l->nkeep; i++)
		if (l->keep[i] == (pid_t)pid)
			return;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i] == (pid_t)pid)
			return;
	ALLOC_GROW(l->v, l->n + 1, l->alloc);
	l->v[l->n++] = (pid_t)pid;
}

/* Add the pids listed in one children file; -1 if it cannot be opened. */
static int reap_read_children(struct reap_list *l, const char *path)
{
	FILE *f = fopen(path, "re");
	long pid;

	if (!f)
		return -1;
	while (fscanf(f, "%ld", &pid) == 1)
		reap_add(l, pid);
	fclose(f);
	return 0;
}

/* The ppid of /proc/<name>/stat, or -1.  The comm field may hold spaces and ')'. */
static long reap_stat_ppid(const char *name)
{
	char path[300], buf[512];
	FILE *f;
	size_t n;
	char *p;
	long ppid = -1;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (p && sscanf(p + 1, " %*c %ld", &ppid) != 1)
		ppid = -1;
	return ppid;
}

static void reap_scan_proc(struct reap_list *l)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	long self = (long)getpid();

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && reap_stat_ppid(e->d_name) == self)
			reap_add(l, strtol(e->d_name, NULL, 10));
	closedir(d);
}

size_t reap_list_children(pid_t **out, const pid_t *keep, size_t nkeep)
{
	struct reap_list l = { .keep = keep, .nkeep = nkeep };
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d))) {
		char path[300];
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
		found |= reap_read_children(&l, path) == 0;
	}
	if (d)
		closedir(d);
	if (!found)
		reap_scan_proc(&l);
	*out = l.v;
	return l.n;
}

unsigned reap_descendants(const pid_t *keep, size_t nkeep)
{
	unsigned killed = 0;

	for (int round = 0; round < REAP_MAX_ROUNDS; round++) {
		pid_t *v;
		size_t n = reap_list_children(&v, keep, nkeep);

		for (size_t i = 0; i < n; i++) {
			if (kill(v[i], SIGKILL) == 0)
				killed++;
			while (waitpid(v[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
		free(v);
		if (!n)
			break;
	}
	return killed;
}
