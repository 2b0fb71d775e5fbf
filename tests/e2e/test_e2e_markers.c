/*
 * test_e2e_markers.c - scheduling markers end to end: the real balrun runs
 * the marked_* fixtures (include/balrun.h compiled into a Criterion and a
 * cmocka binary), and the tests' own log of when and where each ran
 * (tests/fixtures/marked_log.h) shows that a group ran on one worker in a
 * row, that a serial test overlapped nothing, that lock holders never
 * overlapped and that a weight-2 test left room for one other test only.
 * Also: markers from the command line and from .balrun.conf, --list
 * --markers, conflicts and bad sections as errors, --shard partitions
 * (union = every test once), and --plan running nothing.
 *
 * The checks compare intervals the tests recorded themselves; none depends
 * on how long anything took.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define MAX_ENTRIES 64

struct entry {
	char name[64];
	int worker;
	unsigned long long start, end;
};

struct mlog {
	struct entry e[MAX_ENTRIES];
	size_t n;
	char env[4200];         /* "MARKED_LOG=<path>" */
};

static void log_init(struct mlog *l)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->env, sizeof(l->env), "MARKED_LOG=%s/marked.log", e2e_tmpdir());
}

static void log_read(struct mlog *l)
{
	FILE *f = fopen(strchr(l->env, '=') + 1, "r");
	long pid;

	cr_assert(f, "no log at %s", l->env);
	while (l->n < MAX_ENTRIES && fscanf(f, "%63s %d %ld %llu %llu", l->e[l->n].name, &l->e[l->n].worker,
					    &pid, &l->e[l->n].start, &l->e[l->n].end) == 5)
		l->n++;
	fclose(f);
}

static const struct entry *entry(const struct mlog *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->e[i].name, name))
			return &l->e[i];
	cr_assert_fail("'%s' did not run", name);
	return NULL;
}

static int overlap(const struct entry *a, const struct entry *b)
{
	return a->start < b->end && b->start < a->end;
}

static int matches(const char *name, const char *prefix)
{
	return !strncmp(name, prefix, strlen(prefix));
}

/* Every test whose name starts with prefix ran on one worker, and no other test ran there in between. */
static void expect_group(const struct mlog *l, const char *prefix, size_t members)
{
	unsigned long long first = ~0ull, last = 0;
	int worker = -1;
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct entry *e = &l->e[i];
		if (!matches(e->name, prefix))
			continue;
		cr_expect(worker < 0 || e->worker == worker, "group %s: %s ran on worker %d, not %d", prefix,
			  e->name, e->worker, worker);
		worker = e->worker;
		first = e->start < first ? e->start : first;
		last = e->end > last ? e->end : last;
		n++;
	}
	cr_expect_eq(n, members, "group %s has %zu members in the log", prefix, n);
	for (size_t i = 0; i < l->n; i++) {
		const struct entry *e = &l->e[i];
		cr_expect(matches(e->name, prefix) || e->worker != worker || e->end <= first || e->start >= last,
			  "%s ran on worker %d in the middle of group %s", e->name, worker, prefix);
	}
}

/* The named test overlapped no other test. */
static void expect_alone(const struct mlog *l, const char *name)
{
	const struct entry *s = entry(l, name);
	for (size_t i = 0; i < l->n; i++)
		cr_expect(&l->e[i] == s || !overlap(s, &l->e[i]), "serial %s overlapped %s", name, l->e[i].name);
}

/* No two tests whose names match any of the prefixes overlapped. */
static void expect_exclusive(const struct mlog *l, const char *const *prefixes)
{
	for (size_t i = 0; i < l->n; i++) {
		for (size_t j = i + 1; j < l->n; j++) {
			int a = 0, b = 0;
			for (size_t k = 0; prefixes[k]; k++) {
				a |= matches(l->e[i].name, prefixes[k]);
				b |= matches(l->e[j].name, prefixes[k]);
			}
			cr_expect(!(a && b && overlap(&l->e[i], &l->e[j])), "lock holders %s and %s overlapped",
				  l->e[i].name, l->e[j].name);
		}
	}
}

/* While name ran, at most `others` other tests ran at any one time. */
static void expect_room(const struct mlog *l, const char *name, int others)
{
	const struct entry *h = entry(l, name);
	for (size_t i = 0; i < l->n; i++) {
		/* the most tests running together starts at some test's start */
		const struct entry *p = &l->e[i];
		unsigned long long at = p->start > h->start ? p->start : h->start;
		int running = 0;
		if (at >= h->end || p == h)
			continue;
		for (size_t j = 0; j < l->n; j++)
			running += &l->e[j] != h && l->e[j].start <= at && at < l->e[j].end;
		cr_expect(running <= others, "%d tests ran beside %s (weight leaves room for %d)", running, name,
			  others);
	}
}

