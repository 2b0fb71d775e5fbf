/*
 * judge.h - the verdict on a whole process, as a build system would give
 * it: its exit status, its time limit, and the registered rules of the
 * invocation (proto.h: judge flags, skip_code, pass/fail/skip regular
 * expressions, as CTest and meson define them).
 *
 * In order, the first that applies:
 *   1. stopped at its time limit            TIMEOUT
 *   2. a line matched a skip expression,    SKIP
 *      or it exited with the skip status    (77 unless INV_SKIP_CODE says
 *                                            otherwise; -1: none)
 *   3. passed: a line matched a pass expression when there are any,
 *      else it exited 0 (a signal is never a pass); a line matching a
 *      fail expression makes it failed whatever else
 *   4. INV_WILL_FAIL swaps pass and fail (a crash included)
 *   5. failed by a signal                   CRASH, else FAIL
 * Expressions are POSIX extended regular expressions matched against each
 * line of the output (without its newline), as CTest matches its
 * properties against the output.  Lines longer than JUDGE_LINE_MAX are
 * matched on their first JUDGE_LINE_MAX bytes.
 */
#ifndef BALRUN_JUDGE_H
#define BALRUN_JUDGE_H

#include <regex.h>

#include "child.h"
#include "proto.h"
#include "strbuf.h"

#define JUDGE_LINE_MAX 65536
#define JUDGE_DEFAULT_SKIP 77

struct judge {
	const struct proto_invocation *inv;
	regex_t *pass, *fail, *skip;     /* compiled inv->*_regex */
	size_t npass, nfail, nskip;
	struct strbuf line;              /* the line being assembled */
	int long_line;                   /* inside a line past JUDGE_LINE_MAX */
	int passed, failed, skipped;     /* some line matched */
	char *matched;                   /* the first matching fail or skip line, for the message */
};

/* Compile inv's expressions.  0, or -1 with a one-line err naming the bad one. */
int judge_init(struct judge *j, const struct proto_invocation *inv, struct strbuf *err);
/* Output as it arrives. */
void judge_output(struct judge *j, const char *buf, size_t len);
/*
 * The verdict on the reaped child c (timeout_ms: its limit, for the
 * message), into outcome and msg.
 */
enum outcome judge_verdict(struct judge *j, const struct child *c, uint64_t timeout_ms, struct strbuf *msg);
void judge_release(struct judge *j);

#endif
