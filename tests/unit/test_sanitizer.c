/*
 * test_sanitizer.c - finding a sanitizer's report in output
 * (common/sanitizer.c), on text as the runtimes of gcc 12 and clang 14
 * print it.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "sanitizer.h"

static int report(const char *text, struct strbuf *msg)
{
	strbuf_reset(msg);
	return sanitizer_report(text, strlen(text), msg);
}

Test(sanitizer, asan_gives_its_summary)
{
	struct strbuf msg = STRBUF_INIT;
	const char *out =
		"[ RUN      ] b_overflow\nbefore overflow\n"
		"=================================================================\n"
		"==10650==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000018 at pc 1\n"
		"WRITE of size 1 at 0x602000000018 thread T0\n"
		"    #0 0x563a6e8c837e in b_overflow /tmp/san/san_cmocka.c:15\n\n"
		"SUMMARY: AddressSanitizer: heap-buffer-overflow /tmp/san/san_cmocka.c:15 in b_overflow\n"
		"Shadow bytes around the buggy address:\n==10650==ABORTING\n";

	cr_assert(report(out, &msg));
	cr_expect_str_eq(msg.buf, "AddressSanitizer: heap-buffer-overflow /tmp/san/san_cmocka.c:15 in b_overflow");
	strbuf_release(&msg);
}

Test(sanitizer, without_summary_the_opening_line)
{
	struct strbuf msg = STRBUF_INIT;

	cr_assert(report("==1==ERROR: LeakSanitizer: detected memory leaks\r\n\nDirect leak", &msg));
	cr_expect_str_eq(msg.buf, "LeakSanitizer: detected memory leaks");
	cr_assert(report("==================\nWARNING: ThreadSanitizer: data race (pid=7)\n", &msg));
	cr_expect_str_eq(msg.buf, "ThreadSanitizer: data race (pid=7)");
	strbuf_release(&msg);
}

Test(sanitizer, ubsan_gives_its_line)
{
	struct strbuf msg = STRBUF_INIT;

	cr_assert(report("r=1\nsan.c:28:6: runtime error: signed integer overflow: 2147483647 + 1\n"
			 "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior san.c:28:6 in\n", &msg));
	cr_expect_str_eq(msg.buf, "san.c:28:6: runtime error: signed integer overflow: 2147483647 + 1");
	strbuf_release(&msg);
}

Test(sanitizer, ordinary_output_is_no_report)
{
	struct strbuf msg = STRBUF_INIT;

	cr_expect(!report("", &msg));
	cr_expect(!report("[  ERROR   ] --- 41 != 42\nSUMMARY: 3 tests\nAddressSanitizer is on\n", &msg));
	cr_expect_eq(msg.len, 0);
	cr_expect(sanitizer_report("ERROR: AddressSanitizer: x", 26, NULL));
	strbuf_release(&msg);
}
