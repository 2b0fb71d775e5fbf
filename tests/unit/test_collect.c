/*
 * test_collect.c - the pieces of collection that can be tested without
 * running balrun: Criterion listing parser, ELF probing of real fixture
 * binaries, ids relative to the repository root, and name elision.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "preload.h"
#include "elfprobe.h"
#include "repo.h"
#include "status.h"

/* Parse text; names of the listing joined as "suite/name\n" lines, "!" before disabled ones. */
static long parse(const char *text, struct strbuf *names, struct strbuf *err)
{
	struct listing l = { 0 };
	long n;

	strbuf_reset(names);
	strbuf_reset(err);
	n = collect_parse_criterion(text, &l, err);
	for (size_t i = 0; n >= 0 && i < l.n; i++)
		strbuf_addf(names, "%s%s\n", l.v[i].disabled ? "!" : "", l.v[i].name);
	listing_release(&l);
	return n;
}

Test(criterion_list, ascii_tree_with_disabled_tests)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	const char *text = "math: 3 tests\n|-- add\n|-- bad (skipped)\n`-- sub\nio: 1 test\n`-- read\n";
	cr_assert_eq(parse(text, &names, &err), 4, "%s", err.buf);
	cr_expect_str_eq(names.buf, "math/add\n!math/bad\nmath/sub\nio/read\n");
	strbuf_release(&names);
	strbuf_release(&err);
}

Test(criterion_list, utf8_tree)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	const char *text = "s: 2 tests\n\u251c\u2500\u2500 a\n\u2514\u2500\u2500 b\n";
	cr_assert_eq(parse(text, &names, &err), 2, "%s", err.buf);
	cr_expect_str_eq(names.buf, "s/a\ns/b\n");
	strbuf_release(&names);
	strbuf_release(&err);
}

Test(criterion_list, empty_listing_is_zero_tests)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	cr_expect_eq(parse("", &names, &err), 0);
	strbuf_release(&names);
	strbuf_release(&err);
}

/* A library constructor's banner around the listing is not part of it (issue 8, item 7). */
Test(criterion_list, banner_lines_around_the_listing_are_left_out)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	const char *text = "libfoo 1.2 starting up\nmath: 2 tests\n|-- add\n`-- sub\nbye from libfoo\n";
	cr_assert_eq(parse(text, &names, &err), 2, "%s", err.buf);
	cr_expect_str_eq(names.buf, "math/add\nmath/sub\n");
	strbuf_release(&names);
	strbuf_release(&err);
}

Test(criterion_list, foreign_text_is_rejected)
{
	struct strbuf names = STRBUF_INIT, err = STRBUF_INIT;
	cr_expect_eq(parse("usage: foo [options]\n", &names, &err), -1);
	cr_expect(strstr(err.buf, "holds no test listing"), "%s", err.buf);
	cr_expect_eq(parse("s: 3 tests\n|-- a\n", &names, &err), -1, "count mismatch accepted");
	cr_expect(strstr(err.buf, "ends 2 tests short"), "%s", err.buf);
	cr_expect_eq(parse("|-- orphan\n", &names, &err), -1, "item before any suite accepted");
	cr_expect_eq(parse("s: 2 tests\n|-- a\nnoise\n`-- b\n", &names, &err), -1,
		     "a suite cut by another line accepted");
	strbuf_release(&names);
	strbuf_release(&err);
}

