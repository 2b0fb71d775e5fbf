/*
 * shim.h - what the parts of balrun-preload.so share (internal to it):
 * the run's selection file, the in-band marker channel, and list records.
 * The contract with balrun is common/preload.h; the framework parts are
 * preload-cmocka.c and preload-criterion.c.
 *
 * The shim is loaded into test processes: it must not link anything but
 * libc and libdl, must not call into balrun's libraries, and must do nothing
 * at all unless BALRUN_PRELOAD_MODE says so.  Errors go to stderr as one
 * line starting "balrun-preload: "; they never exit the program.
 */
#ifndef BALRUN_WORKER_SHIM_H
#define BALRUN_WORKER_SHIM_H

#include <stddef.h>

/* BALRUN_PRELOAD_MODE: "list", "run", "probe", or NULL when unset or unknown. */
const char *shim_mode(void);

/*
 * The selection file's lines (BALRUN_PRELOAD_SELECT), read once, sorted
 * with strcmp; the marker nonce and the output pipe's identity are taken at
 * the same moment.  Returns the lines (the array stays valid), *n their
 * number; NULL with *n = 0 if there is no readable selection.
 */
char **shim_selection(size_t *n);

/* Index of line in the sorted selection, or -1 (compare: its first field up to the first space if by_first). */
long shim_find(const char *line, int by_first);
/* Index of the first line of the sorted selection not below line (n if none), compared the same way. */
size_t shim_lower_bound(const char *line, int by_first);

/*
 * Write one marker line ("\x1e" "balrun-<nonce> " + the formatted event +
 * "\n") to the output pipe, after what stdio holds: see common/preload.h.
 * When stdout is the pipe the marker goes through its buffer, so that the
 * text before it and the marker leave in one write(); otherwise stdio is
 * flushed and the marker written with one write().  Does nothing before shim_selection() or when neither
 * fd 1 nor fd 2 is the pipe any more.
 */
void shim_mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A list record "<tag> <percent-encoded s>\n" to BALRUN_EVENT_FD, buffered; shim_flush writes it out. */
void shim_record(char tag, const char *s);
void shim_flush(void);

/*
 * Between shim_signals_begin and shim_signals_end, signal() for SIGFPE,
 * SIGILL, SIGSEGV, SIGBUS and SIGSYS swaps a handler the shim's dispatcher
 * calls instead of making a system call (cmocka sets and restores them
 * around every fixture and test body; preload-signals.c).  begin returns -1
 * (and nothing changes) if the real signal() cannot be found; end installs
 * what the program last asked for.
 */
int shim_signals_begin(void);
void shim_signals_end(void);

/* CLOCK_MONOTONIC in nanoseconds. */
unsigned long long shim_now_ns(void);

#endif
