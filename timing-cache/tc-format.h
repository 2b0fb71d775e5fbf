/*
 * tc-format.h - the text form of the timing cache (internal to
 * timing-cache/): parse the content of a timings file into a table, and
 * write a table out again.  The format itself is described in
 * docs/timing-cache.md; this module does no file I/O.
 */
#ifndef BALRUN_TC_FORMAT_H
#define BALRUN_TC_FORMAT_H

#include <stddef.h>

#include "strbuf.h"
#include "tc-table.h"

#define TC_MAGIC "balrun-timings"

/* What was wrong with a file that did not parse cleanly. */
struct tcf_damage {
	unsigned line;         /* first bad line (1-based), 0 if none */
	const char *what;      /* what was wrong with it, e.g. "bad duration" */
	unsigned bad_lines;    /* lines skipped in all */
	long version;          /* the version found if it is not ours, else -1 */
};

/*
 * Parse buf (len bytes, modified in place; need not be NUL-terminated) and
 * put every valid record into t, later records winning.  Bad lines are
 * skipped and described in *d.  Returns 0 if the content was clean (an empty
 * buffer is clean), -1 if it was damaged in any way.
 */
int tcf_parse(char *buf, size_t len, struct tc_table *t, struct tcf_damage *d);

/*
 * The same, but every test record goes to fn (its entry valid during the
 * call only, its id the record's) instead of into t; runs and binaries go
 * into t.  A test read twice is handed over twice, the later last.  fn
 * NULL: tcf_parse.
 */
int tcf_parse_tests(char *buf, size_t len, struct tc_table *t, tc_test_fn *fn, void *data,
		    struct tcf_damage *d);

/* One-line description of d, e.g. "line 17: bad duration; 2 more bad lines". */
void tcf_describe(const struct tcf_damage *d, struct strbuf *out);

/* Append the line (with its newline) of one test or binary record. */
void tcf_put_test(struct strbuf *out, const struct tc_entry *e);
void tcf_put_binary(struct strbuf *out, const struct tc_binary *b);

/* Append the whole file content for t (header, runs, binaries, tests). */
void tcf_format(const struct tc_table *t, struct strbuf *out);

/*
 * The same content handed out in pieces of about 1 MiB to put(ctx, buf,
 * len), so that saving a million tests never holds the whole file in
 * memory.  Stops at the first put that returns -1 and returns -1; else 0.
 */
int tcf_write(const struct tc_table *t, int (*put)(void *ctx, const char *buf, size_t len), void *ctx);

#endif
