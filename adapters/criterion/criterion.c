/*
 * criterion.c - the Criterion adapter: recognising a Criterion binary and
 * listing its tests.  Running a batch is criterion-run.c (and
 * criterion-lines.c); the part loaded into the binary is
 * preload-criterion.c (the contract: common/preload.h).
 *
 * A Criterion binary's main() comes from libcriterion, which has a
 * command line: `--list` prints every suite and test as a tree, in the
 * order a serial run runs them (suites and tests by name).  The listing
 * runs with the preload shim in probe mode: if the shim answers, it can
 * choose this binary's tests at run time; if not (libcriterion linked
 * statically, or with -Bsymbolic), batches are chosen with --filter
 * patterns, which cost more, and a note says so.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "criterion-internal.h"
#include "preload.h"
#include "util.h"

static int criterion_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	(void)id;
	(void)note;
	return facts_needs(f, "libcriterion.so") || facts_symbol(f, "criterion_run_all_tests") ||
	       facts_symbol(f, "criterion_initialize");
}

static void criterion_list_command(struct strvec *argv, struct strvec *env)
{
	strvec_push(argv, "--list");
	strvec_setenv(env, PRELOAD_ENV_MODE, "probe");
}

/* "|-- name", "`-- name", "├── name", "└── name", optionally " (skipped)". */
static const char *criterion_tree_item(const char *line)
{
	static const char *const prefixes[] = { "|-- ", "`-- ", "\u251c\u2500\u2500 ", "\u2514\u2500\u2500 " };
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (starts_with(line, prefixes[i]))
			return line + strlen(prefixes[i]);
	return NULL;
}

/* "SUITE: N test(s)": the suite's length and N, or -1 if line is no header. */
static long criterion_header(const char *line, size_t *suite_len)
{
	const char *colon = strrchr(line, ':');
	char tail[16] = "";
	long count;

	if (!colon || colon == line || sscanf(colon + 1, " %ld %15s", &count, tail) != 2 ||
	    count < 0 || (strcmp(tail, "test") && strcmp(tail, "tests")))
		return -1;
	*suite_len = (size_t)(colon - line);
	return count;
}

/*
 * Criterion's --list output (UTF-8 or ASCII tree): "SUITE: N tests"
 * headers, each followed by its N items.  Lines outside that shape (a
 * banner printed by a constructor) are left out.  0, or -1 with err if
 * the text holds no listing at all although it holds text, or a header
 * whose items do not follow.
 */
static int criterion_parse_tree(const char *text, struct listing *l, struct strbuf *err)
{
	const char *s = text;
	long pending = 0;
	int noise = 0;

	while (*s) {
		size_t n = strcspn(s, "\n"), suite_len;
		char *line = xstrndup(s, n);
		const char *item = criterion_tree_item(line);
		long count;

		if (pending) {
			size_t len;
			int disabled;

			if (!item) {
				strbuf_addf(err, "its --list output announces a suite of %ld more tests, "
					    "then says '%.80s'", pending, line);
				free(line);
				return -1;
			}
			len = strlen(item);
			disabled = len > 10 && !strcmp(item + len - 10, " (skipped)");
			listing_test(l, xasprintf("%s/%.*s", l->scopes[l->nscopes - 1],
						  (int)(len - (disabled ? 10 : 0)), item), disabled);
			pending--;
		} else if ((count = criterion_header(line, &suite_len)) >= 0) {
			listing_scope(l, xstrndup(line, suite_len));
			pending = count;
		} else if (n > 0) {
			noise = 1;   /* not the listing: a banner, a log line */
		}
		free(line);
		s += n + (s[n] == '\n');
	}
	if (pending) {
		strbuf_addf(err, "its --list output ends %ld tests short of what it announces", pending);
		return -1;
	}
	if (noise && !l->nscopes) {
		strbuf_addf(err, "its --list output holds no test listing");
		return -1;
	}
	return 0;
}

/*
 * A whole listing counts even if the process died after it (a destructor
 * that aborts).  The shim answered the probe ("P" on the event fd): it can
 * choose the binary's tests; else --filter patterns will.
 */
static int criterion_parse_listing(const struct listing_output *o, struct listing *l,
				   struct strbuf *why, struct strbuf *notes)
{
	if (criterion_parse_tree(o->out, l, why) || (!o->exited_zero && !l->nscopes)) {
		if (!why->len)
			strbuf_adds(why, "not a Criterion test listing");
		return -1;
	}
	if (!starts_with(o->events, "P")) {
		l->no_preload = 1;
		strbuf_addf(notes, "'%s': balrun's preload shim cannot choose its tests (is libcriterion "
			    "linked statically, or with -Bsymbolic?): choosing them with --filter "
			    "patterns, which Criterion matches slowly\n", o->id);
	}
	if (!o->exited_zero)
		strbuf_addf(notes, "'%s': its --list ended with %s after listing its tests; running "
			    "them all the same\n", o->id, o->status);
	return 0;
}

/*
 * The command's own choice: --filter PATTERN (the last one wins) beats
 * CRITERION_TEST_PATTERN, as in Criterion; the cases it leaves out are
 * left out here, and the filter arguments are dropped (the shim chooses).
 * --fail-fast and --always-succeed change what the whole run means: such a
 * command runs whole.
 */
static int criterion_adopt(struct strvec *args, struct strvec *env, struct listing *l, struct strbuf *why)
{
	const char *pattern = strvec_getenv(env, "CRITERION_TEST_PATTERN");
	struct strvec kept = STRVEC_INIT;
	char *filter = NULL;

	if (!pattern && !strvec_has_unset(env, "CRITERION_TEST_PATTERN"))
		pattern = getenv("CRITERION_TEST_PATTERN");
	for (size_t i = 0; i < args->nr; i++) {
		const char *a = args->v[i];

		if (!strcmp(a, "--fail-fast") || !strcmp(a, "-f") || !strcmp(a, "--always-succeed")) {
			strbuf_addf(why, "its arguments have %s", a);
			strvec_clear(&kept);
			free(filter);
			return 1;
		}
		if (!strcmp(a, "--filter") && i + 1 < args->nr) {
			free(filter);
			filter = xstrdup(args->v[++i]);
		} else if (starts_with(a, "--filter=")) {
			free(filter);
			filter = xstrdup(a + strlen("--filter="));
		} else {
			strvec_push(&kept, a);
		}
	}
	if (filter)
		pattern = filter;
	if (pattern && *pattern) {
		for (size_t i = 0; i < l->n; i++)
			l->v[i].filtered = !criterion_pattern_match(pattern, l->v[i].name);
		strbuf_addf(why, "%s %s", filter ? "--filter" : "CRITERION_TEST_PATTERN=", pattern);
	}
	strvec_clear(args);
	*args = kept;
	free(filter);
	return 0;
}

const struct adapter adapter_criterion = {
	.name = "criterion",
	.flags = ADAPTER_PRELOAD,
	.recognise = criterion_recognise,
	.list_command = criterion_list_command,
	.parse_listing = criterion_parse_listing,
	.adopt_command = criterion_adopt,
	.run_batch = criterion_run_batch,
	.prestart = criterion_prestart,
};
