/*
 * exit-codes.h - the exit statuses of balrun, `balrun cache` and
 * balrun-worker, in one place.  They follow pytest's:
 *
 *   0  every selected test passed (cache: done)
 *   1  some test failed, crashed, timed out or did not run (cache: a file
 *      could not be read or written)
 *   2  interrupted (Ctrl-C, SIGTERM), or errors while collecting tests
 *   3  internal error (balrun's own fault: out of memory, a worker that
 *      speaks garbage; the worker exits 3 on any protocol error)
 *   4  usage error: a bad flag, value, file or config, one line naming it
 *   5  no tests collected or selected
 *
 * docs/usage.md and the man page list them for users.
 */
#ifndef BALRUN_EXIT_CODES_H
#define BALRUN_EXIT_CODES_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAILED = 1,
	EXIT_INTERRUPTED = 2,
	EXIT_INTERNAL = 3,
	EXIT_USAGE = 4,
	EXIT_NO_TESTS = 5,
};

#endif
