/*
 * test_proc.c - unit tests of the process layer (common/proc-posix.c).
 *
 * Real children only (cat, sh, env, pwd, grep and the proc_child helper):
 * pipes, /dev/null, stderr merged into stdout, the extra fd, cwd, env, exec
 * failures, process groups (killing a group reaches a grandchild, which this
 * test process adopts as a child subreaper so it can reap it), signal state
 * handed to children, fd hygiene, and wait status descriptions.  Nothing
 * sleeps to synchronise: the grandchild's pid arrives through a pipe.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "strbuf.h"
#include "util.h"

/* A regression should fail the test, not hang the suite. */
TestSuite(proc, .timeout = 30);

/* Read a non-blocking fd until EOF. */
static void slurp(int fd, struct strbuf *sb)
{
	char buf[4096];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		cr_assert_geq(poll(&pfd, 1, -1), 0);
		n = read_retry(fd, buf, sizeof(buf));
		if (n == 0)
			return;
		if (n < 0 && errno == EAGAIN)
			continue;
		cr_assert_gt(n, 0, "read: %s", strerror(errno));
		strbuf_add(sb, buf, (size_t)n);
	}
}

/* Spawn argv with o's other settings, expecting success. */
static void spawn(struct proc *p, struct proc_opts *o, char *const *argv)
{
	char err[256] = "";

	o->file = argv[0];
	o->argv = argv;
	cr_assert_eq(proc_spawn(p, o, err, sizeof(err)), 0, "%s", err);
	cr_assert_gt(p->pid, 0);
}

/* Run to the end: stdout into out (if piped), and return the wait status. */
static int finish(struct proc *p, struct strbuf *out)
{
	int status = -1;

	if (p->in >= 0) {
		close(p->in);
		p->in = -1;
	}
	if (p->out >= 0)
		slurp(p->out, out);
	cr_assert_eq(proc_wait(p, &status, NULL, 0), 1);
	proc_close_fds(p);
	return status;
}

/* Spawn argv, collect its stdout, check it exited 0 and printed want. */
static void expect_output(struct proc_opts *o, char *const *argv, const char *want)
{
	struct proc p;
	struct strbuf out = STRBUF_INIT;

	spawn(&p, o, argv);
	cr_assert_eq(finish(&p, &out), 0);
	cr_assert_str_eq(out.buf, want);
	strbuf_release(&out);
}

static int count_open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

Test(proc, pipes_both_ways)
{
	struct proc_opts o = { .in = PROC_IO_PIPE, .out = PROC_IO_PIPE, .err = PROC_IO_DEVNULL };
	struct strbuf out = STRBUF_INIT;
	struct proc p;

	spawn(&p, &o, (char *[]){ "/bin/cat", NULL });
	cr_assert_eq(p.err, -1);
	cr_assert_eq(p.extra, -1);
	for (int i = 0; i < 2; i++) {
		int fd = i ? p.out : p.in;
		cr_assert(fcntl(fd, F_GETFL) & O_NONBLOCK, "parent end not non-blocking");
		cr_assert(fcntl(fd, F_GETFD) & FD_CLOEXEC, "parent end not close-on-exec");
	}
	cr_assert_eq(write_full(p.in, "hello\0world", 11), 0);
	cr_assert_eq(finish(&p, &out), 0);
	cr_assert_eq(out.len, 11);
	cr_assert(!memcmp(out.buf, "hello\0world", 11));
	strbuf_release(&out);
}

Test(proc, dev_null_for_stdin_and_stderr)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_DEVNULL };

	expect_output(&o, (char *[]){ "/bin/cat", NULL }, "");
	expect_output(&o, (char *[]){ "/bin/sh", "-c", "echo to-stderr >&2; echo to-stdout", NULL },
		      "to-stdout\n");
}

Test(proc, stderr_merged_into_stdout_in_order)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_STDOUT };

	expect_output(&o, (char *[]){ "/bin/sh", "-c", "echo one; echo two >&2; echo three", NULL },
		      "one\ntwo\nthree\n");
}

