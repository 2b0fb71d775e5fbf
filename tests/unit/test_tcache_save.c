/*
 * test_tcache_save.c - the save protocol: the directory is created, an
 * unusable one gives -1 and a message naming it, each failing step (lock,
 * write, fsync, rename; injected with BALRUN_TCACHE_FAULT) leaves the old
 * file intact and no temp file, a held lock is waited for, saves of runs
 * that overlap merge instead of overwriting, and 8 processes saving at once
 * lose nothing.  A cache opened for a run's tests (tc_open_tests), which
 * keeps no test table, reads the file again at the save and loses nothing
 * either, a damaged file's good entries included; reserved updates may be
 * exceeded.
 */
#include "test_tcache_util.h"
#include "util.h"

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

TestSuite(save, .init = tt_setup, .fini = tt_teardown);

Test(save, creates_missing_directories)
{
	char *sub = tt_path(tt_dir, "a/b/c");
	struct timing_cache *c = tt_open(sub, NULL);

	tt_save_one_more(c, 1);
	free(sub);
}

/* tc_save must fail with a message naming the culprit, and change nothing. */
static void assert_save_fails(const char *cache_dir, const char *culprit)
{
	struct strbuf err = STRBUF_INIT;
	struct timing_cache *c = tt_open(cache_dir, NULL);

	tc_record_test(c, "t", OUTCOME_PASS, 1, 0);
	cr_assert_eq(tc_save(c, &err), -1);
	cr_assert_not_null(strstr(err.buf, culprit), "%s", err.buf);
	cr_assert_null(strchr(err.buf, '\n'));
	cr_assert_eq(tc_count(c), 0);
	tc_free(c);
	strbuf_release(&err);
}

Test(save, unusable_directory_gives_an_error)
{
	char *file = tt_path(tt_dir, "file");
	char *under_file = tt_path(tt_dir, "file/cache");
	struct strbuf err = STRBUF_INIT;

	tt_write_str(file, "x");
	/* An existing directory nobody may create files in, even root. */
	assert_save_fails("/proc/self", "'/proc/self/timings.lock'");
	if (geteuid() != 0) {
		char *ro = tt_path(tt_dir, "ro");
		cr_assert_eq(mkdir(ro, 0555), 0);
		assert_save_fails(ro, "timings.lock");
		free(ro);
	}
	/* A tt_file through a regular file cannot even be read. */
	cr_assert_null(tc_open(under_file, &err, &err));
	cr_assert_not_null(strstr(err.buf, "/file/cache/timings'"), "%s", err.buf);
	strbuf_release(&err);
	free(file);
	free(under_file);
}

/* Save a first version of the cache; return its bytes in old. */
static struct timing_cache *make_saved_cache(struct strbuf *old)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	tc_record_test(c, "kept", OUTCOME_PASS, 1, 0);
	tt_save(c);
	cr_assert_eq(tt_read(tt_file, old), 0);
	return c;
}

/*
 * Make the save fail at one step (with the writers' lock held by someone
 * else if hold_lock); then check that saving again works.
 */
static void assert_fault_is_harmless(const char *fault, const char *message, int hold_lock)
{
	struct strbuf old = STRBUF_INIT, now = STRBUF_INIT, err = STRBUF_INIT;
	int lock_fd = -1;

	unlink(tt_file);
	struct timing_cache *c = make_saved_cache(&old);
	if (hold_lock) {
		char *lock_path = tt_path(tt_dir, "timings.lock");
		lock_fd = open(lock_path, O_RDWR | O_CREAT, 0666);
		cr_assert_eq(flock(lock_fd, LOCK_EX), 0);
		free(lock_path);
	}

	tc_record_test(c, "new", OUTCOME_PASS, 2, 0);
	setenv("BALRUN_TCACHE_FAULT", fault, 1);
	cr_assert_eq(tc_save(c, &err), -1, "fault %s did not fail the save", fault);
	unsetenv("BALRUN_TCACHE_FAULT");
	cr_assert_not_null(strstr(err.buf, message), "%s: %s", fault, err.buf);
	cr_assert_not_null(strstr(err.buf, tt_dir), "%s: %s", fault, err.buf);
	cr_assert_eq(tt_read(tt_file, &now), 0);
	cr_assert_eq(now.len, old.len, "%s: file changed", fault);
	cr_assert_eq(memcmp(now.buf, old.buf, old.len), 0, "%s: file changed", fault);
	cr_assert_eq(tt_count_names(tt_dir, "timings.tmp"), 0, "%s: temp file left", fault);
	cr_assert_null(tc_get(c, "new"), "%s: memory changed", fault);
	if (lock_fd >= 0)
		close(lock_fd);
	tt_save(c);                       /* the results were kept for a retry */
	cr_assert_not_null(tc_get(c, "new"));
	tt_assert_matches_disk(c);
	tc_free(c);
	strbuf_release(&old);
	strbuf_release(&now);
	strbuf_release(&err);
}

