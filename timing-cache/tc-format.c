/*
 * tc-format.c - parse the timings file text (tc-write.c writes it); see tc-format.h and
 * docs/timing-cache.md.
 *
 * The file is "balrun-timings 2\n" followed by one record per line: fields
 * separated by tabs, the first field a one-letter tag (R run, B binary,
 * T test).  Keys are escaped (\\ \t \n \r) so any id fits on one line.
 * Version 2 is written; version 1 is still read (a header line switches
 * the version for the lines after it, so files joined with cat work):
 *
 *   version 1  T id mean spread last runs outcome hist hist_len rss seen_run seen_time [flags]
 *              durations as seconds with six decimals ("0.000512")
 *   version 2  T name mean spread last runs outcome hist hist_len rss seen_run seen_time [flags]
 *              P prefix
 *              durations as whole microseconds ("512"); a test's id is the
 *              prefix of the last P line (none after a header line)
 *              followed by its name; seen_time is empty when it is the time
 *              of the R record numbered seen_run.
 *
 * The writer starts a P line where two or more tests in a row share a
 * prefix up to a separator ("bin::group/"), so each T line depends on its
 * P line only: a line-based git merge of two versions keeps every id right
 * unless the merge conflicts.  A million tests of a generated suite take
 * about 37 bytes each instead of 83, and numbers are read and written by hand here rather than with
 * printf/strtod: a million entries must load and save in well under a
 * second.  Columns after the ones a version knows are ignored, so a later
 * balrun can add columns without a new version number.
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
	unsigned version;      /* of the lines being read: 1 or 2 */
	struct strbuf prefix;  /* version 2: of the ids of the T lines that follow */
	int prefix_bad;        /* the last P line was bad: so is every T line up to the next */
	struct strbuf name;    /* version 2: a T line's unescaped name */
	uint32_t run;          /* with have_run: the run whose time run_time is (most lines share it) */
	int64_t run_time;
	int have_run;
	tc_test_fn *sink;     /* tcf_parse_tests: where test records go instead of the table */
	void *sink_data;
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

/* Whole microseconds (version 2). */
static int tcf_parse_us(const char *s, double *out)
{
	uint64_t us;

	if (tcf_parse_u64(s, (uint64_t)TC_MAX_SECONDS * 1000000, &us))
		return -1;
	*out = (double)us / 1e6;
	return 0;
}

/* A duration in the line's version: seconds with decimals (1) or microseconds (2). */
static int tcf_parse_duration(const struct tcf_line *l, const char *s, double *out)
{
	return l->version == 1 ? tcf_parse_seconds(s, out) : tcf_parse_us(s, out);
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
	l->have_run = 0;   /* a run's time may have changed: look it up again */
	return NULL;
}

static const char *tcf_read_binary(struct tcf_line *l, struct tc_table *t)
{
	struct tc_binary b = { 0 };

	if (tcf_unescape(l->field[1], &l->key))
		return "bad binary path";
	if (tcf_parse_duration(l, l->field[2], &b.overhead))
		return "bad overhead";
	if (tcf_parse_u32(l->field[3], &b.runs))
		return "bad run count";
	if (l->nr > 4) {
		uint32_t permille;
		if (tcf_parse_u32(l->field[4], &permille) || permille > TC_MAX_CPU_SHARE * 1000)
			return "bad cpu share";
		b.cpu_share = permille / 1000.0;
	}
	tc_table_put_binary(t, l->key.buf, &b);
	return NULL;
}

/* A version 2 T line's id: the current prefix and the (escaped) name. */
static int tcf_read_prefixed_key(struct tcf_line *l, const char *name)
{
	if (l->prefix_bad || strbuf_unescape_field(&l->name, name))
		return -1;
	strbuf_reset(&l->key);
	strbuf_add(&l->key, l->prefix.buf, l->prefix.len);
	strbuf_add(&l->key, l->name.buf, l->name.len);
	return l->key.len ? 0 : -1;
}

static const char *tcf_read_prefix(struct tcf_line *l, struct tc_table *t)
{
	(void)t;
	l->prefix_bad = strbuf_unescape_field(&l->prefix, l->field[1]);
	return l->prefix_bad ? "bad prefix" : NULL;
}

/* seen_run and seen_time from f[0], f[1]; an empty seen_time (version 2) is the run's. */
static int tcf_read_seen(struct tcf_line *l, const struct tc_table *t, char **f,
			 struct tc_entry *e)
{
	if (tcf_parse_u32(f[0], &e->seen_run))
		return -1;
	if (l->version == 1 || *f[1])
		return tcf_parse_time(f[1], &e->seen_time);
	if (!l->have_run || l->run != e->seen_run) {
		l->run_time = tc_table_run_time(t, e->seen_run);
		l->run = e->seen_run;
		l->have_run = 1;
	}
	e->seen_time = l->run_time;
	return e->seen_time < 0 ? -1 : 0;
}

