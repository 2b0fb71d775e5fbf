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
 *
 * Every change to the file (save, prune, merge) goes through tc_rewrite:
 * lock, re-read, edit the table, write a temp file, rename, unlock.  The
 * save's edit also prunes stale tests (tc-ops.h), so the file stays
 * proportional to the number of live tests without anyone asking.
 */
#include "tcache.h"
#include "tc-file.h"
#include "tc-format.h"
#include "tc-ops.h"
#include "tc-table.h"
#include "tc-updates.h"
#include "util.h"

#include <ctype.h>
#include <unistd.h>
#include <math.h>
#include <string.h>

struct timing_cache {
	char *dir;
	char *path;            /* <dir>/timings */
	char *lock_path;       /* <dir>/timings.lock */
	struct tc_table table;
	int salvaged;          /* table holds entries of a file moved aside: save them */
	struct tc_updates updates; /* this run's results (tc-updates.h) */
	char *commit;          /* lower-case hex or NULL */
	int64_t when;          /* 0: the time of the save */
	uint32_t prune_runs, prune_days;   /* see tc_set_prune */
	int readonly;          /* made by tc_from_buffer: never saved */
	struct stat seen;      /* the file as table last matched it (read or written) */
	int seen_valid;
};

/* Note that table now matches the file at c->path exactly. */
static void tc_remember_file(struct timing_cache *c)
{
	c->seen_valid = stat(c->path, &c->seen) == 0;
}

/*
 * No other process has replaced the file since table matched it.  Every
 * writer renames a new file into place, so the inode changes; size and
 * both times guard against a recycled inode number.
 */
static int tc_file_unchanged(const struct timing_cache *c)
{
	struct stat st;

	return c->seen_valid && stat(c->path, &st) == 0 && st.st_dev == c->seen.st_dev &&
	       st.st_ino == c->seen.st_ino && st.st_size == c->seen.st_size &&
	       st.st_mtim.tv_sec == c->seen.st_mtim.tv_sec && st.st_mtim.tv_nsec == c->seen.st_mtim.tv_nsec &&
	       st.st_ctim.tv_sec == c->seen.st_ctim.tv_sec && st.st_ctim.tv_nsec == c->seen.st_ctim.tv_nsec;
}

