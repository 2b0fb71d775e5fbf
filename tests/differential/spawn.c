/*
 * spawn.c - run programs with files for output and a time limit; see spawn.h.
 */
#define _GNU_SOURCE
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, used = 0, n;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - used < 65536) {
			cap = cap ? cap * 2 : 65536 * 2;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
		n = fread(buf + used, 1, cap - used, f);
		used += n;
		if (!n)
			break;
	}
	fclose(f);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
}

const char *spawn_describe(int status)
{
	static char buf[64];

	if (status == SPAWN_TIMED_OUT)
		return "timed out";
	if (status == SPAWN_NOT_STARTED)
		return "not started";
	if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, sizeof(buf), "killed by SIG%s", sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?");
	else
		snprintf(buf, sizeof(buf), "status %#x", status);
	return buf;
}

static void spawn_child(const struct spawn_job *job)
{
	int in = open("/dev/null", O_RDONLY);
	int out = open(job->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = job->err_path && strcmp(job->err_path, job->out_path) ?
		  open(job->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600) : out;

	setpgid(0, 0);
	if (in < 0 || out < 0 || err < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	for (size_t i = 0; job->env && job->env[i]; i++)
		putenv((char *)job->env[i]);
	/* start with stdio only, as from a shell */
	close_range(3, ~0u, 0);
	signal(SIGPIPE, SIG_DFL);
	execv(job->argv[0], (char *const *)job->argv);
	_exit(127);
}

static int spawn_start(struct spawn_job *job)
{
	pid_t pid = fork();

	if (pid < 0) {
		job->status = SPAWN_NOT_STARTED;
		return -1;
	}
	if (pid == 0)
		spawn_child(job);
	setpgid(pid, pid);
	job->pid = pid;
	job->started = now_s();
	return 0;
}

/* Stop a job past its limit: SIGTERM to its group, SIGKILL after 5 s. */
static void spawn_kill(struct spawn_job *job)
{
	int status;

	kill(-job->pid, SIGTERM);
	for (int i = 0; i < 500; i++) {
		if (waitpid(job->pid, &status, WNOHANG) == job->pid)
			goto reaped;
		usleep(10000);
	}
	kill(-job->pid, SIGKILL);
	waitpid(job->pid, &status, 0);
reaped:
	kill(-job->pid, SIGKILL);   /* anything it left behind */
	job->status = SPAWN_TIMED_OUT;
	job->wall_s = now_s() - job->started;
	job->pid = 0;
}

void spawn_jobs(struct spawn_job *jobs, size_t n, int parallel)
{
	size_t next = 0, running = 0;

	if (parallel < 1)
		parallel = 1;
	for (size_t i = 0; i < n; i++)
		jobs[i].pid = 0;
	while (next < n || running) {
		int status;
		pid_t pid;

		while (next < n && running < (size_t)parallel) {
			if (spawn_start(&jobs[next]) == 0)
				running++;
			next++;
		}
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0) {
			for (size_t i = 0; i < n; i++) {
				if (jobs[i].pid == pid) {
					jobs[i].status = status;
					jobs[i].wall_s = now_s() - jobs[i].started;
					jobs[i].pid = 0;
					running--;
				}
			}
			continue;
		}
		if (pid < 0 && errno != EINTR && errno != ECHILD)
			break;
		for (size_t i = 0; i < n; i++) {
			if (jobs[i].pid && jobs[i].limit_s > 0 &&
			    now_s() - jobs[i].started > jobs[i].limit_s) {
				spawn_kill(&jobs[i]);
				running--;
			}
		}
		usleep(2000);
	}
}

int spawn_one(struct spawn_job *job)
{
	spawn_jobs(job, 1, 1);
	return job->status;
}
