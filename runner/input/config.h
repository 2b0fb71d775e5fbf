/*
 * config.h - the optional config file .balrun.conf at the repository root,
 * for tests whose source cannot carry markers and for default options.
 *
 * Its syntax is git-config's (read with libgit2's config API):
 *
 *   [balrun]
 *           workers = auto            # or a number; -n beats it
 *           timeout = 60              # default per-test limit; --timeout beats it
 *           dist = group              # case, group or binary; --dist beats it
 *           binaries = build/tests/test_*   # used when no BINARY is given
 *           share-machine = auto      # or N, or no; --share-machine beats it
 *   [group "db"]
 *           tests = build/tests/test_db::*
 *   [serial]
 *           tests = *::perf*
 *   [lock "port-8080"]
 *           tests = *::net_*
 *   [weight "4"]
 *           tests = *::heavy*
 *   [timeout "300"]
 *           tests = *::slow*
 *   [dist "binary"]
 *           tests = build/tests/test_legacy::*
 *   [framework "acme"]                   # a framework balrun has no adapter for
 *           binaries = build/tests/acme_*
 *           list = {bin} --enumerate
 *           run = {bin} --only {names:,}
 *           results = tap                # exitcode, tap or junit
 *
 * Every key may be repeated and every value may hold several
 * space-separated patterns or globs.  Test patterns match full test ids
 * ("bin::suite/name"); binaries globs are relative to the file's
 * directory.  Any other section or key is an error naming the file and
 * the key.  See docs/markers.md.
 */
#ifndef BALRUN_CONFIG_H
#define BALRUN_CONFIG_H

#include "cli.h"
#include "configured.h"
#include "markers.h"
#include "repo.h"
#include "strbuf.h"
#include "strvec.h"

#define CONFIG_FILE_NAME ".balrun.conf"

struct config {
	char *display;           /* the file as named in messages */
	char *dir;               /* absolute directory of the file: binaries globs start here */
	int workers;             /* -1 not set, 0 auto, else N */
	double timeout;          /* 0 not set */
	int dist;                /* enum dist_mode; 0 not set */
	int share_machine;       /* options.share_machine's meaning; -2 not set */
	struct strvec binaries;  /* globs */
	struct conf_frameworks frameworks; /* [framework "NAME"] sections (config-framework.h) */
};

/*
 * Read the file at path (display: how messages name it) into c, adding its
 * markers to marks.  0, or -1 with err (unreadable, bad syntax, unknown
 * key, bad value).  Release with config_release even after an error.
 */
int config_read(struct config *c, const char *path, const char *display, struct marker_set *marks,
		struct strbuf *err);
void config_release(struct config *c);

/*
 * Expand c's binaries globs into out (sorted per glob; directories and
 * files that are not executable are left out).  0, or -1 with err naming
 * a glob that matches nothing.
 */
int config_binaries(const struct config *c, struct strvec *out, struct strbuf *err);

/*
 * Everything the config file and the command line say before collection:
 * read --config FILE, or <repo root>/.balrun.conf if it exists (neither
 * with --no-config); fill the options the command line left unset (-n
 * unless BALRUN_WORKERS is set, --timeout, the binaries, kept in bins);
 * add the file's and the command line's markers (o->marker_args) to
 * marks; the file's frameworks go to fw (release with
 * conf_frameworks_release).  0, or -1 with err (a usage error).
 */
int config_apply(struct options *o, const struct repo_info *repo, struct strvec *bins,
		 struct conf_frameworks *fw, struct marker_set *marks, struct strbuf *err);

#endif
