/*
 * test_markers.c - scheduling markers (runner/input/markers.c, markers-apply.c):
 * the records include/balrun.h compiles into this very test binary are
 * read back from its own file; damaged sections, bad values and bad flags
 * give one line naming the source; markers apply to the right tests, and
 * conflicts are errors naming both sources.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "balrun.h"
#include "elfprobe.h"
#include "markers.h"
#include "util.h"

/* Markers of this test binary itself (its tests are not named so: only the records matter). */
BALRUN_GROUP("db", "db/*");
BALRUN_SERIAL("perf/*");
BALRUN_LOCK("port-8080", "net/*");
BALRUN_WEIGHT(4, "heavy/*");
#define MY_SECONDS 2.5
BALRUN_TIMEOUT(MY_SECONDS, "slow/*");

static const struct marker *find(const struct marker_set *s, enum marker_kind kind)
{
	for (size_t i = 0; i < s->nr; i++)
		if (s->v[i].kind == kind)
			return &s->v[i];
	return NULL;
}

Test(section, own_binary_records_read_back)
{
	struct elf_probe p;
	struct strbuf err = STRBUF_INIT;
	struct marker_set s = MARKER_SET_INIT;
	const struct marker *m;

	cr_assert_eq(elf_probe("/proc/self/exe", &p, &err), 0, "%s", err.buf);
	cr_assert(p.markers.len > 0, "no balrun_markers section found");
	cr_assert_eq(markers_parse_section(&s, p.markers.buf, p.markers.len, 7, "tests/me", &err), 0, "%s",
		     err.buf);
	cr_expect_eq(s.nr, 5);
	m = find(&s, MARKER_GROUP);
	cr_assert(m);
	cr_expect_str_eq(m->name, "db");
	cr_expect_str_eq(m->pattern, "db/*");
	cr_expect_eq(m->binary, 7);
	cr_expect_eq(m->origin, MARKER_FROM_SOURCE);
	cr_expect(strstr(m->where, "BALRUN_GROUP at test_markers.c:"), "%s", m->where);
	cr_expect(strstr(m->where, "in 'tests/me'"), "%s", m->where);
	cr_expect_str_eq(find(&s, MARKER_LOCK)->name, "port-8080");
	cr_expect_eq(find(&s, MARKER_WEIGHT)->value, 4);
	cr_expect_eq(find(&s, MARKER_TIMEOUT)->value, 2.5, "a macro expands before stringification");
	cr_expect_str_eq(find(&s, MARKER_SERIAL)->pattern, "perf/*");
	marker_set_release(&s);
	elf_probe_release(&p);
	strbuf_release(&err);
}

#define REC(kind, arg, pat) "balrun1\0" kind "\0" arg "\0" pat "\0t.c:3\0"

static int parse(const char *data, size_t len, struct strbuf *err, struct marker_set *s)
{
	strbuf_reset(err);
	return markers_parse_section(s, data, len, 0, "bin/x", err);
}

Test(section, padding_between_records_is_skipped)
{
	static const char data[] = "\0\0" REC("lock", "a", "x/*") "\0\0\0\0" REC("serial", "", "y");
	struct strbuf err = STRBUF_INIT;
	struct marker_set s = MARKER_SET_INIT;

	cr_assert_eq(parse(data, sizeof(data), &err, &s), 0, "%s", err.buf);
	cr_expect_eq(s.nr, 2);
	cr_expect_str_eq(s.v[1].where, "BALRUN_SERIAL at t.c:3 in 'bin/x'");
	marker_set_release(&s);
	strbuf_release(&err);
}

