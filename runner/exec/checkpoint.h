/*
 * checkpoint.h - the run's checkpoint: what finished so far, on disk as it
 * happens, so that `balrun --resume` after an interrupted run (Ctrl-C, a
 * killed balrun, a crashed machine, -x) runs only what did not pass.
 *
 * The file is <cache dir>/checkpoint (see docs/faults.md):
 *
 *   balrun-checkpoint 2 <selection hash, 16 hex digits> <number of tests>
 *   <outcome tag> TAB <seconds> TAB <test id>          one per finished test
 *   #saved                                            the timings were saved
 *
 * Ids are escaped (\\ \t \n \r: strbuf_add_field) so any id fits on its
 * line.  A running balrun holds an exclusive flock() on its checkpoint, so
 * runs that share one cache directory never write, replace or remove each
 * other's: a run that finds "checkpoint" locked uses "checkpoint.2" (".3",
 * ...) instead, and removes only its own file.  The header is written once
 * the lock is held; test lines are appended with one write(2) of whole
 * lines on an O_APPEND descriptor, at most 100 ms after their tests
 * finished and at the end of every unit (a million results are not a
 * million writes); "#saved" is appended after the timing cache was saved.
 * A balrun killed outright loses at most those 100 ms: their tests run again
 * on --resume.  A line without its newline (balrun died
 * mid-append) is ignored and cut off before appending again.  The selection
 * hash covers the ids of the tests this run would run (selected, not
 * disabled), so a checkpoint of another selection is never applied.  A run
 * in which every test finished (none "not run") removes its file.
 *
 * Usage (main.c):
 *   cp = checkpoint_open(dir, r, resume, tc, &n, &note); marks resumed tests PASS
 *   checkpoint_add(cp, t);                          from the dispatch loop
 *   checkpoint_saved(cp);                           after tc_save succeeded
 *   checkpoint_close(cp, complete);                 removes it if complete
 */
#ifndef BALRUN_CHECKPOINT_H
#define BALRUN_CHECKPOINT_H

#include <stddef.h>

#include "run.h"
#include "strbuf.h"
#include "tcache.h"

#define CHECKPOINT_FILE "checkpoint"
#define CHECKPOINT_RESUMED "passed before the interruption (--resume)"
/* Concurrent runs on one cache directory use checkpoint, checkpoint.2, ... up to this many. */
#define CHECKPOINT_MAX_FILES 64

struct checkpoint;

/*
 * Start the checkpoint of this run in dir (created if missing).  With
 * resume, the newest checkpoint of the same selection that no running
 * balrun holds is read first and each test that passed in it is finished
 * here as PASS with the message CHECKPOINT_RESUMED and its recorded
 * duration; the file is kept and appended to.  Results after its last
 * "#saved" line never reached the timing cache (that run was killed before
 * it could save): they are recorded into tc (may be NULL) now.  Otherwise
 * (or if there is none of this selection) this run takes the first
 * checkpoint file no running balrun holds and starts it afresh.  *resumed
 * gets the number of tests finished here.  Lines for the user (why nothing
 * was resumed, damage) go to note, one per line.  NULL (with a line in
 * note) if no file can be written: the run goes on without one.
 */
struct checkpoint *checkpoint_open(const char *dir, struct run *r, int resume,
				   struct timing_cache *tc, size_t *resumed, struct strbuf *note);

/* Append t (finished, not NOTRUN): written within 100 ms, or by checkpoint_flush.  cp may be NULL. */
void checkpoint_add(struct checkpoint *cp, const struct test_case *t);
/* Write what was added and not written yet (at the end of a unit).  cp may be NULL. */
void checkpoint_flush(struct checkpoint *cp);

/* Note that the results so far are in the timing cache.  cp may be NULL. */
void checkpoint_saved(struct checkpoint *cp);

/* Close; with complete (no test left unrun) remove the file.  cp may be NULL. */
void checkpoint_close(struct checkpoint *cp, int complete);

#endif
