/*
 * markers-apply.c - give every test the markers that match it, report
 * conflicts with both sources, and show markers per test (--list
 * --markers); see markers.h.
 *
 * Group and lock names become small integers first (test_case.group is 1 +
 * the group's index, lock i is bit i of test_case.locks), in the order the
 * names first appear among the markers, so the numbering is the same on
 * every run.  Then every (test, marker) pair is matched once: a few
 * thousand tests times a few dozen markers is cheap next to listing them.
 */
#define _GNU_SOURCE
#include "markers.h"

#include <fnmatch.h>
#include <string.h>

#include "util.h"

/* Conflicting tests reported before "and N more". */
#define MARKERS_MAX_REPORTED 5

int marker_matches(const struct marker *m, const struct test_case *t)
{
	if (m->binary >= 0)
		return (int64_t)t->binary == m->binary && fnmatch(m->pattern, t->name, 0) == 0;
	return fnmatch(m->pattern, t->id, 0) == 0;
}

/* Index of name in *names, added if missing. */
static uint32_t markers_intern(char ***names, size_t *n, size_t *alloc, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*names)[i], name))
			return (uint32_t)i;
	ALLOC_GROW(*names, *n + 1, *alloc);
	(*names)[*n] = xstrdup(name);
	return (uint32_t)(*n)++;
}

/* index[i]: the group or lock index of marker i.  0 or -1 with err (too many locks). */
static int markers_number(struct marker_set *s, uint32_t *index, struct strbuf *err)
{
	for (size_t i = 0; i < s->nr; i++) {
		const struct marker *m = &s->v[i];
		if (m->kind == MARKER_GROUP)
			index[i] = markers_intern(&s->groups, &s->ngroups, &s->groups_alloc, m->name);
		else if (m->kind == MARKER_LOCK)
			index[i] = markers_intern(&s->locks, &s->nlocks, &s->locks_alloc, m->name);
		if (s->nlocks > MARKER_MAX_LOCKS) {
			strbuf_addf(err, "%s: lock '%s' is one more than the %d named locks balrun supports",
				    m->where, m->name, MARKER_MAX_LOCKS);
			return -1;
		}
	}
	return 0;
}

/* The markers that decided a test's group, weight and timeout so far. */
struct markers_seen {
	const struct marker *group, *weight, *timeout, *dist;
};

/* Describe marker m's effect, e.g. "group 'db'", "weight 4", "timeout 2.5s". */
static void markers_describe(struct strbuf *sb, const struct marker *m)
{
	switch (m->kind) {
	case MARKER_GROUP: strbuf_addf(sb, "group '%s'", m->name); break;
	case MARKER_LOCK: strbuf_addf(sb, "lock '%s'", m->name); break;
	case MARKER_SERIAL: strbuf_adds(sb, "serial"); break;
	case MARKER_WEIGHT: strbuf_addf(sb, "weight %g", m->value); break;
	case MARKER_TIMEOUT: strbuf_addf(sb, "timeout %gs", m->value); break;
	case MARKER_DIST: strbuf_addf(sb, "dist %s", dist_name((enum dist_mode)m->value)); break;
	}
}

static void markers_conflict(struct strbuf *err, const struct test_case *t, const struct marker *a,
			     const struct marker *b)
{
	strbuf_addf(err, "'%s' has ", t->id);
	markers_describe(err, a);
	strbuf_addf(err, " (%s) and ", a->where);
	markers_describe(err, b);
	strbuf_addf(err, " (%s)\n", b->where);
}

/*
 * Record m in *slot; 1 if it disagrees with what is there.  A build
 * system's property gives way to a marker the user wrote for the same
 * setting (a config timeout beats meson's default 30 s), silently.
 */
static int markers_take(const struct marker **slot, const struct marker *m)
{
	if (!*slot || ((*slot)->origin == MARKER_FROM_BUILD && m->origin != MARKER_FROM_BUILD)) {
		*slot = m;
		return 0;
	}
	if (m->origin == MARKER_FROM_BUILD && (*slot)->origin != MARKER_FROM_BUILD)
		return 0;
	if (m->kind == MARKER_GROUP || m->kind == MARKER_LOCK)
		return strcmp((*slot)->name, m->name) != 0;
	return (*slot)->value != m->value;
}

/* Apply every marker to t.  1 if two of them conflict (err has the line). */
static int markers_apply_test(struct marker_set *s, const uint32_t *index, struct test_case *t,
			      struct strbuf *err)
{
	struct markers_seen seen = { 0 };

