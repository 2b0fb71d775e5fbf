/*
 * checkpoint.c - the run's checkpoint file; see checkpoint.h for the format
 * and docs/faults.md for what the user sees.
 *
 * Opening sorts the runnable tests by id once: the sorted ids give the
 * selection hash (FNV-1a over "id\n" in order, so the order of the command
 * line does not matter) and a binary search from a checkpoint line to its
 * test.  The file is read whole with the timing cache's helper and
 * replaced the same atomic way (timing-cache/tc-file.h).
 */
#define _GNU_SOURCE
#include "checkpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tc-file.h"
#include "util.h"

#define CKPT_MAGIC "balrun-checkpoint 1"

struct checkpoint {
	int fd;
	char *path;
	int failed;              /* a write failed: no more writes */
};

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

static void ckpt_index_build(struct ckpt_index *ix, const struct run *r)
{
	ix->r = r;
	ix->v = xcalloc(r->ntests ? r->ntests : 1, sizeof(*ix->v));
	ix->n = 0;
	for (size_t i = 0; i < r->ntests; i++)
		if (r->tests[i].selected && !r->tests[i].disabled)
			ix->v[ix->n++] = (uint32_t)i;
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

static void ckpt_header(const struct ckpt_index *ix, struct strbuf *out)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < ix->n; i++) {
		for (const char *p = ix->r->tests[ix->v[i]].id; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
		h = (h ^ '\n') * 1099511628211ull;
	}
	strbuf_addf(out, CKPT_MAGIC " %016" PRIx64 " %zu\n", h, ix->n);
}

/* Apply one line "TAG\tSECONDS\tID" (no newline); -1 if it is damaged. */
static int ckpt_apply_line(const struct ckpt_index *ix, char *line, size_t *resumed)
{
	char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL, *end;
	struct test_case *t;
	double secs;
	int o;

	if (!tab2)
		return -1;
	*tab1 = *tab2 = '\0';
	o = outcome_parse(line);
	secs = strtod(tab1 + 1, &end);
	if (o < 0 || *end || end == tab1 + 1 || secs < 0)
		return -1;
	t = ckpt_index_find(ix, tab2 + 1);
	if (o != OUTCOME_PASS || !t || t->state == TEST_FINISHED)
		return 0;	/* only passes are skipped; unknown ids belong to nobody */
	test_finish(t, OUTCOME_PASS, CHECKPOINT_RESUMED);
	t->duration = secs;
	t->worker = -1;
	(*resumed)++;
	return 0;
}

/*
 * Read the checkpoint at path for --resume.  1 if it belongs to this
 * selection (tests applied, the torn tail cut off), 0 if it is to be
 * replaced (note says why).
 */
static int ckpt_resume(const char *path, const struct ckpt_index *ix, const struct strbuf *header,
		       size_t *resumed, struct strbuf *note)
{
	struct strbuf buf = STRBUF_INIT, err = STRBUF_INIT;
	struct stat st;
	size_t pos, good, bad = 0;
	int ret = 0, rd = tcfile_read(path, &buf, &st, &err);

	if (rd) {
		strbuf_addf(note, rd > 0 ? "--resume: no checkpoint in '%s' (the last run completed?); "
			    "running every selected test\n" : "--resume: %s; running every selected test\n",
			    rd > 0 ? path : err.buf);
		goto out;
	}
	if (buf.len < header->len || memcmp(buf.buf, header->buf, header->len)) {
		strbuf_addf(note, "--resume: checkpoint '%s' is from another selection of tests; "
			    "ignored, running every selected test\n", path);
		goto out;
	}
	for (pos = good = header->len; pos < buf.len; pos = good) {
		char *nl = memchr(buf.buf + pos, '\n', buf.len - pos);
		if (!nl)
			break;	/* torn last line */
		*nl = '\0';
		bad += ckpt_apply_line(ix, buf.buf + pos, resumed) < 0;
		good = (size_t)(nl - buf.buf) + 1;
	}
	if (bad)
		strbuf_addf(note, "--resume: checkpoint '%s': %zu damaged line%s ignored\n", path, bad,
			    bad == 1 ? "" : "s");
	if (good < buf.len && truncate(path, (off_t)good) < 0)
		strbuf_addf(note, "--resume: cannot cut the torn last line of '%s': %s\n", path,
			    strerror(errno));
	ret = 1;
out:
	strbuf_release(&buf);
	strbuf_release(&err);
	return ret;
}

struct checkpoint *checkpoint_open(const char *dir, struct run *r, int resume, size_t *resumed,
				   struct strbuf *note)
{
	struct strbuf header = STRBUF_INIT, err = STRBUF_INIT;
	struct ckpt_index ix;
	struct checkpoint *cp = NULL;
	char *path = xasprintf("%s/" CHECKPOINT_FILE, dir);
	int fd;

	*resumed = 0;
	ckpt_index_build(&ix, r);
	ckpt_header(&ix, &header);
	if ((!resume || !ckpt_resume(path, &ix, &header, resumed, note)) &&
	    (tcfile_mkdirs(dir, &err) || tcfile_replace(dir, path, &header, TCFILE_FAULT_NONE, &err))) {
		strbuf_addf(note, "no checkpoint for this run (--resume will not help): %s\n", err.buf);
		goto out;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(note, "no checkpoint for this run: cannot open '%s': %s\n", path,
			    strerror(errno));
		goto out;
	}
	cp = xcalloc(1, sizeof(*cp));
	cp->fd = fd;
	cp->path = path;
	path = NULL;
out:
	free(path);
	free(ix.v);
	strbuf_release(&header);
	strbuf_release(&err);
	return cp;
}

void checkpoint_add(struct checkpoint *cp, const struct test_case *t)
{
	struct strbuf line = STRBUF_INIT;

	if (!cp || cp->failed || t->outcome == OUTCOME_NOTRUN || strpbrk(t->id, "\t\n"))
		return;
	strbuf_addf(&line, "%s\t%.6f\t%s\n", outcome_tag(t->outcome), t->duration, t->id);
	/* one write: a reader sees the whole line or, after a crash, a torn tail */
	if (write(cp->fd, line.buf, line.len) != (ssize_t)line.len)
		cp->failed = 1;
	strbuf_release(&line);
}

void checkpoint_close(struct checkpoint *cp, int complete)
{
	if (!cp)
		return;
	close(cp->fd);
	if (complete)
		unlink(cp->path);
	free(cp->path);
	free(cp);
}
