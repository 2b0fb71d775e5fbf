/*
 * test_jobserver.c - common/jobserver.c and jobserver-machine.c: what
 * MAKEFLAGS says (each form, the last one counting, disabled descriptors,
 * variables after "--"), reading tokens without blocking through our own
 * description while make's descriptor stays blocking, the same bytes back,
 * descriptors that are closed or not one pipe, and the machine's budget:
 * its limit, the budget of the first run, no token moving during a
 * recount, and the tokens of a killed run made anew by the recount.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jobserver-machine.h"
#include "jobserver.h"

static void expect_auth(const char *makeflags, int found, int r, int w, const char *fifo, unsigned jobs)
{
	struct jobserver_auth a;

	cr_expect_eq(jobserver_parse_makeflags(makeflags, &a), found, "'%s'", makeflags);
	cr_expect_eq(a.rfd, r, "'%s': read side %d", makeflags, a.rfd);
	cr_expect_eq(a.wfd, w, "'%s': write side %d", makeflags, a.wfd);
	if (fifo)
		cr_expect(a.fifo && !strcmp(a.fifo, fifo), "'%s': fifo '%s'", makeflags, a.fifo);
	else
		cr_expect_null(a.fifo, "'%s'", makeflags);
	cr_expect_eq(a.jobs, jobs, "'%s': -j%u", makeflags, a.jobs);
	jobserver_auth_release(&a);
}

Test(makeflags, every_form)
{
	expect_auth(" -j3 --jobserver-auth=3,4", 1, 3, 4, NULL, 3);
	expect_auth("k -j8 --jobserver-auth=fifo:/tmp/GMfifo77", 1, -1, -1, "/tmp/GMfifo77", 8);
	expect_auth("--jobserver-fds=5,6 -j2", 1, 5, 6, NULL, 2);
	expect_auth("-j12 --jobserver-fds=5,6 --jobserver-auth=7,8", 1, 7, 8, NULL, 12);
	expect_auth("--jobserver-auth=fifo:/a --jobserver-auth=9,10", 1, 9, 10, NULL, 0);
}

Test(makeflags, no_jobserver)
{
	expect_auth(NULL, 0, -1, -1, NULL, 0);
	expect_auth("", 0, -1, -1, NULL, 0);
	expect_auth("ks -j4", 0, -1, -1, NULL, 4);
	expect_auth(" -j --jobserver-auth=-1,-1", 0, -1, -1, NULL, 0);
	expect_auth(" -j2 --jobserver-auth=3", 0, -1, -1, NULL, 2);
	expect_auth(" -j2 --jobserver-auth=fifo:", 0, -1, -1, NULL, 2);
	expect_auth(" -j2 -- CFLAGS=--jobserver-auth=3,4", 0, -1, -1, NULL, 2);
}

/* A blocking pipe at descriptors 40 (read) and 41 (write) holding tokens, as make's. */
static void make_pipe(const char *tokens)
{
	int p[2];

	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(dup2(p[0], 40), 40);
	cr_assert_eq(dup2(p[1], 41), 41);
	close(p[0]);
	close(p[1]);
	cr_assert_eq(write(41, tokens, strlen(tokens)), (ssize_t)strlen(tokens));
}

static int bytes_in(int fd)
{
	int n = -1;

	cr_assert_eq(ioctl(fd, FIONREAD, &n), 0);
	return n;
}

Test(jobserver, takes_without_blocking_and_gives_the_same_bytes_back)
{
	struct jobserver js = JOBSERVER_INIT;
	struct strbuf why = STRBUF_INIT;
	char back[3] = { 0 };

	make_pipe("xy");
	cr_assert_eq(jobserver_from_make(&js, "-j3 --jobserver-auth=40,41", &why), JOBSERVER_OK, "%s", why.buf);
	cr_expect_eq(js.size, 3);
	cr_expect_eq(jobserver_slots(&js), 1);
	cr_expect_eq(jobserver_take(&js), 1);
	cr_expect_eq(jobserver_take(&js), 1);
	cr_expect_eq(jobserver_take(&js), 0, "a third token, or it blocked");
	cr_expect_eq(jobserver_slots(&js), 3);
	cr_expect_eq(fcntl(40, F_GETFL) & O_NONBLOCK, 0, "make's read side is no longer blocking");
	cr_expect_eq(bytes_in(40), 0);
	jobserver_close(&js);
	cr_expect_eq(bytes_in(40), 2);
	cr_assert_eq(read(40, back, 2), 2);
	cr_expect(!strcmp(back, "xy") || !strcmp(back, "yx"), "'%s' came back", back);
	strbuf_release(&why);
}

Test(jobserver, closed_descriptors_leave_one_slot)
{
	struct jobserver js = JOBSERVER_INIT;
	struct strbuf why = STRBUF_INIT;

	cr_assert_eq(jobserver_from_make(&js, "-j3 --jobserver-auth=250,251", &why), JOBSERVER_UNAVAILABLE);
	cr_expect(strstr(why.buf, "not open here"), "%s", why.buf);
	cr_expect_eq(js.size, 1);
	cr_expect_eq(jobserver_take(&js), 0);
	cr_expect_eq(jobserver_slots(&js), 1);
	cr_expect_eq(jobserver_poll_fd(&js), -1);
	jobserver_close(&js);
	strbuf_release(&why);
}