/* Spawn argv; check what it wrote to stdout and to its stderr or extra pipe. */
static void expect_two_streams(struct proc_opts *o, char *const *argv, const char *want_out,
			       const char *want_other)
{
	struct strbuf out = STRBUF_INIT, other = STRBUF_INIT;
	struct proc p;
	int fd;

	spawn(&p, o, argv);
	fd = o->extra_fd >= 3 ? p.extra : p.err;
	cr_assert_geq(fd, 0);
	cr_assert(fcntl(fd, F_GETFL) & O_NONBLOCK);
	slurp(fd, &other);
	cr_assert_eq(finish(&p, &out), 0);
	cr_assert_str_eq(out.buf, want_out);
	cr_assert_str_eq(other.buf, want_other);
	strbuf_release(&out);
	strbuf_release(&other);
}

Test(proc, separate_stderr_pipe)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_PIPE };

	expect_two_streams(&o, (char *[]){ "/bin/sh", "-c", "echo out; echo err >&2", NULL },
			   "out\n", "err\n");
}

Test(proc, extra_fd_pipe_reaches_the_parent)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_DEVNULL,
			       .extra_fd = 5 };

	expect_two_streams(&o, (char *[]){ "/bin/sh", "-c", "echo event >&5; echo output", NULL },
			   "output\n", "event\n");
}

/* The hold pipe: the child reads at hold_fd what the parent writes at p.hold; both with extra_fd. */
Test(proc, hold_fd_pipe_reaches_the_child)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_DEVNULL,
			       .extra_fd = 5, .hold_fd = 7 };
	struct strbuf out = STRBUF_INIT, other = STRBUF_INIT;
	struct proc p;

	spawn(&p, &o, (char *[]){ "/bin/sh", "-c",
				 "read go <&7; echo \"got $go\"; echo event >&5; exec 7<&-", NULL });
	cr_assert_geq(p.hold, 0);
	cr_assert(fcntl(p.hold, F_GETFD) & FD_CLOEXEC, "parent end not close-on-exec");
	cr_assert_eq(write_full(p.hold, "now\n", 4), 0);
	close(p.hold);
	p.hold = -1;
	slurp(p.extra, &other);
	cr_assert_eq(finish(&p, &out), 0);
	cr_assert_str_eq(out.buf, "got now\n");
	cr_assert_str_eq(other.buf, "event\n");
	strbuf_release(&out);
	strbuf_release(&other);
}

Test(proc, cwd_and_env)
{
	char dir[] = "/tmp/balrun-proc-XXXXXX", real[PATH_MAX], *want;
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_STDOUT };

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_not_null(realpath(dir, real));
	o.cwd = dir;
	want = xasprintf("%s\n", real);
	expect_output(&o, (char *[]){ "/bin/pwd", "-P", NULL }, want);
	rmdir(dir);
	free(want);
	o.cwd = NULL;
	o.env = (char *[]){ "A=1", "B=two words", NULL };
	expect_output(&o, (char *[]){ "/usr/bin/env", NULL }, "A=1\nB=two words\n");
}

/* proc_spawn must fail with exactly want and leave no fd behind. */
static void expect_spawn_error(const char *file, const char *want)
{
	struct proc_opts o = { .in = PROC_IO_PIPE, .out = PROC_IO_PIPE, .err = PROC_IO_PIPE,
			       .extra_fd = 7, .hold_fd = 9, .file = file,
			       .argv = (char *[]){ (char *)file, NULL } };
	struct proc p;
	char err[256] = "";
	int before = count_open_fds();

	cr_assert_eq(proc_spawn(&p, &o, err, sizeof(err)), -1);
	cr_assert_str_eq(err, want);
	cr_assert_eq(p.pid, 0);
	cr_assert(p.in == -1 && p.out == -1 && p.err == -1 && p.extra == -1 && p.hold == -1);
	cr_assert_eq(count_open_fds(), before, "fds left open after a failed spawn");
}

Test(proc, exec_failure_messages)
{
	char path[] = "/tmp/balrun-noexec-XXXXXX", *want;
	int fd = mkstemp(path);

	expect_spawn_error("/nonexistent/balrun-x",
			   "cannot execute '/nonexistent/balrun-x': No such file or directory");
	cr_assert_geq(fd, 0);
	cr_assert_eq(write_full(fd, "#!/bin/sh\n", 10), 0);
	close(fd);
	cr_assert_eq(chmod(path, 0644), 0);
	want = xasprintf("cannot execute '%s': Permission denied", path);
	expect_spawn_error(path, want);
	unlink(path);
	free(want);
}

