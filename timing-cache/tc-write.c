/*
 * tc-write.c - write the timings file text (version 2); see tc-format.h for
 * the API and tc-format.c for the format, which is described in full in
 * docs/timing-cache.md.
 *
 * Numbers are written by hand into room grown once per line rather than
 * with printf, and the content is handed out in pieces of about 1 MiB, so
 * that a million tests are written in a fraction of a second without the
 * whole file in memory.
 */
#include "tc-format.h"
#include "util.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

/*
 * Writers of numbers into a buffer the caller has grown enough (a line's
 * numbers take under TCF_NUMBERS_MAX bytes); each returns the new end.
 */
#define TCF_NUMBERS_MAX 192

static char *tcf_raw_u64(char *p, uint64_t v)
{
	char digits[20];
	int n = 0;
	do
		digits[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = digits[--n];
	return p;
}

static char *tcf_raw_us(char *p, double seconds)
{
	return tcf_raw_u64(p, (uint64_t)llround(seconds * 1e6));
}

static char *tcf_raw_hex(char *p, uint32_t v)
{
	int shift = 28;
	while (shift && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = "0123456789abcdef"[(v >> shift) & 15];
	return p;
}

static char *tcf_raw_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* Room for a line's numbers at the end of out. */
static char *tcf_numbers_begin(struct strbuf *out)
{
	strbuf_grow(out, TCF_NUMBERS_MAX);
	return out->buf + out->len;
}

static void tcf_numbers_end(struct strbuf *out, char *end)
{
	*end++ = '\n';
	out->len = (size_t)(end - out->buf);
	out->buf[out->len] = '\0';
}

/*
 * What writing a file remembers from line to line: the prefix of the last
 * P line written and the last run whose time was looked up.
 */
struct tcf_writer {
	const struct tc_table *t;
	struct strbuf prefix;
	int have_run;          /* run and run_time hold a lookup */
	uint32_t run;          /* the run number last looked up */
	int64_t run_time;      /* its time, -1 if the table has no such run */
};

/* Length of id up to and including its last separator ("::", '/', '.'), 0 if none. */
static size_t tcf_group_len(const char *id)
{
	size_t n = 0;

	for (size_t i = 0; id[i]; i++)
		if (id[i] == '/' || id[i] == ':' || id[i] == '.')
			n = i + 1;
	return n;
}

/*
 * Write a P line before the test at i if the current prefix does not fit
 * it: its group prefix if the next test shares that, else none.
 */
static void tcf_put_prefix(struct strbuf *out, const struct tc_table *t, size_t i, struct tcf_writer *w)
{
	const char *id = t->tests[i].id;
	size_t n;

	if (w->prefix.len && !strncmp(id, w->prefix.buf, w->prefix.len) && id[w->prefix.len])
		return;   /* the current prefix fits */
	n = tcf_group_len(id);
	if (n && i + 1 < t->tests_nr && !strncmp(id, t->tests[i + 1].id, n) && t->tests[i + 1].id[n]) {
		strbuf_reset(&w->prefix);
		strbuf_add(&w->prefix, id, n);
	} else if (!w->prefix.len) {
		return;
	} else {
		strbuf_reset(&w->prefix);
	}
	strbuf_adds(out, "P\t");
	strbuf_add_field(out, w->prefix.buf);
	strbuf_addch(out, '\n');
}

/* The time of run number as the file's R records give it, -1 if none. */
static int64_t tcf_writer_run_time(struct tcf_writer *w, uint32_t number)
{
	if (!w->t)
		return -1;
	if (!w->have_run || w->run != number) {
		w->have_run = 1;
		w->run = number;
		w->run_time = tc_table_run_time(w->t, number);
	}
	return w->run_time;
}

/* The T line of e, its id less the writer's prefix. */
static void tcf_put_test_line(struct strbuf *out, const struct tc_entry *e, struct tcf_writer *w)
{
	strbuf_adds(out, "T\t");
	strbuf_add_field(out, e->id + w->prefix.len);
	char *p = tcf_numbers_begin(out);
	*p++ = '\t';
	p = tcf_raw_us(p, e->mean);
	*p++ = '\t';
	p = tcf_raw_us(p, e->spread);
	*p++ = '\t';
	p = tcf_raw_us(p, e->last);
	*p++ = '\t';
	p = tcf_raw_u64(p, e->runs);
	*p++ = '\t';
	p = tcf_raw_str(p, outcome_tag(e->last_outcome));
	*p++ = '\t';
	p = tcf_raw_hex(p, e->history);
	*p++ = '\t';
	p = tcf_raw_u64(p, e->hist_len);
	*p++ = '\t';
	p = tcf_raw_u64(p, e->rss_kb);
	*p++ = '\t';
	p = tcf_raw_u64(p, e->seen_run);
	*p++ = '\t';
	if (tcf_writer_run_time(w, e->seen_run) != e->seen_time)
		p = tcf_raw_u64(p, (uint64_t)e->seen_time);
	if (e->flags) {
		*p++ = '\t';
		p = tcf_raw_u64(p, e->flags);
	}
	tcf_numbers_end(out, p);
}

void tcf_put_test(struct strbuf *out, const struct tc_entry *e)
{
	struct tcf_writer w = { .prefix = STRBUF_INIT };
	tcf_put_test_line(out, e, &w);
}

void tcf_put_binary(struct strbuf *out, const struct tc_binary *b)
{
	strbuf_adds(out, "B\t");
	strbuf_add_field(out, b->path);
	char *p = tcf_numbers_begin(out);
	*p++ = '\t';
	p = tcf_raw_us(p, b->overhead);
	*p++ = '\t';
	p = tcf_raw_u64(p, b->runs);
	if (b->cpu_share > 0) {
		*p++ = '\t';
		p = tcf_raw_u64(p, (uint64_t)llround(b->cpu_share * 1000));
	}
	tcf_numbers_end(out, p);
}

#define TCF_CHUNK (1u << 20)

/* Hand out what buf holds once it is a chunk (or at the end, with last). */
static int tcf_emit(struct strbuf *buf, int last, int (*put)(void *, const char *, size_t), void *ctx)
{
	int ret = 0;

	if (buf->len && (last || buf->len >= TCF_CHUNK)) {
		ret = put(ctx, buf->buf, buf->len);
		strbuf_reset(buf);
	}
	return ret;
}

int tcf_write(const struct tc_table *t, int (*put)(void *ctx, const char *buf, size_t len), void *ctx)
{
	struct strbuf buf = STRBUF_INIT;
	int ret = 0;

	strbuf_grow(&buf, TCF_CHUNK + 4096);
	strbuf_addf(&buf, "%s %d\n", TC_MAGIC, TC_VERSION);
	for (size_t i = 0; i < t->runs_nr && !ret; i++) {
		const struct tc_run *r = &t->runs[i];
		strbuf_addf(&buf, "R\t%u\t%lld\t%s\n", (unsigned)r->number, (long long)r->when,
			    r->commit ? r->commit : "-");
		ret = tcf_emit(&buf, 0, put, ctx);
	}
	for (size_t i = 0; i < t->bins_nr && !ret; i++) {
		tcf_put_binary(&buf, &t->bins[i]);
		ret = tcf_emit(&buf, 0, put, ctx);
	}
	struct tcf_writer w = { .t = t, .prefix = STRBUF_INIT };
	for (size_t i = 0; i < t->tests_nr && !ret; i++) {
		tcf_put_prefix(&buf, t, i, &w);
		tcf_put_test_line(&buf, &t->tests[i], &w);
		ret = tcf_emit(&buf, 0, put, ctx);
	}
	if (!ret)
		ret = tcf_emit(&buf, 1, put, ctx);
	strbuf_release(&buf);
	strbuf_release(&w.prefix);
	return ret;
}

static int tcf_append(void *ctx, const char *buf, size_t len)
{
	strbuf_add(ctx, buf, len);
	return 0;
}

void tcf_format(const struct tc_table *t, struct strbuf *out)
{
	tcf_write(t, tcf_append, out);
}
