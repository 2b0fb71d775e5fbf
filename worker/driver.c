/*
 * driver.c - what the adapters' run_batch share: the test environment,
 * following a process, failing an invocation that could not start,
 * temporary files, nonces, tests by ordinal; see driver.h.
 */
#define _GNU_SOURCE
#include "driver.h"
#include "held.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


void driver_env(struct strvec *env, const struct proto_invocation *inv)
{
	struct strvec changes = { inv->env, inv->nenv, 0 };

	strvec_env(env, NULL);
	strvec_env_apply(env, &changes);
	/*
	 * Never passed on: BXFI_MAP tells a Criterion binary that it is a
	 * sandboxed test child of another Criterion run (boxfort).  It is set
	 * when balrun itself runs inside a Criterion test, and a test binary
	 * that inherits it aborts.
	 */
	strvec_unsetenv(env, "BXFI_MAP");
	/*
	 * balrun's preload list goes first (a sanitizer runtime must be the
	 * first object loaded, then the shim), then what the test's
	 * environment already preloads (wrappers such as cwrap's
	 * socket_wrapper): both load.
	 */
	if (inv->preload && *inv->preload)
		strvec_env_prepend(env, "LD_PRELOAD", inv->preload, ':');
}

void driver_argv(struct strvec *argv, const struct proto_invocation *inv)
{
	for (size_t i = 0; i < inv->nargs; i++)
		strvec_push(argv, inv->args[i]);
}

int driver_follow_test(struct session *s, const struct proto_invocation *inv, struct child *c,
		       char *const *argv, char *const *env, const struct child_ops *ops, void *data,
		       struct wtest *t, int index, uint64_t timeout_ms)
{
	char err[512];

	if (!held_take(c, argv, env, inv->cwd, ops, data) &&
	    child_start(c, argv, env, inv->cwd, ops, data, err, sizeof(err)) < 0) {
		driver_fail_all(s, inv, err);
		return -1;
	}
	s->active = c;
	if (t)
		session_start(s, t, index);
	child_set_timeout(c, timeout_ms);
	child_run(c);
	s->active = NULL;
	return 0;
}

int driver_follow(struct session *s, const struct proto_invocation *inv, struct child *c,
		  char *const *argv, char *const *env, const struct child_ops *ops, void *data)
{
	return driver_follow_test(s, inv, c, argv, env, ops, data, NULL, 0, session_max_timeout_ms(s));
}

int driver_follow_one(struct session *s, const struct proto_invocation *inv, struct child *c,
		      char *const *argv, char *const *env, const struct child_ops *ops, void *data,
		      struct wtest *t)
{
	return driver_follow_test(s, inv, c, argv, env, ops, data, t, 0, session_timeout_ms(s, 0));
}

void driver_fail_all(struct session *s, const struct proto_invocation *inv, const char *reason)
{
	struct wtest t;

	wtest_init(&t);
	for (size_t i = 0; i < inv->ntests; i++) {
		session_start(s, &t, (int)i);
		wtest_note(&t, OUTCOME_FAIL, reason);
		session_result(s, &t);
	}
	wtest_release(&t);
	session_error(s, "%s", reason);
}

uint64_t driver_elapsed(uint64_t a, uint64_t b)
{
	return b > a ? b - a : 0;
}

/* The worker's own temporary directory, when the coordinator gave none. */
static char *driver_own_dir;

static void driver_remove_own_dir(void)
{
	if (driver_own_dir)
		rmdir(driver_own_dir);   /* every file in it was unlinked after use */
}

static const char *driver_temp_dir(struct strbuf *err)
{
	const char *dir = getenv("BALRUN_RUN_DIR"), *tmp = getenv("TMPDIR");

	if (dir && *dir)
		return dir;
	if (!driver_own_dir) {
		char *tmpl = xasprintf("%s/balrun-worker.XXXXXX", tmp && *tmp ? tmp : "/tmp");

		if (!mkdtemp(tmpl)) {
			strbuf_addf(err, "cannot make a temporary directory '%s': %s", tmpl,
				    strerror(errno));
			free(tmpl);
			return NULL;
		}
		driver_own_dir = tmpl;
		atexit(driver_remove_own_dir);
	}
	return driver_own_dir;
}

