/*
 * colour.h - every colour balrun prints, in one place.
 *
 * Colour is on when colour_wanted() says so (a terminal, no NO_COLOR, TERM
 * not dumb, or --color always); status.c asks it once and the report uses
 * its answer.  With colour off every function returns "", so callers print
 * the codes unconditionally.
 */
#ifndef BALRUN_COLOUR_H
#define BALRUN_COLOUR_H

#include "outcome.h"

/* --color (-1 auto, 0 never, 1 always) and whether the output is a terminal: 1 for colour. */
int colour_wanted(int opt, int tty);
/* The escape that starts text about an outcome: green pass, yellow skip, flaky, order-dependent, not run, red the rest. */
const char *colour_outcome(enum outcome o, int color);
/* The escape that ends it. */
const char *colour_reset(int color);

#endif
