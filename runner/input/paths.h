/*
 * paths.h - where balrun's helper programs are: balrun-worker and the cmocka
 * preload shim.  They are looked up beside the running balrun executable
 * (the build tree puts everything in one bin/ folder), then in
 * ../lib/balrun/ (the installed layout).  And whether an output path can be
 * written, so that a bad one is a usage error before anything runs.
 */
#ifndef BALRUN_PATHS_H
#define BALRUN_PATHS_H

#include "cli.h"
#include "strbuf.h"

/* Absolute path of a helper named name, or NULL with err filled. */
char *paths_helper(const char *name, struct strbuf *err);

/*
 * Can a file be written at path?  Yes if it exists, is no directory and is
 * writable, or if it does not exist and its directory is writable.  0, or
 * -1 with a one-line reason in why ("no such directory", "is a
 * directory", strerror).  Nothing is created.
 */
int paths_check_writable(const char *path, struct strbuf *why);

/*
 * Every file the run will write (--json, --junit, --trace, --timeline
 * FILE; --cache-dir DIR; any may be unset), checked before anything runs.
 * 0, or -1 with a one-line err naming the flag and the path.
 */
int paths_check_outputs(const struct options *o, struct strbuf *err);

#endif
