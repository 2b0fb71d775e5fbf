/*
 * held.c - the one process started ahead and held; see held.h.
 *
 * The held process is spawned with child_start's options (child_proc_opts)
 * plus the hold pipe at PRELOAD_HOLD_FD and
 * PRELOAD_ENV_HOLD=1.  What it prints while held waits in its pipe and is
 * read once a driver follows it, as if it had started then.  The command,
 * environment (without PRELOAD_ENV_HOLD) and directory are kept to compare
 * with the run's.
 */
#define _GNU_SOURCE
#include "held.h"
#include "preload.h"
#include "strvec.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned long held_epoch;	/* units begun */

static struct {
	unsigned long epoch;     /* held_epoch when it started: it is for the unit after */
	int live;
	int reaped;              /* it exited while held (and was reaped) */
	struct proc proc;
	struct strvec argv, env;
	char *cwd;
	char *select;
	char mark[PRELOAD_MARK_MAX];
	int adopted;
	const struct child_ops *ops;
} held;

static void held_copy(struct strvec *to, char *const *v)
{
	strvec_clear(to);
	for (size_t i = 0; v && v[i]; i++)
		strvec_push(to, v[i]);
}

/* argv/env vectors equal, entry by entry. */
static int held_same_vec(const struct strvec *kept, char *const *v)
{
	size_t i;

	for (i = 0; i < kept->nr; i++)
		if (!v || !v[i] || strcmp(kept->v[i], v[i]))
			return 0;
	return !v || !v[i];
}

static const char *held_dir(const char *cwd)
{
	return cwd && *cwd ? cwd : "";
}

/* Nothing is held any more (the process is someone's, or gone). */
static void held_forget(void)
{
	held.live = 0;
	strvec_clear(&held.argv);
	strvec_clear(&held.env);
	free(held.cwd);
	free(held.select);
	held.cwd = held.select = NULL;
	memset(&held.proc, 0, sizeof(held.proc));
}

void held_discard(void)
{
	int st;

	if (!held.live)
		return;
	if (held.proc.hold >= 0)
		close(held.proc.hold);	/* a shim waiting for its go leaves at end of file */
	held.proc.hold = -1;
	kill(-held.proc.pid, SIGKILL);	/* the group: what it started too */
	if (!held.reaped)
		while (waitpid(held.proc.pid, &st, 0) < 0 && errno == EINTR)
			;
	proc_close_fds(&held.proc);
	if (!held.adopted && held.select)
		unlink(held.select);
	held_forget();
}

int held_start(char *const *argv, char *const *env, const char *cwd, const struct child_ops *ops,
	       const char *select, const char *mark)
{
	struct strvec spawn_env = STRVEC_INIT;
	struct proc_opts o;
	char err[256];
	int ret;

	held_discard();
	held_copy(&spawn_env, env);
	strvec_setenv(&spawn_env, PRELOAD_ENV_HOLD, "1");
	o = child_proc_opts(argv, spawn_env.v, cwd, ops);
	o.hold_fd = PRELOAD_HOLD_FD;
	ret = proc_spawn(&held.proc, &o, err, sizeof(err));
	strvec_clear(&spawn_env);
	if (ret < 0)
		return -1;
	held.live = 1;
	held.epoch = held_epoch;
	held.reaped = held.adopted = 0;
	held.ops = ops;
	held_copy(&held.argv, argv);
	held_copy(&held.env, env);
	held.cwd = xstrdup(held_dir(cwd));
	held.select = xstrdup(select);
	snprintf(held.mark, sizeof(held.mark), "%s", mark);
	return 0;
}

int held_adopt(const char *binary, const char **select, const char **mark)
{
	if (!held.live || strcmp(held.argv.v[0], binary))
		return 0;
	held.adopted = 1;
	*select = held.select;
	*mark = held.mark;
	return 1;
}

/* Still running?  An exit is reaped here (held.reaped). */
static int held_alive(void)
{
	int st;
	pid_t r;

	do
		r = waitpid(held.proc.pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == held.proc.pid)
		held.reaped = 1;
	return r == 0;
}

int held_take(struct child *c, char *const *argv, char *const *env, const char *cwd,
	      const struct child_ops *ops, void *data)
{
	if (!held.live || !held.adopted)
		return 0;	/* not this run's binary: it stays for the next unit */
	if (ops != held.ops || !held_same_vec(&held.argv, argv) ||
	    !held_same_vec(&held.env, env) || strcmp(held.cwd, held_dir(cwd)) || !held_alive()) {
		held_discard();
		return 0;
	}
	child_adopt(c, &held.proc, ops, data);
	/* a failed write: it died just now, and child_run reaps it and reports its end */
	(void)write_full(c->proc.hold, "g", 1);
	close(c->proc.hold);
	c->proc.hold = -1;
	held_forget();
	return 1;
}

void held_unit_begins(void)
{
	held_epoch++;
}

void held_unit_ends(void)
{
	if (held.live && held.epoch < held_epoch)
		held_discard();	/* it was for this unit, which did not take it */
}

pid_t held_pid(void)
{
	return held.live && !held.reaped ? held.proc.pid : 0;
}
