/*
 * test_e2e_jobserver.c - balrun as a client of GNU make's jobserver and in
 * the machine's budget (--share-machine), end to end.
 *
 * A real `make -j3` runs a rule that runs balrun -n 8 on jobs_cmocka, whose
 * twelve tests log their own start and end (tests/fixtures/marked_log.h),
 * then counts the tokens left in make's pipe (jobserver-count, FIONREAD:
 * it takes none).  At most 3 tests ran at once (8 without the jobserver),
 * and the pipe holds its 2 free tokens again: after a run that passes,
 * after one where a test SIGKILLs its worker, after one stopped by SIGINT.
 * make 4.3 checks the count too at exit ("INTERNAL: Exiting with ...").
 *
 * This machine's make (4.3) makes only the R,W pipe form; make 4.4's FIFO
 * form (--jobserver-auth=fifo:PATH) is tested with a FIFO the test makes
 * and fills with its own bytes, which must come back as they were (with a
 * test of weight 3 that must run alone in a budget of 3); make 4.1's
 * --jobserver-fds=R,W likewise.  Descriptors that were not passed (a rule
 * without '+'): one warning, one test at a time.
 *
 * --share-machine: two runs at once with a budget of 3 never run more than
 * 3 tests together; a run SIGKILLed with both tokens of a budget of 2 in
 * hand does not starve a run that waits for them (the recount makes them
 * anew).  Each test keeps its budget in its own XDG_RUNTIME_DIR.
 *
 * Every check compares intervals the tests recorded themselves.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define ENV(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define MAX_SPANS 128

/* One test's run as it logged it, and the slots it takes. */
struct span {
	char name[64];
	unsigned long long start, end;
	unsigned weight;
};

struct spans {
	struct span s[MAX_SPANS];
	size_t n;
};

/* Add the runs logged in path; the test named heavy (NULL: none) weighs weight. */
static void spans_read(struct spans *sp, const char *path, const char *heavy, unsigned weight)
{
	FILE *f = fopen(path, "r");

	cr_assert(f, "no log at %s", path);
	while (sp->n < MAX_SPANS) {
		struct span *x = &sp->s[sp->n];
		if (fscanf(f, "%63s %*s %*d %llu %llu", x->name, &x->start, &x->end) != 3)
			break;
		x->weight = heavy && !strcmp(x->name, heavy) ? weight : 1;
		sp->n++;
	}
	fclose(f);
}

/* The most slots taken at any one time (the most is reached when some test starts). */
static unsigned max_load(const struct spans *sp)
{
	unsigned most = 0;

	for (size_t i = 0; i < sp->n; i++) {
		unsigned load = 0;
		for (size_t j = 0; j < sp->n; j++)
			load += sp->s[j].start <= sp->s[i].start && sp->s[i].start < sp->s[j].end ?
				sp->s[j].weight : 0;
		most = load > most ? load : most;
	}
	return most;
}

static const char *balrun_bin(void)
{
	const char *p = getenv("BALRUN_E2E_BALRUN");
	return p && *p ? p : BALRUN_PATH;
}

