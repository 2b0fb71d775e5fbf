/*
 * held.h - a test process started ahead of its unit and held before its
 * first test, so that the next unit does not wait for the binary to start.
 *
 * The coordinator sends PREPARE (docs/protocol.md) to the worker it expects
 * to need work first, naming the binary of the work it would likely get.
 * The adapter (adapter.h, prestart) builds that invocation's command and
 * environment as it would for a run, with a selection file path and a mark
 * chosen now, and calls held_start: the process starts with the preload
 * shim told to wait (common/preload.h), so its dynamic loading, its
 * constructors and its framework's start-up (Criterion: libcriterion's
 * initialisation, tens of ms) happen while the current unit runs.  When the
 * unit comes, the adapter asks held_adopt for the process's selection path
 * and mark, writes the selection there and builds its command as always;
 * driver_follow then takes the held process (held_take) if its command,
 * environment and directory are exactly the ones the run would start, and
 * says go.  Other arguments or environment, or a process that died
 * meanwhile, discard it and the run starts its own process (a run of
 * another binary leaves it be): a held process is only ever a head start,
 * never a different run.
 *
 * One process is held at a time, and for one unit: the one after the unit
 * during which it started (or the next one, if it started between units).
 * The worker says when units begin and end; at the end of the unit it was
 * for, a process nobody took is discarded.  Discarding closes the hold pipe
 * (the shim exits at end of file), kills the process group and reaps it;
 * the worker discards at exit too, and reap_descendants spares the held pid
 * (held_pid).
 */
#ifndef BALRUN_HELD_H
#define BALRUN_HELD_H

#include <sys/types.h>

#include "child.h"

/*
 * Start argv with env in cwd (NULL or "": the worker's), held, in place of
 * any process held now.  select is the selection file the shim will read
 * (not written yet), mark the run's nonce (both kept for held_adopt).  0,
 * or -1 if it could not start (nothing is held then).
 */
int held_start(char *const *argv, char *const *env, const char *cwd, const struct child_ops *ops,
	       const char *select, const char *mark);

/*
 * The held process's selection path and mark, if it runs binary (argv[0]):
 * the caller writes its selection there and sets the mark as the held
 * process has it; the path is then the caller's to unlink.  0 if nothing of
 * binary is held (the caller picks its own).
 */
int held_adopt(const char *binary, const char **select, const char **mark);

/*
 * If the held process was adopted and runs exactly argv, env and cwd, and
 * is still alive: c becomes it (ops and data as child_start sets them; its
 * start is now), and it is told to go.  1 then.  An adopted one that does
 * not match is discarded; one not adopted (another binary's) is left held.
 * 0 then: the caller starts its own with child_start.
 */
int held_take(struct child *c, char *const *argv, char *const *env, const char *cwd,
	      const struct child_ops *ops, void *data);

/* A unit begins; a unit ends (a process held for it and not taken is discarded). */
void held_unit_begins(void);
void held_unit_ends(void);

/* Discard the held process, if any (its selection file too, unless adopted). */
void held_discard(void);

/* The held process's pid, or 0 if none. */
pid_t held_pid(void);

#endif
