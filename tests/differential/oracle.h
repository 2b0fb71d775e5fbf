/*
 * oracle.h - what the serial run of each zoo binary says, case by case.
 *
 * The oracle of a binary is computed from the binary run alone, the way its
 * framework runs it (oracle_criterion.c, oracle_cmocka.c, oracle_glib.c,
 * oracle_check.c, oracle_tap.c, oracle_gtest.c, oracle_acutest.c,
 * oracle_plain.c):
 *   - its cases, in the order the serial run runs them, each named as balrun
 *     names it after "<bin id>::" (raw bytes; compare.c escapes them), with
 *     the outcome the framework reported, or DIFF_UNKNOWN for a case the
 *     serial run never reached (the process died first);
 *   - its evidence of failures outside any test (a non-zero exit with no
 *     failed case, a signal outside a test, cmocka's GROUP SETUP / GROUP
 *     TEARDOWN lines), each of which balrun must report as a fault entry;
 *   - oracle errors: the framework's reports disagree with each other or
 *     with the census of the binary's tests.  The oracle is then not to be
 *     trusted and the suite fails, naming the binary.
 */
#ifndef DIFF_ORACLE_H
#define DIFF_ORACLE_H

#include <stddef.h>

enum diff_outcome {
	DIFF_PASSED,
	DIFF_FAILED,
	DIFF_CRASHED,
	DIFF_TIMED_OUT,
	DIFF_SKIPPED,
	DIFF_NOT_RUN,
	DIFF_UNKNOWN,    /* oracle only: never reached serially */
	DIFF__COUNT
};

/* balrun's names: "passed", "failed", "crashed", "timed out", "skipped", "not run"; "unknown". */
const char *diff_outcome_name(enum diff_outcome o);
/* The outcome of one of balrun's names, -1 if none. */
int diff_outcome_parse(const char *s);
/* The worse of two runs of one test: crashed > timed out > failed > skipped > passed. */
enum diff_outcome diff_outcome_worst(enum diff_outcome a, enum diff_outcome b);
/* Failed, crashed, timed out or not run: what makes a run exit 1. */
int diff_outcome_fails(enum diff_outcome o);

enum diff_framework { FW_CRITERION, FW_CMOCKA, FW_GLIB, FW_CHECK, FW_TAP, FW_GTEST, FW_ACUTEST, FW_PLAIN };

enum diff_fault {
	FAULT_BEFORE,                 /* "[before tests]" */
	FAULT_AFTER,                  /* "[after tests]" */
	FAULT_GROUP_SETUP,            /* "<group> [group setup]" */
	FAULT_GROUP_TEARDOWN,         /* "<group> [group teardown]" */
	FAULT_GROUP_TEARDOWN_OR_AFTER /* either of the last two: a death between groups */
};

struct diff_case {
	char *name;               /* after "<bin id>::"; NULL for a plain binary's one case */
	enum diff_outcome oracle;
	char *note;               /* how the oracle knows, for mismatch lines; may be NULL */
};

struct diff_evidence {
	enum diff_fault kind;
	char *group;              /* for group faults: the group as balrun shows it ("tests#2") */
	char *what;               /* the serial evidence, for mismatch lines */
};

struct diff_bin {
	char *path;
	const char *base;         /* file name, within path */
	enum diff_framework fw;
	struct diff_case *cases;
	size_t ncases;
	struct diff_evidence *ev;
	size_t nev;
	int status;               /* the serial run's wait status */
	char *errors;             /* oracle errors, one per line; NULL if none */
	double wall_s;            /* the serial run's wall time */
	/* private to the oracle modules between the two phases */
	void *priv;
};

void diff_bin_add_case(struct diff_bin *b, const char *name, size_t len,
		       enum diff_outcome o, const char *note);
void diff_bin_add_evidence(struct diff_bin *b, enum diff_fault kind, const char *group,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diff_bin_error(struct diff_bin *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * Add an unknown case called raw, with "#k" added on the k-th occurrence of
 * the same raw name; (*raws)[i] is case i's raw name (raws grows with the
 * cases; takes raw).
 */
void diff_bin_add_raw(struct diff_bin *b, char ***raws, char *raw);
/* Free what the binary holds (not the struct itself). */
void diff_bin_release(struct diff_bin *b);
/* The case of this name (exact bytes), or NULL. */
struct diff_case *diff_bin_find(struct diff_bin *b, const char *name);

/*
 * Each framework's oracle runs in two phases so that the slow serial runs of
 * all binaries can share the CPUs: prepare() lists the binary's cases (the
 * framework's own listing, or the census) and fills in the serial job;
 * finish() reads what the serial run printed and sets every outcome.
 * tmpdir is a directory of the binary's own.
 */
struct spawn_job;
void oracle_criterion_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_criterion_finish(struct diff_bin *b, const struct spawn_job *job);
void oracle_cmocka_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_cmocka_finish(struct diff_bin *b, const struct spawn_job *job);
void oracle_glib_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_glib_finish(struct diff_bin *b, const struct spawn_job *job);
void oracle_check_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_check_finish(struct diff_bin *b, const struct spawn_job *job);
void oracle_tap_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_tap_finish(struct diff_bin *b, const struct spawn_job *job);
void oracle_gtest_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_gtest_finish(struct diff_bin *b, const struct spawn_job *job);
void oracle_acutest_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_acutest_finish(struct diff_bin *b, const struct spawn_job *job);
void oracle_plain_prepare(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
void oracle_plain_finish(struct diff_bin *b, const struct spawn_job *job);

/* Each framework's oracle, by the name zoo.list gives it. */
struct diff_oracle {
	const char *name;
	enum diff_framework fw;
	void (*prepare)(struct diff_bin *b, const char *tmpdir, struct spawn_job *job);
	void (*finish)(struct diff_bin *b, const struct spawn_job *job);
};
/* The oracle of that name, or of fw (name NULL); plain's if none. */
const struct diff_oracle *diff_oracle_find(const char *name, enum diff_framework fw);

/*
 * Run b once with the census shim (census.c) preloaded, DIFF_CENSUS_FILE
 * in tmpdir and the "NAME=value" entries of extra (NULL-terminated, may be
 * NULL): the records it wrote (malloc'd, *n bytes), or NULL; *status as
 * spawn_one() gives it.
 */
char *diff_census(const struct diff_bin *b, const char *tmpdir, const char *const *extra, size_t *n,
		  int *status);

/* Helpers shared by the oracle modules. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *xrealloc(void *p, size_t n);
/* Does [s, s+n) start with the NUL-terminated prefix p? */
int starts_with_n(const char *s, size_t n, const char *p);

#endif