/* Start sh with a background sleep; return the sleep's pid (read from a pipe). */
static pid_t spawn_with_grandchild(struct proc *p, int new_pgroup)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_DEVNULL,
			       .new_pgroup = new_pgroup };
	struct strbuf line = STRBUF_INIT;
	pid_t gpid;

	/* Orphans get reparented to this process, so it can reap the grandchild. */
	cr_assert_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	spawn(p, &o, (char *[]){ "/bin/sh", "-c", "sleep 100 >/dev/null & echo $!; exec >&-; wait", NULL });
	slurp(p->out, &line);   /* EOF once sh closed stdout; the sleep's is /dev/null */
	gpid = (pid_t)atoi(line.buf);
	cr_assert_gt(gpid, 0, "no pid in '%s'", line.buf);
	strbuf_release(&line);
	return gpid;
}

Test(proc, killing_a_group_reaches_the_grandchild)
{
	struct proc p;
	pid_t gpid = spawn_with_grandchild(&p, 1);
	int status;

	cr_assert_eq(getpgid(p.pid), p.pid, "child does not lead a group");
	cr_assert_eq(getpgid(gpid), p.pid, "grandchild not in the child's group");
	cr_assert_eq(proc_kill(&p, SIGKILL), 0);
	cr_assert_eq(proc_wait(&p, &status, NULL, 0), 1);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	cr_assert_eq(waitpid(gpid, &status, 0), gpid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "grandchild not killed");
	cr_assert_eq(kill(gpid, 0), -1);
	cr_assert_eq(errno, ESRCH);
	proc_close_fds(&p);
}

Test(proc, without_a_group_only_the_child_is_signalled)
{
	struct proc p;
	pid_t gpid = spawn_with_grandchild(&p, 0);
	int status;

	cr_assert_eq(getpgid(p.pid), getpgrp());
	cr_assert_eq(proc_kill(&p, SIGKILL), 0);
	cr_assert_eq(proc_wait(&p, &status, NULL, 0), 1);
	cr_assert_eq(kill(gpid, 0), 0, "grandchild was killed too");
	kill(gpid, SIGKILL);
	cr_assert_eq(waitpid(gpid, &status, 0), gpid);
	proc_close_fds(&p);
}

Test(proc, wait_nohang_then_reap_with_rusage)
{
	struct proc_opts o = { .in = PROC_IO_PIPE, .out = PROC_IO_DEVNULL, .err = PROC_IO_DEVNULL };
	struct rusage ru = { 0 };
	struct proc p;
	int status = -1;

	spawn(&p, &o, (char *[]){ "/bin/cat", NULL });
	cr_assert_eq(proc_wait(&p, &status, &ru, 1), 0, "cat exited before its stdin closed");
	proc_close_fds(&p);
	cr_assert_eq(proc_wait(&p, &status, &ru, 0), 1);
	cr_assert_eq(status, 0);
	cr_assert_gt(ru.ru_maxrss, 0);
	cr_assert_eq(p.pid, 0);
	cr_assert_eq(proc_wait(&p, &status, NULL, 0), -1);
	cr_assert_eq(errno, ECHILD);
	cr_assert_eq(proc_kill(&p, SIGTERM), -1);
	cr_assert_eq(errno, ESRCH);
}

static unsigned long long status_mask(const char *text, const char *key)
{
	const char *at = strstr(text, key);
	cr_assert_not_null(at, "no %s in '%s'", key, text);
	return strtoull(at + strlen(key), NULL, 16);
}

#define SIGBIT(sig) (1ull << ((sig) - 1))

Test(proc, child_starts_with_empty_mask_and_default_dispositions)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_PIPE, .err = PROC_IO_STDOUT };
	char *argv[] = { "/bin/grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status", NULL };
	struct strbuf out = STRBUF_INIT;
	struct proc p;
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	cr_assert_eq(sigprocmask(SIG_BLOCK, &block, NULL), 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	spawn(&p, &o, argv);
	cr_assert_eq(finish(&p, &out), 0);
	cr_assert_eq(status_mask(out.buf, "SigBlk:"), 0, "%s", out.buf);
	cr_assert_eq(status_mask(out.buf, "SigIgn:") & (SIGBIT(SIGPIPE) | SIGBIT(SIGINT) |
							 SIGBIT(SIGHUP)), 0, "%s", out.buf);
	strbuf_release(&out);
}

