/*
 * gl_killer.c - a GLib test that ends the process, then an innocent one;
 * main() picks the killer from its own name:
 *
 *   gl_kill_segv     /k/pass passed, /k/killer crashed (SIGSEGV), /k/after unknown
 *   gl_kill_assert   /k/pass passed, /k/killer failed (g_assert: "Bail out!",
 *                    then SIGABRT), /k/after unknown
 *   gl_kill_exit3    /k/pass passed, /k/killer failed (exit(3)), /k/after unknown
 *   gl_exitcode      every test passes, main() returns 2: [after tests]
 * "unknown": the serial run never reaches it.
 */
#include <glib.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char *which;

static void t_pass(void) { }

static void t_killer(void)
{
	if (strstr(which, "segv"))
		raise(SIGSEGV);
	else if (strstr(which, "assert"))
		g_assert_cmpint(1, ==, 2);
	else if (strstr(which, "exit3"))
		exit(3);
}

int main(int argc, char **argv)
{
	which = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/k/pass", t_pass);
	g_test_add_func("/k/killer", t_killer);
	g_test_add_func("/k/after", t_pass);
	if (!strcmp(which, "gl_exitcode"))
		return g_test_run() ? 1 : 2;
	return g_test_run();
}
