/*
 * budget.h - how many tests may run at once given what else runs on the
 * machine, beyond the run's own -n: the jobserver the run takes its slots
 * from (dispatch.h, opts.jobserver), chosen once before the first test.
 *
 *   1. MAKEFLAGS names a jobserver balrun can use: make's.  make -jN
 *      already says how much of the machine the build may take, so
 *      --share-machine is not used.
 *   2. MAKEFLAGS names one balrun cannot use (the make rule lacks '+'): a
 *      warning; then the machine's budget with --share-machine, else one
 *      test at a time, as make itself runs a sub-make it cannot reach.
 *   3. --share-machine or balrun.share-machine: the machine's budget
 *      (common/jobserver-machine.h), of N slots or the CPUs.
 *   4. Otherwise none: -n alone decides.
 */
#ifndef BALRUN_BUDGET_H
#define BALRUN_BUDGET_H

#include "jobserver.h"
#include "strbuf.h"

/*
 * Open js (jobserver_init'ed) as above; share is options.share_machine
 * (-1 off, 0 the CPUs, N a budget of N).  1 with js open, 0 for none, -1
 * with err (the machine's budget cannot be used).  warn and note receive
 * lines to show (warnings, and notes for -v), one per line.
 */
int budget_open(struct jobserver *js, int share, struct strbuf *warn, struct strbuf *note,
		struct strbuf *err);

#endif