/* 1 if fd is one of the lines of list. */
static int fd_listed(const char *list, int fd)
{
	char *end;

	while (*list) {
		if (strtol(list, &end, 10) == fd && *end == '\n')
			return 1;
		list = strchrnul(list, '\n');
		list += *list == '\n';
	}
	return 0;
}

/* The child sees 0, 1, 2, the extra fd and what the parent left inheritable. */
Test(proc, no_fd_leaks_into_the_child)
{
	struct proc_opts o = { .in = PROC_IO_PIPE, .out = PROC_IO_PIPE, .err = PROC_IO_PIPE,
			       .extra_fd = 9 };
	struct strbuf out = STRBUF_INIT, want = STRBUF_INIT, got = STRBUF_INIT;
	struct proc p;
	int cloexec[2];

	cr_assert_eq(pipe2(cloexec, O_CLOEXEC), 0);
	for (int fd = 0; fd < 1024; fd++) {
		int fl = fcntl(fd, F_GETFD);
		if (fd <= 2 || fd == 9 || (fl >= 0 && !(fl & FD_CLOEXEC)))
			strbuf_addf(&want, "[%d]", fd);
	}
	spawn(&p, &o, (char *[]){ PROC_CHILD, "fds", NULL });
	cr_assert_eq(finish(&p, &out), 0);
	for (int fd = 0; fd < 1024; fd++)
		if (fd_listed(out.buf, fd))
			strbuf_addf(&got, "[%d]", fd);
	cr_assert_str_eq(got.buf, want.buf, "child fds: %s", out.buf);
	close(cloexec[0]);
	close(cloexec[1]);
	strbuf_release(&out);
	strbuf_release(&want);
	strbuf_release(&got);
}

/* With the parent's stdin closed, pipe() hands out fd 0: it must not clash. */
Test(proc, works_when_the_parent_has_no_stdin)
{
	struct proc_opts o = { .in = PROC_IO_PIPE, .out = PROC_IO_PIPE, .err = PROC_IO_DEVNULL };
	struct strbuf out = STRBUF_INIT;
	struct proc p;

	close(STDIN_FILENO);
	spawn(&p, &o, (char *[]){ "/bin/cat", NULL });
	cr_assert_eq(write_full(p.in, "via low fds", 11), 0);
	cr_assert_eq(finish(&p, &out), 0);
	cr_assert_str_eq(out.buf, "via low fds");
	strbuf_release(&out);
}

Test(proc, describe_real_statuses)
{
	struct proc_opts o = { .in = PROC_IO_DEVNULL, .out = PROC_IO_DEVNULL, .err = PROC_IO_DEVNULL };
	struct rlimit nocore = { 0, 0 };
	struct strbuf out = STRBUF_INIT;
	struct proc p;
	char buf[64];

	cr_assert_eq(setrlimit(RLIMIT_CORE, &nocore), 0);
	spawn(&p, &o, (char *[]){ "/bin/sh", "-c", "exit 3", NULL });
	cr_assert_str_eq(proc_describe_status(finish(&p, &out), buf, sizeof(buf)), "exit 3");
	spawn(&p, &o, (char *[]){ "/bin/sh", "-c", "kill -SEGV $$", NULL });
	cr_assert_str_eq(proc_describe_status(finish(&p, &out), buf, sizeof(buf)), "killed by SIGSEGV");
	strbuf_release(&out);
}

Test(proc, describe_made_up_statuses_and_signal_names)
{
	char buf[64];

	cr_assert_str_eq(proc_describe_status(W_EXITCODE(77, 0), buf, sizeof(buf)), "exit 77");
	cr_assert_str_eq(proc_describe_status(SIGABRT | WCOREFLAG, buf, sizeof(buf)),
			 "killed by SIGABRT (core dumped)");
	cr_assert_str_eq(proc_describe_status(W_STOPCODE(SIGTSTP), buf, sizeof(buf)),
			 "stopped by SIGTSTP");
	cr_assert_str_eq(proc_signal_name(SIGKILL), "SIGKILL");
	cr_assert_str_eq(proc_signal_name(SIGTERM), "SIGTERM");
	cr_assert_str_eq(proc_signal_name(SIGBUS), "SIGBUS");
	cr_assert_str_eq(proc_signal_name(SIGRTMIN + 1), "signal 35");
	cr_assert_str_eq(proc_signal_name(0), "signal 0");
}
