/*
 * test_worker_preload.c - the cmocka shim (balrun-preload.so) on its own:
 * list mode writes a "G group" record per group call and a "T name" record
 * per test, and runs nothing; with no mode set the shim passes every call
 * through, so the program runs all its tests as if the shim were not there.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preload.h"
#include "proc.h"
#include "strbuf.h"
#include "util.h"

TestSuite(preload, .timeout = 30);

extern char **environ;

/* Read fd (made blocking) until EOF into sb. */
static void read_all(int fd, struct strbuf *sb)
{
	char buf[4096];
	ssize_t n;

	cr_assert_eq(set_nonblock(fd, 0), 0);
	while ((n = read_retry(fd, buf, sizeof(buf))) > 0)
		strbuf_add(sb, buf, (size_t)n);
	cr_assert_eq(n, 0, "read: %s", strerror(errno));
}

/* Run wf-cmocka under the shim with mode (NULL: unset); collect events and output. */
static void run_shim(const char *mode, struct strbuf *events, struct strbuf *out)
{
	char *argv[] = { WF_DIR "/wf-cmocka", NULL };
	struct strbuf vars[3] = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT };
	char **env;
	size_t n = 0, k = 0;
	struct proc p;
	char err[256] = "";

	while (environ[n])
		n++;
	env = xcalloc(n + 4, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (!starts_with(environ[i], "BXFI_MAP=") && !starts_with(environ[i], "BALRUN_"))
			env[k++] = environ[i];
	strbuf_addf(&vars[0], "LD_PRELOAD=%s", PRELOAD_SO);
	strbuf_addf(&vars[1], PRELOAD_ENV_FD "=%d", PRELOAD_EVENT_FD);
	if (mode)
		strbuf_addf(&vars[2], PRELOAD_ENV_MODE "=%s", mode);
	for (int i = 0; i < 3; i++)
		if (vars[i].len)
			env[k++] = vars[i].buf;
	struct proc_opts o = {
		.file = argv[0], .argv = argv, .env = env, .in = PROC_IO_DEVNULL,
		.out = PROC_IO_PIPE, .err = PROC_IO_STDOUT, .extra_fd = PRELOAD_EVENT_FD,
	};
	cr_assert_eq(proc_spawn(&p, &o, err, sizeof(err)), 0, "%s", err);
	read_all(p.extra, events);
	read_all(p.out, out);
	cr_assert_eq(proc_wait(&p, NULL, NULL, 0), 1);
	proc_close_fds(&p);
	free(env);
	for (int i = 0; i < 3; i++)
		strbuf_release(&vars[i]);
}

Test(preload, list_mode_lists_every_group_and_runs_nothing)
{
	struct strbuf events = STRBUF_INIT, out = STRBUF_INIT;

	run_shim("list", &events, &out);
	cr_assert_str_eq(events.buf,
			 "G basic\nT t_pass\nT t_fail\nT t_skip\nT t_never\n"
			 "T t_segv\nT t_unselected\nG gsetup\nT t_pass\n"
			 "G dies\nT t_before\nT t_aborts\nT t_after\n");
	cr_assert_str_eq(out.buf, "");
	strbuf_release(&events);
	strbuf_release(&out);
}

Test(preload, no_mode_passes_through)
{
	struct strbuf events = STRBUF_INIT, out = STRBUF_INIT;

	run_shim(NULL, &events, &out);
	cr_assert_str_eq(events.buf, "");
	cr_assert(strstr(out.buf, "SHOULD NOT RUN\n"), "%s", out.buf);   /* t_unselected ran */
	cr_assert(strstr(out.buf, "out aborts"), "%s", out.buf);
	strbuf_release(&events);
	strbuf_release(&out);
}
