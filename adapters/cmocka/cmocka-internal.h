/*
 * cmocka-internal.h - between the files of the cmocka adapter: cmocka.c
 * (recognise, list) and cmocka-run.c (run a batch).  Private to
 * adapters/cmocka/.
 */
#ifndef BALRUN_CMOCKA_INTERNAL_H
#define BALRUN_CMOCKA_INTERNAL_H

#include "proto.h"

struct session;

/* The adapter's run_batch (adapter.h): the batch under the preload shim. */
void cmocka_run_batch(struct session *s, const struct proto_invocation *inv);

#endif
