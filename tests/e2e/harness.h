/*
 * harness.h - run the real balrun binary from end-to-end tests and read
 * what it did: exit code, stdout, stderr and its --json report.
 *
 * Every call runs balrun with a fresh --json path; the caller picks the
 * cache directory (a per-test temporary directory from e2e_tmpdir) so tests
 * never share timings.  BALRUN_E2E_BALRUN=/path/to/balrun runs another
 * balrun (an older one, to see which tests it fails).
 */
#ifndef BALRUN_E2E_HARNESS_H
#define BALRUN_E2E_HARNESS_H

#include <jansson.h>
#include <sys/resource.h>
#include <sys/types.h>

struct e2e_run {
	int code;           /* exit code, or 128+signal */
	char *out, *err;    /* everything balrun printed */
	json_t *report;     /* parsed --json report, or NULL if none was written */
	const char *dir;    /* this run's temporary directory (stdout, stderr, report.json) */
	struct rusage ru;   /* balrun's resource usage, its waited-for children included */
};

/* Run a shell command built from fmt (printf-style); its exit status, 128 if it did not exit. */
int e2e_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A new empty temporary directory (removed at exit). */
const char *e2e_tmpdir(void);
/* Path of a fixture binary in the build tree. */
const char *e2e_fixture(const char *name);

/*
 * Run balrun with the given arguments (NULL-terminated) plus
 * "--json <tmp>/report.json"; env entries ("NAME=value", NULL-terminated,
 * may be NULL) are added to the environment, from which MAKEFLAGS is
 * removed first (balrun gets only the descriptors 0-2, so a make's
 * jobserver would be out of its reach).  Fills r; e2e_free releases.
 */
void e2e_balrun(struct e2e_run *r, const char *const *env, const char *const *args);
/*
 * The same in two steps, for tests that act on balrun while it runs (send it
 * signals): e2e_start returns its pid at once, e2e_finish waits and fills r.
 */
pid_t e2e_start(struct e2e_run *r, const char *const *env, const char *const *args);
void e2e_finish(struct e2e_run *r, pid_t pid);
void e2e_free(struct e2e_run *r);

/* The report's entry for the test whose id ends with suffix (asserts it exists exactly once). */
json_t *e2e_test(const struct e2e_run *r, const char *suffix);
/* Its "outcome" string. */
const char *e2e_outcome(const struct e2e_run *r, const char *suffix);
/* Number of entries in report.tests. */
size_t e2e_count(const struct e2e_run *r);
/* Number of tests with this outcome. */
size_t e2e_count_outcome(const struct e2e_run *r, const char *outcome);

#endif
