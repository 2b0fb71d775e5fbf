/*
 * markers.c - the marker set and the three ways markers get into it: a
 * binary's "balrun_markers" section, a command-line flag, or a call from
 * the config reader; see markers.h.  Applying them to tests is
 * markers-apply.c.
 *
 * Section records (written by include/balrun.h) are five NUL-terminated
 * strings, "balrun1" KIND ARG PATTERN "FILE:LINE", packed one after the
 * other; NUL bytes between records are padding and skipped.
 */
#define _GNU_SOURCE
#include "markers.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MARKERS_MAGIC "balrun1"

static const char *const markers_kinds[] = {
	[MARKER_GROUP] = "group",
	[MARKER_SERIAL] = "serial",
	[MARKER_LOCK] = "lock",
	[MARKER_WEIGHT] = "weight",
	[MARKER_TIMEOUT] = "timeout",
	[MARKER_DIST] = "dist",
};

static const struct {
	const char *name, *xdist;
} dist_names[] = {
	[DIST_UNSET] = { "default", "default" },
	[DIST_CASE] = { "case", "load" },
	[DIST_GROUP] = { "group", "loadscope" },
	[DIST_BINARY] = { "binary", "loadfile" },
};

int dist_parse(const char *s)
{
	for (int i = DIST_CASE; i <= DIST_BINARY; i++)
		if (!strcmp(s, dist_names[i].name) || !strcmp(s, dist_names[i].xdist))
			return i;
	return -1;
}

const char *dist_name(enum dist_mode mode)
{
	return (unsigned)mode <= DIST_BINARY ? dist_names[mode].name : "?";
}

int marker_kind_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(markers_kinds); i++)
		if (!strcmp(name, markers_kinds[i]))
			return (int)i;
	return -1;
}

const char *marker_kind_name(enum marker_kind kind)
{
	return markers_kinds[kind];
}

static void markers_free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void marker_set_release(struct marker_set *s)
{
	for (size_t i = 0; i < s->nr; i++) {
		free(s->v[i].name);
		free(s->v[i].pattern);
		free(s->v[i].where);
	}
	free(s->v);
	markers_free_names(s->groups, s->ngroups);
	markers_free_names(s->locks, s->nlocks);
	memset(s, 0, sizeof(*s));
}

static int markers_parse_weight(const char *s, double *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end || errno || v < 1 || v > MARKER_MAX_WEIGHT)
		return -1;
	*out = (double)v;
	return 0;
}

/* Check arg for kind and fill m's name or value.  0 or -1 with err. */
static int markers_parse_arg(struct marker *m, const char *arg, const char *where, struct strbuf *err)
{
	switch (m->kind) {
	case MARKER_GROUP:
	case MARKER_LOCK:
		if (!*arg) {
			strbuf_addf(err, "%s: the %s has no name", where, marker_kind_name(m->kind));
			return -1;
		}
		m->name = xstrdup(arg);
		return 0;
	case MARKER_SERIAL:
		return 0;
	case MARKER_WEIGHT:
		if (!markers_parse_weight(arg, &m->value))
			return 0;
		strbuf_addf(err, "%s: weight '%s' is not a whole number from 1 to %d", where, arg,
			    MARKER_MAX_WEIGHT);
		return -1;
	case MARKER_TIMEOUT: {
		const char *why;
		if (!parse_seconds(arg, &m->value, &why))
			return 0;
		strbuf_addf(err, "%s: timeout '%s' %s", where, arg, why);
		return -1;
	}
	case MARKER_DIST: {
		int mode = dist_parse(arg);
		if (mode > 0) {
			m->value = mode;
			return 0;
		}
		strbuf_addf(err, "%s: dist '%s' is not one of case, group, binary (or load, "
			    "loadscope, loadfile)", where, arg);
		return -1;
	}
	}
	return -1;
}

int markers_add(struct marker_set *s, enum marker_kind kind, const char *arg, const char *pattern,
		enum marker_origin origin, int64_t binary, const char *where, struct strbuf *err)
{
	struct marker m = { .kind = kind, .origin = origin, .binary = binary };

	if (!*pattern) {
		strbuf_addf(err, "%s: empty test pattern", where);
		return -1;
	}
	if (markers_parse_arg(&m, arg ? arg : "", where, err))
		return -1;
	m.pattern = xstrdup(pattern);
	m.where = xstrdup(where);
	ALLOC_GROW(s->v, s->nr + 1, s->alloc);
	s->v[s->nr++] = m;
	return 0;
}

int markers_add_cli(struct marker_set *s, const char *flag, const char *value, struct strbuf *err)
{
	int kind = marker_kind_parse(flag + (starts_with(flag, "--") ? 2 : 0));
	char *where = xasprintf("%s %s", flag, value);
	const char *eq = strchr(value, '=');
	int ret;

	if (kind < 0) {
		strbuf_addf(err, "%s: not a marker flag", flag);
		ret = -1;
	} else if (kind == MARKER_SERIAL) {
		ret = markers_add(s, MARKER_SERIAL, NULL, value, MARKER_FROM_CLI, -1, where, err);
	} else if (!eq) {
		strbuf_addf(err, "%s: '%s' is not %s=PATTERN", flag, value,
			    kind == MARKER_WEIGHT ? "N" : "NAME");
		ret = -1;
	} else {
		char *arg = xstrndup(value, (size_t)(eq - value));
		ret = markers_add(s, (enum marker_kind)kind, arg, eq + 1, MARKER_FROM_CLI, -1, where, err);
		free(arg);
	}
	free(where);
	return ret;
}

