/*
 * oracle_glib.c - the serial answer for a GLib GTest binary (GLib 2.74).
 *
 * Cases: `BIN -l` under LC_ALL=C.UTF-8 (a zoo binary that has non-ASCII
 * names calls setlocale, so they are printed as they are): every line that
 * starts with '/' is a test path, in the order a full run runs them.  A
 * case is named by its path.
 *
 * The serial run: `BIN -k --tap` under LC_ALL=C.UTF-8, stdout and stderr in
 * separate files (-k, as balrun runs it: a failed test does not end the
 * run).  GLib numbers its TAP lines 1, 2, ... in run order, so the k-th
 * case's result is the line "ok k PATH" or "not ok k PATH", found anywhere
 * in the text (it can be glued to the test's unterminated output):
 *   ok k PATH                passed
 *   ok k PATH # SKIP ...     skipped (g_test_skip)
 *   not ok k PATH # TODO ... skipped (g_test_incomplete: GLib counts it with
 *                            the skipped)
 *   not ok k PATH ...        failed
 * The first case without its line is the one that ended the process: failed
 * if GLib printed "Bail out!" after the last result (a failed g_assert, a
 * fatal warning) or the process exited, crashed if a signal ended it
 * otherwise.  The cases after it are unknown.
 *
 * Evidence of a failure outside the tests: every case answered, and yet a
 * non-zero exit with no failed case, or a signal: "[after tests]".
 */
#define _GNU_SOURCE
#include "oracle.h"
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct gl_priv {
	char *out, *err;
	const char *argv[4];
};

static const char *const gl_env[] = { "LC_ALL=C.UTF-8", NULL };

void oracle_glib_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job)
{
	struct gl_priv *p = calloc(1, sizeof(*p));
	char *lout = xasprintf("%s/list.out", tmpdir), *lerr = xasprintf("%s/list.err", tmpdir);
	const char *largv[] = { b->path, "-l", NULL };
	struct spawn_job list = { .argv = largv, .env = gl_env, .out_path = lout, .err_path = lerr,
				  .limit_s = 30 };
	size_t len = 0;
	char *text;

	spawn_one(&list);
	text = slurp(lout, &len);
	for (const char *l = text; l && l < text + len;) {
		const char *nl = memchr(l, '\n', (size_t)(text + len - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(text + len - l);

		if (n && l[0] == '/')
			diff_bin_add_case(b, l, n, DIFF_UNKNOWN, NULL);
		l += n + 1;
	}
	if (!b->ncases)
		diff_bin_error(b, "`%s -l` listed no test (%s)", b->base, spawn_describe(list.status));
	free(text);
	free(lout);
	free(lerr);
	p->out = xasprintf("%s/serial.out", tmpdir);
	p->err = xasprintf("%s/serial.err", tmpdir);
	p->argv[0] = b->path;
	p->argv[1] = "-k";
	p->argv[2] = "--tap";
	b->priv = p;
	job->argv = p->argv;
	job->env = gl_env;
	job->out_path = p->out;
	job->err_path = p->err;
	job->limit_s = 60;
}

/* The result line of case k (1-based), from *pos on: its outcome, *pos after it; -1 if none. */
static int gl_result(const struct diff_bin *b, size_t k, const char *text, const char **pos)
{
	char key[32];
	const char *q, *path = b->cases[k - 1].name;
	size_t kl = (size_t)snprintf(key, sizeof(key), "ok %zu ", k), pl = strlen(path);

	for (q = strstr(*pos, key); q; q = strstr(q + 1, key)) {
		const char *after = q + kl, *eol = after + strcspn(after, "\n");
		int not_ok = q - text >= 4 && !memcmp(q - 4, "not ", 4);

		if (strncmp(after, path, pl) || (after[pl] != '\n' && after[pl] != ' ' && after[pl]))
			continue;
		*pos = eol;
		if (memmem(after, (size_t)(eol - after), " # SKIP", 7))
			return DIFF_SKIPPED;
		if (memmem(after, (size_t)(eol - after), " # TODO", 7))
			return DIFF_SKIPPED;
		return not_ok ? DIFF_FAILED : DIFF_PASSED;
	}
	return -1;
}

void oracle_glib_finish(struct diff_bin *b, const struct spawn_job *job)
{
	struct gl_priv *p = b->priv;
	char *text = slurp(p->out, NULL);
	const char *pos = text ? text : "";
	int st = job->status, failed = 0;
	size_t k;

	b->status = st;
	b->wall_s = job->wall_s;
	for (k = 1; k <= b->ncases; k++) {
		int o = gl_result(b, k, text ? text : "", &pos);

		if (o < 0)
			break;
		b->cases[k - 1].oracle = (enum diff_outcome)o;
		failed |= o == DIFF_FAILED;
	}
	if (st == SPAWN_TIMED_OUT || st == SPAWN_NOT_STARTED) {
		diff_bin_error(b, "serial run %s", spawn_describe(st));
	} else if (k <= b->ncases) {
		int bailed = strstr(pos, "Bail out!") != NULL;

		b->cases[k - 1].oracle = bailed || WIFEXITED(st) ? DIFF_FAILED : DIFF_CRASHED;
		b->cases[k - 1].note = xstrdup(spawn_describe(st));
	} else if (WIFSIGNALED(st) || (WEXITSTATUS(st) && !failed)) {
		diff_bin_add_evidence(b, FAULT_AFTER, NULL, "%s after every test", spawn_describe(st));
	}
	free(text);
	free(p->out);
	free(p->err);
	free(p);
	b->priv = NULL;
}
