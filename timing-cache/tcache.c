/*
 * tcache.c - the timing cache API; see tcache.h and docs/timing-cache.md.
 *
 * A cache is the table read at open time plus this run's results, kept as an
 * ordered list of updates.  tc_save never writes the open-time table back
 * blindly: under the writers' lock it re-reads the file, applies the updates
 * on top of what is there now, and replaces the file with the result, which
 * then becomes the in-memory view.  The one exception is a damaged file: its
 * readable entries were salvaged at open time and the file moved aside, so
 * the save starts from those salvaged entries instead of from nothing.
 */
#include "tcache.h"
#include "tc-file.h"
#include "tc-format.h"
#include "tc-table.h"
#include "util.h"

#include <ctype.h>
#include <string.h>

/* One tc_record_test / tc_record_binary call, applied at save time. */
struct tc_update {
	char *key;             /* test id or binary path */
	int is_binary;
	enum outcome outcome;  /* tests only */
	double seconds;        /* duration, or overhead for a binary */
	uint64_t rss_kb;
};

struct timing_cache {
	char *dir;
	char *path;            /* <dir>/timings */
	char *lock_path;       /* <dir>/timings.lock */
	struct tc_table table;
	int salvaged;          /* table holds entries of a file moved aside: save them */
	struct tc_update *updates;
	size_t updates_nr, updates_alloc;
	char *commit;          /* lower-case hex or NULL */
	int64_t when;          /* 0: the time of the save */
};

static void tc_clear_updates(struct timing_cache *c)
{
	for (size_t i = 0; i < c->updates_nr; i++)
		free(c->updates[i].key);
	c->updates_nr = 0;
}

void tc_free(struct timing_cache *c)
{
	if (!c)
		return;
	tc_clear_updates(c);
	free(c->updates);
	tc_table_release(&c->table);
	free(c->dir);
	free(c->path);
	free(c->lock_path);
	free(c->commit);
	free(c);
}

/*
 * A damaged file was read at open time: move it aside under the lock (if it
 * is still the file that was read) and say so in one line.
 */
static void tc_keep_damaged(struct timing_cache *c, const struct tcf_damage *d,
			    const struct stat *read_st, struct strbuf *warn)
{
	struct strbuf what = STRBUF_INIT, backup = STRBUF_INIT, why = STRBUF_INIT;
	struct stat now_st;
	int lock = tcfile_lock(c->lock_path, TCFILE_LOCK_TIMEOUT_MS, &why);

	tcf_describe(d, &what);
	strbuf_addf(warn, "timing cache '%s' is damaged (%s); ", c->path, what.buf);
	if (lock >= 0 && (lstat(c->path, &now_st) < 0 || now_st.st_ino != read_st->st_ino ||
			  now_st.st_dev != read_st->st_dev)) {
		strbuf_adds(warn, "another balrun replaced it meanwhile");
	} else if (lock >= 0 && !tcfile_move_aside(c->path, &backup, &why)) {
		strbuf_addf(warn, "kept it as '%s'", backup.buf);
		c->salvaged = 1;
	} else {
		strbuf_addf(warn, "could not keep it aside (%s)", why.buf);
		c->salvaged = 1;
	}
	strbuf_addf(warn, ", going on with %zu entries", c->table.tests_nr);
	tcfile_unlock(lock);
	strbuf_release(&what);
	strbuf_release(&backup);
	strbuf_release(&why);
}

struct timing_cache *tc_open(const char *dir, struct strbuf *warn, struct strbuf *err)
{
	struct timing_cache *c = xcalloc(1, sizeof(*c));
	struct strbuf content = STRBUF_INIT;
	struct tcf_damage damage;
	struct stat st;
	int r;

	c->dir = xstrdup(dir);
	c->path = xasprintf("%s/%s", dir, TC_FILE_NAME);
	c->lock_path = xasprintf("%s.lock", c->path);
	r = tcfile_read(c->path, &content, &st, err);
	if (r < 0) {
		strbuf_release(&content);
		tc_free(c);
		return NULL;
	}
	if (r == 0 && tcf_parse(content.buf, content.len, &c->table, &damage) < 0)
		tc_keep_damaged(c, &damage, &st, warn);
	strbuf_release(&content);
	return c;
}

const struct tc_entry *tc_get(const struct timing_cache *c, const char *id)
{
	return tc_table_find(&c->table, id);
}

const struct tc_binary *tc_binary(const struct timing_cache *c, const char *path)
{
	return tc_table_find_binary(&c->table, path);
}