Test(save, a_failing_write_fsync_or_rename_changes_nothing)
{
	assert_fault_is_harmless("write", "write '", 0);
	assert_fault_is_harmless("fsync", "fsync '", 0);
	assert_fault_is_harmless("rename", "rename '", 0);
}

Test(save, a_held_lock_times_out_cleanly)
{
	/* "lock" shortens the wait to nothing; the lock is really held. */
	assert_fault_is_harmless("lock", "gave up after 0 s", 1);
}

Test(save, waits_for_a_held_lock)
{
	char *lock_path = tt_path(tt_dir, "timings.lock");
	int ready[2];
	char byte;

	cr_assert_eq(pipe(ready), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int fd = open(lock_path, O_RDWR | O_CREAT, 0666);
		if (fd < 0 || flock(fd, LOCK_EX) < 0 || write(ready[1], "x", 1) != 1)
			_exit(1);
		usleep(200 * 1000);
		_exit(0);               /* the lock goes with the process */
	}
	cr_assert_eq(read(ready[0], &byte, 1), 1);
	struct timing_cache *c = tt_open(tt_dir, NULL);
	tc_record_test(c, "t", OUTCOME_PASS, 1, 0);
	tt_save(c);                     /* blocks until the child exits */
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(status, 0);
	cr_assert_not_null(tc_get(c, "t"));
	tc_free(c);
	close(ready[0]);
	close(ready[1]);
	free(lock_path);
}

Test(save, overlapping_runs_merge)
{
	struct timing_cache *a = tt_open(tt_dir, NULL);
	struct timing_cache *b = tt_open(tt_dir, NULL);

	tc_record_test(a, "shared", OUTCOME_PASS, 1.0, 0);
	tc_record_test(a, "only-a", OUTCOME_PASS, 1.0, 0);
	tc_record_test(b, "shared", OUTCOME_PASS, 2.0, 0);
	tc_record_test(b, "only-b", OUTCOME_FAIL, 1.0, 0);
	tt_save(a);
	tt_save(b);                     /* b opened before a saved */
	cr_assert_eq(tc_count(b), 3);
	cr_assert_eq(tc_get(b, "shared")->runs, 2);
	cr_assert_float_eq(tc_get(b, "shared")->mean, 1.3, 1e-9);
	cr_assert_eq(tc_get(b, "only-a")->seen_run, 1);
	cr_assert_eq(tc_get(b, "only-b")->seen_run, 2);
	tt_assert_matches_disk(b);
	tc_free(a);
	tc_free(b);
}

/* tc_test_fn for the tests below: a copy of each entry handed over, its id kept. */
struct handed {
	struct tc_entry e[4];
	char *id[4];
	size_t n;
};

static void hand_over(const struct tc_entry *e, void *data)
{
	struct handed *h = data;

	cr_assert_lt(h->n, 4);
	h->e[h->n] = *e;
	h->id[h->n] = xstrdup(e->id);
	h->e[h->n].id = h->id[h->n];
	h->n++;
}

static void handed_release(struct handed *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->id[i]);
}

static struct timing_cache *open_for_tests(struct handed *h, struct strbuf *warn)
{
	struct strbuf err = STRBUF_INIT;
	struct timing_cache *c = tc_open_tests(tt_dir, hand_over, h, warn, &err);

	cr_assert_not_null(c, "%s", err.buf);
	strbuf_release(&err);
	return c;
}

