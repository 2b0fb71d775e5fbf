/*
 * glib-internal.h - between the files of the GLib adapter: glib.c
 * (recognise, list, adopt a registered command), glib-run.c (the
 * processes of a batch) and glib-lines.c (following their TAP output).
 * Private to adapters/glib/ (and its unit test).
 */
#ifndef BALRUN_GLIB_INTERNAL_H
#define BALRUN_GLIB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "capture.h"
#include "child.h"
#include "proto.h"
#include "session.h"
#include "strbuf.h"

/* GLib's --GTestLogFD record types (gtestutils.h GTestLogType) that balrun reads. */
#define GL_LOG_LIST_CASE 3
/* listed_test.check bit: the test's path is also a suite holding tests ("-p" runs them too). */
#define GL_CHECK_SUITE 1u
/* Lines longer than this are output, not read for results. */
#define GL_LINE_MAX 65536

/* One process of a batch: its tests, one "-p PATH" pass each, in order. */
struct gl_run {
	struct session *s;
	const struct proto_invocation *inv;
	struct child *c;
	const int *tests;          /* invocation indexes, in the order of the passes */
	size_t ntests;
	size_t pass;               /* the running pass (== ntests: all passes over) */
	int begun;                 /* the first pass began (first output) */
	int result_seen;           /* the running pass's test has its result line */
	int failed;                /* a test of this process failed */
	long tap_next;             /* the number GLib gives its next TAP result line */
	uint64_t pass_ns;          /* when the running pass began */
	struct wtest t;            /* the running pass's test */
	struct strbuf bail;        /* "Bail out!" text of the running pass, "" if none */
	struct strbuf line;        /* the line being assembled */
	int long_line;             /* inside a line past GL_LINE_MAX */
	struct capture after;      /* output after the last result (exit handlers) */
};

/* Following one process (glib-lines.c): its child_ops, and its end. */
extern const struct child_ops gl_ops;
void gl_settle(struct gl_run *g);

/*
 * Does shown (len bytes, a name as GLib printed it in a TAP line) start with
 * expected?  GLib prints names in the locale's charset, so under a C locale
 * each non-ASCII character of expected shows as one '?'.  The length of
 * expected as shown goes to *used.
 */
int gl_name_matches(const char *expected, const char *shown, size_t len, size_t *used);

/* The adapter's run_batch (glib-run.c). */
void glib_run_batch(struct session *s, const struct proto_invocation *inv);

#endif