static char *path_in(const char *dir, const char *name)
{
	char *p;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* The first number in dir/name, or -99 if there is none. */
static int read_number(const char *dir, const char *name)
{
	char *path = path_in(dir, name);
	FILE *f = fopen(path, "r");
	int n = -99;

	if (f && fscanf(f, "%d", &n) != 1)
		n = -99;
	if (f)
		fclose(f);
	free(path);
	return n;
}

/* 1 if dir/name contains needle. */
static int file_has(const char *dir, const char *name, const char *needle)
{
	char *path = path_in(dir, name), line[4096];
	FILE *f = fopen(path, "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	free(path);
	return found;
}

/* Lines of dir/name (0 if it does not exist). */
static size_t file_lines(const char *dir, const char *name)
{
	char *path = path_in(dir, name);
	FILE *f = fopen(path, "r");
	size_t n = 0;
	int c;

	while (f && (c = fgetc(f)) != EOF)
		n += c == '\n';
	if (f)
		fclose(f);
	free(path);
	return n;
}

/*
 * Start `make -s -j3 check` in a new directory whose rule runs balrun -n 8
 * on jobs_cmocka with env (NAME=value words) and MARKED_LOG=DIR/log, and the
 * options args (words, may be ""), its pid
 * in DIR/balrun.pid, its exit code in DIR/code, then counts make's free
 * tokens into DIR/tokens.  The environment's own make variables are left
 * out.  make runs in a process group of its own.  Returns make's pid; *dir
 * the directory.
 */
static pid_t make_start(const char **dir, const char *env, const char *args)
{
	char *makefile, *cmd;
	FILE *f;
	pid_t pid;

	*dir = e2e_tmpdir();
	makefile = path_in(*dir, "Makefile");
	f = fopen(makefile, "w");
	cr_assert(f);
	fprintf(f, "check:\n\t+sh -c 'echo $$$$ >balrun.pid; exec env MARKED_LOG=%s/log %s %s --no-cache -n 8 "
		"%s %s' >out 2>err; echo $$? >code; %s >tokens\n", *dir, env, balrun_bin(), args,
		e2e_fixture("jobs_cmocka"), JOBSERVER_COUNT);
	fclose(f);
	cr_assert(asprintf(&cmd, "cd '%s' && exec env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -j3 check "
			   ">make.out 2>make.err", *dir) > 0);
	pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		setpgid(0, 0);	/* a make that hangs is killed with its group (wait_exit) */
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	free(makefile);
	return pid;
}

/* 1 once pid has ended (it is not reaped), waiting at most seconds. */
static int ends_within(pid_t pid, int seconds)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (int i = 0; i < seconds * 100; i++) {
		siginfo_t si = { 0 };

		if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/* A balrun that hangs is stopped as two Ctrl-C stop it (its workers and tests too), else killed. */
static void stop_balrun(pid_t pid)
{
	struct timespec pause = { 0, 200 * 1000000L };

	kill(pid, SIGINT);
	nanosleep(&pause, NULL);
	kill(pid, SIGINT);
	if (!ends_within(pid, 5))
		kill(pid, SIGKILL);
}

/* make's exit code; after 30 s its balrun is stopped, make's group killed, and the test fails. */
static int wait_exit(pid_t pid, const char *dir)
{
	int status, hung = !ends_within(pid, 30);

	if (hung) {
		if (read_number(dir, "balrun.pid") > 0)
			stop_balrun((pid_t)read_number(dir, "balrun.pid"));
		if (!ends_within(pid, 5))
			kill(-pid, SIGKILL);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(!hung, "make -j3 did not finish within 30 s; see %s", dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* e2e_finish, but a balrun still running after 20 s is stopped and the test fails. */
static void finish_within(struct e2e_run *r, pid_t pid)
{
	int hung = !ends_within(pid, 20);

	if (hung)
		stop_balrun(pid);
	e2e_finish(r, pid);
	cr_assert(!hung, "balrun did not finish within 20 s; stdout: %s", r->out);
}

/* make ran balrun (exit code want), and its pipe holds make -j3's 2 free tokens again. */
static void expect_make_clean(const char *dir, int code, int want)
{
	cr_expect_eq(code, 0, "make failed (%d); see %s/make.err", code, dir);
	cr_expect_eq(read_number(dir, "code"), want, "balrun exited %d, not %d; see %s/err",
		     read_number(dir, "code"), want, dir);
	cr_expect_eq(read_number(dir, "tokens"), 2, "make's pipe holds %d tokens after the run, not 2",
		     read_number(dir, "tokens"));
	cr_expect(!file_has(dir, "make.err", "INTERNAL"), "make found tokens missing; see %s/make.err", dir);
}

/* At most 3 tests at once, and at least 2: the tokens were used, not only the implicit slot. */
static void expect_within_three(const char *log)
{
	struct spans sp = { 0 };

	spans_read(&sp, log, NULL, 1);
	cr_expect_leq(max_load(&sp), 3, "%u tests ran at once under make -j3", max_load(&sp));
	cr_expect_geq(max_load(&sp), 2, "only %u test ran at a time: no token was taken", max_load(&sp));
}

Test(jobserver, make_j3_runs_at_most_three_and_gives_every_token_back, .timeout = 60)
{
	const char *dir;
	pid_t pid = make_start(&dir, "MARKED_SLEEP_MS=300", "");
	char *log = path_in(dir, "log");

	expect_make_clean(dir, wait_exit(pid, dir), 0);
	cr_expect_eq(file_lines(dir, "log"), 12);
	expect_within_three(log);
	free(log);
}

Test(jobserver, a_worker_killed_mid_run_gives_its_token_back, .timeout = 60)
{
	const char *dir;
	char env[4200];
	pid_t pid;

	snprintf(env, sizeof(env), "MARKED_SLEEP_MS=300 JOBS_KILL_DIR=%s", e2e_tmpdir());
	/*
	 * t03 weighs 2, so its unit holds a token beside the implicit slot.  No
	 * replacement worker: the lost slot is never charged again, so only the
	 * end of its unit can free that token.  Its retry passes (FLAKY, exit
	 * 0), so no check in context runs after the run to settle tokens again.
	 */
	pid = make_start(&dir, env, "--max-worker-restart 0 --retries 1 --weight 2=*::jobs/t03");
	expect_make_clean(dir, wait_exit(pid, dir), 0);
	cr_expect(file_has(dir, "out", "jobs/t03"), "t03 is not reported; see %s/out", dir);
	cr_expect(file_has(dir, "out", "worker"), "no worker was lost; see %s/out", dir);
}

/* Wait (at most 20 s) until dir/name has a line: a test ended, others run. */
static void wait_for_line(const char *dir, const char *name)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (int i = 0; i < 2000 && !file_lines(dir, name); i++)
		nanosleep(&tick, NULL);
	cr_assert(file_lines(dir, name), "no test ended in 20 s");
}

Test(jobserver, sigint_mid_run_gives_every_token_back, .timeout = 60)
{
	const char *dir;
	pid_t pid = make_start(&dir, "MARKED_SLEEP_MS=500", "");

	wait_for_line(dir, "log");
	cr_assert_gt(read_number(dir, "balrun.pid"), 0);
	kill((pid_t)read_number(dir, "balrun.pid"), SIGINT);
	expect_make_clean(dir, wait_exit(pid, dir), 2);	/* 2: interrupted */
	cr_expect_lt(file_lines(dir, "log"), 12, "the run was not interrupted");
}

/* A FIFO holding tokens (the bytes of tokens), kept open read-write by this process. */
static int fifo_with(const char *path, const char *tokens)
{
	int fd;

	cr_assert_eq(mkfifo(path, 0600), 0);
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	cr_assert(fd >= 0);
	cr_assert_eq(write(fd, tokens, strlen(tokens)), (ssize_t)strlen(tokens));
	return fd;
}

/* The FIFO holds exactly the bytes of want again, in any order. */
static void expect_tokens_back(int fd, const char *want)
{
	char got[16] = { 0 };
	int n = -1;

	cr_assert_eq(ioctl(fd, FIONREAD, &n), 0);
	cr_expect_eq(n, (int)strlen(want), "%d tokens in the FIFO after the run, not %zu", n, strlen(want));
	cr_assert_eq(read(fd, got, sizeof(got) - 1), n > 0 ? n : -1);
	if (n == 2 && got[0] > got[1]) {
		char c = got[0];
		got[0] = got[1];
		got[1] = c;
	}
	cr_expect_str_eq(got, want, "the tokens came back as '%s', not '%s'", got, want);
}

Test(jobserver, fifo_form_limits_weighs_and_gives_the_same_bytes_back, .timeout = 60)
{
	const char *dir = e2e_tmpdir();
	char *fifo = path_in(dir, "jobserver.fifo"), *log = path_in(dir, "log");
	char makeflags[4200], logenv[4200];
	struct spans sp = { 0 };
	struct e2e_run r;
	int fd = fifo_with(fifo, "ab");

	snprintf(makeflags, sizeof(makeflags), "MAKEFLAGS=k -j3 --jobserver-auth=fifo:%s", fifo);
	snprintf(logenv, sizeof(logenv), "MARKED_LOG=%s", log);
	e2e_balrun(&r, ENV(makeflags, logenv, "MARKED_SLEEP_MS=300"),
		   ARGS("--no-cache", "-n", "8", "--weight", "3=*::jobs/t01", e2e_fixture("jobs_cmocka")));
	cr_expect_eq(r.code, 0, "stderr: %s", r.err);
	expect_tokens_back(fd, "ab");
	spans_read(&sp, log, "jobs/t01", 3);
	cr_expect_eq(sp.n, 12);
	cr_expect_leq(max_load(&sp), 3, "%u slots taken at once of 3 (t01 weighs 3)", max_load(&sp));
	cr_expect_geq(max_load(&sp), 2, "no token was taken");
	e2e_free(&r);
	close(fd);
	free(fifo);
	free(log);
}

Test(jobserver, old_fds_form_limits_and_gives_the_same_bytes_back, .timeout = 60)
{
	const char *dir = e2e_tmpdir();
	char *fifo = path_in(dir, "jobserver.fifo"), *log = path_in(dir, "log");
	int fd = fifo_with(fifo, "cd"), code;

	/* the shell opens the FIFO as descriptors 5 and 6 of balrun; this process keeps it alive */
	code = e2e_sh("cd '%s' && MAKEFLAGS=' -j3 --jobserver-fds=5,6' MARKED_LOG='%s' MARKED_SLEEP_MS=300 "
		      "timeout -k 5 -s INT 30 '%s' --no-cache -n 8 '%s' >out 2>err 5<'%s' 6>'%s'", dir, log,
		      balrun_bin(),
		      e2e_fixture("jobs_cmocka"), fifo, fifo);
	cr_expect_eq(code, 0, "balrun failed; see %s/err", dir);
	expect_tokens_back(fd, "cd");
	expect_within_three(log);
	close(fd);
	free(fifo);
	free(log);
}

Test(jobserver, descriptors_not_passed_warn_once_and_run_one_at_a_time, .timeout = 60)
{
	char *log = path_in(e2e_tmpdir(), "log"), logenv[4200];
	struct spans sp = { 0 };
	struct e2e_run r;
	const char *w;

	snprintf(logenv, sizeof(logenv), "MARKED_LOG=%s", log);
	/* the harness gives balrun descriptors 0-2 only: 7 and 8 are closed, as under a rule without '+' */
	e2e_balrun(&r, ENV("MAKEFLAGS= -j3 --jobserver-auth=7,8", logenv, "MARKED_SLEEP_MS=100"),
		   ARGS("--no-cache", "-n", "4", e2e_fixture("jobs_cmocka")));
	cr_expect_eq(r.code, 0, "stderr: %s", r.err);
	w = strstr(r.err, "warning: make's jobserver");
	cr_expect(w && strstr(w, "add '+'"), "no warning; stderr: %s", r.err);
	cr_expect(w && !strstr(w + 1, "warning: make's jobserver"), "warned twice: %s", r.err);
	spans_read(&sp, log, NULL, 1);
	cr_expect_eq(sp.n, 12);
	cr_expect_eq(max_load(&sp), 1, "%u tests ran at once without make's tokens", max_load(&sp));
	e2e_free(&r);
	free(log);
}

/* Two runs a and b of one machine's budget: their environment (XDG_RUNTIME_DIR, a log each). */
struct two_runs {
	const char *dir;
	char xdg[4200], loga[4200], logb[4200];
};

static void two_runs_init(struct two_runs *t)
{
	t->dir = e2e_tmpdir();
	snprintf(t->xdg, sizeof(t->xdg), "XDG_RUNTIME_DIR=%s", t->dir);
	snprintf(t->loga, sizeof(t->loga), "MARKED_LOG=%s/a.log", t->dir);
	snprintf(t->logb, sizeof(t->logb), "MARKED_LOG=%s/b.log", t->dir);
}

Test(share_machine, two_runs_at_once_stay_within_the_budget, .timeout = 60)
{
	struct spans sp = { 0 };
	struct two_runs t;
	struct e2e_run a, b;
	pid_t pa, pb;

	two_runs_init(&t);
	pa = e2e_start(&a, ENV(t.xdg, t.loga, "MARKED_SLEEP_MS=300"),
		       ARGS("--share-machine=3", "--no-cache", "-n", "4", "--weight", "2=*::jobs/t01",
			    e2e_fixture("jobs_cmocka")));
	pb = e2e_start(&b, ENV(t.xdg, t.logb, "MARKED_SLEEP_MS=300"),
		       ARGS("--share-machine=3", "--no-cache", "-n", "4", e2e_fixture("jobs_cmocka")));
	finish_within(&a, pa);
	finish_within(&b, pb);
	cr_expect_eq(a.code, 0, "stderr: %s", a.err);
	cr_expect_eq(b.code, 0, "stderr: %s", b.err);
	spans_read(&sp, strchr(t.loga, '=') + 1, "jobs/t01", 2);
	spans_read(&sp, strchr(t.logb, '=') + 1, NULL, 1);
	cr_expect_eq(sp.n, 24);
	cr_expect_leq(max_load(&sp), 3, "the two runs took %u slots at once of 3", max_load(&sp));
	cr_expect_geq(max_load(&sp), 2, "the runs never overlapped");
	e2e_free(&a);
	e2e_free(&b);
}

/* What the ledger of run pid in the budget's dir says (-99: no ledger yet). */
static int ledger_of(const char *dir, pid_t pid)
{
	char prefix[64];
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = -99;

	snprintf(prefix, sizeof(prefix), "run.%ld.", (long)pid);
	while (d && n == -99 && (e = readdir(d)))
		if (!strncmp(e->d_name, prefix, strlen(prefix)))
			n = read_number(dir, e->d_name);
	if (d)
		closedir(d);
	return n;
}

/* Wait (at most 10 s) until the ledger of run pid says it holds n tokens. */
static void wait_for_ledger(const char *dir, pid_t pid, int n)
{
	struct timespec tick = { 0, 10 * 1000000L };

	for (int i = 0; i < 1000 && ledger_of(dir, pid) != n; i++)
		nanosleep(&tick, NULL);
	cr_assert_eq(ledger_of(dir, pid), n, "the ledger of %ld in %s does not say %d", (long)pid, dir, n);
}

Test(share_machine, tokens_of_a_killed_run_are_made_anew, .timeout = 60)
{
	struct spans sp = { 0 };
	struct two_runs t;
	struct e2e_run a, b;
	char *budget;
	pid_t pa, pb;

	two_runs_init(&t);
	budget = path_in(t.dir, "balrun");
	pa = e2e_start(&a, ENV(t.xdg, t.loga, "MARKED_SLEEP_MS=3000"),
		       ARGS("--share-machine=2", "--no-cache", "-n", "2", e2e_fixture("jobs_cmocka")));
	wait_for_ledger(budget, pa, 2);
	pb = e2e_start(&b, ENV(t.xdg, t.logb, "MARKED_SLEEP_MS=100"),
		       ARGS("--share-machine=2", "--no-cache", "-n", "2", e2e_fixture("jobs_cmocka")));
	wait_for_ledger(budget, pb, 0);	/* b has joined, and waits */
	kill(pa, SIGKILL);
	e2e_finish(&a, pa);
	finish_within(&b, pb);
	cr_expect_eq(b.code, 0, "stderr: %s", b.err);
	cr_expect(strstr(b.out, "made anew"), "no note of the recovery; stdout: %s", b.out);
	spans_read(&sp, strchr(t.logb, '=') + 1, NULL, 1);
	cr_expect_eq(sp.n, 12);
	cr_expect_eq(max_load(&sp), 2, "the waiting run got %u of the budget's 2 slots", max_load(&sp));
	e2e_free(&a);
	e2e_free(&b);
	free(budget);
}
