/*
 * status.h - what the user sees while tests run.
 *
 * Implements struct run_observer (dispatch.h).  On a terminal: one live
 * status line (done/total, running, failures, ETA from the timings),
 * rewritten in place with carriage return + clear line, long names elided in
 * the middle; failures (and with -v every test) print as lines above it.
 * Otherwise (a pipe, a CI log): one line per finished test, no escapes;
 * past 200 passing lines in a second (a log cannot show a million tests)
 * only failures print, with a progress line every 10 s; the totals at the
 * end stay exact.
 * Colour only on a terminal, never with NO_COLOR or TERM=dumb, unless
 * --color always (colour.h).  One printer may watch several runs in turn
 * (the main run, then the runs after it): run_started resets its counts.
 */
#ifndef BALRUN_STATUS_H
#define BALRUN_STATUS_H

#include <stdio.h>

#include "dispatch.h"
#include "run.h"

struct status_opts {
	FILE *out;
	int color;          /* -1 auto, 0 never, 1 always */
	int verbose;        /* <-1 no line per test, <0 quiet, 0 normal, >0 verbose */
};

struct status;

struct status *status_new(const struct status_opts *o);
/* Fill obs so that dispatch reports to this status printer. */
void status_observer(struct status *s, struct run_observer *obs);
/* Print a line above the status line (notes, warnings). */
void status_line(struct status *s, const char *line);
/* Clear the live line; call before printing the summary. */
void status_done(struct status *s);
void status_free(struct status *s);
/* 1 if colours are on (for the report). */
int status_color(const struct status *s);

/*
 * Shorten s to at most width columns by cutting its middle ("abc...xyz").
 * Writes into buf (size len).  Exposed for tests.
 */
const char *status_elide_middle(const char *s, size_t width, char *buf, size_t len);

#endif
