/*
 * glib.c - the GLib adapter (GTest: g_test_init, g_test_add_func, ...):
 * recognising a GTest binary, listing its test paths, and honouring a
 * registered command's own choice of tests.  Running a batch is glib-run.c
 * and glib-lines.c.
 *
 * Recognising.  A dynamic GTest binary references g_test_init and
 * g_test_run (or g_test_run_suite) from libglib in its dynamic symbol
 * table, which survives strip; a static one defines them.  libglib alone is
 * not enough: any GLib program links it.
 *
 * Listing.  `BIN -l` prints the paths in the order a serial run runs them,
 * but through the locale's charset: balrun lists under LC_ALL=C, where
 * every non-ASCII character becomes '?', and "-p" needs the real bytes.  So
 * the listing also asks for --GTestLogFD on the collector's event fd, where
 * GLib writes binary records (big-endian u32 length, type, string count,
 * number count, reserved; each string as u32 length + bytes; numbers as
 * doubles), one LIST_CASE record per path with its exact bytes; those are
 * the listing.  A test's scope is its suite (the path up to its last '/').
 * A path that is also a suite holding tests ("/odd" beside "/odd/x") is
 * marked in its check (GL_CHECK_SUITE): "-p /odd" runs those too, so the
 * worker has to keep them out (glib-run.c).  Paths containing "/subprocess"
 * are never listed: GLib runs them only when a test asks for them
 * (g_test_trap_subprocess), exactly as balrun does.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "glib-internal.h"
#include "preload.h"
#include "util.h"

static int glib_recognise(const struct binary_facts *f, const char *id, struct strbuf *note)
{
	(void)id;
	(void)note;
	return facts_symbol(f, "g_test_init") &&
	       (facts_symbol(f, "g_test_run") || facts_symbol(f, "g_test_run_suite"));
}

static void glib_list_command(struct strvec *argv, struct strvec *env)
{
	(void)env;
	strvec_push(argv, "-l");
	strvec_pushf(argv, "--GTestLogFD=%d", PRELOAD_EVENT_FD);
}

static uint32_t gl_u32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 | (uint32_t)u[2] << 8 | u[3];
}

/*
 * One record at buf[0..len): its length, and for a LIST_CASE record its
 * path (malloc'd) in *path.  0 if the record is damaged or cut short.
 */
static size_t gl_record(const char *buf, size_t len, char **path)
{
	uint32_t total, type, nstr, nnum;
	size_t p = 20;

	*path = NULL;
	if (len < 20 || (total = gl_u32(buf)) < 20 || total > len)
		return 0;
	type = gl_u32(buf + 4);
	nstr = gl_u32(buf + 8);
	nnum = gl_u32(buf + 12);
	for (uint32_t i = 0; i < nstr; i++) {
		uint32_t sl;

		if (p + 4 > total || (sl = gl_u32(buf + p)) > total - p - 4)
			goto damaged;
		if (type == GL_LOG_LIST_CASE && i == 0 && !memchr(buf + p + 4, '\0', sl))
			*path = xstrndup(buf + p + 4, sl);
		p += 4 + sl;
	}
	if ((uint64_t)nnum * 8 > total - p)
		goto damaged;
	return total;
damaged:
	free(*path);
	*path = NULL;
	return 0;
}

static int gl_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Index of scope name in l (appended if new: a suite's paths may come back after -p passes). */
static uint32_t gl_scope(struct listing *l, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash && slash != path ? (size_t)(slash - path) : 1;

	for (size_t i = l->nscopes; i-- > 0;)
		if (strlen(l->scopes[i]) == n && !memcmp(l->scopes[i], path, n))
			return (uint32_t)i;
	listing_scope(l, xstrndup(path, n));
	return (uint32_t)(l->nscopes - 1);
}

/* Mark the paths that are also the suite of other listed paths (GL_CHECK_SUITE). */
static void gl_mark_suites(struct listing *l)
{
	char **suites = xcalloc(l->n ? l->n : 1, sizeof(*suites));
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		const char *slash = strrchr(l->v[i].name, '/');
		if (slash && slash != l->v[i].name)
			suites[n++] = xstrndup(l->v[i].name, (size_t)(slash - l->v[i].name));
	}
	qsort(suites, n, sizeof(*suites), gl_cmp_str);
	for (size_t i = 0; i < l->n; i++)
		if (n && bsearch(&l->v[i].name, suites, n, sizeof(*suites), gl_cmp_str))
			l->v[i].check |= GL_CHECK_SUITE;
	for (size_t i = 0; i < n; i++)
		free(suites[i]);
	free(suites);
}

static int gl_cmp_test(const void *a, const void *b, void *data)
{
	const struct listing *l = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(l->v[x].name, l->v[y].name);

	return c ? c : (x > y) - (x < y);
}

