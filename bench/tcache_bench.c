/*
 * tcache_bench.c - how fast the timing cache loads and saves a big file.
 *
 * Creates a cache of 100,000 tests (ids shaped like real ones, a few with
 * characters that need escaping) in a fresh temporary directory, then times:
 *   save (first)   recording all of them and writing the file
 *   load           tc_open of the file
 *   save (merge)   one more result saved: re-read under the lock, apply,
 *                  write, fsync, rename
 * and prints the milliseconds and the file size.  Not a pass/fail test:
 * numbers depend on the machine.  Usage: tcache_bench [entries]
 */
#include "tcache.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static double bench_ms_since(uint64_t start)
{
	return (double)(now_ns() - start) / 1e6;
}

static struct timing_cache *bench_open(const char *dir)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *c = tc_open(dir, &warn, &err);

	if (!c)
		die("%s", err.buf);
	if (warn.len)
		die("unexpected warning: %s", warn.buf);
	strbuf_release(&warn);
	strbuf_release(&err);
	return c;
}

static void bench_save(struct timing_cache *c)
{
	struct strbuf err = STRBUF_INIT;
	if (tc_save(c, &err))
		die("%s", err.buf);
	strbuf_release(&err);
}

static void bench_fill(struct timing_cache *c, long entries)
{
	struct strbuf id = STRBUF_INIT;

	for (long i = 0; i < entries; i++) {
		strbuf_reset(&id);
		strbuf_addf(&id, "build/tests/suite_%03ld::case_%ld%s", i % 500, i,
			    i % 1000 ? "" : "\twith tab");
		tc_record_test(c, id.buf, i % 17 ? OUTCOME_PASS : OUTCOME_FAIL,
			       0.001 * (double)(i % 5000), 1024 + (uint64_t)(i % 4096));
	}
	strbuf_release(&id);
}

int main(int argc, char **argv)
{
	long entries = argc > 1 ? atol(argv[1]) : 100000;
	char dir[] = "/tmp/tcache-bench-XXXXXX";
	struct stat st;
	uint64_t start;

	if (!mkdtemp(dir))
		die("create temporary directory: %s", dir);
	struct timing_cache *c = bench_open(dir);
	bench_fill(c, entries);
	start = now_ns();
	bench_save(c);
	printf("save (first):  %8.1f ms  (%ld entries)\n", bench_ms_since(start), entries);
	tc_free(c);

	start = now_ns();
	c = bench_open(dir);
	printf("load:          %8.1f ms  (%zu entries)\n", bench_ms_since(start), tc_count(c));

	tc_record_test(c, "build/tests/suite_000::case_0", OUTCOME_PASS, 0.5, 2048);
	start = now_ns();
	bench_save(c);
	printf("save (merge):  %8.1f ms  (re-read, apply, write, fsync, rename)\n",
	       bench_ms_since(start));
	tc_free(c);

	char *path = xasprintf("%s/%s", dir, TC_FILE_NAME);
	if (stat(path, &st) == 0)
		printf("file size:     %8.2f MiB\n", (double)st.st_size / (1024.0 * 1024.0));
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "tcache_bench: could not remove '%s'\n", dir);
	free(cmd);
	free(path);
	return 0;
}
