/*
 * oracle_plain.c - the serial answer for a plain test program (an ELF or a
 * #! script): the whole binary is one case, named by its binary id alone.
 * Exit 0 passed, 77 skipped, any other exit failed, a signal crashed.  A
 * plain binary has no failures outside its one test, so no evidence.
 */
#include "oracle.h"
#include "spawn.h"

#include <stdlib.h>
#include <sys/wait.h>

struct plain_priv {
	char *out;
	const char *argv[2];
};

void oracle_plain_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	struct plain_priv *p = calloc(1, sizeof(*p));

	p->out = xasprintf("%s/serial.out", tmpdir);
	p->argv[0] = b->path;
	b->priv = p;
	job->argv = p->argv;
	job->out_path = p->out;
	job->err_path = p->out;
	job->limit_s = 60;
}

void oracle_plain_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct plain_priv *p = b->priv;
	int st = job->status;
	enum diff_outcome o;

	b->status = st;
	b->wall_s = job->wall_s;
	if (st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED)
		o = DIFF_UNKNOWN;
	else if (WIFSIGNALED(st))
		o = DIFF_CRASHED;
	else if (WEXITSTATUS(st) == 0)
		o = DIFF_PASSED;
	else if (WEXITSTATUS(st) == 77)
		o = DIFF_SKIPPED;
	else
		o = DIFF_FAILED;
	if (o == DIFF_UNKNOWN)
		diff_bin_error(b, "serial run %s", spawn_describe(st));
	diff_bin_add_case(b, NULL, 0, o, spawn_describe(st));
	free(p->out);
	free(p);
	b->priv = NULL;
}
