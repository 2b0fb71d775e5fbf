/*
 * cache-cmd.h - `balrun cache SUBCOMMAND ...`: look at and maintain the
 * timing cache (show, merge, prune, export, import-junit).  See
 * docs/timing-cache.md and docs/ci.md.
 *
 * main() hands over argv from the word "cache" on.  Exit codes: 0 done,
 * 1 a file could not be read or written, 4 usage error.
 */
#ifndef BALRUN_CACHE_CMD_H
#define BALRUN_CACHE_CMD_H

/* 1 if the command line is "balrun cache ...". */
int cache_cmd_wanted(int argc, char **argv);
/* Run it; argv[0] is "cache".  Returns the exit code. */
int cache_cmd_main(int argc, char **argv);

#endif