/* cmocka: percent-encoded records; any byte but NUL in a name (issue 8, item 5). */
Test(cmocka_list, records_decode_to_any_bytes)
{
	struct listing l = { 0 };
	struct strbuf err = STRBUF_INIT;
	const char *text = "G tests\nT a\nT two%0Alines\nG tests\nT a\nT 100%25%20sure\n";

	cr_assert_eq(collect_parse_cmocka(text, strlen(text), &l, &err), 0, "%s", err.buf);
	cr_assert_eq(l.n, 4);
	cr_assert_eq(l.nscopes, 2);
	cr_expect_str_eq(l.v[1].name, "tests/two\nlines");
	cr_expect_str_eq(l.v[3].name, "tests/100% sure");
	cr_expect_eq(l.v[2].scope, 1);
	cr_expect_eq(l.v[2].check, preload_check("tests", "a"));
	listing_release(&l);
	const char *bad[] = { "T orphan\n", "G g\nT a%0\n", "G g\nT a%00\n", "G g\nX a\n", "G g\nT a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		strbuf_reset(&err);
		cr_expect_eq(collect_parse_cmocka(bad[i], strlen(bad[i]), &l, &err), -1, "%s", bad[i]);
		listing_release(&l);
	}
	strbuf_release(&err);
}

static void probe(const char *name, struct elf_probe *p)
{
	struct strbuf err = STRBUF_INIT;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	cr_assert_eq(elf_probe(path, p, &err), 0, "%s", err.buf);
	strbuf_release(&err);
}

Test(elfprobe, kinds_of_real_binaries)
{
	struct elf_probe p;

	probe("crit_basic", &p);
	cr_expect(p.is_elf && p.criterion && p.cmocka == PROBE_CMOCKA_NONE);
	elf_probe_release(&p);
	probe("cmocka_basic", &p);
	cr_expect(p.is_elf && !p.criterion && p.cmocka == PROBE_CMOCKA_SHARED);
	elf_probe_release(&p);
	probe("cmocka_static", &p);
	cr_expect(p.is_elf && p.cmocka == PROBE_CMOCKA_STATIC);
	elf_probe_release(&p);
	probe("plain_pass", &p);
	cr_expect(p.is_elf && !p.criterion && p.cmocka == PROBE_CMOCKA_NONE);
	elf_probe_release(&p);
	probe("plain_script.sh", &p);
	cr_expect(!p.is_elf && p.is_script);
	elf_probe_release(&p);
	probe("not_elf", &p);
	cr_expect(!p.is_elf && !p.is_script);
	elf_probe_release(&p);
}

Test(elfprobe, unreadable_and_truncated_files)
{
	struct elf_probe p;
	struct strbuf err = STRBUF_INIT;
	char path[] = "/tmp/balrun-elf.XXXXXX";
	int fd = mkstemp(path);

	cr_expect_eq(elf_probe("/nonexistent/x", &p, &err), -1);
	cr_expect(strstr(err.buf, "cannot open '/nonexistent/x'"), "%s", err.buf);
	elf_probe_release(&p);
	/* an ELF magic with nothing after it must not crash the probe */
	cr_assert(write(fd, "\177ELF\2\1\1", 7) == 7);
	close(fd);
	strbuf_reset(&err);
	int r = elf_probe(path, &p, &err);
	cr_expect(r == -1 || !p.is_elf, "a 7-byte file was taken for an executable");
	elf_probe_release(&p);
	unlink(path);
	strbuf_release(&err);
}

Test(repo, ids_are_relative_to_the_root)
{
	struct repo_info info = { .root = "/work/repo" };
	char *s = repo_relative(&info, "/work/repo/build/tests/t1");
	cr_expect_str_eq(s, "build/tests/t1");
	free(s);
	s = repo_relative(&info, "/work/repository/t2");	/* a prefix, not a parent */
	cr_expect(strcmp(s, "repository/t2") && strstr(s, "t2"), "%s", s);
	free(s);
}

Test(status, elide_middle)
{
	char buf[64];
	cr_expect_str_eq(status_elide_middle("short", 10, buf, sizeof(buf)), "short");
	cr_expect_str_eq(status_elide_middle("abcdefghijklmnop", 10, buf, sizeof(buf)), "abc...mnop");
	cr_expect_eq(strlen(status_elide_middle("abcdefghijklmnopqrstuvwxyz", 11, buf, sizeof(buf))), 11);
}