Test(save, a_cache_opened_for_tests_hands_them_over_and_reads_the_file_at_the_save)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	struct strbuf warn = STRBUF_INIT;
	struct handed h = { 0 };
	size_t k;

	tc_record_test(c, "old", OUTCOME_PASS, 1.0, 0);
	tc_record_test(c, "binary-test", OUTCOME_FAIL, 2.0, 100);
	tc_record_binary(c, "bin", 0.25);
	tt_save(c);
	tc_free(c);

	c = open_for_tests(&h, &warn);
	cr_assert_eq(warn.len, 0, "%s", warn.buf);
	cr_assert_eq(h.n, 2);
	k = strcmp(h.e[0].id, "old") ? 0 : 1;	/* binary-test's, whatever the file's order */
	cr_assert_str_eq(h.e[k].id, "binary-test");
	cr_assert_eq(h.e[k].last_outcome, OUTCOME_FAIL);
	cr_assert_eq(h.e[k].rss_kb, 100);
	cr_assert_float_eq(h.e[k].mean, 2.0, 1e-9);
	cr_assert_str_eq(h.e[1 - k].id, "old");
	cr_assert_eq(h.e[1 - k].runs, 1);
	/* the tests are not kept; the binaries are */
	cr_assert_eq(tc_count(c), 0);
	cr_assert_null(tc_get(c, "old"));
	cr_assert_float_eq(tc_binary(c, "bin")->overhead, 0.25, 1e-9);
	tc_record_test(c, "binary-test", OUTCOME_PASS, 4.0, 0);
	tc_record_test(c, "new", OUTCOME_PASS, 3.0, 0);
	tt_save(c);
	/* the file's entries came back under this run's updates */
	cr_assert_eq(tc_count(c), 3);
	cr_assert_eq(tc_get(c, "old")->runs, 1);
	cr_assert_eq(tc_get(c, "binary-test")->runs, 2);
	cr_assert_eq(tc_get(c, "binary-test")->last_outcome, OUTCOME_PASS);
	cr_assert_eq(tc_get(c, "binary-test")->rss_kb, 100);
	cr_assert_float_eq(tc_get(c, "binary-test")->last, 4.0, 1e-9);
	cr_assert_eq(tc_get(c, "new")->seen_run, 2);
	cr_assert_float_eq(tc_binary(c, "bin")->overhead, 0.25, 1e-9);
	cr_assert_eq(tc_last_run(c), 2);
	tt_assert_matches_disk(c);
	tc_free(c);
	handed_release(&h);
	strbuf_release(&warn);
}

Test(save, a_cache_opened_for_tests_with_no_updates_saves_nothing)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	struct strbuf before = STRBUF_INIT, after = STRBUF_INIT, warn = STRBUF_INIT;
	struct handed h = { 0 };

	tc_record_test(c, "old", OUTCOME_PASS, 1.0, 0);
	tt_save(c);
	tc_free(c);
	cr_assert_eq(tt_read(tt_file, &before), 0);
	c = open_for_tests(&h, &warn);
	cr_assert_eq(h.n, 1);
	tt_save(c);
	cr_assert_eq(tt_read(tt_file, &after), 0);
	cr_assert_str_eq(after.buf, before.buf);
	tc_free(c);
	handed_release(&h);
	strbuf_release(&before);
	strbuf_release(&after);
	strbuf_release(&warn);
}

/* A damaged file: its good entries are handed over and kept, and the save writes them back. */
Test(save, a_damaged_file_opened_for_tests_keeps_its_good_entries)
{
	struct strbuf warn = STRBUF_INIT, after = STRBUF_INIT;
	struct handed h = { 0 };
	struct timing_cache *c;

	tt_write_str(tt_file, "balrun-timings 1\n"
			      "R\t1\t1700000000\t-\n"
			      "T\tgood\t0.500000\t0.000000\t0.500000\t1\tPASS\t0\t1\t0\t1\t1700000000\n"
			      "T\tbad\tnot-a-number\t0\t0\t1\tpass\t0\t1\t0\t1\t1700000000\n");
	c = open_for_tests(&h, &warn);
	cr_assert(strstr(warn.buf, "is damaged"), "%s", warn.buf);
	cr_assert_eq(h.n, 1);
	cr_assert_str_eq(h.e[0].id, "good");
	cr_assert_eq(tc_count(c), 1, "salvaged for the save");
	tc_record_test(c, "new", OUTCOME_PASS, 1.0, 0);
	tt_save(c);
	tc_free(c);
	cr_assert_eq(tt_read(tt_file, &after), 0);
	cr_assert(strstr(after.buf, "\tgood\t"), "%s", after.buf);
	cr_assert(strstr(after.buf, "\tnew\t"), "%s", after.buf);
	handed_release(&h);
	strbuf_release(&warn);
	strbuf_release(&after);
}

Test(save, updates_beyond_the_reservation_are_kept)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	char id[32];

	tc_reserve_updates(c, 2);	/* room for less than what follows */
	for (int i = 0; i < 100; i++) {
		snprintf(id, sizeof(id), "test%03d", i);
		tc_record_test(c, id, OUTCOME_PASS, 0.5 + i, 0);
	}
	tc_record_test(c, "", OUTCOME_PASS, 1.0, 0);	/* no key: dropped */
	tc_reserve_updates(c, 10);		/* a later reservation keeps what is there */
	tc_record_binary(c, "bin", 0.125);
	tt_save(c);
	cr_assert_eq(tc_count(c), 100);
	cr_assert_float_eq(tc_get(c, "test000")->mean, 0.5, 1e-9);
	cr_assert_float_eq(tc_get(c, "test099")->mean, 99.5, 1e-9);
	cr_assert_float_eq(tc_binary(c, "bin")->overhead, 0.125, 1e-9);
	tt_assert_matches_disk(c);
	/* the save gave the updates back: recording again starts afresh */
	tc_record_test(c, "test000", OUTCOME_FAIL, 0.5, 0);
	tt_save(c);
	cr_assert_eq(tc_get(c, "test000")->runs, 2);
	cr_assert_eq(tc_get(c, "test000")->last_outcome, OUTCOME_FAIL);
	tc_free(c);
}

