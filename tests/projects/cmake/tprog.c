/*
 * tprog: a scriptable test program, the plain tests of the fixture projects
 * (tests/projects/).  Each project registers it with the properties of its
 * build system; the verdicts of the native runner and of balrun are compared
 * test for test (compare.py).
 * Actions are processed left to right:
 *   out TEXT     print TEXT + newline on stdout      err TEXT   same on stderr
 *   env NAME     print NAME=<value> or NAME<unset>   pwd        print cwd
 *   args         print all remaining args as [a] and stop parsing
 *   sleep SECS   sleep (fractional ok)                touch F / need F  create file / exit 1 if missing
 *   rm F         remove file                          exit N     exit with N
 *   sig N        raise signal N                       allenv     print whole environment, sorted by libc order
 *   want NAME V  exit 1 unless $NAME is V (V "-" : unset)
 *   cwdis SUFFIX exit 1 unless the working directory ends in SUFFIX
 * Default exit 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <time.h>
extern char **environ;
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : "";
		if (!strcmp(a, "out")) { printf("%s\n", v); i++; }
		else if (!strcmp(a, "err")) { fprintf(stderr, "%s\n", v); i++; }
		else if (!strcmp(a, "env")) { const char *e = getenv(v); if (e) printf("%s=%s\n", v, e); else printf("%s<unset>\n", v); i++; }
		else if (!strcmp(a, "pwd")) { char b[4096]; printf("cwd=%s\n", getcwd(b, sizeof b)); }
		else if (!strcmp(a, "args")) { for (int j = i + 1; j < argc; j++) printf("[%s]", argv[j]); printf("\n"); break; }
		else if (!strcmp(a, "sleep")) { double s = atof(v); struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) }; fflush(stdout); nanosleep(&ts, NULL); i++; }
		else if (!strcmp(a, "touch")) { FILE *f = fopen(v, "w"); if (f) fclose(f); i++; }
		else if (!strcmp(a, "need")) { if (access(v, F_OK)) { printf("missing %s\n", v); return 1; } printf("found %s\n", v); i++; }
		else if (!strcmp(a, "rm")) { unlink(v); i++; }
		else if (!strcmp(a, "exit")) { fflush(stdout); return atoi(v); }
		else if (!strcmp(a, "sig")) { fflush(stdout); raise(atoi(v)); i++; }
		else if (!strcmp(a, "want") && i + 2 < argc) {
			const char *e = getenv(v), *w = argv[i + 2];
			if (strcmp(w, "-") ? !e || strcmp(e, w) : e != NULL) { printf("%s: got %s, want %s\n", v, e ? e : "<unset>", w); return 1; }
			i += 2;
		}
		else if (!strcmp(a, "cwdis")) {
			char b[4096]; size_t n, m = strlen(v);
			if (!getcwd(b, sizeof b) || (n = strlen(b)) < m || strcmp(b + n - m, v)) { printf("cwd %s, want *%s\n", b, v); return 1; }
			i++;
		}
		else if (!strcmp(a, "allenv")) { for (char **e = environ; *e; e++) printf("%s\n", *e); }
		else { fprintf(stderr, "tprog: unknown action %s\n", a); return 2; }
		fflush(stdout);
	}
	return 0;
}