/* A path listed again (a repeated -p in the registered command) is listed once, where it came first. */
static void gl_drop_repeats(struct listing *l)
{
	size_t *by = xcalloc(l->n ? l->n : 1, sizeof(*by)), out = 0;
	unsigned char *drop = xcalloc(l->n ? l->n : 1, 1);

	for (size_t i = 0; i < l->n; i++)
		by[i] = i;
	qsort_r(by, l->n, sizeof(*by), gl_cmp_test, l);
	for (size_t i = 1; i < l->n; i++)
		drop[by[i]] = !strcmp(l->v[by[i]].name, l->v[by[i - 1]].name);
	for (size_t i = 0; i < l->n; i++) {
		if (drop[i])
			free(l->v[i].name);
		else
			l->v[out++] = l->v[i];
	}
	l->n = out;
	free(drop);
	free(by);
}

/* The LIST_CASE records, in order. */
static int gl_parse_records(const char *buf, size_t len, struct listing *l, struct strbuf *why)
{
	size_t off = 0;

	while (off < len) {
		char *path;
		size_t n = gl_record(buf + off, len - off, &path);

		if (!n) {
			strbuf_addf(why, "its --GTestLogFD records are damaged at byte %zu", off);
			return -1;
		}
		off += n;
		if (path)
			listing_test(l, path, 0)->scope = gl_scope(l, path);
	}
	gl_drop_repeats(l);
	return 0;
}

static int glib_parse_listing(const struct listing_output *o, struct listing *l, struct strbuf *why,
			      struct strbuf *notes)
{
	if (gl_parse_records(o->events, o->events_len, l, why))
		return -1;
	if (!o->exited_zero && !l->n) {
		strbuf_addf(why, "'%s -l' ended with %s", o->id, o->status);
		return -1;
	}
	/* main() may return what it likes after g_test_run(): the listing is whole */
	if (!o->exited_zero)
		strbuf_addf(notes, "'%s': its listing run ended with %s after listing its tests; "
			    "running them all the same\n", o->id, o->status);
	gl_mark_suites(l);
	return 0;
}

/* "-p X", "-p=X": X (a pointer into args), advancing *i past it; NULL if a is not flag. */
static const char *gl_flag_value(const struct strvec *args, size_t *i, const char *flag)
{
	const char *a = args->v[*i];
	size_t n = strlen(flag);

	if (strncmp(a, flag, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] || *i + 1 >= args->nr)
		return NULL;
	return args->v[++*i];
}

/* Skip arguments: -s PATH (exactly) and -x PREFIX (bytes) leave cases out. */
static void gl_filter(struct listing *l, const char *path, int prefix, struct strbuf *why)
{
	for (size_t i = 0; i < l->n; i++)
		if (prefix ? starts_with(l->v[i].name, path) : !strcmp(l->v[i].name, path))
			l->v[i].filtered = 1;
	strbuf_addf(why, "%s%s %s", why->len ? ", " : "", prefix ? "-x" : "-s", path);
}

/*
 * A registered command's own choice: -p and -r already chose what the
 * listing lists (it ran with them), --GTestSkipCount left its first tests
 * out of it too; -s and -x leave cases out here.  All of these are dropped
 * (balrun chooses with -p), and so is --GTestLogFD.  A command that lists
 * (-l) runs whole.
 */
static int glib_adopt(struct strvec *args, struct strvec *env, struct listing *l, struct strbuf *why)
{
	static const char *const chosen[] = { "-p", "-r", "--run-prefix", "--GTestSkipCount",
					      "--GTestLogFD" };
	struct strvec kept = STRVEC_INIT;
	const char *v;

	(void)env;
	for (size_t i = 0; i < args->nr; i++) {
		size_t k;

		if (!strcmp(args->v[i], "-l")) {
			strbuf_adds(why, "its arguments have -l");
			strvec_clear(&kept);
			return 1;
		}
		if ((v = gl_flag_value(args, &i, "-s")))
			gl_filter(l, v, 0, why);
		else if ((v = gl_flag_value(args, &i, "-x")) || (v = gl_flag_value(args, &i, "--skip-prefix")))
			gl_filter(l, v, 1, why);
		for (k = 0; !v && k < ARRAY_SIZE(chosen); k++)
			v = gl_flag_value(args, &i, chosen[k]);
		if (!v)
			strvec_push(&kept, args->v[i]);
	}
	strvec_clear(args);
	*args = kept;
	return 0;
}

const struct adapter adapter_glib = {
	.name = "glib",
	.flags = ADAPTER_CHECKS,
	.recognise = glib_recognise,
	.list_command = glib_list_command,
	.parse_listing = glib_parse_listing,
	.adopt_command = glib_adopt,
	.run_batch = glib_run_batch,
};
