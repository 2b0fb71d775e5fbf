/*
 * signals.h - how the dispatch loop hears Ctrl-C, as one save/restore pair
 * (like ninja's SubprocessSet).
 *
 * signals_catch() installs a handler for SIGINT, SIGTERM and SIGHUP that
 * only records the signal, ignores SIGPIPE (a worker that dies mid-write
 * must not kill balrun), and blocks the three signals except while the loop
 * waits in ppoll() with signals.waitmask, so a signal can never slip in
 * between the check and the wait.  signals_restore() puts back the
 * handlers and the mask exactly as they were.  One pair per dispatch run;
 * the pairs do not nest.
 */
#ifndef BALRUN_SIGNALS_H
#define BALRUN_SIGNALS_H

#include <signal.h>

struct signals {
	sigset_t waitmask;           /* for ppoll(): the caller's mask with the three signals open */
	sigset_t blocked;            /* what signals_catch() blocked */
	struct sigaction old[3], oldpipe;
};

/* Save the current state into s and start catching; see above. */
void signals_catch(struct signals *s);
/* Undo signals_catch(s). */
void signals_restore(struct signals *s);

/* The last signal caught since signals_catch(), or 0. */
int signals_pending(void);
/* How many were caught since signals_catch(): a second Ctrl-C means "stop now". */
int signals_count(void);

#endif