int driver_temp_name(const char *prefix, struct strbuf *path, struct strbuf *err)
{
	static unsigned long seq;
	const char *dir = driver_temp_dir(err);

	if (!dir)
		return -1;
	strbuf_reset(path);
	strbuf_addf(path, "%s/%s-%ld-%lu", dir, prefix, (long)getpid(), seq++);
	return 0;
}

int driver_write_file(const char *path, const char *data, size_t len, struct strbuf *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write_full(fd, data, len) < 0) {
		strbuf_addf(err, "cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return -1;
	}
	close(fd);
	return 0;
}

int driver_temp_file(const char *prefix, const char *data, size_t len, struct strbuf *path,
		     struct strbuf *err)
{
	if (driver_temp_name(prefix, path, err))
		return -1;
	return driver_write_file(path->buf, data, len, err);
}

void driver_nonce(char out[17])
{
	uint64_t v = 0;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v))
		v = now_ns() ^ ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&v;
	snprintf(out, 17, "%016llx", (unsigned long long)v);
}

static int ordinal_cmp(const void *a, const void *b, void *data)
{
	const uint64_t *ord = data;
	uint64_t x = ord[*(const uint32_t *)a], y = ord[*(const uint32_t *)b];

	return x < y ? -1 : x > y;
}

void ordinal_index_init(struct ordinal_index *ix, const struct proto_invocation *inv)
{
	ix->ordinals = inv->ordinals;
	ix->n = inv->ordinals ? inv->ntests : 0;
	ix->by = xcalloc(ix->n ? ix->n : 1, sizeof(*ix->by));
	for (size_t i = 0; i < ix->n; i++)
		ix->by[i] = (uint32_t)i;
	qsort_r(ix->by, ix->n, sizeof(*ix->by), ordinal_cmp, (void *)inv->ordinals);
}

int ordinal_index_find(const struct ordinal_index *ix, uint64_t ordinal)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t o = ix->ordinals[ix->by[mid]];

		if (o == ordinal)
			return (int)ix->by[mid];
		if (o < ordinal)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

void ordinal_index_release(struct ordinal_index *ix)
{
	free(ix->by);
	ix->by = NULL;
	ix->n = 0;
}

/* ---- a process that ended ---- */

void driver_test_died(struct session *s, struct wtest *t, const struct child *c, uint64_t run_ns,
		      const char *what)
{
	char msg[128];

	t->duration_ns = driver_elapsed(run_ns, c->exited_ns);
	if (c->timed_out) {
		snprintf(msg, sizeof(msg), "timed out after %llu ms (%s)",
			 (unsigned long long)session_timeout_ms(s, t->index), what);
		wtest_note(t, OUTCOME_TIMEOUT, msg);
	} else if (WIFEXITED(c->status)) {
		snprintf(msg, sizeof(msg), "exited with status %d during the test", WEXITSTATUS(c->status));
		wtest_note(t, OUTCOME_FAIL, msg);
	} else {
		wtest_note(t, OUTCOME_CRASH, what);
	}
}

int driver_fault_outside(struct session *s, const struct child *c, const char *what, int any_test,
			 int failed, const char *premature, const struct capture *outside)
{
	const char *where = any_test ? "after its tests" : "before any test ran";
	struct strbuf msg = STRBUF_INIT;
	enum outcome o = OUTCOME_FAIL;

	if (c->timed_out) {
		o = OUTCOME_TIMEOUT;
		strbuf_addf(&msg, "timed out %s (%s)", where, what);
	} else if (!WIFEXITED(c->status)) {
		o = OUTCOME_CRASH;
		strbuf_addf(&msg, "%s %s", what, where);
	} else if (premature) {
		strbuf_addf(&msg, "exited with status 0 %s, before the end of its run (%s)", where, premature);
	} else if (WEXITSTATUS(c->status) && !failed) {
		strbuf_addf(&msg, "exited with status %d although none of its tests failed",
			    WEXITSTATUS(c->status));
	} else {
		strbuf_release(&msg);
		return 0;
	}
	session_fault(s, any_test ? FAULT_AFTER : FAULT_BEFORE, -1, o, msg.buf, outside);
	strbuf_release(&msg);
	return 1;
}
