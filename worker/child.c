/*
 * child.c - spawn, pump, time-limit and reap one test process; see child.h.
 *
 * One poll() loop serves the output pipe.  Until the child is reaped the
 * loop wakes at least every CHILD_TICK_MS to try a non-blocking wait: the
 * pipe cannot tell us about the exit when a leftover process still holds it.
 * After the reap, the group leader's pid is gone from proc, so signals for
 * leftovers go to the saved group id (it cannot be reused while any member of
 * the group is alive, and kill() simply fails once none is).
 */
#define _GNU_SOURCE
#include "child.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_TICK_MS 10
#define CHILD_READ_CHUNK 65536
#define MS_NS 1000000ull

struct proc_opts child_proc_opts(char *const *argv, char *const *env, const char *cwd,
				 const struct child_ops *ops)
{
	return (struct proc_opts){
		.file = argv[0], .argv = argv, .env = env, .cwd = cwd && *cwd ? cwd : NULL,
		.in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_STDOUT,
		.extra_fd = ops->on_events ? CHILD_EVENT_FD : -1, .new_pgroup = 1,
	};
}

void child_adopt(struct child *c, const struct proc *p, const struct child_ops *ops, void *data)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->data = data;
	c->proc = *p;
	c->pgid = p->pid;
	c->started_ns = now_ns();
	child_active = 1;
}

int child_start(struct child *c, char *const *argv, char *const *env, const char *cwd,
		const struct child_ops *ops, void *data, char *err, size_t errlen)
{
	struct proc_opts o = child_proc_opts(argv, env, cwd, ops);
	struct proc p;

	child_active = 1;	/* before the spawn: a stop signal in between still reaches it */
	if (proc_spawn(&p, &o, err, errlen) < 0) {
		memset(c, 0, sizeof(*c));
		c->proc = p;
		child_active = 0;
		return -1;
	}
	child_adopt(c, &p, ops, data);
	return 0;
}

volatile sig_atomic_t child_stop_requested;
volatile sig_atomic_t child_active;

/* Signal everything in the child's process group, before or after the reap. */
static void child_signal(struct child *c, int sig)
{
	if (!c->reaped)
		proc_kill(&c->proc, sig);
	else if (c->pgid > 0)
		kill(-c->pgid, sig);
}

static void child_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Read once from pipe *fd into cb: bytes read, 0 if none now, -1 at EOF. */
static ssize_t child_read(struct child *c, int *fd,
			  void (*cb)(void *data, const char *buf, size_t len))
{
	char buf[CHILD_READ_CHUNK];
	ssize_t n = read_retry(*fd, buf, sizeof(buf));

	if (n > 0) {
		cb(c->data, buf, (size_t)n);
		return n;
	}
	if (n < 0 && errno == EAGAIN)
		return 0;
	child_close(fd);
	return -1;
}

/* Events: first the output pipe read dry (what the test wrote before them comes first). */
static void child_read_events(struct child *c)
{
	while (c->proc.out >= 0 && child_read(c, &c->proc.out, c->ops->on_output) > 0)
		;
	child_read(c, &c->proc.extra, c->ops->on_events);
}

static void child_try_reap(struct child *c, int nohang)
{
	int r;

	if (c->reaped)
		return;
	r = proc_wait(&c->proc, &c->status, &c->ru, nohang);
	if (r == 0)
		return;
	if (r < 0)   /* cannot happen for our own child; do not spin on it */
		c->status = 127 << 8;
	c->reaped = 1;
	c->exited_ns = now_ns();
	child_active = 0;
}

/* TERM at the deadline, KILL after the grace, give up on leftovers after the drain. */
static void child_check_timers(struct child *c, uint64_t now)
{
	if (!c->reaped && child_stop_requested && !c->kill_ns) {
		child_signal(c, SIGTERM);
		c->kill_ns = now + CHILD_GRACE_MS * MS_NS;
	}
	if (!c->reaped && c->deadline_ns && !c->kill_ns && now >= c->deadline_ns) {
		c->timed_out = 1;
		child_signal(c, SIGTERM);
		c->kill_ns = now + CHILD_GRACE_MS * MS_NS;
	}
	if (!c->reaped && c->kill_ns && now >= c->kill_ns) {
		child_signal(c, SIGKILL);
		c->kill_ns = UINT64_MAX;
	}
	if (c->reaped && now >= c->exited_ns + CHILD_DRAIN_MS * MS_NS &&
	    (c->proc.out >= 0 || c->proc.extra >= 0)) {
		child_signal(c, SIGKILL);
		child_close(&c->proc.out);
		child_close(&c->proc.extra);
	}
}