	for (size_t i = 0; i < s->nr; i++) {
		struct marker *m = &s->v[i];
		const struct marker **slot = NULL;
		if (!marker_matches(m, t))
			continue;
		m->hits++;
		switch (m->kind) {
		case MARKER_SERIAL: t->serial = 1; continue;
		case MARKER_LOCK: test_more(t)->locks |= UINT64_C(1) << index[i]; continue;
		case MARKER_GROUP: slot = &seen.group; break;
		case MARKER_WEIGHT: slot = &seen.weight; break;
		case MARKER_TIMEOUT: slot = &seen.timeout; break;
		case MARKER_DIST: slot = &seen.dist; break;
		}
		if (markers_take(slot, m)) {
			markers_conflict(err, t, *slot, m);
			return 1;
		}
	}
	if (seen.group)
		t->group = index[seen.group - s->v] + 1;
	if (seen.weight)
		t->weight = (uint32_t)seen.weight->value;
	if (seen.timeout)
		test_more(t)->timeout = seen.timeout->value;
	if (seen.dist)
		t->dist = (enum dist_mode)seen.dist->value;
	return 0;
}

int markers_apply(struct marker_set *s, struct run *r, struct strbuf *err)
{
	uint32_t *index = xcalloc(s->nr ? s->nr : 1, sizeof(*index));
	size_t conflicts = 0;
	int ret = -1;

	if (markers_number(s, index, err))
		goto out;
	for (size_t i = 0; i < s->nr; i++)
		s->v[i].hits = 0;
	for (size_t i = 0; i < r->ntests; i++) {
		struct strbuf line = STRBUF_INIT;
		if (markers_apply_test(s, index, &r->tests[i], &line) &&
		    ++conflicts <= MARKERS_MAX_REPORTED)
			strbuf_add(err, line.buf, line.len);
		strbuf_release(&line);
	}
	if (conflicts > MARKERS_MAX_REPORTED)
		strbuf_addf(err, "... and %zu more tests with conflicting markers\n",
			    conflicts - MARKERS_MAX_REPORTED);
	if (err->len && err->buf[err->len - 1] == '\n')
		strbuf_setlen(err, err->len - 1);
	ret = conflicts ? -1 : 0;
out:
	free(index);
	return ret;
}

int markers_check_weight(const struct marker_set *s, const struct run *r, unsigned workers,
			 struct strbuf *err)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		if (!t->selected || t->disabled || t->weight <= workers)
			continue;
		for (size_t j = 0; j < s->nr; j++) {
			const struct marker *m = &s->v[j];
			if (m->kind == MARKER_WEIGHT && marker_matches(m, t)) {
				strbuf_addf(err, "'%s' has weight %u (%s), more than the %u worker%s "
					    "(see -n)", t->id, t->weight, m->where, workers, workers == 1 ? "" : "s");
				break;
			}
		}
		return -1;
	}
	return 0;
}

void markers_unused(const struct marker_set *s, struct strbuf *warnings)
{
	for (size_t i = 0; i < s->nr; i++) {
		const struct marker *m = &s->v[i];
		/* config markers may well name binaries that are not part of this run */
		if (m->hits || m->origin == MARKER_FROM_CONFIG || m->origin == MARKER_FROM_BUILD)
			continue;
		strbuf_addf(warnings, "%s: pattern '%s' matches no test%s\n", m->where, m->pattern,
			    m->origin == MARKER_FROM_SOURCE ? " of its binary" : "");
	}
}

int markers_resolve(struct marker_set *s, struct run *r, struct strbuf *warnings, struct strbuf *err)
{
	if (markers_from_binaries(s, r, err) || markers_apply(s, r, err))
		return -1;
	markers_unused(s, warnings);
	return 0;
}

void markers_print(const struct marker_set *s, const struct run *r, FILE *out)
{
	struct strbuf what = STRBUF_INIT, shown = STRBUF_INIT;

	for (size_t i = 0; i < r->ntests; i++) {
		const struct test_case *t = &r->tests[i];
		if (!t->selected)
			continue;
		fprintf(out, "%s%s\n", run_display(t->id, &shown), t->disabled ? " (disabled)" : "");
		for (size_t j = 0; j < s->nr; j++) {
			if (!marker_matches(&s->v[j], t))
				continue;
			strbuf_reset(&what);
			markers_describe(&what, &s->v[j]);
			fprintf(out, "    %-24s from %s\n", what.buf, s->v[j].where);
		}
	}
	strbuf_release(&what);
	strbuf_release(&shown);
}
