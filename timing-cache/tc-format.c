/*
 * tc-format.c - parse and write the timings file text; see tc-format.h and
 * docs/timing-cache.md.
 *
 * The file is "balrun-timings 1\n" followed by one record per line: fields
 * separated by tabs, the first field a one-letter tag (R run, B binary,
 * T test).  Keys are escaped (\\ \t \n \r) so any id fits on one line.
 * Durations are written as seconds with exactly six decimals from an integer
 * count of microseconds, and numbers are read and written by hand here
 * rather than with printf/strtod: 100,000 entries must load and save in a
 * few tens of milliseconds.  Columns after the ones this version knows are
 * ignored, so a later version can add columns without a new version number.
 */
#include "tc-format.h"
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TCF_MAX_FIELDS 16

struct tcf_line {
	char *field[TCF_MAX_FIELDS];
	size_t nr;
	struct strbuf key;     /* the unescaped key of the record */
};

/* ---- reading fields ---- */

static int tcf_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (d > 9 || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int tcf_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	if (tcf_parse_u64(s, UINT32_MAX, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int tcf_parse_time(const char *s, int64_t *out)
{
	uint64_t v;
	if (tcf_parse_u64(s, INT64_MAX, &v))
		return -1;
	*out = (int64_t)v;
	return 0;
}

/* Seconds: "123.456789" read exactly by hand, anything else via strtod. */
static int tcf_parse_seconds(const char *s, double *out)
{
	uint64_t whole = 0, frac = 0;
	const char *p = s;
	int frac_digits = 0;

	while (*p >= '0' && *p <= '9' && whole <= (uint64_t)TC_MAX_SECONDS)
		whole = whole * 10 + (uint64_t)(*p++ - '0');
	if (*p == '.' && p > s)
		for (p++; *p >= '0' && *p <= '9' && frac_digits < 6; frac_digits++)
			frac = frac * 10 + (uint64_t)(*p++ - '0');
	if (!*p && p > s && whole <= (uint64_t)TC_MAX_SECONDS) {
		while (frac_digits++ < 6)
			frac *= 10;
		*out = (double)(whole * 1000000 + frac) / 1e6;
		return 0;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !tc_valid_seconds(v))
		return -1;
	*out = tc_quantize(v);
	return 0;
}

static int tcf_parse_history(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t n = strlen(s);

	if (!n || n > 8)
		return -1;
	for (; *s; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0'
			: *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
			: *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = (v << 4) | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* Undo the escaping of a key into out; -1 if malformed or empty. */
static int tcf_unescape(const char *s, struct strbuf *out)
{
	return strbuf_unescape_field(out, s) || !out->len ? -1 : 0;
}

static int tcf_is_commit(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");
	return !strcmp(s, "-") || (n >= 4 && n <= 64 && !s[n]);
}

/* ---- records ---- */

static const char *tcf_read_run(struct tcf_line *l, struct tc_table *t)
{
	uint32_t number;
	int64_t when;

	if (tcf_parse_u32(l->field[1], &number) || !number)
		return "bad run number";
	if (tcf_parse_time(l->field[2], &when))
		return "bad time";
	if (!tcf_is_commit(l->field[3]))
		return "bad commit";
	tc_table_put_run(t, number, when, strcmp(l->field[3], "-") ? l->field[3] : NULL);
	return NULL;
}

static const char *tcf_read_binary(struct tcf_line *l, struct tc_table *t)
{
	struct tc_binary b = { 0 };

	if (tcf_unescape(l->field[1], &l->key))
		return "bad binary path";
	if (tcf_parse_seconds(l->field[2], &b.overhead))
		return "bad overhead";
	if (tcf_parse_u32(l->field[3], &b.runs))
		return "bad run count";
	tc_table_put_binary(t, l->key.buf, &b);
	return NULL;
}

static const char *tcf_read_test(struct tcf_line *l, struct tc_table *t)
{
	struct tc_entry e = { 0 };
	uint32_t hist_len;
	int o;

	if (tcf_unescape(l->field[1], &l->key))
		return "bad test id";
	if (tcf_parse_seconds(l->field[2], &e.mean) || tcf_parse_seconds(l->field[4], &e.last))
		return "bad duration";
	if (tcf_parse_seconds(l->field[3], &e.spread))
		return "bad spread";
	if (tcf_parse_u32(l->field[5], &e.runs))
		return "bad run count";
	if ((o = outcome_parse(l->field[6])) < 0)
		return "bad outcome";
	e.last_outcome = (enum outcome)o;
	if (tcf_parse_history(l->field[7], &e.history) || tcf_parse_u32(l->field[8], &hist_len) ||
	    hist_len > 32 || (hist_len < 32 && e.history >> hist_len))
		return "bad history";
	e.hist_len = (uint8_t)hist_len;
	if (tcf_parse_u64(l->field[9], UINT64_MAX, &e.rss_kb))
		return "bad rss";
	if (tcf_parse_u32(l->field[10], &e.seen_run) || tcf_parse_time(l->field[11], &e.seen_time))
		return "bad last run";
	if (l->nr > 12 && tcf_parse_u32(l->field[12], &e.flags))
		return "bad flags";
	tc_table_put_test(t, l->key.buf, &e);
	return NULL;
}

static const struct {
	char tag;
	size_t fields;         /* including the tag */
	const char *(*read)(struct tcf_line *, struct tc_table *);
} tcf_records[] = {
	{ 'R', 4, tcf_read_run },
	{ 'B', 4, tcf_read_binary },
	{ 'T', 12, tcf_read_test },
};

/* Parse one line (without its newline); NULL if fine, else what is wrong. */
static const char *tcf_parse_line(char *line, size_t len, struct tcf_line *l, struct tc_table *t)
{
	if (!len)
		return "empty line";
	line[len] = '\0';
	if (len == strlen(TC_MAGIC " 1") && !memcmp(line, TC_MAGIC " 1", len))
		return NULL;   /* a repeated header: files joined with cat */
	l->field[0] = line;
	l->nr = 1;
	for (char *p = line, *end = line + len; p < end; p++) {
		if (*p == '\0')
			return "NUL byte";
		if (*p == '\t' && l->nr < TCF_MAX_FIELDS) {
			*p = '\0';
			l->field[l->nr++] = p + 1;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(tcf_records); i++) {
		if (l->field[0][0] != tcf_records[i].tag || l->field[0][1])
			continue;
		if (l->nr < tcf_records[i].fields)
			return "too few fields";
		return tcf_records[i].read(l, t);
	}
	return "unknown record";
}

/* Check the version line; 0 if it is ours. */
static int tcf_check_header(char *line, size_t len, struct tcf_damage *d)
{
	size_t magic_len = strlen(TC_MAGIC " ");
	uint64_t version;

	d->line = 1;
	d->what = "not a balrun timings file";
	if (len <= magic_len || len > magic_len + 9 || memcmp(line, TC_MAGIC " ", magic_len))
		return -1;
	line[len] = '\0';
	if (tcf_parse_u64(line + magic_len, 999999999, &version))
		return -1;
	if (version != TC_VERSION) {
		d->version = (long)version;
		d->what = version > TC_VERSION ? "written by a newer balrun" : "unknown version";
		return -1;
	}
	d->line = 0;
	return 0;
}

static void tcf_note(struct tcf_damage *d, unsigned line, const char *what)
{
	if (!d->bad_lines++) {
		d->line = line;
		d->what = what;
	}
}

int tcf_parse(char *buf, size_t len, struct tc_table *t, struct tcf_damage *d)
{
	struct tcf_line l = { .key = STRBUF_INIT };
	char *end = buf + len;
	unsigned lineno = 0;

	memset(d, 0, sizeof(*d));
	d->version = -1;
	/* test lines are 60-120 bytes: room for len / 64 of them is rarely too little */
	tc_table_reserve_tests(t, len / 64);
	for (char *p = buf; p < end; lineno++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *what;
		if (!nl) {
			tcf_note(d, lineno + 1, "truncated last line");
			break;
		}
		if (!lineno) {
			if (tcf_check_header(p, (size_t)(nl - p), d))
				break;
		} else if ((what = tcf_parse_line(p, (size_t)(nl - p), &l, t))) {
			tcf_note(d, lineno + 1, what);
		}
		p = nl + 1;
	}
	strbuf_release(&l.key);
	return d->line ? -1 : 0;
}

void tcf_describe(const struct tcf_damage *d, struct strbuf *out)
{
	strbuf_addf(out, "line %u: %s", d->line, d->what);
	if (d->version >= 0)
		strbuf_addf(out, " (version %ld)", d->version);
	if (d->bad_lines > 1)
		strbuf_addf(out, "; %u more bad lines", d->bad_lines - 1);
}

/* ---- writing ---- */

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

static char *tcf_raw_seconds(char *p, double seconds)
{
	uint64_t us = (uint64_t)llround(seconds * 1e6);

	p = tcf_raw_u64(p, us / 1000000);
	*p++ = '.';
	us %= 1000000;
	for (int i = 5; i >= 0; i--, us /= 10)
		p[i] = (char)('0' + us % 10);
	return p + 6;
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

/* "<tag>\t<escaped key>" */
static void tcf_put_key(struct strbuf *out, char tag, const char *s)
{
	strbuf_addch(out, tag);
	strbuf_addch(out, '\t');
	strbuf_add_field(out, s);
}

void tcf_put_test(struct strbuf *out, const struct tc_entry *e)
{
	tcf_put_key(out, 'T', e->id);
	char *p = tcf_numbers_begin(out);
	*p++ = '\t';
	p = tcf_raw_seconds(p, e->mean);
	*p++ = '\t';
	p = tcf_raw_seconds(p, e->spread);
	*p++ = '\t';
	p = tcf_raw_seconds(p, e->last);
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
	p = tcf_raw_u64(p, (uint64_t)e->seen_time);
	if (e->flags) {
		*p++ = '\t';
		p = tcf_raw_u64(p, e->flags);
	}
	tcf_numbers_end(out, p);
}

void tcf_put_binary(struct strbuf *out, const struct tc_binary *b)
{
	tcf_put_key(out, 'B', b->path);
	char *p = tcf_numbers_begin(out);
	*p++ = '\t';
	p = tcf_raw_seconds(p, b->overhead);
	*p++ = '\t';
	p = tcf_raw_u64(p, b->runs);
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
	for (size_t i = 0; i < t->tests_nr && !ret; i++) {
		tcf_put_test(&buf, &t->tests[i]);
		ret = tcf_emit(&buf, 0, put, ctx);
	}
	if (!ret)
		ret = tcf_emit(&buf, 1, put, ctx);
	strbuf_release(&buf);
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
