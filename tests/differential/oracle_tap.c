/*
 * oracle_tap.c - the serial answer for a TAP producer, run whole (balrun:
 * --framework tap): the binary is one case, named by its binary id alone,
 * and its verdict is meson's (mesonbuild/mtest.py), read from stdout:
 *
 *   - a test point "ok"/"not ok" [N] [description] [# SKIP|TODO reason] is
 *     bad if it is "not ok" without TODO, or "ok # TODO" (it passed
 *     unexpectedly);
 *   - "1..N" is the plan ("1..0 # SKIP why": nothing to run); "Bail out!"
 *     ends the stream;
 *   - skipped if every test point is a skip (none at all included, even
 *     after a bail out); else failed if a test point is bad, the stream
 *     bailed out, there is no plan or the number of test points differs
 *     from it;
 *     then failed if the process exited non-zero, crashed if a signal ended
 *     it; else passed.
 * A TAP producer has no failures outside its one case: no evidence.
 */
#include "oracle.h"
#include "spawn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct tap_priv {
	char *out, *err;
	const char *argv[2];
};

void oracle_tap_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	struct tap_priv *p = calloc(1, sizeof(*p));

	p->out = xasprintf("%s/serial.out", tmpdir);
	p->err = xasprintf("%s/serial.err", tmpdir);
	p->argv[0] = b->path;
	b->priv = p;
	job->argv = p->argv;
	job->out_path = p->out;
	job->err_path = p->err;
	job->limit_s = 60;
}

struct tap_count {
	long points, bad, skips, plan;   /* plan: -1 none */
	int bailed;
};

/* One line of the stream. */
static void tap_line(struct tap_count *t, const char *l, size_t n)
{
	int not_ok = starts_with_n(l, n, "not ok");
	const char *hash;
	char *dir;
	int skip = 0, todo = 0;

	if (starts_with_n(l, n, "Bail out!")) {
		t->bailed = 1;
		return;
	}
	if (starts_with_n(l, n, "1..")) {
		t->plan = strtol(l + 3, NULL, 10);
		return;
	}
	if (!not_ok && !starts_with_n(l, n, "ok"))
		return;
	if (n > (size_t)(not_ok ? 6 : 2) && l[not_ok ? 6 : 2] != ' ')
		return;
	hash = memchr(l, '#', n);
	if (hash) {
		dir = xstrndup(hash + 1, n - (size_t)(hash + 1 - l));
		skip = !strncasecmp(dir + strspn(dir, " "), "skip", 4);
		todo = !strncasecmp(dir + strspn(dir, " "), "todo", 4);
		free(dir);
	}
	t->points++;
	t->skips += skip;
	t->bad += (not_ok && !todo) || (!not_ok && todo);
}

void oracle_tap_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct tap_priv *p = b->priv;
	struct tap_count t = { .plan = -1 };
	size_t len = 0;
	char *text = slurp(p->out, &len);
	enum diff_outcome o;
	int st = job->status;

	b->status = st;
	b->wall_s = job->wall_s;
	for (const char *l = text; l && l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(text + len - l);

		if (!t.bailed)
			tap_line(&t, l, n);
		l += n + 1;
	}
	if (t.skips == t.points)
		o = DIFF_SKIPPED;
	else if (t.bad || t.bailed || t.plan < 0 || t.plan != t.points)
		o = DIFF_FAILED;
	else
		o = DIFF_PASSED;
	if (st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED) {
		o = DIFF_UNKNOWN;
		diff_bin_error(b, "serial run %s", spawn_describe(st));
	} else if (WIFSIGNALED(st)) {
		o = DIFF_CRASHED;
	} else if (WEXITSTATUS(st)) {
		o = DIFF_FAILED;
	}
	diff_bin_add_case(b, NULL, 0, o, spawn_describe(st));
	free(text);
	free(p->out);
	free(p->err);
	free(p);
	b->priv = NULL;
}
