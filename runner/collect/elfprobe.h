/*
 * elfprobe.h - tell what kind of test binary a file is, by reading it (with
 * libelf), never by running it.
 *
 *   Criterion: references or defines criterion_run_all_tests /
 *              criterion_initialize, or needs libcriterion.
 *   cmocka:    _cmocka_run_group_tests undefined and libcmocka needed: the
 *              preload shim can list and select its tests; defined inside the
 *              binary: cmocka was compiled in, the shim would be bypassed.
 *   markers:   the "balrun_markers" section's bytes, parsed by markers.c.
 *   sanitizer runtimes the binary needs (libasan.so.8, libtsan.so.2, ...)
 *              must come first in LD_PRELOAD, or they abort the binary.
 */
#ifndef BALRUN_ELFPROBE_H
#define BALRUN_ELFPROBE_H

#include "strbuf.h"

enum probe_cmocka {
	PROBE_CMOCKA_NONE = 0,
	PROBE_CMOCKA_SHARED,   /* interposable */
	PROBE_CMOCKA_STATIC,   /* compiled in: run as one test */
};

struct elf_probe {
	int is_elf;            /* an ELF executable (or PIE) */
	int is_script;         /* starts with "#!" */
	int criterion;
	enum probe_cmocka cmocka;
	struct strbuf sanitizers;  /* ':'-separated sanitizer runtimes from DT_NEEDED, in order */
	struct strbuf markers;     /* bytes of the "balrun_markers" section (include/balrun.h), if any */
};

/*
 * Probe path.  0 on success (even for a file that is neither ELF nor
 * script: both flags are 0 then); -1 with err if it cannot be read or is a
 * damaged ELF file.  Release with elf_probe_release.
 */
int elf_probe(const char *path, struct elf_probe *p, struct strbuf *err);
void elf_probe_release(struct elf_probe *p);

#endif
