/*
 * tap.h - reading a TAP stream (the Test Anything Protocol) the way meson
 * 1.0 reads it, for the adapters that run TAP producers (adapters/tap.c,
 * GLib's --tap output in adapters/glib/).
 *
 * Two levels:
 *   tap_parse_line()   one line, classified (plan, test point, Bail out!,
 *                      version, comment, anything else), with pointers into
 *                      the line; no state.  An adapter that knows more about
 *                      its producer (GLib names its test points by path)
 *                      uses this and tap_parse_directive() alone.
 *   struct tap_stream  a whole stream fed in pieces of any size: counts,
 *                      plan, bail out, parse errors, the failing test points,
 *                      and at the end the verdict on the whole process with
 *                      its exit status (tap_stream_verdict).
 *
 * The rules are meson's (mesonbuild/mtest.py, TAPParser and TestRunTAP):
 *   - lines: "ok"/"not ok" [number] [description] [# SKIP|TODO reason] at
 *     the start of a line; "1..N" [# SKIP reason]; "Bail out!" [reason];
 *     "TAP version N" (first line only); "#..." and empty lines are
 *     comments; anything else is a non-TAP line (noted, harmless).
 *   - a test point is bad if it is "not ok" without a TODO (a "not ok #
 *     SKIP" is bad too), or "ok # TODO" (an unexpected pass).
 *   - errors: test numbers out of order, a second plan, a test point after
 *     a plan that came last, a SKIP plan with tests, a TODO plan, the
 *     version not on the first line, and at the end too few or too many
 *     test points for the plan (unless it bailed out).
 *   - verdict: FAIL if some test point is bad, the stream bailed out or has
 *     an error; but SKIP if every test point is a skip (no test point at
 *     all included, even with a bail out); then, if the process did not
 *     exit 0, FAIL whatever the stream said (a signal: CRASH).  Otherwise
 *     PASS.
 * YAML blocks (TAP 13) are not parsed: their lines count as non-TAP lines,
 * which change nothing.
 */
#ifndef BALRUN_TAP_H
#define BALRUN_TAP_H

#include <stddef.h>

#include "outcome.h"
#include "strbuf.h"

/* Lines longer than this are read on their first TAP_LINE_MAX bytes. */
#define TAP_LINE_MAX 65536

enum tap_kind {
	TAP_COMMENT = 0,   /* empty, or starts with '#' */
	TAP_RESULT,        /* a test point */
	TAP_PLAN,
	TAP_BAIL,
	TAP_VERSION,
	TAP_UNKNOWN,       /* not TAP */
};

enum tap_directive { TAP_DIR_NONE = 0, TAP_DIR_SKIP, TAP_DIR_TODO };

/* One line, as tap_parse_line() reads it; text pointers point into the line. */
struct tap_line {
	enum tap_kind kind;
	int ok;                    /* TAP_RESULT: "ok" (1) or "not ok" (0) */
	long number;               /* TAP_RESULT: its number, -1 if none; TAP_PLAN: N;
	                              TAP_VERSION: the version */
	const char *desc;          /* TAP_RESULT: the description (blanks and a leading
	                              "- " removed) */
	size_t desc_len;
	enum tap_directive directive;  /* TAP_RESULT, TAP_PLAN */
	const char *reason;        /* the directive's text, or Bail out!'s reason */
	size_t reason_len;
};

/*
 * Classify line[0..len) (no newline; a trailing '\r' and blanks are
 * ignored) into out.  Returns out->kind.
 */
enum tap_kind tap_parse_line(const char *line, size_t len, struct tap_line *out);

/*
 * Read a directive at s[0..len): optional blanks, '#', blanks, then "SKIP"
 * (and any letters after it: "SKIPPED") or "TODO" as a word, in any case,
 * then blanks and the reason up to the end.  Returns the directive
 * (TAP_DIR_NONE if s holds none) and the reason's bounds.
 */
enum tap_directive tap_parse_directive(const char *s, size_t len, const char **reason,
				       size_t *reason_len);

/* A whole stream.  Zero-initialise with tap_stream_init(), free with tap_stream_release(). */
struct tap_stream {
	long planned;              /* the plan's N, -1 while there is none */
	int plan_skip;             /* "1..0" or a SKIP plan */
	int plan_late;             /* the plan came after test points */
	int late_test;             /* a test point came after such a plan */
	long count;                /* test points seen */
	long bad;                  /* failing ones ("not ok", "ok # TODO") */
	long skipped;              /* "ok # SKIP" */
	long unknown;              /* non-TAP lines */
	unsigned lineno;
	int bailed;                /* a "Bail out!" line */
	struct strbuf bail;        /* its reason */
	struct strbuf errors;      /* parse errors, "; "-separated (the first few) */
	struct strbuf failures;    /* the failing test points, ", "-separated (bounded) */
	int failures_cut;          /* ... and more than it holds */
	struct strbuf line;        /* the line being assembled */
	int long_line;             /* inside a line past TAP_LINE_MAX */
	int ended;                 /* tap_stream_end() ran */
};

void tap_stream_init(struct tap_stream *t);
void tap_stream_release(struct tap_stream *t);
/* Bytes of the stream as they arrive (lines may be split anywhere). */
void tap_stream_feed(struct tap_stream *t, const char *buf, size_t len);
/* One whole line (no newline), for callers that split lines themselves. */
void tap_stream_line(struct tap_stream *t, const char *line, size_t len);
/* The stream is over: read a last unterminated line, check the plan. */
void tap_stream_end(struct tap_stream *t);

/*
 * The verdict on the process that wrote the stream, given its wait status
 * (see the top of this file), and a one-line message into msg naming the
 * failing test points, the bail out, the errors and the exit status.
 * Calls tap_stream_end() if it was not called.
 */
enum outcome tap_stream_verdict(struct tap_stream *t, int status, struct strbuf *msg);

#endif