static void expect_bad_section(const char *data, size_t len, const char *needle)
{
	struct strbuf err = STRBUF_INIT;
	struct marker_set s = MARKER_SET_INIT;

	cr_expect_eq(parse(data, len, &err, &s), -1, "accepted; wanted '%s'", needle);
	cr_expect(strstr(err.buf, needle), "'%s' lacks '%s'", err.buf, needle);
	cr_expect(strstr(err.buf, "bin/x"), "names the binary: %s", err.buf);
	cr_expect(!strchr(err.buf, '\n'), "one line: %s", err.buf);
	marker_set_release(&s);
	strbuf_release(&err);
}

Test(section, bad_sections_are_errors)
{
	static const char rec[] = REC("group", "g", "p");
	static const char v2[] = "balrun2\0group\0g\0p\0t.c:1";
	static const char kind[] = REC("colour", "red", "p");
	static const char weight[] = REC("weight", "2 * 2", "p");
	static const char zero[] = REC("weight", "0", "p");
	static const char secs[] = REC("timeout", "-1", "p");
	static const char nopat[] = REC("serial", "", "");
	static const char noname[] = REC("lock", "", "p");

	for (size_t cut = 1; cut < sizeof(rec) - 1; cut++)	/* every truncation */
		expect_bad_section(rec, cut, "damaged balrun_markers section");
	expect_bad_section("garbage", 8, "damaged");
	expect_bad_section(v2, sizeof(v2), "unknown version 'balrun2'");
	expect_bad_section(kind, sizeof(kind), "unknown marker kind 'colour'");
	expect_bad_section(weight, sizeof(weight), "weight '2 * 2' is not a whole number");
	expect_bad_section(zero, sizeof(zero), "weight '0'");
	expect_bad_section(secs, sizeof(secs), "timeout '-1' is not a positive number");
	expect_bad_section(nopat, sizeof(nopat), "empty test pattern");
	expect_bad_section(noname, sizeof(noname), "the lock has no name");
}

Test(cli, flags)
{
	struct strbuf err = STRBUF_INIT;
	struct marker_set s = MARKER_SET_INIT;

	cr_assert_eq(markers_add_cli(&s, "--group", "db=*::db/*", &err), 0, "%s", err.buf);
	cr_assert_eq(markers_add_cli(&s, "--serial", "*::perf=*", &err), 0, "%s", err.buf);
	cr_assert_eq(markers_add_cli(&s, "--weight", "3=*::heavy*", &err), 0, "%s", err.buf);
	cr_expect_str_eq(s.v[0].name, "db");
	cr_expect_str_eq(s.v[0].pattern, "*::db/*");
	cr_expect_str_eq(s.v[0].where, "--group db=*::db/*");
	cr_expect_eq(s.v[0].origin, MARKER_FROM_CLI);
	cr_expect_str_eq(s.v[1].pattern, "*::perf=*", "--serial takes the whole value as the pattern");
	cr_expect_eq(s.v[2].value, 3);
	cr_expect_eq(s.v[2].binary, -1);

	cr_expect_eq(markers_add_cli(&s, "--group", "nopattern", &err), -1);
	cr_expect_str_eq(err.buf, "--group: 'nopattern' is not NAME=PATTERN");
	strbuf_reset(&err);
	cr_expect_eq(markers_add_cli(&s, "--weight", "many=x", &err), -1);
	cr_expect(strstr(err.buf, "--weight many=x: weight 'many' is not a whole number"), "%s", err.buf);
	strbuf_reset(&err);
	cr_expect_eq(markers_add_cli(&s, "--lock", "=x", &err), -1);
	cr_expect(strstr(err.buf, "--lock =x: the lock has no name"), "%s", err.buf);
	strbuf_reset(&err);
	cr_expect_eq(markers_add_cli(&s, "--group", "g=", &err), -1);
	cr_expect(strstr(err.buf, "empty test pattern"), "%s", err.buf);
	cr_expect_eq(s.nr, 3);
	marker_set_release(&s);
	strbuf_release(&err);
}

/* The apply and print suites share one run, marker set and error buffer (fresh per test). */
static struct run r;
static struct marker_set s = MARKER_SET_INIT;
static struct strbuf err = STRBUF_INIT;

