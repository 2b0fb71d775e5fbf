/*
 * checkpoint.c - the run's checkpoint file; see checkpoint.h for the format
 * and docs/faults.md for what the user sees.
 *
 * The selection hash is the sum of a 64-bit hash of every runnable test's
 * id, so the order of the command line does not matter and a million ids
 * need no sort.  Resuming sorts them once, for a binary search from a
 * checkpoint line to its test.  Files are taken under an flock() held for the whole run (see
 * checkpoint.h), so concurrent runs on one cache never touch each other's.
 */
#define _GNU_SOURCE
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define CKPT_MAGIC "balrun-checkpoint 2"

struct checkpoint {
	int fd;
	char *path;
	int failed;              /* a write failed: no more writes */
	struct strbuf pending;   /* whole lines not written yet */
	uint64_t written_ns;     /* when pending was last written */
};

/* Lines are written at most this long after their test finished, or at 64 KiB. */
#define CKPT_FLUSH_NS 100000000u
#define CKPT_FLUSH_BYTES 65536u

/* The runnable tests' indexes, sorted by id. */
struct ckpt_index {
	const struct run *r;
	uint32_t *v;
	size_t n;
};

static int ckpt_cmp(const void *a, const void *b, void *data)
{
	const struct run *r = data;
	return strcmp(r->tests[*(const uint32_t *)a].id, r->tests[*(const uint32_t *)b].id);
}

/* The runnable tests, in run order; sorted by id if `sorted` (for ckpt_index_find). */
static void ckpt_index_build(struct ckpt_index *ix, const struct run *r, int sorted)
{
	ix->r = r;
	ix->v = xcalloc(r->ntests ? r->ntests : 1, sizeof(*ix->v));
	ix->n = 0;
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && !r->tests[i].disabled)
			ix->v[ix->n++] = (uint32_t)i;
	if (sorted)
		qsort_r(ix->v, ix->n, sizeof(*ix->v), ckpt_cmp, (void *)r);
}

static struct test_case *ckpt_index_find(const struct ckpt_index *ix, const char *id)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct test_case *t = &ix->r->tests[ix->v[mid]];
		int c = strcmp(id, t->id);
		if (!c)
			return t;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* FNV-1a of id, then SplitMix64's finaliser, so that a sum of them mixes well. */
static uint64_t ckpt_id_hash(const char *id)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static void ckpt_header(const struct ckpt_index *ix, struct strbuf *out)
{
	uint64_t h = 0;

	for (size_t i = 0; i < ix->n; i++)
		h += ckpt_id_hash(ix->r->tests[ix->v[i]].id);
	strbuf_addf(out, CKPT_MAGIC " %016" PRIx64 " %zu\n", h, ix->n);
}

/* What reading a checkpoint's lines found. */
struct ckpt_read {
	size_t resumed;          /* tests finished here */
	size_t bad;              /* damaged lines */
	size_t recorded;         /* results put in the timing cache */
};

/*
 * One line "TAG\tSECONDS\tESCAPED-ID" (no newline).  unsaved: the line
 * comes after the last "#saved", so its result is not in the timing cache.
 * -1 if the line is damaged.
 */
static int ckpt_apply_line(const struct ckpt_index *ix, char *line, int unsaved,
			   struct timing_cache *tc, struct ckpt_read *rd)
{
	char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL, *end;
	struct strbuf id = STRBUF_INIT;
	struct test_case *t;
	double secs;
	int o, ret = -1;

	if (!tab2)
		return -1;
	*tab1 = *tab2 = '\0';
	o = outcome_parse(line);
	secs = strtod(tab1 + 1, &end);
	if (o < 0 || o == OUTCOME_NOTRUN || *end || end == tab1 + 1 || !isfinite(secs) || secs < 0 ||
	    secs > TC_MAX_SECONDS || strbuf_unescape_field(&id, tab2 + 1) || !id.len)
		goto out;
	ret = 0;
	t = ckpt_index_find(ix, id.buf);
	if (!t)
		goto out;	/* unknown ids belong to nobody */
	if (unsaved && tc) {
		tc_record_test(tc, t->id, (enum outcome)o, secs, 0);
		rd->recorded++;
	}
	if (o != OUTCOME_PASS || t->state == TEST_FINISHED)
		goto out;	/* only passes are skipped */
	test_finish(t, OUTCOME_PASS, CHECKPOINT_RESUMED);
	t->duration = secs;
	t->worker = -1;
	rd->resumed++;
out:
	strbuf_release(&id);
	return ret;
}

/* Read what fd holds (from the start) into buf.  0 or -1. */
static int ckpt_slurp(int fd, struct strbuf *buf)
{
	char chunk[65536];
	off_t off = 0;
	ssize_t n;

	strbuf_reset(buf);
	while ((n = pread(fd, chunk, sizeof(chunk), off)) > 0) {
		strbuf_add(buf, chunk, (size_t)n);
		off += n;
	}
	return n < 0 ? -1 : 0;
}

