/*
 * jobserver-machine.h - --share-machine: one jobserver for all the balrun
 * runs of a user on this machine, so that runs started side by side (local
 * shards, two suites, two worktrees) never run more than BUDGET tests
 * together.  It is make's FIFO jobserver (jobserver.h) plus a ledger that
 * lets the runs recover tokens a killed run took with it.
 *
 * Files, in DIR = $XDG_RUNTIME_DIR/balrun when that variable holds an
 * absolute path, else /tmp/balrun-UID (a directory of this user, mode 0700:
 * anything else is refused, since whoever can write there can drain or
 * flood the budget):
 *   jobserver.fifo   the tokens, one byte '+' each
 *   jobserver.lock   flock: shared around every token move, exclusive while
 *                    a run joins and while a run recounts
 *   budget           the budget the runs share, in decimal: set by a run
 *                    that joins when no other run is there
 *   run.PID.XXXXXX   a run's ledger: how many tokens it holds, rewritten
 *                    (under the shared lock) at each move; the run holds an
 *                    exclusive flock on it for as long as it lives
 *
 * No slot comes free: every running test takes a token, the first one of a
 * run too, so that N runs together stay within BUDGET.
 *
 * The recount, which is the recovery rule.  The tokens in existence must
 * be BUDGET = the bytes in the FIFO + the ledgers of the live runs.  Under
 * the exclusive lock no token moves; a ledger whose flock can be taken
 * belongs to a run that died (SIGKILL, a crash: the kernel dropped its
 * lock), so its tokens died with it: the file is removed and the missing
 * tokens are written anew.  More than BUDGET (a budget lowered by a run
 * that joined alone) drains the surplus from the FIFO.  The count is exact:
 * a live run moves a token and updates its ledger inside one shared lock,
 * and a dead run's ledger is not counted at all, whatever it did half.  A
 * recount runs when a run joins and when a run has waited a second for a
 * token (at most once a second: exec/dispatch-tokens.c), so a SIGKILLed run
 * costs the others its tokens for about a second.  The FIFO keeps its bytes
 * only while a process has it open: when the last run leaves it empties,
 * and the next run to join finds no live ledger and fills it.
 */
#ifndef BALRUN_JOBSERVER_MACHINE_H
#define BALRUN_JOBSERVER_MACHINE_H

#include "jobserver.h"
#include "strbuf.h"

/* DIR (see above) into dir, created if missing.  0, or -1 with err (not a private directory of ours). */
int jobserver_machine_dir(struct strbuf *dir, struct strbuf *err);

/*
 * Join the budget kept in dir with js (jobserver_init'ed): budget slots if
 * no other run is there, else the budget the others share (warn says so
 * in one line when it differs).  0, or -1 with err.  jobserver_close leaves.
 */
int jobserver_machine_join(struct jobserver *js, const char *dir, unsigned budget, struct strbuf *warn,
			   struct strbuf *err);

/*
 * Recount the budget now (see above) unless another run holds the lock.
 * The number of tokens made anew (0 for none), or -1 when the lock is busy
 * or js is in no machine's budget.
 */
int jobserver_machine_recount(struct jobserver *js);

#endif
