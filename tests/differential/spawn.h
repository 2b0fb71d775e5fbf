/*
 * spawn.h - run programs for the differential suite: each in its own
 * process group, stdin from /dev/null, stdout and stderr to files, with a
 * wall-clock limit after which the whole group is killed.
 *
 * A batch of jobs may run several at a time (spawn_jobs); a job's result is
 * its raw wait status, or SPAWN_TIMED_OUT / SPAWN_NOT_STARTED.
 */
#ifndef DIFF_SPAWN_H
#define DIFF_SPAWN_H

#include <stddef.h>

#define SPAWN_TIMED_OUT (-1)
#define SPAWN_NOT_STARTED (-2)

struct spawn_job {
	/* filled by the caller */
	const char *const *argv;   /* argv[0] is the program path */
	const char *const *env;    /* "NAME=value" entries added to the environment, or NULL */
	const char *out_path;      /* stdout goes here (created or truncated) */
	const char *err_path;      /* stderr goes here; may equal out_path */
	double limit_s;            /* wall-clock limit, 0 for none */
	/* filled by spawn_jobs */
	int status;                /* wait status, SPAWN_TIMED_OUT or SPAWN_NOT_STARTED */
	double wall_s;
	int pid;                   /* while running */
	double started;
};

/* Run the jobs, at most `parallel` at a time, and wait for all of them. */
void spawn_jobs(struct spawn_job *jobs, size_t n, int parallel);
/* One job, alone; returns its status. */
int spawn_one(struct spawn_job *job);

/* "exit 3", "killed by SIGABRT", "timed out", ... into a static buffer. */
const char *spawn_describe(int status);

/* The whole file, NUL-terminated (the length in *len if len is not NULL); NULL if unreadable. */
char *slurp(const char *path, size_t *len);

/* Wall clock in seconds (CLOCK_MONOTONIC). */
double now_s(void);

#endif
