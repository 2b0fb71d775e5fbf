/*
 * main.c - test_differential: the differential test of balrun.
 *
 * 1. Reads the zoo list (DIFF_ZOO_LIST, written by CMakeLists.txt: one
 *    "<framework> <path>" line per member).
 * 2. Computes the oracle of every member from its serial run, two serial
 *    runs at a time (oracle_*.c), and prints it, one line per binary.
 * 3. Runs balrun over the whole zoo at once, at -n 1, 2 and 8, each cold
 *    (a fresh --cache-dir) and then warm (the same cache dir again): six
 *    runs, each with --json.  TAP producers are not recognised by balrun
 *    (they need --framework tap, which applies to every binary given): each
 *    of those runs is made twice, once for them with --framework tap, once
 *    for the rest, each compared for its own binaries.
 * 4. Compares every run with the oracle (compare.c), one line per mismatch.
 *    A run that balrun stops at collection (a listing failed) is a mismatch,
 *    and is made once more without those binaries to compare the rest.
 * Exit 0 if every run matches the oracle, 1 otherwise (mismatches or oracle
 * errors), 2 if the zoo could not be read.
 *
 * The whole test must end within ctest's TIMEOUT (450 s), so it has a time
 * budget (DIFF_BUDGET seconds, default 420): each balrun run may take what
 * is left of it divided by the runs still to come, and a run past its share
 * is stopped with SIGTERM (balrun then reports its unfinished tests as not
 * run, and those are mismatches).
 *
 * DIFF_KEEP=1 keeps the temporary directory (serial outputs, reports);
 * DIFF_WORKERS="1 2" runs only those -n values.  `test_differential
 * --report FILE [EXIT]` runs no balrun: it compares a report made elsewhere
 * (EXIT: balrun's exit code then, default 1), to check the checker.
 */
#define _GNU_SOURCE
#include "compare.h"
#include "oracle.h"
#include "spawn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Variables that change how the frameworks or balrun behave: not passed on. */
static void clean_environment(void)
{
	static const char *const prefixes[] = { "CMOCKA_", "CRITERION_", "BALRUN_", "LD_PRELOAD", "GTEST_",
						"TEST_PREMATURE_EXIT_FILE" };

	for (size_t i = 0; environ[i];) {
		int drop = 0;
		for (size_t k = 0; k < sizeof(prefixes) / sizeof(prefixes[0]); k++)
			drop |= !strncmp(environ[i], prefixes[k], strlen(prefixes[k]));
		if (drop) {
			char *name = xstrndup(environ[i], strcspn(environ[i], "="));
			unsetenv(name);
			free(name);
		} else {
			i++;
		}
	}
	setenv("NO_COLOR", "1", 1);
}

static size_t read_zoo(const char *path, struct diff_bin **out)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	struct diff_bin *bins = NULL;
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *sp = strchr(line, ' ');
		struct diff_bin *b;

		line[strcspn(line, "\n")] = '\0';
		if (!sp)
			continue;
		*sp = '\0';
		bins = xrealloc(bins, (n + 1) * sizeof(*bins));
		b = &bins[n++];
		memset(b, 0, sizeof(*b));
		b->path = xstrdup(sp + 1);
		b->base = strrchr(b->path, '/') ? strrchr(b->path, '/') + 1 : b->path;
		b->fw = diff_oracle_find(line, 0)->fw;
	}
	fclose(f);
	*out = bins;
	return n;
}

static void compute_oracles(struct diff_bin *bins, size_t n, const char *tmp)
{
	struct spawn_job *jobs = calloc(n, sizeof(*jobs)), *sorted = calloc(n, sizeof(*sorted));
	size_t first = 0;

	for (size_t i = 0; i < n; i++) {
		char *dir = xasprintf("%s/oracle-%s", tmp, bins[i].base);
		mkdir(dir, 0700);
		diff_oracle_find(NULL, bins[i].fw)->prepare(&bins[i], dir, &jobs[i]);
		free(dir);
	}
	/* the binary with the most cases first, so that the rest overlaps with it */
	for (size_t i = 1; i < n; i++)
		if (bins[i].ncases > bins[first].ncases)
			first = i;
	sorted[0] = jobs[first];
	for (size_t i = 0, k = 1; i < n; i++)
		if (i != first)
			sorted[k++] = jobs[i];
	spawn_jobs(sorted, n, 2);
	jobs[first] = sorted[0];
	for (size_t i = 0, k = 1; i < n; i++)
		if (i != first)
			jobs[i] = sorted[k++];
	for (size_t i = 0; i < n; i++)
		diff_oracle_find(NULL, bins[i].fw)->finish(&bins[i], &jobs[i]);
	free(jobs);
	free(sorted);
}

