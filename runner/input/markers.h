/*
 * markers.h - scheduling markers: which tests form a same-worker group, run
 * alone (serial), hold a named lock, occupy several worker slots (weight),
 * or have their own time limit; and where each of those came from.
 *
 * Markers come from three places, all gathered into one marker_set:
 *   - the test source, through include/balrun.h: records in the ELF section
 *     "balrun_markers" of the binary (markers_parse_section); their pattern
 *     is matched against the test's name inside that binary ("suite/name");
 *   - the config file .balrun.conf (config.c);
 *   - the command line: --group, --serial, --lock, --weight (markers_add_cli).
 * The last two are matched against the full test id ("bin::suite/name").
 * Patterns are shell globs (fnmatch without FNM_PATHNAME: '*' matches '/').
 *
 * markers_apply then gives every test its group, serial flag, locks, weight
 * and timeout (the fields of struct test_case).  Disagreements are errors,
 * never resolved silently: a test in two groups, or with two different
 * weights or timeouts, is reported with both sources.  Serial and locks
 * only add up.  See docs/markers.md.
 */
#ifndef BALRUN_MARKERS_H
#define BALRUN_MARKERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "run.h"
#include "strbuf.h"

enum marker_kind {
	MARKER_GROUP,
	MARKER_SERIAL,
	MARKER_LOCK,
	MARKER_WEIGHT,
	MARKER_TIMEOUT,
	MARKER_DIST,       /* how finely the matching tests are spread (run.h enum dist_mode) */
};

enum marker_origin {
	MARKER_FROM_SOURCE,   /* balrun.h, read from the binary */
	MARKER_FROM_CONFIG,   /* .balrun.conf */
	MARKER_FROM_CLI,      /* --group, --serial, --lock, --weight */
	MARKER_FROM_BUILD,    /* the build system's test properties (CTest, meson) */
};

#define MARKER_MAX_LOCKS 64
#define MARKER_MAX_WEIGHT 1024

struct marker {
	enum marker_kind kind;
	enum marker_origin origin;
	char *name;        /* group or lock name; NULL for the other kinds */
	double value;      /* weight (a whole number >= 1) or seconds (> 0) */
	char *pattern;     /* glob */
	int64_t binary;    /* >= 0: from that binary's source, matched against test names; -1: against ids */
	char *where;       /* where it was written, e.g. "BALRUN_LOCK at t.c:12 in 'build/t'" */
	size_t hits;       /* tests it applies to (set by markers_apply) */
};

struct marker_set {
	struct marker *v;
	size_t nr, alloc;
	char **groups;     /* distinct group names: test_case.group = 1 + index */
	size_t ngroups, groups_alloc;
	char **locks;      /* distinct lock names: test_case.locks bit i = locks[i] */
	size_t nlocks, locks_alloc;
};

#define MARKER_SET_INIT { 0 }

void marker_set_release(struct marker_set *s);

/* A --dist mode: case, group, binary, or pytest-xdist's load, loadscope, loadfile; -1 if none. */
int dist_parse(const char *s);
const char *dist_name(enum dist_mode mode);

/* Kind from its name ("group", "serial", ...); -1 if unknown. */
int marker_kind_parse(const char *name);
const char *marker_kind_name(enum marker_kind kind);

/*
 * Add one marker.  arg is the group or lock name, the weight or the seconds
 * (as text; ignored for serial).  binary (-1 unless origin is
 * MARKER_FROM_SOURCE) and where as in struct marker.  0, or -1 with err
 * ("WHERE: ..." naming the bad value).
 */
int markers_add(struct marker_set *s, enum marker_kind kind, const char *arg, const char *pattern,
		enum marker_origin origin, int64_t binary, const char *where, struct strbuf *err);

/*
 * A command-line marker: flag is "--group", "--lock", "--weight" (value
 * NAME=PATTERN or N=PATTERN) or "--serial" (value PATTERN).  0 or -1 with err.
 */
int markers_add_cli(struct marker_set *s, const char *flag, const char *value, struct strbuf *err);

/*
 * The records of a "balrun_markers" section read from binary (index, id).
 * 0, or -1 with err naming the binary (damaged section, unknown version or
 * kind, bad number).
 */
int markers_parse_section(struct marker_set *s, const char *data, size_t len, uint32_t binary,
			  const char *binary_id, struct strbuf *err);

/*
 * The scheduling properties a build system registered for each test
 * (struct test_command: serial, locks, weight, timeout) as markers of its
 * binary.  A weight above workers is lowered to it, as ctest caps
 * PROCESSORS at -j.  0 or -1 with err.
 */
int markers_from_commands(struct marker_set *s, const struct run *r, unsigned workers, struct strbuf *err);

/* The sections of every binary of r (struct binary.markers).  0 or -1 with err. */
int markers_from_binaries(struct marker_set *s, const struct run *r, struct strbuf *err);

/* 1 if m applies to t. */
int marker_matches(const struct marker *m, const struct test_case *t);

/*
 * Give every test of r its markers (test_case.group, serial, locks, weight,
 * timeout).  0, or -1 with err: one line per conflicting test (at most a
 * few), or more than MARKER_MAX_LOCKS lock names.
 */
int markers_apply(struct marker_set *s, struct run *r, struct strbuf *err);

/*
 * Every selected test's weight must fit in the workers: -1 with err naming
 * the first test whose weight is above workers.
 */
int markers_check_weight(const struct marker_set *s, const struct run *r, unsigned workers,
			 struct strbuf *err);

/* Source and command-line markers that apply to no test: one warning line each. */
void markers_unused(const struct marker_set *s, struct strbuf *warnings);

/*
 * All of the above after collection: read the binaries' sections, apply
 * every marker to every test, and list the unused ones in warnings.  0, or
 * -1 with err (a usage error).
 */
int markers_resolve(struct marker_set *s, struct run *r, struct strbuf *warnings, struct strbuf *err);

/* --list --markers: every selected test's id, then one line per marker applying to it. */
void markers_print(const struct marker_set *s, const struct run *r, FILE *out);

#endif
