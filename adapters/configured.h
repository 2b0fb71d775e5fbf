/*
 * configured.h - a test framework balrun has no adapter for, taught in
 * .balrun.conf (runner/input/config-framework.c reads it):
 *
 *   [framework "acme"]
 *           binaries = build/acme_*          # the binaries it runs
 *           list = {bin} --enumerate         # prints one case name per line
 *           run = {bin} --only {names:,}     # runs the selected cases
 *           results = tap                    # exitcode, tap or junit
 *           batch = 50                       # optional: most cases per process
 *
 * Both programs use this: balrun to list a binary and read its listing
 * (collect/), the worker to run a batch (adapter "configured",
 * adapters/configured/).  The run command and the results kind travel in
 * the invocation (proto_invocation.command, .results); the worker expands
 * the placeholders.
 *
 * A command is a list of words, split at blanks ('...' and "..." keep a
 * word together, \ escapes one character); no shell runs it.  Placeholders
 * inside words:
 *   {bin}        the binary's absolute path (list and run: required)
 *   {names}      a word of its own: one argument per selected case (run)
 *   {names:SEP}  the selected cases joined by SEP, inside any word (run)
 *   {junit}      a file the run writes its JUnit XML into (run, junit only)
 *   {{ and }}    a literal brace
 * The run command has exactly one names placeholder.  The first word is the
 * program: an absolute path, a path relative to the config file's directory,
 * or a name looked up on PATH (resolved when the config is read), or {bin}.
 */
#ifndef BALRUN_CONFIGURED_H
#define BALRUN_CONFIGURED_H

#include <stddef.h>

#include "adapter.h"
#include "strbuf.h"
#include "strvec.h"

enum conf_results {
	CONF_RESULTS_NONE = 0,
	CONF_RESULTS_EXITCODE,   /* one process per case: exit 0 PASS, 77 SKIP, else FAIL */
	CONF_RESULTS_TAP,        /* one TAP test point per case, its description the name */
	CONF_RESULTS_JUNIT,      /* one <testcase> per case in the file {junit} names */
};

/* One [framework "NAME"] section. */
struct conf_framework {
	char *name;
	struct strvec binaries;  /* absolute globs (fnmatch with FNM_PATHNAME on the binary's path) */
	struct strvec list, run; /* command words, placeholders unexpanded */
	char *list_where;        /* "'.balrun.conf' line 6 (framework.acme.list)": for messages */
	char *run_where;
	char *where;             /* the section: "'.balrun.conf' line 4" */
	enum conf_results results;
	unsigned batch;          /* most cases per process; 0: no limit */
};

struct conf_frameworks {
	struct conf_framework *v;
	size_t n, alloc;
};

void conf_frameworks_release(struct conf_frameworks *fw);
/* The first framework whose binaries globs match the absolute path, or NULL. */
const struct conf_framework *conf_frameworks_match(const struct conf_frameworks *fw,
						   const char *abspath);

/* "exitcode" ... for CONF_RESULTS_*; conf_results_parse: the kind, or CONF_RESULTS_NONE. */
const char *conf_results_name(enum conf_results r);
enum conf_results conf_results_parse(const char *s);

/* What the placeholders stand for; unset members must not be used by the command. */
struct conf_subst {
	const char *bin;
	char *const *names;
	size_t nnames;
	const char *junit;
};

enum conf_placeholder {
	CONF_PH_BIN = 1 << 0,
	CONF_PH_NAMES = 1 << 1,
	CONF_PH_JUNIT = 1 << 2,
};

/*
 * Split value into words (see the top).  0, or -1 with a reason in err
 * (an unclosed quote, no word at all).
 */
int conf_command_split(const char *value, struct strvec *words, struct strbuf *err);
/*
 * The placeholders words use (CONF_PH_* bits) into *used, counting names
 * placeholders into *nnames.  0, or -1 with a reason in err (an unknown or
 * unclosed placeholder, {names} inside a longer word).
 */
int conf_command_scan(char *const *words, size_t n, unsigned *used, unsigned *nnames,
		      struct strbuf *err);
/* Expand words into argv (appended).  Words were scanned; every placeholder must be set. */
void conf_command_expand(char *const *words, size_t n, const struct conf_subst *sub,
			 struct strvec *argv);

/*
 * Read a listing: one case name per line, blanks around it and empty lines
 * dropped.  A case's scope (its group for --dist group and order checks) is
 * its name up to the last '/', or "" without one; with exitcode results
 * every case is a scope of its own (each runs in its own process).
 * 0, or -1 with why.
 */
int conf_parse_listing(const struct conf_framework *f, const struct listing_output *o,
		       struct listing *l, struct strbuf *why);

#endif
