/*
 * cm_signals - tests that handle the signals cmocka guards its tests
 * against (SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS) themselves.  cmocka
 * sets its handler for them with signal() around every fixture and body;
 * balrun's shim makes those calls virtual (adapters/cmocka/preload-
 * signals.c), so a test that goes around signal(), asks what is installed,
 * or crashes after one that did, must see exactly what it sees serially.
 * main() checks after a group that the handlers are back to what they
 * were before (SIG_DFL), and aborts if not: a failure outside the tests
 * that the serial run does not have.
 *
 * Serial answer (the binary is killed by SIGSEGV in later/default_dies):
 *   own/sigaction_handler, own/query_matches_signal, own/sysv_signal_once,
 *   own/ignored, own/ignored_across_exec (an ignored SIGFPE stays ignored in
 *   an exec'd shell), own/bus_handler passed; caught/segv_caught and
 *   caught/fpe_caught failed (cmocka catches them); later/default_dies
 *   crashed, later/after_death never ran (unknown).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

static sigjmp_buf back;
static volatile sig_atomic_t seen;

static void own_handler(int sig)
{
	seen = sig;
	siglongjmp(back, 1);
}

static void flag_handler(int sig)
{
	seen = sig;
}

/* A handler set with sigaction() runs instead of cmocka's. */
static void sigaction_handler(void **state)
{
	struct sigaction sa;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = own_handler;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGSEGV, &sa, NULL), 0);
	seen = 0;
	if (!sigsetjmp(back, 1))
		raise(SIGSEGV);
	assert_int_equal(seen, SIGSEGV);
}

/* What sigaction() reports installed is what signal() says it replaces. */
static void query_matches_signal(void **state)
{
	struct sigaction q;
	sighandler_t prev;

	(void)state;
	assert_int_equal(sigaction(SIGBUS, NULL, &q), 0);
	assert_true(q.sa_handler != SIG_DFL);   /* cmocka's own handler */
	prev = signal(SIGBUS, q.sa_handler);
	assert_true(prev == q.sa_handler);
}

/* sysv_signal: the handler runs once, then the default is back. */
static void sysv_signal_once(void **state)
{
	struct sigaction q;

	(void)state;
	seen = 0;
	assert_true(sysv_signal(SIGILL, flag_handler) != SIG_ERR);
	raise(SIGILL);
	assert_int_equal(seen, SIGILL);
	assert_int_equal(sigaction(SIGILL, NULL, &q), 0);
	assert_true(q.sa_handler == SIG_DFL);
}

static void ignored(void **state)
{
	(void)state;
	assert_true(signal(SIGFPE, SIG_IGN) != SIG_ERR);
	raise(SIGFPE);
}

/* An ignored signal stays ignored across exec (a caught one does not): the child shell survives it. */
static void ignored_across_exec(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	assert_true(signal(SIGFPE, SIG_IGN) != SIG_ERR);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "kill -FPE $$; exit 0", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void segv_caught(void **state)
{
	(void)state;
	raise(SIGSEGV);
}

static void fpe_caught(void **state)
{
	(void)state;
	raise(SIGFPE);
}

static void bus_handler(void **state)
{
	(void)state;
	seen = 0;
	assert_true(signal(SIGBUS, flag_handler) != SIG_ERR);
	raise(SIGBUS);
	assert_int_equal(seen, SIGBUS);
}

/* The test puts the default back itself: the process dies by the signal. */
static void default_dies(void **state)
{
	(void)state;
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
}

static void after_death(void **state)
{
	(void)state;
}

static int handlers_are_default(void)
{
	static const int sigs[] = { SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGSYS };

	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction q;

		if (sigaction(sigs[i], NULL, &q) || q.sa_handler != SIG_DFL)
			return 0;
	}
	return 1;
}

/* After a group every handler must be what it was before it: SIG_DFL. */
static void check_restored(const char *group)
{
	if (!handlers_are_default()) {
		fprintf(stderr, "cm_signals: handlers not restored after group %s\n", group);
		abort();
	}
}

int main(void)
{
	const struct CMUnitTest own[] = {
		cmocka_unit_test(sigaction_handler),
		cmocka_unit_test(query_matches_signal),
		cmocka_unit_test(sysv_signal_once),
		cmocka_unit_test(ignored),
		cmocka_unit_test(ignored_across_exec),
		cmocka_unit_test(bus_handler),
	};
	const struct CMUnitTest caught[] = {
		cmocka_unit_test(segv_caught),
		cmocka_unit_test(fpe_caught),
	};
	const struct CMUnitTest later[] = {
		cmocka_unit_test(default_dies),
		cmocka_unit_test(after_death),
	};
	int failed = cmocka_run_group_tests_name("own", own, NULL, NULL);

	check_restored("own");
	failed += cmocka_run_group_tests_name("caught", caught, NULL, NULL);
	check_restored("caught");
	failed += cmocka_run_group_tests_name("later", later, NULL, NULL);
	return failed ? 1 : 0;
}
