/*
 * checkpoint.h - the run's checkpoint: what finished so far, on disk as it
 * happens, so that `balrun --resume` after an interrupted run (Ctrl-C, a
 * killed balrun, a crashed machine, -x) runs only what did not pass.
 *
 * The file is <cache dir>/checkpoint (see docs/faults.md):
 *
 *   balrun-checkpoint 1 <selection hash, 16 hex digits> <number of tests>
 *   <outcome tag> TAB <seconds> TAB <test id>          one per finished test
 *
 * The header is written atomically (temp file + rename); each test line is
 * appended with one write(2) on an O_APPEND descriptor as the test finishes.
 * A line without its newline (balrun died mid-append) is ignored and cut off
 * before appending again.  The selection hash covers the ids of the tests
 * this run would run (selected, not disabled), so a checkpoint of another
 * selection is never applied.  A run in which every test finished (none
 * "not run") removes the file.
 *
 * Usage (main.c):
 *   cp = checkpoint_open(dir, r, resume, &note);   marks resumed tests PASS
 *   checkpoint_add(cp, t);                          from the dispatch loop
 *   checkpoint_close(cp, complete);                 removes it if complete
 */
#ifndef BALRUN_CHECKPOINT_H
#define BALRUN_CHECKPOINT_H

#include <stddef.h>

#include "run.h"
#include "strbuf.h"

#define CHECKPOINT_FILE "checkpoint"
#define CHECKPOINT_RESUMED "passed before the interruption (--resume)"

struct checkpoint;

/*
 * Start the checkpoint of this run in dir (created if missing).  With
 * resume, a checkpoint of the same selection is read first and each test
 * that passed in it is finished here as PASS with the message
 * CHECKPOINT_RESUMED and its recorded duration; the file is kept and
 * appended to.  Otherwise (or if it is missing or of another selection) a
 * new file replaces it.  *resumed gets the number of tests finished here.
 * Lines for the user (why nothing was resumed, damage) go to note, one per
 * line.  NULL (with a line in note) if the file cannot be written: the run
 * goes on without one.
 */
struct checkpoint *checkpoint_open(const char *dir, struct run *r, int resume, size_t *resumed,
				   struct strbuf *note);

/* Append t (finished, not NOTRUN) with one write(2).  cp may be NULL. */
void checkpoint_add(struct checkpoint *cp, const struct test_case *t);

/* Close; with complete (no test left unrun) remove the file.  cp may be NULL. */
void checkpoint_close(struct checkpoint *cp, int complete);

#endif
