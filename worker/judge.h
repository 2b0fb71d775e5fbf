/*
 * judge.h - the verdict on a whole process, as a build system would give
 * it: its exit status, its time limit, and the registered rules of the
 * invocation (proto.h: judge flags, skip_code, pass/fail/skip regular
 * expressions, as CTest, meson and automake define them).
 *
 * In order, the first that applies:
 *   1. stopped at its time limit                 TIMEOUT
 *   2. the output matched a skip expression,     SKIP
 *      or it exited with the skip status         (77 unless INV_SKIP_CODE
 *                                                 says otherwise; -1: none)
 *   3. INV_HARD_ERROR and exit 99                FAIL ("hard error")
 *   4. killed by a signal                        CRASH, unless INV_WILL_FAIL
 *                                                 with INV_INVERT_CRASH: PASS
 *   5. passed: the output matched a pass expression when there are any
 *      (the exit status is ignored then), else it exited 0; the output
 *      matching a fail expression makes it failed whatever else
 *   6. INV_WILL_FAIL swaps pass and fail
 * Expressions are POSIX extended regular expressions matched against the
 * whole output, as CTest matches its properties: `^` and `$` anchor at its
 * start and end, `.` matches a newline.  At most JUDGE_OUTPUT_MAX bytes of
 * output are kept for it (the first ones); NUL bytes read as newlines.
 */
#ifndef BALRUN_JUDGE_H
#define BALRUN_JUDGE_H

#include <regex.h>

#include "child.h"
#include "proto.h"
#include "strbuf.h"

#define JUDGE_OUTPUT_MAX (16u << 20)
#define JUDGE_DEFAULT_SKIP 77
#define JUDGE_HARD_ERROR 99

struct judge {
	const struct proto_invocation *inv;
	regex_t *pass, *fail, *skip;     /* compiled inv->*_regex */
	size_t npass, nfail, nskip;
	struct strbuf output;            /* kept while there are expressions */
};

/* Compile inv's expressions.  0, or -1 with a one-line err naming the bad one. */
int judge_init(struct judge *j, const struct proto_invocation *inv, struct strbuf *err);
/* Output as it arrives. */
void judge_output(struct judge *j, const char *buf, size_t len);
/* The verdict on the reaped child c (timeout_ms: its limit, for the message); why into msg. */
enum outcome judge_verdict(struct judge *j, const struct child *c, uint64_t timeout_ms, struct strbuf *msg);
void judge_release(struct judge *j);

#endif