/* Keys are kept front-coded against the one before: every shape must come back whole. */
Test(save, keys_sharing_prefixes_come_back_whole)
{
	struct timing_cache *c = tt_open(tt_dir, NULL);
	size_t long_len = 70000;	/* shares more than two bytes can count */
	char *long1 = xmalloc(long_len + 2), *long2 = xmalloc(long_len + 2);

	memset(long1, 'x', long_len);
	memcpy(long2, long1, long_len);
	strcpy(long1 + long_len, "1");
	strcpy(long2 + long_len, "2");
	tc_record_test(c, "bin/a::t1", OUTCOME_PASS, 1.0, 0);
	tc_record_test(c, "bin/a::t10", OUTCOME_PASS, 2.0, 0);	/* the one before and more */
	tc_record_test(c, "bin/a::t1", OUTCOME_FAIL, 3.0, 0);	/* a prefix of the one before */
	tc_record_binary(c, "bin/a", 0.5);			/* a binary between tests */
	tc_record_test(c, "bin/b::t1", OUTCOME_PASS, 4.0, 0);
	tc_record_test(c, "other", OUTCOME_PASS, 5.0, 0);	/* nothing shared */
	tc_record_test(c, long1, OUTCOME_PASS, 6.0, 0);
	tc_record_test(c, long2, OUTCOME_PASS, 7.0, 0);
	tc_flag_test(c, "bin/a::t10", TC_FLAG_ORDER_DEPENDENT);
	tt_save(c);
	cr_assert_eq(tc_count(c), 6);
	cr_assert_eq(tc_get(c, "bin/a::t1")->runs, 2);
	cr_assert_eq(tc_get(c, "bin/a::t1")->last_outcome, OUTCOME_FAIL);
	cr_assert_float_eq(tc_get(c, "bin/a::t10")->last, 2.0, 1e-9);
	cr_assert_eq(tc_get(c, "bin/a::t10")->flags, TC_FLAG_ORDER_DEPENDENT);
	cr_assert_float_eq(tc_get(c, "bin/b::t1")->last, 4.0, 1e-9);
	cr_assert_float_eq(tc_get(c, "other")->last, 5.0, 1e-9);
	cr_assert_float_eq(tc_get(c, long1)->last, 6.0, 1e-9);
	cr_assert_float_eq(tc_get(c, long2)->last, 7.0, 1e-9);
	cr_assert_float_eq(tc_binary(c, "bin/a")->overhead, 0.5, 1e-9);
	cr_assert_null(tc_get(c, "bin/a::t"));
	tt_assert_matches_disk(c);
	tc_free(c);
	free(long1);
	free(long2);
}

/* One of the concurrent writers: 200 tests of its own and a shared one. */
static int writer(int n)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT, id = STRBUF_INIT;
	struct timing_cache *c = tc_open(tt_dir, &warn, &err);

	if (!c || warn.len)
		return 1;
	for (int i = 0; i < 200; i++) {
		strbuf_reset(&id);
		strbuf_addf(&id, "writer%d::test%d", n, i);
		tc_record_test(c, id.buf, OUTCOME_PASS, 0.01 * i, 0);
	}
	tc_record_test(c, "shared", OUTCOME_PASS, 1.0, 0);
	int ret = tc_save(c, &err) ? 2 : 0;
	tc_free(c);
	return ret;
}

Test(save, eight_concurrent_writers_lose_nothing)
{
	pid_t pids[8];
	struct strbuf id = STRBUF_INIT;

	for (int n = 0; n < 8; n++) {
		pids[n] = fork();
		cr_assert_geq(pids[n], 0);
		if (pids[n] == 0)
			_exit(writer(n));
	}
	for (int n = 0; n < 8; n++) {
		int status;
		cr_assert_eq(waitpid(pids[n], &status, 0), pids[n]);
		cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status %d", n, status);
	}
	struct timing_cache *c = tt_open(tt_dir, NULL);
	cr_assert_eq(tc_count(c), 1601);
	for (int n = 0; n < 8; n++)
		for (int i = 0; i < 200; i++) {
			strbuf_reset(&id);
			strbuf_addf(&id, "writer%d::test%d", n, i);
			cr_assert_not_null(tc_get(c, id.buf), "lost %s", id.buf);
		}
	cr_assert_eq(tc_get(c, "shared")->runs, 8);
	cr_assert_eq(tc_get(c, "shared")->seen_run, 8);
	cr_assert_eq(tt_count_names(tt_dir, "timings.tmp"), 0);
	tc_free(c);
	strbuf_release(&id);
}
