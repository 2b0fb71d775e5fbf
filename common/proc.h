/*
 * proc.h - starting and stopping child processes (the platform layer).
 *
 * Every process balrun starts (workers, test binaries, listers) goes through
 * here.  Children are started with posix_spawn (cheap even from a large
 * parent), each in a process group of its own so that a whole tree can be
 * signalled at once.  Parent-side pipe ends are close-on-exec and
 * non-blocking; the caller polls them.
 *
 * The caller owns the returned fds and must close them (proc_close_fds), and
 * must reap the child (proc_wait).  Nothing here exits or prints.
 */
#ifndef BALRUN_PROC_H
#define BALRUN_PROC_H

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "strbuf.h"

enum proc_io {
	PROC_IO_INHERIT = 0, /* the child shares the parent's fd */
	PROC_IO_DEVNULL,     /* /dev/null */
	PROC_IO_PIPE,        /* a new pipe; the parent gets the other end */
	PROC_IO_STDOUT,      /* stderr only: the same pipe/file as stdout */
};

struct proc_opts {
	const char *file;      /* path of the program (no PATH search) */
	char *const *argv;     /* argv[0] included, NULL-terminated */
	char *const *env;      /* NULL: the parent's environ */
	const char *cwd;       /* NULL: the parent's cwd */
	enum proc_io in, out, err;
	/*
	 * If >= 3: also make a pipe whose write end is this fd number in the
	 * child (for out-of-band events from a preload shim); the parent's read
	 * end is proc.extra.  -1 (or 0) for none.
	 */
	int extra_fd;
	/*
	 * If >= 3: also make a pipe whose read end is this fd number in the
	 * child (a preload shim waits on it before it starts: common/preload.h);
	 * the parent's write end is proc.hold.  -1 (or 0) for none.
	 */
	int hold_fd;
	int new_pgroup;        /* 1: the child leads a new process group */
};

struct proc {
	pid_t pid;   /* 0 once reaped */
	int in;      /* write end of the child's stdin pipe, or -1 */
	int out;     /* read end of the child's stdout pipe, or -1 */
	int err;     /* read end of the child's stderr pipe, or -1 */
	int extra;   /* read end of the extra pipe, or -1 */
	int hold;    /* write end of the hold pipe, or -1 */
};

/*
 * Start a child.  0 on success; -1 with a one-line reason in err (e.g.
 * "cannot execute 'x': Permission denied") and nothing left open.
 */
int proc_spawn(struct proc *p, const struct proc_opts *o, char *err, size_t errlen);

/* Signal the child's process group (or just the child without one). 0/-1. */
int proc_kill(const struct proc *p, int sig);

/*
 * Reap the child.  nohang: 1 returns 0 if still running.  Returns 1 when
 * reaped (status and, if non-NULL, ru filled), 0 still running, -1 error.
 */
int proc_wait(struct proc *p, int *status, struct rusage *ru, int nohang);

/* User + system CPU time of ru, in microseconds. */
uint64_t proc_cpu_us(const struct rusage *ru);

/* Close whichever of in/out/err/extra/hold are open and set them to -1. */
void proc_close_fds(struct proc *p);

/*
 * Describe a wait status: "exit 0", "exit 77", "killed by SIGSEGV".
 * Returns buf.
 */
const char *proc_describe_status(int status, char *buf, size_t len);

/* "SIGSEGV" for 11 etc.; "signal N" for unknown ones (in a static buffer). */
const char *proc_signal_name(int sig);

/* What proc_capture keeps of each stream, at most. */
#define PROC_CAPTURE_MAX (256u << 20)

/*
 * Run o (its in/out/err settings are ignored: stdin is /dev/null, stdout
 * and stderr are kept) to its end, at most timeout seconds (then its group
 * is killed).  0 with its wait status in *status, or -1 with a one-line
 * reason in err (it could not start, or did not finish in time).
 */
int proc_capture(const struct proc_opts *o, double timeout, struct strbuf *out, struct strbuf *errout,
		 int *status, char *err, size_t errlen);

#endif