Test(markers, source_markers_hold_in_a_real_run)
{
	struct mlog l;
	struct e2e_run r;

	log_init(&l);
	e2e_balrun(&r, ARGS(l.env), ARGS("--no-cache", "-n", "3", e2e_fixture("marked_crit"),
					 e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect_eq(e2e_count_outcome(&r, "passed"), 23);
	log_read(&l);
	cr_assert_eq(l.n, 23, "every test logged once");
	expect_group(&l, "crit:db/", 3);
	expect_group(&l, "cmocka:mc/db_", 2);
	expect_alone(&l, "crit:perf/big");
	expect_alone(&l, "cmocka:mc/solo");
	expect_exclusive(&l, (const char *const[]){ "crit:net/", "cmocka:mc/net_", NULL });
	expect_room(&l, "crit:heavy/h", 1);
	e2e_free(&r);
}

Test(markers, command_line_markers)
{
	struct mlog l;
	struct e2e_run r;

	log_init(&l);
	e2e_balrun(&r, ARGS(l.env), ARGS("--no-cache", "-n", "3", "--lock", "free=*::free/*",
					 "--group", "pair=*marked_crit::net/[ab]", "--serial", "*::mc/free_1",
					 e2e_fixture("marked_crit"), e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	log_read(&l);
	expect_exclusive(&l, (const char *const[]){ "crit:free/", NULL });
	expect_group(&l, "crit:net/a", 1);
	cr_expect_eq(entry(&l, "crit:net/a")->worker, entry(&l, "crit:net/b")->worker, "group 'pair'");
	expect_alone(&l, "cmocka:mc/free_1");
	e2e_free(&r);
}

/*
 * A group spanning two binaries (a Criterion batch and a plain test) is one
 * unit: all its tests on one worker, and nothing else on that worker while
 * it runs.  Checked with the coordinator's start/end times from the report.
 */
Test(markers, group_across_binaries_is_one_unit)
{
	struct e2e_run r;
	json_t *t;
	size_t i, members = 0;
	long worker = -1;
	double first = 1e9, last = 0;

	e2e_balrun(&r, NULL, ARGS("--no-cache", "-n", "2", "--group", "g=*crit_durations::durations/ms1*",
				  "--group", "g=*plain_sleep", e2e_fixture("crit_durations"),
				  e2e_fixture("plain_sleep"), e2e_fixture("plain_pass")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	json_array_foreach(json_object_get(r.report, "tests"), i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		long w = (long)json_integer_value(json_object_get(t, "worker"));
		if (!strstr(id, "::durations/ms1") && !strstr(id, "plain_sleep"))
			continue;
		cr_expect(worker < 0 || w == worker, "%s ran on worker %ld, the group on %ld", id, w, worker);
		worker = w;
		members++;
		if (json_real_value(json_object_get(t, "start_s")) < first)
			first = json_real_value(json_object_get(t, "start_s"));
		if (json_real_value(json_object_get(t, "end_s")) > last)
			last = json_real_value(json_object_get(t, "end_s"));
	}
	cr_assert_eq(members, 3, "ms100, ms150 and plain_sleep");	/* ms1* matches 100 and 150 */
	json_array_foreach(json_object_get(r.report, "tests"), i, t) {
		const char *id = json_string_value(json_object_get(t, "id"));
		double start = json_real_value(json_object_get(t, "start_s"));
		double end = json_real_value(json_object_get(t, "end_s"));
		if (strstr(id, "::durations/ms1") || strstr(id, "plain_sleep") ||
		    json_integer_value(json_object_get(t, "worker")) != worker)
			continue;
		cr_expect(end <= first || start >= last, "%s ran inside the group's unit", id);
	}
	e2e_free(&r);
}

Test(markers, list_markers_shows_where_each_came_from)
{
	struct e2e_run r;

	e2e_balrun(&r, NULL, ARGS("--no-cache", "--list", "--markers", "--weight", "3=*::free/f1",
				  e2e_fixture("marked_crit")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect(strstr(r.out, "marked_crit::db/a\n    group 'db'               from BALRUN_GROUP at "
			 "marked_crit.c:"), "%s", r.out);
	cr_expect(strstr(r.out, "marked_crit::free/f1\n    weight 3                 from --weight "
			 "3=*::free/f1\n"), "%s", r.out);
	cr_expect(strstr(r.out, "marked_crit::slow/t\n    timeout 1s               from BALRUN_TIMEOUT"),
		  "%s", r.out);
	const char *plain = strstr(r.out, "marked_crit::free/f2\n");
	cr_expect(plain && plain[strlen("marked_crit::free/f2\n")] != ' ', "no markers, no lines: %s", r.out);
	e2e_free(&r);
}

static void expect_usage_error(const char *const *args, const char *const *needles)
{
	struct e2e_run r;

	e2e_balrun(&r, NULL, args);
	cr_expect_eq(r.code, 4, "exit %d; stderr: %s", r.code, r.err);
	for (size_t i = 0; needles[i]; i++)
		cr_expect(strstr(r.err, needles[i]), "stderr lacks '%s': %s", needles[i], r.err);
	cr_expect(!r.report, "nothing ran");
	e2e_free(&r);
}

Test(markers, conflicts_and_bad_markers_are_usage_errors)
{
	expect_usage_error(ARGS("--no-cache", e2e_fixture("marked_conflict")),
			   ARGS("marked_conflict::both/t' has group", "group 'one' (BALRUN_GROUP at "
				"marked_conflict.c:", "group 'two' (BALRUN_GROUP at marked_conflict.c:"));
	expect_usage_error(ARGS("--no-cache", e2e_fixture("marked_bad")),
			   ARGS("BALRUN_WEIGHT at marked_bad.c:", "marked_bad'", "weight '2 * 2' is not"));
	expect_usage_error(ARGS("--no-cache", "-n", "1", e2e_fixture("marked_crit")),
			   ARGS("marked_crit::heavy/h' has weight 2 (BALRUN_WEIGHT at marked_crit.c:",
				"more than the 1 worker (see -n)"));
	expect_usage_error(ARGS("--no-cache", "--group", "x=*::db/a", e2e_fixture("marked_crit")),
			   ARGS("has group 'db' (BALRUN_GROUP", "and group 'x' (--group x=*::db/a)"));
	expect_usage_error(ARGS("--no-cache", "--weight", "2", e2e_fixture("marked_crit")),
			   ARGS("--weight: '2' is not N=PATTERN"));
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

Test(config, bare_run_in_a_configured_directory)
{
	struct mlog l;
	struct e2e_run r;
	const char *dir = e2e_tmpdir();
	char path[4300], text[8192];

	log_init(&l);
	snprintf(path, sizeof(path), "%s/.balrun.conf", dir);
	snprintf(text, sizeof(text), "[balrun]\n\tworkers = 2\n\tbinaries = %s/marked_c[mr]*\n"
		 "[group \"cfg\"]\n\ttests = *::mc/free_*\n[lock \"l\"]\n\ttests = *::free/f1 *::free/f2\n",
		 FIXTURE_DIR);
	write_text(path, text);
	cr_assert_eq(chdir(dir), 0);
	e2e_balrun(&r, ARGS(l.env), ARGS("--no-cache"));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect_eq(json_integer_value(json_object_get(r.report, "workers")), 2, "workers from the file");
	cr_expect_eq(e2e_count(&r), 23, "both binaries from the file's glob");
	log_read(&l);
	expect_group(&l, "cmocka:mc/free_", 3);
	expect_exclusive(&l, (const char *const[]){ "crit:free/f1", "crit:free/f2", NULL });
	e2e_free(&r);

	e2e_balrun(&r, NULL, ARGS("--no-cache", "--list", "--markers", "--no-config", e2e_fixture("marked_cmocka")));
	cr_expect(!strstr(r.out, "cfg"), "--no-config: %s", r.out);
	e2e_free(&r);
}

Test(config, unknown_key_names_file_and_key)
{
	const char *dir = e2e_tmpdir();
	char path[4300];

	snprintf(path, sizeof(path), "%s/my.conf", dir);
	write_text(path, "[balrun]\n\tbinares = x\n");
	expect_usage_error(ARGS("--no-cache", "--config", path, e2e_fixture("marked_crit")),
			   ARGS("my.conf': unknown key 'balrun.binares'"));
}

/* The ids --list prints, one per line, into ids (a newline-separated string the caller frees). */
static char *list_ids(const char *const *env, const char *shard)
{
	struct e2e_run r;
	char *ids;

	if (shard)
		e2e_balrun(&r, env, ARGS("--no-cache", "--list", "--shard", shard, e2e_fixture("marked_crit"),
					 e2e_fixture("marked_cmocka")));
	else
		e2e_balrun(&r, env, ARGS("--no-cache", "--list", e2e_fixture("marked_crit"),
					 e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	ids = strdup(r.out);
	e2e_free(&r);
	return ids;
}

static size_t count_lines(const char *text, const char *line)
{
	size_t n = 0, len = strlen(line);
	for (const char *s = text; (s = strstr(s, line)); s += len)
		n += (s == text || s[-1] == '\n') && s[len] == '\n';
	return n;
}

Test(shard, shards_union_to_every_test_exactly_once)
{
	char *all = list_ids(NULL, NULL), *part[3];
	size_t total = 0;

	for (int k = 0; k < 3; k++) {
		char spec[8];
		snprintf(spec, sizeof(spec), "%d/3", k + 1);
		part[k] = list_ids(NULL, spec);
		cr_expect(strlen(part[k]) > 0, "shard %s is empty", spec);
	}
	for (char *line = all, *nl; (nl = strchr(line, '\n')); line = nl + 1) {
		*nl = '\0';
		size_t seen = 0;
		for (int k = 0; k < 3; k++)
			seen += count_lines(part[k], line);
		cr_expect_eq(seen, 1, "%s is in %zu shards", line, seen);
		total++;
	}
	cr_expect_eq(total, 23);
	for (int k = 0; k < 3; k++) {
		int db = !!strstr(part[k], "::db/a\n") +
			 !!strstr(part[k], "::db/b\n") + !!strstr(part[k], "::db/c\n");
		cr_expect(db == 0 || db == 3, "group db split: %d of its 3 tests in shard %d", db, k + 1);
	}
	for (int k = 0; k < 3; k++)
		free(part[k]);
	free(all);
}

Test(shard, a_shard_runs_and_reports_only_its_tests)
{
	char *mine = list_ids(NULL, "2/3");
	char *ci = list_ids(ARGS("CI_NODE_INDEX=2", "CI_NODE_TOTAL=3"), "ci");
	struct e2e_run r;
	size_t n = 0;
	char want[64];

	cr_expect_str_eq(ci, mine, "--shard ci reads GitLab's CI_NODE_INDEX/CI_NODE_TOTAL");
	for (const char *s = mine; *s; s++)
		n += *s == '\n';
	e2e_balrun(&r, NULL, ARGS("--no-cache", "-n", "2", "--shard", "2/3", e2e_fixture("marked_crit"),
				  e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect_eq(e2e_count(&r), n, "the report holds this shard's tests only");
	snprintf(want, sizeof(want), "shard 2/3: %zu of 23 tests", n);
	cr_expect(strstr(r.out, want), "stdout lacks '%s': %s", want, r.out);
	e2e_free(&r);
	free(mine);
	free(ci);
}

Test(plan, plan_prints_the_schedule_and_runs_nothing)
{
	struct mlog l;
	struct e2e_run r;

	log_init(&l);
	e2e_balrun(&r, ARGS(l.env), ARGS("--no-cache", "--plan", "-v", "-n", "2", e2e_fixture("marked_crit"),
					 e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect(access(strchr(l.env, '=') + 1, F_OK) != 0, "a test ran during --plan");
	cr_expect(!r.report, "no report without a run");
	cr_expect(strstr(r.out, "balrun plan: 23 tests from 2 binaries on 2 workers"), "%s", r.out);
	cr_expect(strstr(r.out, "[group db]") && strstr(r.out, "serial") && strstr(r.out, "[lock port]") &&
		  strstr(r.out, "weight 2"), "%s", r.out);
	cr_expect(strstr(r.out, "predicted makespan ") && strstr(r.out, "lower bound "), "%s", r.out);
	cr_expect(strstr(r.out, "\n    w0  ") && strstr(r.out, "\n    w1  "), "a load line per worker: %s",
		  r.out);
	cr_expect(strstr(r.out, "marked_crit::db/c\n") && strstr(r.out, "marked_cmocka::mc/free_3"),
		  "-v lists every test: %s", r.out);
	e2e_free(&r);

	e2e_balrun(&r, NULL, ARGS("--no-cache", "--plan", "--shard", "1/2", e2e_fixture("marked_crit"),
				  e2e_fixture("marked_cmocka")));
	cr_assert_eq(r.code, 0, "stderr: %s", r.err);
	cr_expect(strstr(r.out, "shard 1/2: ") && strstr(r.out, "<- this one"), "%s", r.out);
	e2e_free(&r);
}