static void make_run(struct run *run);

static void setup(void)
{
	make_run(&r);
}

static void teardown(void)
{
	marker_set_release(&s);
	run_release(&r);
	strbuf_release(&err);
}

TestSuite(apply, .init = setup, .fini = teardown);
TestSuite(print, .init = setup, .fini = teardown);

/* Two binaries, bin/a (Criterion-like) and bin/b. */
static void make_run(struct run *run)
{
	static const char *const a[] = { "db/one", "db/two", "net/x", "heavy/h", "free/f" };
	run_init(run);
	for (int i = 0; i < 2; i++) {
		struct binary *b = run_add_binary(run);
		b->id = xstrdup(i ? "bin/b" : "bin/a");
		b->adapter = adapter_by_name("criterion");
	}
	for (size_t i = 0; i < ARRAY_SIZE(a); i++)
		run_add_test(run, 0, a[i]);
	run_add_test(run, 1, "db/one");
	run_add_test(run, 1, "other/t");
}

static struct test_case *test(const char *id)
{
	for (size_t i = 0; i < r.ntests; i++)
		if (!strcmp(r.tests[i].id, id))
			return &r.tests[i];
	cr_assert_fail("no test %s", id);
	return NULL;
}

static void add(enum marker_kind k, const char *arg, const char *pat, int64_t bin, const char *where)
{
	cr_assert_eq(markers_add(&s, k, arg, pat, bin >= 0 ? MARKER_FROM_SOURCE : MARKER_FROM_CONFIG, bin,
				 where, &err), 0, "%s", err.buf);
}

Test(apply, source_markers_stay_in_their_binary_config_markers_see_ids)
{

	add(MARKER_GROUP, "db", "db/*", 0, "src a");
	add(MARKER_GROUP, "db", "db/one", 0, "src a again");   /* same group twice: fine */
	add(MARKER_LOCK, "port", "net/*", 0, "src a");
	add(MARKER_LOCK, "disk", "*::other/*", -1, "conf");
	add(MARKER_LOCK, "port", "bin/b::*", -1, "conf");
	add(MARKER_SERIAL, NULL, "heavy/*", 0, "src");
	add(MARKER_WEIGHT, "2", "*::heavy/h", -1, "conf");
	add(MARKER_TIMEOUT, "9", "bin/a::free/*", -1, "conf");
	cr_assert_eq(markers_apply(&s, &r, &err), 0, "%s", err.buf);

	cr_expect_eq(s.ngroups, 1);
	cr_expect_eq(test("bin/a::db/one")->group, 1);
	cr_expect_eq(test("bin/a::db/two")->group, 1);
	cr_expect_eq(test("bin/b::db/one")->group, 0, "bin/a's source marker does not reach bin/b");
	cr_expect_eq(s.nlocks, 2);
	cr_expect_str_eq(s.locks[0], "port");
	cr_expect_eq(test_locks(test("bin/a::net/x")), 1);
	cr_expect_eq(test_locks(test("bin/b::other/t")), 3, "port (bit 0) and disk (bit 1)");
	cr_expect_eq(test_locks(test("bin/b::db/one")), 1);
	cr_expect(test("bin/a::heavy/h")->serial);
	cr_expect_eq(test("bin/a::heavy/h")->weight, 2);
	cr_expect_eq(test_timeout(test("bin/a::free/f")), 9);
	cr_expect_eq(test_timeout(test("bin/a::net/x")), 0);
	cr_expect_eq(test("bin/a::free/f")->group + test_locks(test("bin/a::free/f")), 0);
	cr_expect_null(test("bin/a::db/two")->more, "no lock, no time limit: nothing beside the record");
	cr_expect_eq(s.v[0].hits, 2);
}