/* Apply a checkpoint of this selection held in buf; returns the length of its whole lines. */
static size_t ckpt_apply(const struct ckpt_index *ix, struct strbuf *buf, size_t header_len,
			 struct timing_cache *tc, struct ckpt_read *rd)
{
	size_t pos, good, last_saved = header_len;
	char *p;

	for (pos = header_len; (p = memchr(buf->buf + pos, '\n', buf->len - pos)); pos = (size_t)(p - buf->buf) + 1)
		if ((size_t)(p - buf->buf) - pos == 6 && !memcmp(buf->buf + pos, "#saved", 6))
			last_saved = (size_t)(p - buf->buf) + 1;
	for (pos = good = header_len; pos < buf->len; pos = good) {
		char *nl = memchr(buf->buf + pos, '\n', buf->len - pos);

		if (!nl)
			break;	/* torn last line */
		*nl = '\0';
		if (buf->buf[pos] != '#')
			rd->bad += ckpt_apply_line(ix, buf->buf + pos, pos >= last_saved, tc, rd) < 0;
		good = (size_t)(nl - buf->buf) + 1;
	}
	return good;
}

/* The path of checkpoint file number k (0: "checkpoint", k: "checkpoint.<k+1>"). */
static char *ckpt_path(const char *dir, int k)
{
	return k ? xasprintf("%s/" CHECKPOINT_FILE ".%d", dir, k + 1) : xasprintf("%s/" CHECKPOINT_FILE, dir);
}

/*
 * Open path and take its lock without waiting (create: make it if missing).
 * The fd, or -1 if it does not exist or another balrun holds it.  The lock
 * is on the file the path names now (a file removed meanwhile is retried).
 */
static int ckpt_lock(const char *path, int create)
{
	for (int tries = 0; tries < 8; tries++) {
		struct stat held, now;
		int fd = open(path, O_RDWR | O_APPEND | O_CLOEXEC | (create ? O_CREAT : 0), 0666);

		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			close(fd);
			return -1;
		}
		if (fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_ino == now.st_ino &&
		    held.st_dev == now.st_dev)
			return fd;
		close(fd);	/* its owner removed it before we locked it */
	}
	return -1;
}

/* Apply the checkpoint cp holds (read into buf), cut its torn tail, and say what happened. */
static void ckpt_resume_file(struct checkpoint *cp, const struct ckpt_index *ix,
			     const struct strbuf *header, struct timing_cache *tc,
			     struct strbuf *buf, size_t *resumed, struct strbuf *note)
{
	struct ckpt_read rd = { 0 };
	size_t good;

	if (ckpt_slurp(cp->fd, buf)) {
		strbuf_addf(note, "--resume: cannot read '%s': %s\n", cp->path, strerror(errno));
		return;
	}
	good = ckpt_apply(ix, buf, header->len, tc, &rd);
	*resumed = rd.resumed;
	if (rd.bad)
		strbuf_addf(note, "--resume: checkpoint '%s': %zu damaged line%s ignored\n", cp->path,
			    rd.bad, rd.bad == 1 ? "" : "s");
	if (rd.recorded)
		strbuf_addf(note, "--resume: %zu result%s of the interrupted run went to the timings now "
			    "(it was killed before it could save them)\n", rd.recorded,
			    rd.recorded == 1 ? "" : "s");
	if (good < buf->len && ftruncate(cp->fd, (off_t)good) < 0)
		strbuf_addf(note, "--resume: cannot cut the torn last line of '%s': %s\n", cp->path,
			    strerror(errno));
}

/* Resume from the newest checkpoint of this selection no running balrun holds. */
static struct checkpoint *ckpt_resume(const char *dir, const struct ckpt_index *ix,
				      const struct strbuf *header, struct timing_cache *tc,
				      size_t *resumed, struct strbuf *note)
{
	struct strbuf buf = STRBUF_INIT;
	struct checkpoint *cp = NULL;
	char *other = NULL;
	int best = -1, best_fd = -1, held = 0;
	struct timespec best_time = { 0, 0 };

	for (int k = 0; k < CHECKPOINT_MAX_FILES; k++) {
		char *path = ckpt_path(dir, k);
		int fd = ckpt_lock(path, 0);
		struct stat st;

		if (fd < 0) {
			held += access(path, F_OK) == 0;
		} else if (ckpt_slurp(fd, &buf) || buf.len < header->len ||
			   memcmp(buf.buf, header->buf, header->len) || fstat(fd, &st) < 0) {
			if (!other)
				other = xstrdup(path);
			close(fd);
		} else if (best < 0 || st.st_mtim.tv_sec > best_time.tv_sec ||
			   (st.st_mtim.tv_sec == best_time.tv_sec && st.st_mtim.tv_nsec > best_time.tv_nsec)) {
			if (best_fd >= 0)
				close(best_fd);
			best = k;
			best_fd = fd;
			best_time = st.st_mtim;
		} else {
			close(fd);
		}
		free(path);
	}
	if (best < 0) {
		if (other)
			strbuf_addf(note, "--resume: checkpoint '%s' is from another selection of tests; "
				    "ignored, running every selected test\n", other);
		else
			strbuf_addf(note, "--resume: no checkpoint in '%s' (the last run completed?%s); "
				    "running every selected test\n", dir,
				    held ? " others are in use by running balruns" : "");
		goto out;
	}
	cp = xcalloc(1, sizeof(*cp));
	strbuf_init(&cp->pending, 0);
	cp->fd = best_fd;
	cp->path = ckpt_path(dir, best);
	ckpt_resume_file(cp, ix, header, tc, &buf, resumed, note);
out:
	free(other);
	strbuf_release(&buf);
	return cp;
}