size_t tc_count(const struct timing_cache *c)
{
	return c->table.tests_nr;
}

void tc_each(const struct timing_cache *c, void (*fn)(const struct tc_entry *, void *), void *data)
{
	for (size_t i = 0; i < c->table.tests_nr; i++)
		fn(&c->table.tests[i], data);
}

const char *tc_dir(const struct timing_cache *c)
{
	return c->dir;
}

void tc_set_run_info(struct timing_cache *c, const char *commit, int64_t when)
{
	size_t n = commit ? strspn(commit, "0123456789abcdefABCDEF") : 0;

	free(c->commit);
	c->commit = NULL;
	/* The file only takes hex: anything else is recorded as unknown. */
	if (n >= 4 && n <= 64 && !commit[n]) {
		c->commit = xstrdup(commit);
		for (char *p = c->commit; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	c->when = when > 0 ? when : 0;
}

static void tc_add_update(struct timing_cache *c, const struct tc_update *u)
{
	if (!*u->key)
		return;   /* an empty key cannot be written */
	ALLOC_GROW(c->updates, c->updates_nr + 1, c->updates_alloc);
	c->updates[c->updates_nr] = *u;
	c->updates[c->updates_nr++].key = xstrdup(u->key);
}

void tc_record_test(struct timing_cache *c, const char *id, enum outcome o,
		    double seconds, uint64_t rss_kb)
{
	struct tc_update u = { (char *)id, 0, o, seconds, rss_kb };
	tc_add_update(c, &u);
}

void tc_record_binary(struct timing_cache *c, const char *path, double overhead)
{
	struct tc_update u = { (char *)path, 1, OUTCOME_PASS, overhead, 0 };
	tc_add_update(c, &u);
}

/*
 * Fill t with what the cache holds now: the salvaged entries (if any), then
 * the file on disk over them.  A file damaged meanwhile is moved aside
 * (quietly: its good records are in t and will be written back).
 */
static int tc_reread(struct timing_cache *c, struct tc_table *t, struct strbuf *content,
		     struct strbuf *err)
{
	struct tcf_damage damage;
	struct stat st;
	int r;

	if (c->salvaged)
		tc_table_merge(t, &c->table);
	r = tcfile_read(c->path, content, &st, err);
	if (r)
		return r < 0 ? -1 : 0;
	if (tcf_parse(content->buf, content->len, t, &damage) < 0) {
		struct strbuf backup = STRBUF_INIT, ignored = STRBUF_INIT;
		tcfile_move_aside(c->path, &backup, &ignored);
		strbuf_release(&backup);
		strbuf_release(&ignored);
	}
	return 0;
}

/* Record this run under the next run number and fold in its results. */
static void tc_apply_updates(const struct timing_cache *c, struct tc_table *t)
{
	uint32_t run = t->max_run + 1;
	int64_t when = c->when ? c->when : wall_time_s();

	tc_table_put_run(t, run, when, c->commit);
	for (size_t i = 0; i < c->updates_nr; i++) {
		const struct tc_update *u = &c->updates[i];
		if (u->is_binary)
			tc_table_apply_binary(t, u->key, u->seconds);
		else
			tc_table_apply_test(t, u->key, u->outcome, u->seconds, u->rss_kb, run, when);
	}
}

int tc_save(struct timing_cache *c, struct strbuf *err)
{
	enum tcfile_fault fault = tcfile_fault_from_env();
	struct tc_table fresh = TC_TABLE_INIT;
	struct strbuf content = STRBUF_INIT;
	int lock, ret = -1;

	if (!c->updates_nr && !c->salvaged)
		return 0;
	if (tcfile_mkdirs(c->dir, err))
		return -1;
	lock = tcfile_lock(c->lock_path, fault == TCFILE_FAULT_LOCK ? 0 : TCFILE_LOCK_TIMEOUT_MS, err);
	if (lock < 0)
		return -1;
	if (tc_reread(c, &fresh, &content, err))
		goto out;
	tc_apply_updates(c, &fresh);
	strbuf_reset(&content);
	tcf_format(&fresh, &content);
	if (tcfile_replace(c->dir, c->path, &content, fault, err))
		goto out;
	tc_table_release(&c->table);
	c->table = fresh;
	fresh = (struct tc_table)TC_TABLE_INIT;
	c->salvaged = 0;
	tc_clear_updates(c);
	ret = 0;
out:
	tcfile_unlock(lock);
	tc_table_release(&fresh);
	strbuf_release(&content);
	return ret;
}
