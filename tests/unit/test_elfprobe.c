/*
 * test_elfprobe.c - reading real fixture binaries (collect/elfprobe.c):
 * what they are made of, as the adapters recognise them, and files that
 * are damaged or missing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "adapter.h"
#include "elfprobe.h"

/* 1 if the adapter the table picks for p is the one named. */
static int kind(const struct elf_probe *p, const char *name)
{
	struct strbuf notes = STRBUF_INIT;
	const struct adapter *a = adapter_recognise(&p->facts, "t", &notes);

	strbuf_release(&notes);
	return a && !strcmp(a->name, name);
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
	cr_expect(p.facts.is_elf && kind(&p, "criterion"));
	elf_probe_release(&p);
	probe("cmocka_basic", &p);
	cr_expect(p.facts.is_elf && kind(&p, "cmocka"));
	elf_probe_release(&p);
	probe("cmocka_static", &p);
	cr_expect(p.facts.is_elf && kind(&p, "plain"), "cmocka compiled in runs as one test");
	elf_probe_release(&p);
	probe("plain_pass", &p);
	cr_expect(p.facts.is_elf && kind(&p, "plain"));
	elf_probe_release(&p);
	probe("plain_script.sh", &p);
	cr_expect(!p.facts.is_elf && p.facts.is_script);
	elf_probe_release(&p);
	probe("not_elf", &p);
	cr_expect(!p.facts.is_elf && !p.facts.is_script);
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
	cr_expect(r == -1 || !p.facts.is_elf, "a 7-byte file was taken for an executable");
	elf_probe_release(&p);
	unlink(path);
	strbuf_release(&err);
}


/*
 * san_cmocka is built with -fsanitize=address,undefined by the build's C
 * compiler: gcc links libasan.so and libubsan.so (ASan's must come first);
 * clang links its runtime into the executable and needs none.
 */
Test(elfprobe, sanitizer_runtimes_asan_first)
{
	struct elf_probe p;

	probe("san_cmocka", &p);
	cr_expect(kind(&p, "cmocka"));
	if (facts_needs(&p.facts, "libasan.so")) {
		cr_expect(!strncmp(p.sanitizers.buf, "libasan.so.", 11), "%s", p.sanitizers.buf);
		cr_expect(!facts_needs(&p.facts, "libubsan.so") || strstr(p.sanitizers.buf, ":libubsan.so."),
			  "%s", p.sanitizers.buf);
	} else {
		cr_expect_eq(p.sanitizers.len, 0, "%s", p.sanitizers.buf);
	}
	elf_probe_release(&p);
	probe("cmocka_basic", &p);
	cr_expect_eq(p.sanitizers.len, 0);
	elf_probe_release(&p);
}
