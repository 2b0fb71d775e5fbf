/*
 * proc-posix.c - starting, signalling and reaping children with posix_spawn;
 * see proc.h.
 *
 * proc_spawn makes the pipes it was asked for (both ends close-on-exec), lifts
 * the child's ends above the fd numbers the child will use so that no dup2
 * can clobber another, and builds the file actions: dup2 each child end onto
 * 0/1/2 (or extra_fd, hold_fd), open /dev/null, chdir.  The spawn attributes give the
 * child an empty signal mask and default dispositions for the signals a
 * runner usually blocks or ignores, and optionally a process group of its
 * own.  glibc's posix_spawn reports an exec failure as its return value, so
 * "cannot execute" comes back synchronously.  Afterwards the parent closes the
 * child's ends and makes its own ends non-blocking.
 */
#define _GNU_SOURCE
#include "proc.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { SLOT_IN, SLOT_OUT, SLOT_ERR, SLOT_EXTRA, SLOT_HOLD, SLOT__COUNT };

/* The pipes of one spawn: the parent's end and the child's end of each slot. */
struct proc_pipes {
	int parent[SLOT__COUNT];
	int child[SLOT__COUNT];
};

/* Close the open fds among fds[0..SLOT__COUNT) and mark them -1. */
static void proc_close_slots(int *fds)
{
	for (int i = 0; i < SLOT__COUNT; i++)
		if (fds[i] >= 0) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* Move fd to a close-on-exec number >= min if it is below. 0/-1. */
static int proc_lift_fd(int *fd, int min)
{
	int nfd;

	if (*fd >= min)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, min);
	if (nfd < 0)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

/* Make the pipe of slot; the child reads stdin and the hold pipe and writes the others. 0/-1. */
static int proc_pipe_open(struct proc_pipes *pp, int slot, int min_child_fd)
{
	int fds[2];
	int child_reads = slot == SLOT_IN || slot == SLOT_HOLD;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pp->child[slot] = fds[child_reads ? 0 : 1];
	pp->parent[slot] = fds[child_reads ? 1 : 0];
	if (proc_lift_fd(&pp->child[slot], min_child_fd) < 0)
		return -1;
	return set_nonblock(pp->parent[slot], 1);
}

static int proc_pipes_open(struct proc_pipes *pp, const struct proc_opts *o)
{
	enum proc_io io[SLOT__COUNT] = { o->in, o->out, o->err, PROC_IO_PIPE, PROC_IO_PIPE };
	int min_child_fd = 3;

	if (o->extra_fd >= min_child_fd)
		min_child_fd = o->extra_fd + 1;
	if (o->hold_fd >= min_child_fd)
		min_child_fd = o->hold_fd + 1;
	for (int i = 0; i < SLOT__COUNT; i++)
		pp->parent[i] = pp->child[i] = -1;
	for (int i = 0; i < SLOT__COUNT; i++) {
		if (io[i] != PROC_IO_PIPE || (i == SLOT_EXTRA && o->extra_fd < 3) ||
		    (i == SLOT_HOLD && o->hold_fd < 3))
			continue;
		if (proc_pipe_open(pp, i, min_child_fd) < 0)
			return -1;
	}
	return 0;
}

/* File actions that wire the child's fd target as io asks. */
static int proc_add_io(posix_spawn_file_actions_t *fa, enum proc_io io, int target,
		       int child_end)
{
	switch (io) {
	case PROC_IO_INHERIT:
		return 0;
	case PROC_IO_DEVNULL:
		return posix_spawn_file_actions_addopen(fa, target, "/dev/null",
							target ? O_WRONLY : O_RDONLY, 0);
	case PROC_IO_PIPE:
		return posix_spawn_file_actions_adddup2(fa, child_end, target);
	case PROC_IO_STDOUT:
		return posix_spawn_file_actions_adddup2(fa, STDOUT_FILENO, target);
	}
	return EINVAL;
}

static int proc_file_actions(posix_spawn_file_actions_t *fa, const struct proc_opts *o,
			     const struct proc_pipes *pp)
{
	int ret;

	if (o->in == PROC_IO_STDOUT || o->out == PROC_IO_STDOUT)
		return EINVAL;
	if ((ret = proc_add_io(fa, o->in, STDIN_FILENO, pp->child[SLOT_IN])) ||
	    (ret = proc_add_io(fa, o->out, STDOUT_FILENO, pp->child[SLOT_OUT])) ||
	    (ret = proc_add_io(fa, o->err, STDERR_FILENO, pp->child[SLOT_ERR])))
		return ret;
	if (pp->child[SLOT_EXTRA] >= 0 &&
	    (ret = posix_spawn_file_actions_adddup2(fa, pp->child[SLOT_EXTRA], o->extra_fd)))
		return ret;
	if (pp->child[SLOT_HOLD] >= 0 &&
	    (ret = posix_spawn_file_actions_adddup2(fa, pp->child[SLOT_HOLD], o->hold_fd)))
		return ret;
	if (o->cwd && (ret = posix_spawn_file_actions_addchdir_np(fa, o->cwd)))
		return ret;
	return 0;
}

/* Empty mask, default dispositions, and a new process group if asked. */
static int proc_spawn_attrs(posix_spawnattr_t *attr, int new_pgroup)
{
	static const int defaults[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE, SIGQUIT };
	short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
	sigset_t set;
	int ret;

	sigemptyset(&set);
	if ((ret = posix_spawnattr_setsigmask(attr, &set)))
		return ret;
	for (size_t i = 0; i < ARRAY_SIZE(defaults); i++)
		sigaddset(&set, defaults[i]);
	if ((ret = posix_spawnattr_setsigdefault(attr, &set)))
		return ret;
	if (new_pgroup) {
		flags |= POSIX_SPAWN_SETPGROUP;
		if ((ret = posix_spawnattr_setpgroup(attr, 0)))
			return ret;
	}
	return posix_spawnattr_setflags(attr, flags);
}

static int proc_do_spawn(pid_t *pid, const struct proc_opts *o, const struct proc_pipes *pp,
			 char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int ret;

	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	ret = proc_file_actions(&fa, o, pp);
	if (!ret)
		ret = proc_spawn_attrs(&attr, o->new_pgroup);
	if (ret)
		snprintf(err, errlen, "cannot prepare to execute '%s': %s", o->file, strerror(ret));
	else if ((ret = posix_spawn(pid, o->file, &fa, &attr, o->argv,
				    o->env ? o->env : environ)))
		snprintf(err, errlen, "cannot execute '%s': %s", o->file, strerror(ret));
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return ret ? -1 : 0;
}

int proc_spawn(struct proc *p, const struct proc_opts *o, char *err, size_t errlen)
{
	struct proc_pipes pp;

	memset(p, 0, sizeof(*p));
	p->in = p->out = p->err = p->extra = p->hold = -1;
	if (proc_pipes_open(&pp, o) < 0) {
		snprintf(err, errlen, "cannot create pipes for '%s': %s", o->file, strerror(errno));
		goto fail;
	}
	if (proc_do_spawn(&p->pid, o, &pp, err, errlen) < 0)
		goto fail;
	proc_close_slots(pp.child);
	p->in = pp.parent[SLOT_IN];
	p->out = pp.parent[SLOT_OUT];
	p->err = pp.parent[SLOT_ERR];
	p->extra = pp.parent[SLOT_EXTRA];
	p->hold = pp.parent[SLOT_HOLD];
	return 0;
fail:
	proc_close_slots(pp.child);
	proc_close_slots(pp.parent);
	p->pid = 0;
	return -1;
}

int proc_kill(const struct proc *p, int sig)
{
	if (p->pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	/* Not reaped yet, so pid cannot have been reused; it leads a group if pgid == pid. */
	if (getpgid(p->pid) == p->pid)
		return kill(-p->pid, sig);
	return kill(p->pid, sig);
}

int proc_wait(struct proc *p, int *status, struct rusage *ru, int nohang)
{
	pid_t r;
	int st;

	if (p->pid <= 0) {
		errno = ECHILD;
		return -1;
	}
	do
		r = wait4(p->pid, &st, nohang ? WNOHANG : 0, ru);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	if (status)
		*status = st;
	p->pid = 0;
	return 1;
}

void proc_close_fds(struct proc *p)
{
	int *fds[] = { &p->in, &p->out, &p->err, &p->extra, &p->hold };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
		}
}

uint64_t proc_cpu_us(const struct rusage *ru)
{
	return (uint64_t)ru->ru_utime.tv_sec * 1000000u + (uint64_t)ru->ru_utime.tv_usec +
	       (uint64_t)ru->ru_stime.tv_sec * 1000000u + (uint64_t)ru->ru_stime.tv_usec;
}

const char *proc_describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by %s%s", proc_signal_name(WTERMSIG(status)),
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else if (WIFSTOPPED(status))
		snprintf(buf, len, "stopped by %s", proc_signal_name(WSTOPSIG(status)));
	else
		snprintf(buf, len, "wait status 0x%x", (unsigned)status);
	return buf;
}

