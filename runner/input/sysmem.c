/*
 * sysmem.c - the memory figures of "-n auto"; see sysmem.h.
 *
 * <proc_root>/self/cgroup has one line per hierarchy,
 * "ID:CONTROLLERS:PATH": "0::/user.slice/x.scope" is cgroup v2,
 * "4:memory:/docker/abc" the v1 memory controller (mounted at
 * <cgroup_root>/memory).  Each is walked from PATH up to the root, since a
 * parent's limit bounds its children.
 */
#define _GNU_SOURCE
#include "sysmem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

/* A decimal number at s (digits only, no sign) into *v; the end in *end.  0, or -1 (overflow too). */
static int sysmem_number(const char *s, uint64_t *v, char **end)
{
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, end, 10);
	return errno ? -1 : 0;
}

uint64_t sysmem_available(const char *proc_root)
{
	static const char key[] = "MemAvailable:";
	char path[4096], line[256];
	uint64_t kb = 0, bytes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/meminfo", proc_root);
	if (!(f = fopen(path, "r")))
		return 0;
	while (!bytes && fgets(line, sizeof(line), f)) {
		char *s = line + sizeof(key) - 1, *end;

		if (strncmp(line, key, sizeof(key) - 1))
			continue;
		s += strspn(s, " \t");
		if (sysmem_number(s, &kb, &end) || strcmp(end, " kB\n") || kb > UINT64_MAX / 1024)
			break;
		bytes = kb * 1024;
	}
	fclose(f);
	return bytes;
}

/* One limit file: its limit in bytes; 0 for "max", a huge value, a missing file or garbage. */
static uint64_t sysmem_limit_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char buf[64], *end;
	uint64_t v;
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (sysmem_number(buf, &v, &end) || end[strspn(end, " \t\n")] || v >= SYSMEM_HUGE)
		return 0;
	return v;
}

static uint64_t sysmem_min(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* The smallest limit in <base><path>/<file> and in every level above it, down to <base>/<file>. */
static uint64_t sysmem_walk(const char *base, const char *path, const char *file)
{
	struct strbuf dir = STRBUF_INIT;
	size_t root = strlen(base);
	uint64_t limit = 0;

	if (path[0] != '/' || strstr(path, "/..") || strstr(path, "//"))
		path = "/";	/* nothing to climb out of the tree with */
	strbuf_adds(&dir, base);
	strbuf_adds(&dir, path);
	while (dir.len > root && dir.buf[dir.len - 1] == '/')
		strbuf_setlen(&dir, dir.len - 1);
	for (;;) {
		size_t len = dir.len;

		strbuf_addf(&dir, "/%s", file);
		limit = sysmem_min(limit, sysmem_limit_file(dir.buf));
		strbuf_setlen(&dir, len);
		if (len <= root)
			break;
		while (dir.len > root && dir.buf[dir.len - 1] != '/')
			strbuf_setlen(&dir, dir.len - 1);
		strbuf_setlen(&dir, dir.len > root ? dir.len - 1 : root);
	}
	strbuf_release(&dir);
	return limit;
}

/* Whether a comma-separated controller list names the memory controller. */
static int sysmem_has_memory(const char *list, size_t len)
{
	for (size_t i = 0; i < len;) {
		size_t n = strcspn(list + i, ",");

		if (n > len - i)
			n = len - i;
		if (n == 6 && !strncmp(list + i, "memory", 6))
			return 1;
		i += n + 1;
	}
	return 0;
}

/* The limit one line of /proc/self/cgroup leads to; 0 for none or a line of another controller. */
static uint64_t sysmem_cgroup_line(char *line, const char *cgroup_root)
{
	char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL, *path;
	uint64_t limit = 0;
	char *base;

	if (!c2)
		return 0;
	path = c2 + 1;
	path[strcspn(path, "\n")] = '\0';
	if (c1 - line == 1 && line[0] == '0' && c2 == c1 + 1)
		return sysmem_walk(cgroup_root, path, "memory.max");
	if (!sysmem_has_memory(c1 + 1, (size_t)(c2 - c1 - 1)))
		return 0;
	if (asprintf(&base, "%s/memory", cgroup_root) < 0)
		return 0;
	limit = sysmem_walk(base, path, "memory.limit_in_bytes");
	free(base);
	return limit;
}

uint64_t sysmem_cgroup_limit(const char *proc_root, const char *cgroup_root)
{
	char path[4096], *line = NULL;
	size_t cap = 0;
	uint64_t limit = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/self/cgroup", proc_root);
	f = fopen(path, "r");
	while (f && getline(&line, &cap, f) > 0)
		limit = sysmem_min(limit, sysmem_cgroup_line(line, cgroup_root));
	if (f)
		fclose(f);
	free(line);
	if (!f) {	/* no /proc: the roots of both hierarchies */
		char v1[4096];

		snprintf(v1, sizeof(v1), "%s/memory", cgroup_root);
		limit = sysmem_min(sysmem_walk(cgroup_root, "/", "memory.max"),
				   sysmem_walk(v1, "/", "memory.limit_in_bytes"));
	}
	return limit;
}
