/*
 * paths.h - where balrun's helper programs are: balrun-worker and the cmocka
 * preload shim.  They are looked up beside the running balrun executable
 * (the build tree puts everything in one bin/ folder), then in
 * ../lib/balrun/ (the installed layout).
 */
#ifndef BALRUN_PATHS_H
#define BALRUN_PATHS_H

#include "strbuf.h"

/* Absolute path of a helper named name, or NULL with err filled. */
char *paths_helper(const char *name, struct strbuf *err);

#endif