Test(jobserver, two_pipes_are_not_one_jobserver)
{
	struct jobserver js = JOBSERVER_INIT;
	struct strbuf why = STRBUF_INIT;
	int a[2], b[2];
	char flags[64];

	cr_assert_eq(pipe(a), 0);
	cr_assert_eq(pipe(b), 0);
	snprintf(flags, sizeof(flags), "-j2 --jobserver-auth=%d,%d", a[0], b[1]);
	cr_assert_eq(jobserver_from_make(&js, flags, &why), JOBSERVER_UNAVAILABLE);
	cr_expect(strstr(why.buf, "not the two ends of one pipe"), "%s", why.buf);
	jobserver_close(&js);
	strbuf_release(&why);
}

/* A fresh directory for a machine's budget. */
static char *budget_dir(void)
{
	char tmpl[] = "/tmp/balrun-test-jobserver.XXXXXX";

	cr_assert(mkdtemp(tmpl));
	return strdup(tmpl);
}

static void remove_dir(char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	free(dir);
}

static void join(struct jobserver *js, const char *dir, unsigned budget, struct strbuf *warn)
{
	struct strbuf err = STRBUF_INIT;

	jobserver_init(js);
	cr_assert_eq(jobserver_machine_join(js, dir, budget, warn, &err), 0, "%s", err.buf);
	strbuf_release(&err);
}

Test(machine, the_budget_is_shared_and_set_by_the_first_run)
{
	struct strbuf warn = STRBUF_INIT;
	struct jobserver a, b;
	char *dir = budget_dir();

	join(&a, dir, 3, &warn);
	join(&b, dir, 5, &warn);
	cr_expect_eq(b.size, 3);
	cr_expect(strstr(warn.buf, "budget is 3"), "%s", warn.buf);
	cr_expect_eq(jobserver_slots(&a), 0, "a run of the machine holds no slot for free");
	cr_expect_eq(jobserver_take(&a), 1);
	cr_expect_eq(jobserver_take(&b), 1);
	cr_expect_eq(jobserver_take(&a), 1);
	cr_expect_eq(jobserver_take(&b), 0, "a fourth token in a budget of 3");
	cr_expect_eq(jobserver_machine_recount(&b), 0, "the recount made tokens that exist");
	cr_expect_eq(jobserver_take(&b), 0);
	jobserver_close(&a);
	cr_expect_eq(jobserver_take(&b), 1);
	jobserver_close(&b);
	remove_dir(dir);
	strbuf_release(&warn);
}

Test(machine, a_recount_under_way_makes_takes_wait_without_polling)
{
	struct strbuf warn = STRBUF_INIT;
	struct jobserver js;
	char *dir = budget_dir(), path[128];
	int lock;

	join(&js, dir, 1, &warn);
	snprintf(path, sizeof(path), "%s/jobserver.lock", dir);
	lock = open(path, O_RDWR | O_CLOEXEC);
	cr_assert(lock >= 0);
	cr_assert_eq(flock(lock, LOCK_EX), 0);
	cr_expect_eq(jobserver_take(&js), 0, "a token moved during a recount");
	cr_expect_eq(jobserver_poll_fd(&js), -1, "polling a readable FIFO that gives nothing would spin");
	cr_expect_eq(jobserver_machine_recount(&js), -1, "two recounts at once");
	flock(lock, LOCK_UN);
	close(lock);
	cr_expect_eq(jobserver_take(&js), 1);
	cr_expect_geq(jobserver_poll_fd(&js), 0);
	jobserver_close(&js);
	remove_dir(dir);
	strbuf_release(&warn);
}

Test(machine, tokens_of_a_killed_run_are_made_anew)
{
	struct strbuf warn = STRBUF_INIT;
	struct jobserver js;
	char *dir = budget_dir();
	int ready[2], status;
	pid_t pid;
	char c;

	join(&js, dir, 2, &warn);
	cr_assert_eq(pipe(ready), 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		struct jobserver other;
		join(&other, dir, 2, &warn);
		if (jobserver_take(&other) == 1 && jobserver_take(&other) == 1 && write(ready[1], "!", 1) == 1)
			pause();	/* killed with both tokens in hand */
		_exit(1);
	}
	cr_assert_eq(read(ready[0], &c, 1), 1);
	cr_expect_eq(jobserver_take(&js), 0);
	cr_expect_eq(jobserver_machine_recount(&js), 0, "tokens of a live run made anew");
	kill(pid, SIGKILL);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect_eq(jobserver_machine_recount(&js), 2);
	cr_expect_eq(jobserver_take(&js), 1);
	cr_expect_eq(jobserver_take(&js), 1);
	cr_expect_eq(jobserver_take(&js), 0);
	jobserver_close(&js);
	remove_dir(dir);
	strbuf_release(&warn);
}
