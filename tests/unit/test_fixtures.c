/*
 * test_fixtures.c - checks that the fixture binaries behave as their top
 * comments promise, without balrun.
 *
 * The end-to-end tests judge balrun against these promises (exit statuses,
 * signals, output lines, listings), so a broken fixture must show up here,
 * not as a puzzling balrun failure.  Each check runs a fixture from
 * BALRUN_FIXTURE_DIR through popen() and looks at its wait status and its
 * combined stdout and stderr.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"

/*
 * Run "env ./name args" in the fixture dir; output into out, wait status back.
 * The output starts with "pid=N\n", N the fixture's pid (the shell execs it).
 * BXFI_MAP is removed: Criterion sets it in every test process, and a
 * Criterion binary started with it thinks it is one of its own test workers
 * and aborts.
 */
static int fixture_run(const char *env, const char *name_args, struct strbuf *out)
{
	char cmd[1024], chunk[4096];
	size_t n;
	FILE *pipe;

	snprintf(cmd, sizeof(cmd), "cd '%s' && echo pid=$$ && exec env -u BXFI_MAP %s ./%s 2>&1", BALRUN_FIXTURE_DIR,
		 env, name_args);
	pipe = popen(cmd, "r");
	cr_assert_not_null(pipe, "popen '%s'", cmd);
	while ((n = fread(chunk, 1, sizeof(chunk), pipe)) > 0)
		strbuf_add(out, chunk, n);
	return pclose(pipe);
}

/* The exit code of fixture name (run with env), which must exit normally. */
static int fixture_exit_code(const char *env, const char *name, struct strbuf *out)
{
	int status = fixture_run(env, name, out);

	cr_assert(WIFEXITED(status), "%s did not exit normally (status %#x)", name, status);
	return WEXITSTATUS(status);
}

/* Whether status says "killed by sig", directly or as a shell's 128 + sig. */
static bool fixture_died_of(int status, int sig)
{
	return (WIFSIGNALED(status) && WTERMSIG(status) == sig) ||
	       (WIFEXITED(status) && WEXITSTATUS(status) == 128 + sig);
}

/* Check that text is (or, with present false, is not) in a fixture's output. */
static void fixture_expect(const struct strbuf *out, const char *text, bool present)
{
	cr_assert_eq(strstr(out->buf, text) != NULL, present, "%s '%s' in output: %s",
		     present ? "no" : "unexpected", text, out->buf);
}

Test(plain, exit_statuses)
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(fixture_exit_code("", "plain_pass", &out), 0);
	cr_assert_eq(fixture_exit_code("", "plain_fail", &out), 1);
	cr_assert_eq(fixture_exit_code("", "plain_skip", &out), 77);
	cr_assert_eq(fixture_exit_code("BALRUN_FIXTURE_SLEEP_MS=1", "plain_sleep", &out), 0);
	cr_assert_eq(fixture_exit_code("", "plain_script.sh", &out), 0);
	fixture_expect(&out, "plain_fail: expected 42, got 41", true);
	fixture_expect(&out, "plain_script: ok", true);
	strbuf_release(&out);
}

Test(plain, segv_is_a_signal)
{
	struct strbuf out = STRBUF_INIT;
	int status = fixture_run("", "plain_segv", &out);

	cr_assert(fixture_died_of(status, SIGSEGV), "status %#x", status);
	strbuf_release(&out);
}

Test(workers, both_print_the_environment)
{
	struct strbuf out = STRBUF_INIT;
	const char *env = "BALRUN_WORKER_ID=3 BALRUN_WORKER_COUNT=4";

	cr_assert_eq(fixture_exit_code(env, "plain_workers", &out), 0);
	fixture_expect(&out, "\nworker id=3 count=4\n", true);
	strbuf_reset(&out);
	cr_assert_eq(fixture_exit_code(env, "crit_workers", &out), 0);
	fixture_expect(&out, "\nworker id=3 count=4\n", true);
	strbuf_release(&out);
}

Test(criterion, basic_lists_every_kind)
{
	struct strbuf out = STRBUF_INIT;
	static const char *const lines[] = {
		"basic: 5 tests", "-- disabled (skipped)", "params: 1 test", "-- triple",
		"output: 1 test", "timing: 1 test", "-- slow",
	};

	cr_assert_eq(fixture_exit_code("LC_ALL=C", "crit_basic --list", &out), 0);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fixture_expect(&out, lines[i], true);
	strbuf_release(&out);
}

Test(criterion, abort_runner_loses_later_tests)
{
	struct strbuf out = STRBUF_INIT;
	int status = fixture_run("", "crit_abort_runner -j1 --verbose", &out);
	char socket_path[64];

	/* A killed Criterion runner leaves its socket behind: clean it up. */
	snprintf(socket_path, sizeof(socket_path), "/tmp/criterion_%ld.sock",
		 strtol(out.buf + strlen("pid="), NULL, 10));
	unlink(socket_path);

	cr_assert(fixture_died_of(status, SIGKILL), "status %#x, output: %s", status, out.buf);
	fixture_expect(&out, "[PASS] abort::b_pass", true);
	fixture_expect(&out, "abort::d_pass", false);
	strbuf_release(&out);
}

Test(cmocka, basic_runs_both_groups)
{
	struct strbuf out = STRBUF_INIT;

	/* b_fail, d_segfault and b_setup_fails: three failures. */
	cr_assert_eq(fixture_exit_code("", "cmocka_basic", &out), 3, "output: %s", out.buf);
	fixture_expect(&out, "[  SKIPPED ] c_skip", true);
	fixture_expect(&out, "cmocka_basic: line on stderr", true);
	strbuf_release(&out);
}

Test(cmocka, abort_and_exit_end_the_group)
{
	struct strbuf out = STRBUF_INIT;
	int status = fixture_run("", "cmocka_abort", &out);

	cr_assert(fixture_died_of(status, SIGABRT), "status %#x", status);
	fixture_expect(&out, "c_ok", false);
	strbuf_reset(&out);
	cr_assert_eq(fixture_exit_code("", "cmocka_exit", &out), 0);
	fixture_expect(&out, "[ RUN      ] b_exit", true);
	fixture_expect(&out, "c_ok", false);
	strbuf_release(&out);
}

Test(cmocka, static_runs_without_libcmocka)
{
	struct strbuf out = STRBUF_INIT;

	cr_assert_eq(fixture_exit_code("", "cmocka_static", &out), 0);
	fixture_expect(&out, "statics: 2 test(s) run, 0 failed", true);
	strbuf_reset(&out);
	cr_assert_eq(fixture_exit_code("LD_DEBUG=libs", "cmocka_static", &out), 0);
	fixture_expect(&out, "libcmocka", false);
	strbuf_release(&out);
}

Test(bad_input, files_are_what_they_claim)
{
	char head[4] = "";
	FILE *f = fopen(BALRUN_FIXTURE_DIR "/not_elf", "rb");

	cr_assert_not_null(f);
	cr_assert_eq(fread(head, 1, sizeof(head), f), sizeof(head));
	fclose(f);
	cr_assert(memcmp(head, "\177ELF", 4) && memcmp(head, "#!", 2), "not_elf looks runnable");
	cr_assert_eq(access(BALRUN_FIXTURE_DIR "/not_elf", X_OK), 0);
	cr_assert_eq(access(BALRUN_FIXTURE_DIR "/not_executable", F_OK), 0);
	cr_assert_neq(access(BALRUN_FIXTURE_DIR "/not_executable", X_OK), 0,
		      "not_executable has the exec bit (running as root?)");
}
