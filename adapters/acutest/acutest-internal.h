/*
 * acutest-internal.h - between the files of the acutest adapter: acutest.c
 * (recognise, list, read the listing, a registered command's own choice of
 * tests) and acutest-run.c (run a batch, follow its output).  Private to
 * adapters/acutest/.
 *
 * A case is the test's name as TEST_LIST gives it (any bytes but NUL and
 * newline).  Each case's check (sent to the worker with it: ADAPTER_CHECKS)
 * says:
 *
 *   bits  0..31  its place in the binary's TEST_LIST (0-based): acutest runs
 *                tests in that order, and its XML report has one testcase
 *                per listed test in that order
 *   bit  32      ACU_CHECK_UNREACHABLE: an earlier test has the same name,
 *                and acutest selects only the first test of a name (its
 *                exact-name match stops there), so no command line runs
 *                this one without the whole binary
 */
#ifndef BALRUN_ACUTEST_INTERNAL_H
#define BALRUN_ACUTEST_INTERNAL_H

#include <stdint.h>

#include "adapter.h"
#include "proto.h"
#include "session.h"
#include "strbuf.h"
#include "strvec.h"

#define ACU_CHECK_PLACE(c) ((uint32_t)((c) & 0xffffffffu))
#define ACU_CHECK_UNREACHABLE ((uint64_t)1 << 32)

/*
 * 1 if acutest selects the test called name for the argument pattern, among
 * the tests names[0..n) (acutest's three tiers: the first test of exactly
 * that name; else every test holding it as a word; else as a substring).
 * place is the test's index in names.
 */
int acutest_selects(char *const *names, size_t n, size_t place, const char *pattern);

/* The adapter's adopt_command (acutest.c). */
int acutest_adopt(struct strvec *args, struct strvec *env, struct listing *l, struct strbuf *why);

/* The adapter's run_batch (acutest-run.c). */
void acutest_run_batch(struct session *s, const struct proto_invocation *inv);

#endif
