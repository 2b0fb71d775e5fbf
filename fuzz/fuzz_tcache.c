/*
 * fuzz_tcache.c - libFuzzer target for the timing-cache parser
 * (timing-cache/tc-format.c).
 *
 * The input is the content of a timings file written by anyone (a crash
 * mid-write, a merge conflict, a hostile checkout).  tcf_parse must keep
 * every valid record and skip the rest, describing the damage in one line.
 * Whatever it kept must then format (tcf_format) to a file that parses
 * cleanly, and formatting that again must give the same bytes: what balrun
 * writes it can always read back unchanged.  ASan/UBSan and libFuzzer's
 * leak checks catch the rest.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tc_table t = TC_TABLE_INIT, again = TC_TABLE_INIT;
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT, why = STRBUF_INIT;
	struct tcf_damage d;

	if (fuzz_parse((const char *)data, size, &t, &d)) {
		tcf_describe(&d, &why);
		CHECK(why.len && !memchr(why.buf, '\n', why.len));
	}
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