/* One line per binary: cases by oracle outcome, evidence, serial status; then oracle errors. */
static int print_oracles(const struct diff_bin *bins, size_t n)
{
	int errors = 0;

	for (size_t i = 0; i < n; i++) {
		const struct diff_bin *b = &bins[i];
		size_t count[DIFF__COUNT] = { 0 };

		for (size_t k = 0; k < b->ncases; k++)
			count[b->cases[k].oracle]++;
		printf("oracle  %-16s %4zu cases:", b->base, b->ncases);
		for (int o = 0; o < DIFF__COUNT; o++)
			if (count[o])
				printf(" %zu %s", count[o], diff_outcome_name((enum diff_outcome)o));
		printf("; serial %s in %.1fs", spawn_describe(b->status), b->wall_s);
		for (size_t e = 0; e < b->nev; e++)
			printf("; evidence: %s", b->ev[e].what);
		printf("\n");
		if (b->errors) {
			errors++;
			for (const char *l = b->errors; *l;) {
				size_t len = strcspn(l, "\n");
				printf("ORACLE ERROR  %s: %.*s\n", b->base, (int)len, l);
				l += len + (l[len] == '\n');
			}
		}
	}
	return errors;
}

/*
 * Binaries whose listing balrun names as failed ("listing the tests of 'X'
 * failed") in stderr: marked in excluded; returns how many.
 */
static int failed_listings(const char *err, struct diff_bin *bins, size_t n, int *excluded)
{
	static const char key[] = "listing the tests of '";
	int found = 0;

	for (const char *q = err ? strstr(err, key) : NULL; q; q = strstr(q + 1, key)) {
		const char *s = q + strlen(key), *e = strchr(s, '\'');
		if (!e)
			break;
		for (size_t i = 0; i < n; i++) {
			size_t bl = strlen(bins[i].base);
			if ((size_t)(e - s) >= bl && !memcmp(e - bl, bins[i].base, bl) &&
			    (e - bl == s || e[-(long)bl - 1] == '/') && !excluded[i]) {
				excluded[i] = 1;
				found++;
			}
		}
	}
	return found;
}

/*
 * One balrun run over the zoo (less the excluded binaries), compared with
 * the oracle.  If balrun stops at collection because some listings failed,
 * that is a mismatch, and the run is made again without those binaries, so
 * that the rest of the zoo is still compared.
 */
static size_t balrun_run(struct diff_bin *bins, size_t n, const char *tmp, int workers, int warm,
			 int tap, int attempt, int *excluded, double limit, double *wall)
{
	char *dir = xasprintf("%s/run-n%d-%s%s%s", tmp, workers, warm ? "warm" : "cold",
			      tap ? "-tap" : "", attempt ? "-retry" : "");
	char *cache = xasprintf("%s/cache-n%d", tmp, workers);
	char *json = xasprintf("%s/report.json", dir), *out = xasprintf("%s/stdout", dir);
	char *err = xasprintf("%s/stderr", dir), *nstr = xasprintf("%d", workers);
	const char **argv = calloc(n + 16, sizeof(*argv));
	struct spawn_job job = { .argv = argv, .out_path = out, .err_path = err, .limit_s = limit };
	struct diff_run run = { .workers = workers, .warm = warm, .excluded = excluded };
	size_t k = 0, mism;

	mkdir(dir, 0700);
	mkdir(cache, 0700);
	argv[k++] = BALRUN_PATH;
	argv[k++] = "-n";
	argv[k++] = nstr;
	argv[k++] = "--cache-dir";
	argv[k++] = cache;
	argv[k++] = "--json";
	argv[k++] = json;
	argv[k++] = "--no-config";
	argv[k++] = "--color";
	argv[k++] = "never";
	if (tap) {
		argv[k++] = "--framework";
		argv[k++] = "tap";
	}
	argv[k++] = "--";
	for (size_t i = 0; i < n; i++) {
		if (!excluded[i])
			argv[k++] = bins[i].path;
	}
	spawn_one(&job);
	run.status = job.status;
	run.wall_s = job.wall_s;
	run.report = json_load_file(json, 0, NULL);
	run.stderr_text = slurp(err, NULL);
	mism = diff_compare(bins, n, &run, stdout);
	printf("run     -n %d %-4s%s balrun %s in %.1fs, %zu entries%s: %zu mismatches\n", workers,
	       warm ? "warm" : "cold", tap ? " tap" : "    ", spawn_describe(job.status), job.wall_s,
	       json_array_size(json_object_get(run.report, "tests")),
	       attempt ? " (a second try without the binaries whose listing failed)" : "", mism);
	if (job.status == SPAWN_TIMED_OUT)
		printf("run     -n %d %-4s  balrun did not finish within %.0fs (the harness's time "
		       "budget): stopped with SIGTERM; the tests it had not finished are 'not run'\n",
		       workers, warm ? "warm" : "cold", limit);
	*wall += job.wall_s;
	if (!run.report && !attempt && failed_listings(run.stderr_text, bins, n, excluded))
		mism += balrun_run(bins, n, tmp, workers, warm, tap, attempt + 1, excluded,
				   limit - job.wall_s, wall);
	json_decref(run.report);
	free((char *)run.stderr_text);
	free(argv);
	free(dir);
	free(cache);
	free(json);
	free(out);
	free(err);
	free(nstr);
	return mism;
}