void tc_free(struct timing_cache *c)
{
	if (!c)
		return;
	tcu_clear(&c->updates);
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
	if (lock >= 0 && (stat(c->path, &now_st) < 0 || now_st.st_ino != read_st->st_ino ||
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

static struct timing_cache *tc_new(const char *dir, const char *path)
{
	struct timing_cache *c = xcalloc(1, sizeof(*c));

	c->updates = (struct tc_updates)TC_UPDATES_INIT;
	c->dir = xstrdup(dir);
	c->path = xstrdup(path);
	c->lock_path = xasprintf("%s.lock", c->path);
	c->prune_runs = TC_PRUNE_RUNS;
	c->prune_days = TC_PRUNE_DAYS;
	return c;
}

/*
 * A timings file that is a symbolic link (to a file shared by several
 * checkouts, say) is read, locked and replaced where it points, so the link
 * stays a link.  A dangling link names the file to create.
 */
static char *tc_resolve(const char *path)
{
	char target[4096];
	struct stat st;
	const char *slash;
	char *real;
	ssize_t n;

	if (lstat(path, &st) < 0 || !S_ISLNK(st.st_mode))
		return xstrdup(path);
	if ((real = realpath(path, NULL)))
		return real;
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return xstrdup(path);
	target[n] = '\0';
	slash = strrchr(path, '/');
	if (target[0] == '/' || !slash)
		return xstrdup(target);
	return xasprintf("%.*s/%s", (int)(slash - path), path, target);
}

/*
 * Read the file; with fn, the tests go to fn (tcf_parse_tests) and the
 * table never matches the file.  A damaged file is parsed again into the
 * table, so that its salvaged entries are kept for the save.
 */
static int tc_load(struct timing_cache *c, tc_test_fn *fn, void *data, struct strbuf *warn,
		   struct strbuf *err)
{
	struct strbuf content = STRBUF_INIT;
	struct tcf_damage damage;
	struct stat st;
	int r = tcfile_read(c->path, &content, &st, err), bad = 0;

	if (r == 0)
		bad = tcf_parse_tests(content.buf, content.len, &c->table, fn, data, &damage) < 0;
	if (bad && fn) {
		tc_table_release(&c->table);
		c->table = (struct tc_table)TC_TABLE_INIT;
		r = tcfile_read(c->path, &content, &st, err);
		bad = r == 0 && tcf_parse(content.buf, content.len, &c->table, &damage) < 0;
	}
	strbuf_release(&content);
	if (r < 0)
		return -1;
	if (bad)
		tc_keep_damaged(c, &damage, &st, warn);
	else if (r == 0 && !fn)
		c->seen_valid = 1, c->seen = st;
	return 0;
}

static struct timing_cache *tc_open_with(const char *given, tc_test_fn *fn, void *data,
					 struct strbuf *warn, struct strbuf *err)
{
	char *path = tc_resolve(given);
	const char *slash = strrchr(path, '/');
	char *dir = slash ? xstrndup(path, slash == path ? 1 : (size_t)(slash - path)) : xstrdup(".");
	struct timing_cache *c = tc_new(dir, path);

	free(dir);
	free(path);
	if (tc_load(c, fn, data, warn, err)) {
		tc_free(c);
		return NULL;
	}
	return c;
}

struct timing_cache *tc_open_file(const char *given, struct strbuf *warn, struct strbuf *err)
{
	return tc_open_with(given, NULL, NULL, warn, err);
}

struct timing_cache *tc_open_tests(const char *dir, tc_test_fn *fn, void *data,
				   struct strbuf *warn, struct strbuf *err)
{
	char *path = xasprintf("%s/%s", dir, TC_FILE_NAME);
	struct timing_cache *c = tc_open_with(path, fn, data, warn, err);

	free(path);
	return c;
}

struct timing_cache *tc_open(const char *dir, struct strbuf *warn, struct strbuf *err)
{
	return tc_open_tests(dir, NULL, NULL, warn, err);
}

struct timing_cache *tc_from_buffer(const char *name, const char *buf, size_t len,
				   struct strbuf *warn)
{
	struct timing_cache *c = tc_new("", name);
	char *copy = xstrndup(buf, len);
	struct tcf_damage damage;

	c->readonly = 1;
	if (tcf_parse(copy, len, &c->table, &damage) < 0) {
		strbuf_addf(warn, "timings '%s' are damaged (", name);
		tcf_describe(&damage, warn);
		strbuf_addf(warn, "); going on with %zu entries", c->table.tests_nr);
	}
	free(copy);
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

const char *tc_path(const struct timing_cache *c)
{
	return c->path;
}

const struct tc_entry *tc_entries(const struct timing_cache *c, size_t *nr)
{
	*nr = c->table.tests_nr;
	return c->table.tests;
}

const struct tc_binary *tc_binaries(const struct timing_cache *c, size_t *nr)
{
	*nr = c->table.bins_nr;
	return c->table.bins;
}

const struct tc_run *tc_runs(const struct timing_cache *c, size_t *nr)
{
	*nr = c->table.runs_nr;
	return c->table.runs;
}

uint32_t tc_last_run(const struct timing_cache *c)
{
	return c->table.max_run;
}

void tc_set_prune(struct timing_cache *c, uint32_t runs, uint32_t days)
{
	c->prune_runs = runs;
	c->prune_days = days;
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

void tc_reserve_updates(struct timing_cache *c, size_t n)
{
	tcu_reserve(&c->updates, n);
}

void tc_record_test(struct timing_cache *c, const char *id, enum outcome o,
		    double seconds, uint64_t rss_kb)
{
	tcu_add(&c->updates, id, TCU_TEST, o, seconds, rss_kb);
}

void tc_flag_test(struct timing_cache *c, const char *id, uint32_t flags)
{
	tcu_add(&c->updates, id, TCU_FLAGS, OUTCOME_NOTRUN, 0, flags);
}

void tc_record_binary_cpu(struct timing_cache *c, const char *path, double cpu, double wall)
{
	if (!(wall >= TC_CPU_MIN_WALL) || !(cpu >= 0) || !isfinite(cpu / wall))
		return;
	tcu_add(&c->updates, path, TCU_CPU, OUTCOME_PASS, cpu / wall, 0);
}

void tc_record_binary(struct timing_cache *c, const char *path, double overhead)
{
	tcu_add(&c->updates, path, TCU_OVERHEAD, OUTCOME_PASS, overhead, 0);
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

static int64_t tc_now(const struct timing_cache *c)
{
	return c->when ? c->when : wall_time_s();
}

/* Drop stale tests with the cache's policy; the number dropped goes to *data. */
static void tc_edit_prune(struct timing_cache *c, struct tc_table *t, void *data)
{
	size_t dropped = 0;

	if (c->prune_runs || c->prune_days)
		dropped = tc_table_prune(t, c->prune_runs, c->prune_days, tc_now(c));
	if (data)
		*(size_t *)data = dropped;
}

/* Record this run under the next run number, fold in its results, prune. */
static void tc_edit_apply(struct timing_cache *c, struct tc_table *t, void *data)
{
	uint32_t run = t->max_run + 1;
	int64_t when = tc_now(c);

	struct strbuf whole = STRBUF_INIT;

	tc_table_put_run(t, run, when, c->commit);
	for (size_t i = 0; i < c->updates.nr; i++) {
		const struct tc_update *u = &c->updates.v[i];
		enum tcu_kind kind;
		enum outcome o;
		const char *key = tcu_key(&c->updates, i, &whole, &kind, &o);

		if (kind == TCU_OVERHEAD)
			tc_table_apply_binary(t, key, u->seconds);
		else if (kind == TCU_CPU)
			tc_table_apply_binary_cpu(t, key, u->seconds);
		else if (kind == TCU_FLAGS)
			tc_table_flag_test(t, key, u->rss_kb);
		else
			tc_table_apply_test(t, key, o, u->seconds, u->rss_kb, run, when);
	}
	strbuf_release(&whole);
	tc_edit_prune(c, t, NULL);
}

/* Merge the table in data over t and put the result in canonical order. */
static void tc_edit_merge(struct timing_cache *c, struct tc_table *t, void *data)
{
	tc_table_merge_newest(t, data);
	tc_table_sort(t);
}

/* After a failed in-place save: make the table match the (intact) file again. */
static void tc_reload(struct timing_cache *c)
{
	struct strbuf content = STRBUF_INIT, ignored = STRBUF_INIT;

	tc_table_release(&c->table);
	c->table = (struct tc_table)TC_TABLE_INIT;
	c->seen_valid = 0;
	if (tc_reread(c, &c->table, &content, &ignored) == 0)
		tc_remember_file(c);
	strbuf_release(&content);
	strbuf_release(&ignored);
}

/*
 * Change the file under the writers' lock: re-read it (unless fresh_start,
 * which starts from nothing), let edit change the table, write it back
 * atomically; the result becomes the in-memory view.  0 or -1 (err), and on
 * failure nothing changes.
 */
/* tcfile_producer: the table as the file's text, a piece at a time. */
static int tc_produce(void *data, int (*put)(void *sink, const char *buf, size_t len), void *sink)
{
	return tcf_write(data, put, sink);
}

static int tc_rewrite(struct timing_cache *c, int fresh_start,
		      void (*edit)(struct timing_cache *, struct tc_table *, void *), void *data,
		      struct strbuf *err)
{
	enum tcfile_fault fault = tcfile_fault_from_env();
	struct tc_table fresh = TC_TABLE_INIT, *t;
	struct strbuf content = STRBUF_INIT;
	int lock, in_place, ret = -1;

	if (c->readonly) {
		strbuf_addf(err, "save '%s': these timings are read-only", c->path);
		return -1;
	}
	if (tcfile_mkdirs(c->dir, err))
		return -1;
	lock = tcfile_lock(c->lock_path, fault == TCFILE_FAULT_LOCK ? 0 : TCFILE_LOCK_TIMEOUT_MS, err);
	if (lock < 0)
		return -1;
	/*
	 * If nobody replaced the file since our table matched it, edit the
	 * table itself instead of reading the file again (that read is most
	 * of a save's time); should the write fail, the file is still intact
	 * and is read back, so a failed save changes nothing either way.
	 */
	in_place = !fresh_start && !c->salvaged && tc_file_unchanged(c);
	t = in_place ? &c->table : &fresh;
	if (!fresh_start && !in_place && tc_reread(c, &fresh, &content, err))
		goto out;
	strbuf_release(&content);	/* the table holds copies: the file's text is not needed */
	edit(c, t, data);
	if (tcfile_replace(c->dir, c->path, tc_produce, t, fault, err)) {
		if (in_place)
			tc_reload(c);
		goto out;
	}
	if (!in_place) {
		tc_table_release(&c->table);
		c->table = fresh;
		fresh = (struct tc_table)TC_TABLE_INIT;
	}
	c->salvaged = 0;
	tc_remember_file(c);
	ret = 0;
out:
	tcfile_unlock(lock);
	tc_table_release(&fresh);
	strbuf_release(&content);
	return ret;
}

int tc_save(struct timing_cache *c, struct strbuf *err)
{
	if (!c->updates.nr && !c->salvaged)
		return 0;
	if (tc_rewrite(c, 0, tc_edit_apply, NULL, err))
		return -1;
	tcu_clear(&c->updates);
	return 0;
}

int tc_prune(struct timing_cache *c, size_t *dropped, struct strbuf *err)
{
	return tc_rewrite(c, 0, tc_edit_prune, dropped, err);
}

int tc_merge_files(struct timing_cache *c, const char *const *paths, size_t n, int replace,
		   struct strbuf *warn, struct strbuf *err)
{
	struct tc_table in = TC_TABLE_INIT;
	int ret = 0;

	for (size_t i = 0; i < n && !ret; i++) {
		struct strbuf one = STRBUF_INIT;
		ret = tc_table_load(paths[i], &in, &one, err);
		if (one.len)
			strbuf_addf(warn, "%s%s", warn->len ? "\n" : "", one.buf);
		strbuf_release(&one);
	}
	if (!ret)
		ret = tc_rewrite(c, replace, tc_edit_merge, &in, err);
	tc_table_release(&in);
	return ret;
}