Test(apply, conflicts_name_the_test_and_both_sources)
{

	add(MARKER_GROUP, "db", "db/*", 0, "BALRUN_GROUP at a.c:3 in 'bin/a'");
	add(MARKER_GROUP, "net", "bin/a::db/two", -1, ".balrun.conf: group.net.tests = bin/a::db/two");
	add(MARKER_WEIGHT, "2", "*::heavy/*", -1, "w2");
	add(MARKER_WEIGHT, "3", "bin/a::heavy/h", -1, "w3");
	cr_assert_eq(markers_apply(&s, &r, &err), -1);
	cr_expect(strstr(err.buf, "'bin/a::db/two' has group 'db' (BALRUN_GROUP at a.c:3 in 'bin/a') and "
			 "group 'net' (.balrun.conf: group.net.tests = bin/a::db/two)\n"), "%s", err.buf);
	cr_expect(strstr(err.buf, "'bin/a::heavy/h' has weight 2 (w2) and weight 3 (w3)"), "%s", err.buf);
	cr_expect(!strstr(err.buf, "db/one"), "db/one is only in 'db': %s", err.buf);
}

Test(apply, more_than_64_locks_is_an_error)
{
	char name[16];

	for (int i = 0; i < 65; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		add(MARKER_LOCK, name, "*", -1, "conf");
	}
	add(MARKER_LOCK, "l3", "*", -1, "conf");
	cr_assert_eq(markers_apply(&s, &r, &err), -1);
	cr_expect(strstr(err.buf, "lock 'l64' is one more than the 64 named locks"), "%s", err.buf);
}

Test(apply, weight_above_workers_only_for_selected_tests)
{

	add(MARKER_WEIGHT, "4", "*::heavy/*", -1, "--weight 4=*::heavy/*");
	cr_assert_eq(markers_apply(&s, &r, &err), 0, "%s", err.buf);
	cr_expect_eq(markers_check_weight(&s, &r, 4, &err), 0);
	cr_expect_eq(markers_check_weight(&s, &r, 3, &err), -1);
	cr_expect_str_eq(err.buf, "'bin/a::heavy/h' has weight 4 (--weight 4=*::heavy/*), more than the "
			 "3 workers (see -n)");
	test("bin/a::heavy/h")->selected = 0;
	strbuf_reset(&err);
	cr_expect_eq(markers_check_weight(&s, &r, 1, &err), 0, "%s", err.buf);
}

Test(apply, unused_source_and_cli_markers_warn_config_ones_do_not)
{
	struct strbuf warn = STRBUF_INIT;

	add(MARKER_SERIAL, NULL, "nothing/*", 1, "BALRUN_SERIAL at b.c:1 in 'bin/b'");
	add(MARKER_SERIAL, NULL, "other/binary::*", -1, "conf");
	cr_assert_eq(markers_add_cli(&s, "--lock", "l=typo::*", &err), 0);
	cr_assert_eq(markers_resolve(&s, &r, &warn, &err), 0, "%s", err.buf);
	cr_expect_str_eq(warn.buf,
			 "BALRUN_SERIAL at b.c:1 in 'bin/b': pattern 'nothing/*' matches no test of its binary\n"
			 "--lock l=typo::*: pattern 'typo::*' matches no test\n");
	strbuf_release(&warn);
}

Test(print, list_markers_shows_each_marker_and_its_source)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	add(MARKER_GROUP, "db", "db/one", 0, "src");
	add(MARKER_TIMEOUT, "1.5", "bin/a::db/one", -1, "conf");
	cr_assert_eq(markers_apply(&s, &r, &err), 0);
	test("bin/b::other/t")->selected = 0;
	markers_print(&s, &r, out);
	fclose(out);
	cr_expect(strstr(buf, "bin/a::db/one\n    group 'db'               from src\n"
			      "    timeout 1.5s             from conf\nbin/a::db/two\n"), "%s", buf);
	cr_expect(!strstr(buf, "other/t"), "unselected tests are not listed: %s", buf);
	free(buf);
}