static const char *tcf_read_test(struct tcf_line *l, struct tc_table *t)
{
	struct tc_entry e = { 0 };
	uint32_t hist_len;
	char **f = l->field + 2;   /* the fields after the id */
	int o;

	if (l->version == 1 ? tcf_unescape(l->field[1], &l->key) : tcf_read_prefixed_key(l, l->field[1]))
		return "bad test id";
	if (tcf_parse_duration(l, f[0], &e.mean) || tcf_parse_duration(l, f[2], &e.last))
		return "bad duration";
	if (tcf_parse_duration(l, f[1], &e.spread))
		return "bad spread";
	if (tcf_parse_u32(f[3], &e.runs))
		return "bad run count";
	if ((o = outcome_parse(f[4])) < 0)
		return "bad outcome";
	e.last_outcome = (enum outcome)o;
	if (tcf_parse_history(f[5], &e.history) || tcf_parse_u32(f[6], &hist_len) ||
	    hist_len > 32 || (hist_len < 32 && e.history >> hist_len))
		return "bad history";
	e.hist_len = (uint8_t)hist_len;
	if (tcf_parse_u64(f[7], UINT64_MAX, &e.rss_kb))
		return "bad rss";
	if (tcf_read_seen(l, t, f + 8, &e))
		return "bad last run";
	if (f + 10 < l->field + l->nr && tcf_parse_u32(f[10], &e.flags))
		return "bad flags";
	if (l->sink) {
		e.id = l->key.buf;
		l->sink(&e, l->sink_data);
	} else {
		tc_table_append_test(t, l->key.buf, &e);
	}
	return NULL;
}

static const struct {
	char tag;
	unsigned since;        /* the first version that has it */
	size_t fields;         /* including the tag */
	const char *(*read)(struct tcf_line *, struct tc_table *);
} tcf_records[] = {
	{ 'R', 1, 4, tcf_read_run },
	{ 'B', 1, 4, tcf_read_binary },
	{ 'T', 1, 12, tcf_read_test },
	{ 'P', 2, 2, tcf_read_prefix },
};

/* The version of a header line "balrun-timings N" (N 0-999999999), or -1 if it is none. */
static long tcf_header_version(const char *line, size_t len)
{
	size_t magic_len = strlen(TC_MAGIC " ");
	char digits[10];
	uint64_t version;

	if (len <= magic_len || len > magic_len + 9 || memcmp(line, TC_MAGIC " ", magic_len))
		return -1;
	memcpy(digits, line + magic_len, len - magic_len);
	digits[len - magic_len] = '\0';
	if (tcf_parse_u64(digits, 999999999, &version))
		return -1;
	return (long)version;
}

static int tcf_version_known(long v)
{
	return v >= TC_VERSION_OLDEST && v <= TC_VERSION;
}

/* Start reading lines of version v: no prefix yet. */
static void tcf_begin(struct tcf_line *l, long v)
{
	l->version = (unsigned)v;
	l->prefix_bad = 0;
	strbuf_reset(&l->prefix);
}

/* Parse one line (without its newline); NULL if fine, else what is wrong. */
static const char *tcf_parse_line(char *line, size_t len, struct tcf_line *l, struct tc_table *t)
{
	if (!len)
		return "empty line";
	line[len] = '\0';
	long v = tcf_header_version(line, len);
	if (v >= 0) {
		/* a repeated header: files joined with cat */
		if (!tcf_version_known(v))
			return "unknown version";
		tcf_begin(l, v);
		return NULL;
	}
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
		if (l->field[0][0] != tcf_records[i].tag || l->field[0][1] || l->version < tcf_records[i].since)
			continue;
		if (l->nr < tcf_records[i].fields)
			return "too few fields";
		return tcf_records[i].read(l, t);
	}
	return "unknown record";
}

/* Check the version line; 0 if this balrun reads it, and l is set up for it. */
static int tcf_check_header(char *line, size_t len, struct tcf_line *l, struct tcf_damage *d)
{
	long version = tcf_header_version(line, len);

	d->line = 1;
	d->what = "not a balrun timings file";
	if (version < 0)
		return -1;
	if (!tcf_version_known(version)) {
		d->version = version;
		d->what = version > TC_VERSION ? "written by a newer balrun" : "unknown version";
		return -1;
	}
	tcf_begin(l, version);
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

/* Lines in buf: an upper bound on its test records, to size the table once. */
static size_t tcf_count_lines(const char *buf, size_t len)
{
	size_t n = 0;

	for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		n++;
	return n;
}

int tcf_parse_tests(char *buf, size_t len, struct tc_table *t, tc_test_fn *sink, void *sink_data,
		    struct tcf_damage *d)
{
	struct tcf_line l = { .key = STRBUF_INIT, .prefix = STRBUF_INIT, .name = STRBUF_INIT,
			      .sink = sink, .sink_data = sink_data };
	char *end = buf + len;
	unsigned lineno = 0;

	memset(d, 0, sizeof(*d));
	d->version = -1;
	if (!sink)
		tc_table_reserve_tests(t, tcf_count_lines(buf, len));
	for (char *p = buf; p < end; lineno++) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *what;
		if (!nl) {
			tcf_note(d, lineno + 1, "truncated last line");
			break;
		}
		if (!lineno) {
			if (tcf_check_header(p, (size_t)(nl - p), &l, d))
				break;
		} else if ((what = tcf_parse_line(p, (size_t)(nl - p), &l, t))) {
			tcf_note(d, lineno + 1, what);
		}
		p = nl + 1;
	}
	tc_table_index_appended(t);
	strbuf_release(&l.key);
	strbuf_release(&l.prefix);
	strbuf_release(&l.name);
	return d->line ? -1 : 0;
}

int tcf_parse(char *buf, size_t len, struct tc_table *t, struct tcf_damage *d)
{
	return tcf_parse_tests(buf, len, t, NULL, NULL, d);
}

void tcf_describe(const struct tcf_damage *d, struct strbuf *out)
{
	strbuf_addf(out, "line %u: %s", d->line, d->what);
	if (d->version >= 0)
		strbuf_addf(out, " (version %ld)", d->version);
	if (d->bad_lines > 1)
		strbuf_addf(out, "; %u more bad lines", d->bad_lines - 1);
}
