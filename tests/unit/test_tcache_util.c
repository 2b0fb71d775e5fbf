/*
 * test_tcache_util.c - helpers for the timing cache tests; see
 * test_tcache_util.h.
 */
#include <stdlib.h>
#include "test_tcache_util.h"
#include "util.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

char *tt_tempdir(void)
{
	char *dir = xstrdup("/tmp/tcache-test-XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp failed");
	return dir;
}

void tt_rmrf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0, "%s failed", cmd);
	free(cmd);
}

char *tt_path(const char *dir, const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

void tt_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	cr_assert_geq(fd, 0, "cannot create %s", path);
	cr_assert_eq(write_full(fd, data, len), 0);
	close(fd);
}

void tt_write_str(const char *path, const char *text)
{
	tt_write(path, text, strlen(text));
}

int tt_read(const char *path, struct strbuf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	strbuf_reset(out);
	if (fd < 0)
		return -1;
	while ((n = read_retry(fd, chunk, sizeof(chunk))) > 0)
		strbuf_add(out, chunk, (size_t)n);
	close(fd);
	return n < 0 ? -1 : 0;
}

static int tt_scan(const char *dir, const char *prefix, char **first)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (starts_with(de->d_name, prefix) && !n++ && first)
			*first = tt_path(dir, de->d_name);
	closedir(d);
	return n;
}

int tt_count_names(const char *dir, const char *prefix)
{
	return tt_scan(dir, prefix, NULL);
}

char *tt_find_name(const char *dir, const char *prefix)
{
	char *first = NULL;
	tt_scan(dir, prefix, &first);
	return first;
}

struct timing_cache *tt_open(const char *dir, struct strbuf *warn)
{
	struct strbuf own_warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *c = tc_open(dir, warn ? warn : &own_warn, &err);

	cr_assert_not_null(c, "tc_open failed: %s", err.buf);
	cr_assert_eq(own_warn.len, 0, "unexpected warning: %s", own_warn.buf);
	strbuf_release(&own_warn);
	strbuf_release(&err);
	return c;
}

void tt_save(struct timing_cache *c)
{
	struct strbuf err = STRBUF_INIT;
	cr_assert_eq(tc_save(c, &err), 0, "tc_save failed: %s", err.buf);
	cr_assert_eq(err.len, 0);
	strbuf_release(&err);
}

void tt_save_one_more(struct timing_cache *c, size_t expect_count)
{
	char *dir = xstrdup(tc_dir(c));

	tc_record_test(c, "one more", OUTCOME_PASS, 1, 0);
	tt_save(c);
	tc_free(c);
	c = tt_open(dir, NULL);
	cr_assert_eq(tc_count(c), expect_count);
	cr_assert_not_null(tc_get(c, "one more"));
	tc_free(c);
	free(dir);
}

void tt_assert_same_entry(const struct tc_entry *a, const struct tc_entry *b)
{
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert_str_eq(a->id, b->id);
	cr_assert_eq(a->mean, b->mean, "%s: mean %.9f vs %.9f", a->id, a->mean, b->mean);
	cr_assert_eq(a->spread, b->spread, "%s: spread", a->id);
	cr_assert_eq(a->last, b->last, "%s: last", a->id);
	cr_assert_eq(a->runs, b->runs, "%s: runs", a->id);
	cr_assert_eq(a->last_outcome, b->last_outcome, "%s: outcome", a->id);
	cr_assert_eq(a->history, b->history, "%s: history", a->id);
	cr_assert_eq(a->hist_len, b->hist_len, "%s: hist_len", a->id);
	cr_assert_eq(a->rss_kb, b->rss_kb, "%s: rss", a->id);
	cr_assert_eq(a->seen_run, b->seen_run, "%s: seen_run", a->id);
	cr_assert_eq(a->seen_time, b->seen_time, "%s: seen_time", a->id);
}

static void tt_check_against(const struct tc_entry *e, void *data)
{
	tt_assert_same_entry(e, tc_get(data, e->id));
}

void tt_assert_matches_disk(const struct timing_cache *c)
{
	struct timing_cache *disk = tt_open(tc_dir(c), NULL);
	cr_assert_eq(tc_count(disk), tc_count(c));
	tc_each(c, tt_check_against, disk);
	tc_free(disk);
}

char *tt_dir, *tt_file;

void tt_setup(void)
{
	tt_dir = tt_tempdir();
	tt_file = tt_path(tt_dir, "timings");
	unsetenv("BALRUN_TCACHE_FAULT");
}

void tt_teardown(void)
{
	unsetenv("BALRUN_TCACHE_FAULT");
	tt_rmrf(tt_dir);
	free(tt_dir);
	free(tt_file);
}
