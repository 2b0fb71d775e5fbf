/*
 * config-framework.h - the [framework "NAME"] sections of .balrun.conf: a
 * test framework balrun has no adapter for (adapters/configured.h says
 * what the keys mean; docs/frameworks.md shows one taught step by step).
 *
 *   [framework "NAME"]
 *           binaries = GLOB...          # required: the binaries it runs
 *           list = COMMAND              # required: prints one case name per line
 *           run = COMMAND               # required: runs the cases named in it
 *           results = exitcode|tap|junit  # required
 *           batch = N                   # optional: most cases per process
 *
 * config.c hands every entry of such a section here, then calls
 * config_frameworks_check() once the file is read.  Errors are one line
 * naming the file, the line (found again in the file: libgit2 does not
 * say it; absent for an included file) and the key.
 */
#ifndef BALRUN_CONFIG_FRAMEWORK_H
#define BALRUN_CONFIG_FRAMEWORK_H

#include "configured.h"
#include "strbuf.h"

/* Where the file is: messages name it as display, globs start in dir. */
struct config_file {
	const char *path, *display, *dir;
};

/* One entry: section name sub, key (lowercase), value.  0, or -1 with err. */
int config_framework_entry(struct conf_frameworks *fw, const struct config_file *f, const char *sub,
			   const char *key, const char *value, struct strbuf *err);
/* Every section has its required keys, and its placeholders fit.  0, or -1 with err. */
int config_frameworks_check(struct conf_frameworks *fw, const struct config_file *f,
			    struct strbuf *err);

#endif
