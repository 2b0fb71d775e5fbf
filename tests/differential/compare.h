/*
 * compare.h - one balrun run's --json report against the oracle.
 *
 * Rules (README.md has them in full):
 *   - every oracle case appears exactly once among the binary's entries, by
 *     its id "<bin id>::<name>" (the name escaped as balrun escapes ids:
 *     bytes that are not UTF-8 as \xNN), and no other case does;
 *   - its outcome equals the oracle's ("order-dependent" counts as passed);
 *     a case the serial run never reached may have any outcome;
 *   - each binary's cases come in the serial order;
 *   - every piece of serial evidence of a failure outside the tests has a
 *     fault entry of the matching kind (and group), with a failing outcome,
 *     and every fault entry has evidence;
 *   - balrun's exit code is what the oracle predicts, agrees with balrun's
 *     own entries, and equals the report's "exit_code".
 * Each mismatch is one line on out; the count is returned.  Binaries the
 * run left out (run->excluded) are not expected in it.
 */
#ifndef DIFF_COMPARE_H
#define DIFF_COMPARE_H

#include <jansson.h>
#include <stdio.h>

#include "oracle.h"

struct diff_run {
	int workers;            /* -n */
	int warm;               /* second run on the same cache dir */
	int status;             /* balrun's wait status (or SPAWN_*) */
	double wall_s;
	json_t *report;         /* NULL if none could be read */
	const char *stderr_text;
	const int *excluded;    /* per zoo binary: left out of this run (may be NULL) */
};

size_t diff_compare(struct diff_bin *bins, size_t nbins, const struct diff_run *run, FILE *out);

/* Append s as balrun shows it in an id: bytes that are not UTF-8 as \xNN. */
char *diff_escape_id(const char *s);

#endif
