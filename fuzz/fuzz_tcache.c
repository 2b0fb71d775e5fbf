/*
 * fuzz_tcache.c - libFuzzer target for the timing-cache parser
 * (timing-cache/tc-format.c).
 *
 * The input is the content of a timings file written by anyone (a crash
 * mid-write, a merge conflict, a hostile checkout).  tcf_parse must keep
 * every valid record and skip the rest, describing the damage in one line.
 * Whatever it kept must then format (tcf_format) to a file that parses
 * cleanly, and formatting that again must give the same bytes: what balrun
 * writes it can always read back unchanged.  A run's parse (tcf_parse_tests,
 * which hands each test to a function instead of keeping it) must find the
 * same damage and hand over every test the table kept, and no other.
 * ASan/UBSan and libFuzzer's leak checks catch the rest.
 *
 * Build: CC=clang cmake -DBALRUN_FUZZ=ON ...; run: fuzz_tcache fuzz/corpus/tcache
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tc-format.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) __builtin_trap(); } while (0)

/* Parse len bytes of text (copied: the parser writes into its buffer). */
static int fuzz_parse(const char *text, size_t len, struct tc_table *t, struct tcf_damage *d)
{
	char *copy = xmalloc(len ? len : 1);
	int ret;

	memcpy(copy, text, len);
	memset(d, 0, sizeof(*d));
	ret = tcf_parse(copy, len, t, d);
	free(copy);
	return ret;
}

/* tc_test_fn: each test handed over is one the table kept. */
struct handed {
	const struct tc_table *t;
	size_t n;
};

static void fuzz_hand(const struct tc_entry *e, void *data)
{
	struct handed *h = data;

	CHECK(tc_table_find(h->t, e->id) != NULL);
	h->n++;
}

/* The run's parse of the same text: the same damage, every kept test handed over. */
static void fuzz_parse_tests(const char *text, size_t len, const struct tc_table *t, int ret,
			     const struct tcf_damage *d)
{
	struct tc_table runs = TC_TABLE_INIT;
	struct handed h = { t, 0 };
	char *copy = xmalloc(len ? len : 1);
	struct tcf_damage d2;

	memcpy(copy, text, len);
	CHECK(tcf_parse_tests(copy, len, &runs, fuzz_hand, &h, &d2) == ret);
	CHECK(d2.line == d->line && d2.bad_lines == d->bad_lines);
	CHECK(runs.tests_nr == 0 && h.n >= t->tests_nr);
	free(copy);
	tc_table_release(&runs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_table t = TC_TABLE_INIT, again = TC_TABLE_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, why = STRBUF_INIT;
	struct tcf_damage d;
	int ret = fuzz_parse((const char *)data, size, &t, &d);

	if (ret) {
		tcf_describe(&d, &why);
		CHECK(why.len && !memchr(why.buf, '\n', why.len));
	}
	fuzz_parse_tests((const char *)data, size, &t, ret, &d);
	tcf_format(&t, &a);
	CHECK(fuzz_parse(a.buf, a.len, &again, &d) == 0);
	tcf_format(&again, &b);
	CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
	tc_table_release(&t);
	tc_table_release(&again);
	strbuf_release(&a);
	strbuf_release(&b);
	strbuf_release(&why);
	return 0;
}