/* The NUL-terminated string at *pos, or NULL if the section ends first. */
static const char *markers_field(const char *data, size_t len, size_t *pos)
{
	const char *s = data + *pos;
	const char *nul = *pos < len ? memchr(s, '\0', len - *pos) : NULL;

	if (!nul)
		return NULL;
	*pos = (size_t)(nul - data) + 1;
	return s;
}

static char *markers_macro_name(const char *kind)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_adds(&sb, "BALRUN_");
	for (const char *k = kind; *k; k++)
		strbuf_addch(&sb, *k >= 'a' && *k <= 'z' ? *k - 'a' + 'A' : *k);
	return strbuf_detach(&sb, NULL);
}

/* One record at *pos (after padding).  0, or -1 with err. */
static int markers_parse_record(struct marker_set *s, const char *data, size_t len, size_t *pos,
				uint32_t binary, const char *binary_id, struct strbuf *err)
{
	const char *f[5];
	size_t start = *pos;
	int kind, ret;
	char *macro, *where;

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		f[i] = markers_field(data, len, pos);
		if (f[i] && (i > 0 || !strcmp(f[0], MARKERS_MAGIC)))
			continue;
		if (f[i] && starts_with(f[0], "balrun") && strlen(f[0]) < 16)
			strbuf_addf(err, "'%s': markers of unknown version '%s' (rebuild it with this "
				    "balrun's balrun.h)", binary_id, f[0]);
		else
			strbuf_addf(err, "'%s': damaged balrun_markers section (at byte %zu)", binary_id,
				    start);
		return -1;
	}
	kind = marker_kind_parse(f[1]);
	if (kind < 0) {
		strbuf_addf(err, "'%s': unknown marker kind '%.40s' at %.200s (rebuild it with this "
			    "balrun's balrun.h)", binary_id, f[1], f[4]);
		return -1;
	}
	macro = markers_macro_name(f[1]);
	/* __FILE__ is often an absolute build path: the file name is enough beside the binary */
	where = xasprintf("%s at %s in '%s'", macro, strrchr(f[4], '/') ? strrchr(f[4], '/') + 1 : f[4],
			  binary_id);
	ret = markers_add(s, (enum marker_kind)kind, f[2], f[3], MARKER_FROM_SOURCE, binary,
			  where, err);
	free(macro);
	free(where);
	return ret;
}

int markers_parse_section(struct marker_set *s, const char *data, size_t len, uint32_t binary,
			  const char *binary_id, struct strbuf *err)
{
	size_t pos = 0;

	while (pos < len) {
		if (data[pos] == '\0') {
			pos++;
			continue;
		}
		if (markers_parse_record(s, data, len, &pos, binary, binary_id, err))
			return -1;
	}
	return 0;
}

/* Move v[from..nr) before v[0..from), keeping both orders. */
static void markers_rotate(struct marker_set *s, size_t from)
{
	struct marker *tmp;

	if (from == 0 || from == s->nr)
		return;
	tmp = xmalloc(s->nr * sizeof(*tmp));
	memcpy(tmp, s->v + from, (s->nr - from) * sizeof(*tmp));
	memcpy(tmp + (s->nr - from), s->v, from * sizeof(*tmp));
	memcpy(s->v, tmp, s->nr * sizeof(*tmp));
	free(tmp);
}

/* One marker of binary b from its command's property prop (for messages). */
static int markers_command_one(struct marker_set *s, const struct binary *b, uint32_t index,
			       enum marker_kind kind, const char *arg, const char *prop, struct strbuf *err)
{
	char *where = xasprintf("%s %s of test '%s'", b->cmd.origin, prop, b->cmd.name);
	int ret = markers_add(s, kind, arg, "*", MARKER_FROM_BUILD, index, where, err);

	free(where);
	return ret;
}

int markers_from_commands(struct marker_set *s, const struct run *r, unsigned workers, struct strbuf *err)
{
	for (size_t i = 0; i < r->nbins; i++) {
		const struct binary *b = &r->bins[i];
		const struct test_command *c = &b->cmd;
		const char *serial = !strcmp(c->origin ? c->origin : "", "meson") ? "is_parallel: false" :
				     "RUN_SERIAL";
		char num[32];
		int bad = 0;

		if (!c->origin)
			continue;
		if (c->serial)
			bad |= markers_command_one(s, b, (uint32_t)i, MARKER_SERIAL, NULL, serial, err);
		for (size_t k = 0; k < c->locks.nr && !bad; k++)
			bad |= markers_command_one(s, b, (uint32_t)i, MARKER_LOCK, c->locks.v[k],
						   "RESOURCE_LOCK", err);
		if (c->weight > 1 && !bad) {
			unsigned w = c->weight > workers && workers ? workers : c->weight;
			snprintf(num, sizeof(num), "%u", w > MARKER_MAX_WEIGHT ? MARKER_MAX_WEIGHT : w);
			bad |= w > 1 && markers_command_one(s, b, (uint32_t)i, MARKER_WEIGHT, num, "PROCESSORS", err);
		}
		if (c->timeout > 0 && !bad) {
			snprintf(num, sizeof(num), "%.17g", c->timeout < 0.001 ? 0.001 : c->timeout);
			bad |= markers_command_one(s, b, (uint32_t)i, MARKER_TIMEOUT, num, "timeout", err);
		}
		if (bad)
			return -1;
	}
	return 0;
}

int markers_from_binaries(struct marker_set *s, const struct run *r, struct strbuf *err)
{
	size_t before = s->nr;

	for (size_t i = 0; i < r->nbins; i++) {
		const struct binary *b = &r->bins[i];
		if (b->markers_len &&
		    markers_parse_section(s, b->markers, b->markers_len, (uint32_t)i, b->id, err))
			return -1;
	}
	/* source first, then the config file, then the command line: the order of listings and errors */
	markers_rotate(s, before);
	return 0;
}
