/*
 * tcache_bench.c - how fast the timing cache loads and saves a big file.
 *
 * Creates a cache of 100,000 tests (ids shaped like real ones, a few with
 * characters that need escaping) in a fresh temporary directory, then times:
 *   save (first)   recording all of them and writing the file
 *   load           tc_open of the file
 *   save (merge)   one more result saved under the lock: apply, prune,
 *                  write, fsync, rename (no re-read: nobody else wrote the
 *                  file since it was loaded)
 *   prune          balrun cache prune: the same without a result
 *   merge          balrun cache merge -o of the file with itself: two
 *                  parses, newest-wins merge, sort, write
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
		/* 500 binaries, each one's tests together, as a run records them */
		strbuf_addf(&id, "build/tests/suite_%03ld::case_%ld%s", i * 500 / entries, i,
			    i % 1000 ? "" : "\twith tab");
		tc_record_test(c, id.buf, i % 17 ? OUTCOME_PASS : OUTCOME_FAIL,
			       0.001 * (double)(i % 5000), 1024 + (uint64_t)(i % 4096));
	}
	strbuf_release(&id);
}

/* tc_prune of the whole file, and a merge of it with itself into a new file. */
static void bench_prune_and_merge(const char *dir, const char *path)
{
	struct strbuf warn = STRBUF_INIT, err = STRBUF_INIT;
	struct timing_cache *c = bench_open(dir);
	char *out = xasprintf("%s/merged", dir);
	const char *inputs[] = { path, path };
	size_t dropped;
	uint64_t start = now_ns();

	if (tc_prune(c, &dropped, &err))
		die("%s", err.buf);
	printf("prune:         %8.1f ms  (lock, re-read, prune, write; %zu dropped)\n",
	       bench_ms_since(start), dropped);
	tc_free(c);
	c = tc_open_file(out, &warn, &err);
	start = now_ns();
	if (!c || tc_merge_files(c, inputs, 2, 1, &warn, &err))
		die("%s", err.buf);
	printf("merge:         %8.1f ms  (2 files of %zu entries, sorted output)\n",
	       bench_ms_since(start), tc_count(c));
	tc_free(c);
	free(out);
	strbuf_release(&warn);
	strbuf_release(&err);
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
	printf("save (merge):  %8.1f ms  (apply, prune, write, fsync, rename)\n",
	       bench_ms_since(start));
	tc_free(c);

	char *path = xasprintf("%s/%s", dir, TC_FILE_NAME);
	if (stat(path, &st) == 0)
		printf("file size:     %8.2f MiB\n", (double)st.st_size / (1024.0 * 1024.0));
	bench_prune_and_merge(dir, path);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "tcache_bench: could not remove '%s'\n", dir);
	free(cmd);
	free(path);
	return 0;
}