/* Milliseconds poll() may sleep: until the next timer, and a tick while unreaped. */
static int child_poll_ms(const struct child *c, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	if (!c->reaped) {
		next = now + CHILD_TICK_MS * MS_NS;
		if (c->deadline_ns && !c->kill_ns && c->deadline_ns < next)
			next = c->deadline_ns;
		if (c->kill_ns && c->kill_ns < next)
			next = c->kill_ns;
	} else {
		next = c->exited_ns + CHILD_DRAIN_MS * MS_NS;
	}
	return next <= now ? 0 : (int)((next - now + MS_NS - 1) / MS_NS);
}

static void (*child_idle_fn)(void *);
static void *child_idle_data;

void child_set_idle(void (*fn)(void *data), void *data)
{
	child_idle_fn = fn;
	child_idle_data = data;
}

static void child_idle(void)
{
	if (child_idle_fn)
		child_idle_fn(child_idle_data);
}

static int child_control_fd = -1;
static void (*child_control_fn)(void *);
static void *child_control_data;

void child_set_control(int fd, void (*fn)(void *data), void *data)
{
	child_control_fd = fn ? fd : -1;
	child_control_fn = fn;
	child_control_data = data;
}

/*
 * After a small read of output, let the child write on for a moment before
 * reading again: a test process that writes a marker line per test event
 * (the shim) would otherwise wake the worker for every line, two context
 * switches per trivial test on a busy machine.  CHILD_SETTLE_US later is
 * nothing next to a time limit and lets one read take dozens of trivial
 * tests' lines (a run of 300,000 trivial cmocka cases: 7.4 s -> 5.7 s).  A
 * read of CHILD_SETTLE_BELOW bytes or more means the child writes fast:
 * then there is no pause, so a test that floods its output is never slowed.
 * The pause ends early when the child closes the pipe (it exited: poll()
 * with no events still reports the hang-up), so the end of an invocation,
 * and with it the next unit, never waits for it.
 */
#define CHILD_SETTLE_MS 2
#define CHILD_SETTLE_BELOW 16384

static void child_settle(const struct child *c)
{
	struct pollfd pfd = { .fd = c->proc.out, .events = 0 };

	if (c->proc.out >= 0)
		poll(&pfd, 1, CHILD_SETTLE_MS);
}

void child_run(struct child *c)
{
	while (c->proc.out >= 0 || c->proc.extra >= 0 || !c->reaped) {
		struct pollfd pfd[3];
		nfds_t n = 0;

		child_idle();
		if (c->proc.out < 0 && c->proc.extra < 0 && !c->deadline_ns && !c->kill_ns) {
			child_try_reap(c, 0);   /* nothing to read, no timer: just wait */
			continue;
		}
		if (c->proc.out >= 0)
			pfd[n++] = (struct pollfd){ .fd = c->proc.out, .events = POLLIN };
		if (c->proc.extra >= 0)
			pfd[n++] = (struct pollfd){ .fd = c->proc.extra, .events = POLLIN };
		if (child_control_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = child_control_fd, .events = POLLIN };
		if (poll(pfd, n, child_poll_ms(c, now_ns())) > 0) {
			ssize_t got = 0;

			for (nfds_t i = 0; i < n; i++) {
				if (!pfd[i].revents)
					continue;
				if (pfd[i].fd == c->proc.out)
					got = child_read(c, &c->proc.out, c->ops->on_output);
				else if (pfd[i].fd == c->proc.extra)
					child_read_events(c);
				else if (pfd[i].fd == child_control_fd)
					child_control_fn(child_control_data);
			}
			if (got > 0 && got < CHILD_SETTLE_BELOW) {
				child_idle();	/* what that read produced leaves before the pause */
				child_settle(c);
			}
		}
		child_try_reap(c, 1);
		child_check_timers(c, now_ns());
	}
}

void child_set_timeout(struct child *c, uint64_t timeout_ms)
{
	if (c->kill_ns)
		return;   /* already stopping */
	c->deadline_ns = timeout_ms ? now_ns() + timeout_ms * MS_NS : 0;
}

void child_abandon(struct child *c)
{
	child_signal(c, SIGKILL);
	c->kill_ns = UINT64_MAX;
}

void child_release(struct child *c)
{
	proc_close_fds(&c->proc);
}
