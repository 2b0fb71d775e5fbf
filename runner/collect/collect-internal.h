/*
 * collect-internal.h - between collect.c (which binaries, and which adapter
 * runs each) and listing.c (their listings, into test cases).  For the
 * files of runner/collect/ only.
 */
#ifndef BALRUN_COLLECT_INTERNAL_H
#define BALRUN_COLLECT_INTERNAL_H

#include "collect.h"

/*
 * List every binary of r whose adapter lists (all at once, one lister per
 * distinct listing command), read the listings, apply each registered
 * command's own choice of cases, and add the cases to r in binary order.
 * 0, or -1 with one line per failed listing in errors.
 */
int collect_list_all(struct run *r, const struct collect_opts *o, struct strbuf *errors,
		     struct strbuf *notes);

#endif
