/*
 * jobserver.h - a client of GNU make's jobserver: a pipe or a named pipe
 * (FIFO) holding one byte, a token, per job slot that is free.  A process
 * holds one slot without a token (the implicit one: make took a token to
 * start it); for every job beyond it, it reads a token first and writes that
 * same byte back when the job ends.  So make -jN and everything it starts
 * never run more than N jobs at once.  balrun charges a slot per running
 * test (exec/dispatch-tokens.c); docs/jobserver.md says it for users.
 *
 * MAKEFLAGS names the jobserver as --jobserver-auth=fifo:PATH (make 4.4),
 * --jobserver-auth=R,W (file descriptors: make 4.2 and 4.3, or 4.4 with
 * --jobserver-style=pipe) or --jobserver-fds=R,W (make 4.1 and older); the
 * last one given counts, as for make.  -jN there gives the size.
 *
 * Reading without blocking.  The event loop must never block on a token.
 * The R,W descriptors share their open file description with make and
 * every other client, so setting O_NONBLOCK on them (or on a dup) would
 * change it for all of them: make documents the read side as blocking and
 * asks that it stay so.  poll() then read() is no answer either: another
 * client can take the byte in between, and the read blocks.  On Linux,
 * opening /proc/self/fd/R gives a new open file description of the same
 * pipe, whose O_NONBLOCK is ours alone: that is what we read from (and
 * /proc/self/fd/W is what we write to).  Without /proc, a read side that is
 * already non-blocking (make 4.3 makes it so) is used through a dup; else
 * the jobserver counts as unavailable.  The FIFO form is opened by path,
 * which gives our own description anyway.  Our descriptors are
 * close-on-exec; make's R and W are left as they are.
 *
 * Unavailable: MAKEFLAGS names descriptors that are not open here (the make
 * rule that runs balrun lacks the '+' that passes them), or not one pipe,
 * or a FIFO that cannot be opened.  Then, as make does for its own
 * sub-makes, the client is a jobserver of one slot (the implicit one): one
 * job at a time, and the caller warns once.
 *
 * Tokens are kept byte for byte (held) and all written back by
 * jobserver_give_all and jobserver_close, and at exit() (die(), out of
 * memory) for a jobserver that was never closed.  --share-machine's jobserver
 * (jobserver-machine.h) uses the same struct, with a ledger beside it.
 */
#ifndef BALRUN_JOBSERVER_H
#define BALRUN_JOBSERVER_H

#include <stddef.h>

#include "strbuf.h"

struct jobserver {
	int rfd, wfd;            /* our own descriptions (rfd non-blocking), close-on-exec; -1: no
	                            pipe (a jobserver of the implicit slot only) */
	unsigned implicit;       /* slots held without a token: 1 under make, 0 in the machine's budget */
	unsigned size;           /* slots in all (make's -jN, the machine's budget); 0: not known */
	char *held;              /* the tokens taken and not given back, as read */
	size_t nheld, held_alloc;
	char *name;              /* what it is, for messages */
	int contended;           /* the last take found the budget's lock taken (a recount, a run
	                            joining): its FIFO may be readable with no token to be had yet */
	/* the machine's budget only (jobserver-machine.c); -1 and NULL otherwise */
	int lock_fd, ledger_fd;  /* the budget's lock file; this run's ledger (the tokens it holds) */
	char *dir, *ledger;      /* the budget's directory; the ledger's path, removed on close */
};

#define JOBSERVER_INIT { .rfd = -1, .wfd = -1, .lock_fd = -1, .ledger_fd = -1 }
void jobserver_init(struct jobserver *js);

/* What MAKEFLAGS says about the jobserver (jobserver_parse_makeflags). */
struct jobserver_auth {
	int rfd, wfd;            /* the R,W forms; -1 when not given or negative (disabled) */
	char *fifo;              /* the fifo:PATH form, or NULL */
	unsigned jobs;           /* -jN; 0 when not given */
	char *text;              /* the option as written ("--jobserver-auth=3,4"), or NULL */
};

/*
 * Read makeflags (MAKEFLAGS; may be NULL).  1 when it names a jobserver
 * (a fifo or two non-negative descriptors), else 0; a filled: release
 * with jobserver_auth_release either way.
 */
int jobserver_parse_makeflags(const char *makeflags, struct jobserver_auth *a);
void jobserver_auth_release(struct jobserver_auth *a);

enum jobserver_status {
	JOBSERVER_NONE,          /* MAKEFLAGS names no jobserver: js untouched */
	JOBSERVER_OK,            /* js is connected to make's jobserver */
	JOBSERVER_UNAVAILABLE,   /* named but unusable here: js holds the implicit slot only, and
	                            why says what was wrong in one line */
};

/* Connect js (jobserver_init'ed) to the jobserver that makeflags names; see above. */
enum jobserver_status jobserver_from_make(struct jobserver *js, const char *makeflags,
					  struct strbuf *why);

/* Open the pipe or FIFO of both ends (for jobserver-machine.c): 0, or -1 with errno. */
int jobserver_open_fifo(struct jobserver *js, const char *path);

/*
 * Take one token without blocking: 1 taken (held), 0 none free now, -1 the
 * jobserver failed (errno; nothing taken).  Without a pipe: always 0.
 */
int jobserver_take(struct jobserver *js);
/* Give back the last token taken (nothing if none is held).  0, or -1 with errno: it is lost. */
int jobserver_give(struct jobserver *js);
/* Give back every token held. */
void jobserver_give_all(struct jobserver *js);
/* The slots held now: the implicit ones and the tokens. */
unsigned jobserver_slots(const struct jobserver *js);
/*
 * Readable when a token may be free (poll for POLLIN); -1 without a pipe,
 * or while the last take was contended (readable then says nothing: poll
 * for the next tick instead, or the loop would spin).
 */
int jobserver_poll_fd(const struct jobserver *js);
/* Give every token back, leave the machine's budget if in it, close and free.  js can be reused. */
void jobserver_close(struct jobserver *js);

#endif