/* A fresh checkpoint in the first file no running balrun holds. */
static struct checkpoint *ckpt_fresh(const char *dir, const struct strbuf *header, struct strbuf *note)
{
	struct checkpoint *cp = NULL;
	char *path = NULL;
	int fd = -1;

	if (mkdirs(dir)) {
		strbuf_addf(note, "no checkpoint for this run (--resume will not help): cannot create "
			    "directory '%s': %s\n", dir, strerror(errno));
		goto out;
	}
	for (int k = 0; k < CHECKPOINT_MAX_FILES && fd < 0; k++) {
		free(path);
		path = ckpt_path(dir, k);
		fd = ckpt_lock(path, 1);
	}
	if (fd < 0 || ftruncate(fd, 0) < 0 || write_full(fd, header->buf, header->len) < 0) {
		strbuf_addf(note, "no checkpoint for this run (--resume will not help): cannot write "
			    "'%s': %s\n", path, fd < 0 && errno == EWOULDBLOCK ?
			    "all checkpoint files are in use" : strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	cp = xcalloc(1, sizeof(*cp));
	strbuf_init(&cp->pending, 0);
	cp->fd = fd;
	cp->path = path;
	path = NULL;
out:
	free(path);
	return cp;
}

struct checkpoint *checkpoint_open(const char *dir, struct run *r, int resume,
				   struct timing_cache *tc, size_t *resumed, struct strbuf *note)
{
	struct strbuf header = STRBUF_INIT;
	struct ckpt_index ix;
	struct checkpoint *cp = NULL;

	*resumed = 0;
	ckpt_index_build(&ix, r, resume);
	ckpt_header(&ix, &header);
	if (resume)
		cp = ckpt_resume(dir, &ix, &header, tc, resumed, note);
	if (!cp)
		cp = ckpt_fresh(dir, &header, note);
	free(ix.v);
	strbuf_release(&header);
	return cp;
}

void checkpoint_flush(struct checkpoint *cp)
{
	if (!cp || cp->failed || !cp->pending.len)
		return;
	/* one write of whole lines: a reader sees them all or, after a crash, a torn tail */
	if (write(cp->fd, cp->pending.buf, cp->pending.len) != (ssize_t)cp->pending.len)
		cp->failed = 1;
	strbuf_reset(&cp->pending);
	cp->written_ns = now_ns();
}

/* seconds as "%.6f" would print them, without printf (a line per result, a million of them). */
static void ckpt_add_seconds(struct strbuf *sb, double seconds)
{
	char buf[32], *p = buf + sizeof(buf);
	uint64_t us;

	if (!(seconds >= 0 && seconds < 1e9)) {
		strbuf_addf(sb, "%.6f", seconds);
		return;
	}
	us = (uint64_t)llround(seconds * 1e6);
	for (int i = 0; i < 6; i++, us /= 10)
		*--p = (char)('0' + us % 10);
	*--p = '.';
	do
		*--p = (char)('0' + us % 10);
	while (us /= 10);
	strbuf_add(sb, p, (size_t)(buf + sizeof(buf) - p));
}

void checkpoint_add(struct checkpoint *cp, const struct test_case *t)
{
	if (!cp || cp->failed || t->outcome == OUTCOME_NOTRUN || t->fault)
		return;
	strbuf_adds(&cp->pending, outcome_tag(t->outcome));
	strbuf_addch(&cp->pending, '\t');
	ckpt_add_seconds(&cp->pending, t->duration);
	strbuf_addch(&cp->pending, '\t');
	strbuf_add_field(&cp->pending, t->id);
	strbuf_addch(&cp->pending, '\n');
	if (cp->pending.len >= CKPT_FLUSH_BYTES || now_ns() - cp->written_ns >= CKPT_FLUSH_NS)
		checkpoint_flush(cp);
}

void checkpoint_saved(struct checkpoint *cp)
{
	if (!cp || cp->failed)
		return;
	strbuf_adds(&cp->pending, "#saved\n");
	checkpoint_flush(cp);
}

void checkpoint_close(struct checkpoint *cp, int complete)
{
	if (!cp)
		return;
	checkpoint_flush(cp);
	strbuf_release(&cp->pending);
	if (complete)
		unlink(cp->path);	/* still under our lock: nobody else uses it */
	close(cp->fd);
	free(cp->path);
	free(cp);
}