#define SIG(name) { name, #name }
static const struct {
	int sig;
	const char *name;
} proc_signals[] = {
	SIG(SIGHUP), SIG(SIGINT), SIG(SIGQUIT), SIG(SIGILL), SIG(SIGTRAP), SIG(SIGABRT),
	SIG(SIGBUS), SIG(SIGFPE), SIG(SIGKILL), SIG(SIGUSR1), SIG(SIGSEGV), SIG(SIGUSR2),
	SIG(SIGPIPE), SIG(SIGALRM), SIG(SIGTERM), SIG(SIGSTKFLT), SIG(SIGCHLD), SIG(SIGCONT),
	SIG(SIGSTOP), SIG(SIGTSTP), SIG(SIGTTIN), SIG(SIGTTOU), SIG(SIGURG), SIG(SIGXCPU),
	SIG(SIGXFSZ), SIG(SIGVTALRM), SIG(SIGPROF), SIG(SIGWINCH), SIG(SIGIO), SIG(SIGPWR),
	SIG(SIGSYS),
};

const char *proc_signal_name(int sig)
{
	static char unknown[32];

	for (size_t i = 0; i < ARRAY_SIZE(proc_signals); i++)
		if (proc_signals[i].sig == sig)
			return proc_signals[i].name;
	snprintf(unknown, sizeof(unknown), "signal %d", sig);
	return unknown;
}