/* --report FILE [STATUS]: compare a report made elsewhere (to check the checker). */
static size_t compare_file(struct diff_bin *bins, size_t n, const char *path, int code)
{
	struct diff_run run = { .workers = 0, .status = code << 8 };
	size_t mism;

	run.report = json_load_file(path, 0, NULL);
	mism = diff_compare(bins, n, &run, stdout);
	printf("report  %s: %zu mismatches\n", path, mism);
	json_decref(run.report);
	return mism;
}

int main(int argc, char **argv)
{
	struct diff_bin *bins = NULL;
	size_t n = read_zoo(DIFF_ZOO_LIST, &bins), mism = 0;
	char tmpl[] = "/tmp/balrun-diff.XXXXXX";
	const char *tmp, *only = getenv("DIFF_WORKERS");
	static const int workers[] = { 1, 2, 8 };
	double t0 = now_s(), oracle_s, balrun_s = 0;
	double budget = getenv("DIFF_BUDGET") ? atof(getenv("DIFF_BUDGET")) : 420;
	int oracle_errors, runs_left = 0, groups[2] = { 0, 0 };   /* [1]: TAP producers, run apart */

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!n) {
		fprintf(stderr, "test_differential: cannot read the zoo list '%s'\n", DIFF_ZOO_LIST);
		return 2;
	}
	tmp = mkdtemp(tmpl);
	if (!tmp) {
		perror("test_differential: mkdtemp");
		return 2;
	}
	clean_environment();
	compute_oracles(bins, n, tmp);
	oracle_s = now_s() - t0;
	oracle_errors = print_oracles(bins, n);
	if (argc >= 3 && !strcmp(argv[1], "--report")) {
		runs_left = 0;
		mism += compare_file(bins, n, argv[2], argc > 3 ? atoi(argv[3]) : 1);
	}
	for (size_t i = 0; i < n; i++)
		groups[bins[i].fw == FW_TAP] = 1;
	for (size_t w = 0; w < sizeof(workers) / sizeof(workers[0]); w++) {
		char nbuf[16];
		snprintf(nbuf, sizeof(nbuf), "%d", workers[w]);
		if ((!only || strstr(only, nbuf)) && argc < 2)
			runs_left += 2 * groups[0];
	}
	for (size_t w = 0; w < sizeof(workers) / sizeof(workers[0]); w++) {
		char nbuf[16];
		int *excluded;

		snprintf(nbuf, sizeof(nbuf), "%d", workers[w]);
		if ((only && !strstr(only, nbuf)) || argc >= 2)
			continue;
		excluded = calloc(n, sizeof(*excluded));
		for (int warm = 0; warm < 2; warm++) {
			for (int tap = 0; tap < 2; tap++) {
				/*
				 * share what is left of the budget among the runs still to
				 * come; the TAP runs take a fraction of a second: 10 s each
				 */
				double limit = tap ? 10 : (budget - (now_s() - t0)) / runs_left;

				if (!groups[tap])
					continue;
				for (size_t i = 0; i < n; i++)
					excluded[i] = (bins[i].fw == FW_TAP) != tap;
				mism += balrun_run(bins, n, tmp, workers[w], warm, tap, 0, excluded,
						   limit < 10 ? 10 : limit, &balrun_s);
				runs_left -= !tap;
			}
		}
		free(excluded);
	}
	printf("differential: %zu mismatches, %d oracle errors, %zu zoo binaries; serial oracle "
	       "%.1fs, balrun %.1fs, total %.1fs\n", mism, oracle_errors, n, oracle_s, balrun_s,
	       now_s() - t0);
	if (getenv("DIFF_KEEP")) {
		printf("differential: kept %s\n", tmp);
	} else {
		char *cmd = xasprintf("rm -rf '%s'", tmp);
		if (system(cmd) != 0)
			fprintf(stderr, "test_differential: could not remove %s\n", tmp);
		free(cmd);
	}
	for (size_t i = 0; i < n; i++)
		diff_bin_release(&bins[i]);
	free(bins);
	return mism || oracle_errors ? 1 : 0;
}
