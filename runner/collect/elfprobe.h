/*
 * elfprobe.h - read what a test binary is made of (with libelf), never by
 * running it:
 *
 *   facts:     ELF or script, the libraries it needs, the symbols it
 *              defines or references: what the adapters recognise a
 *              framework by (adapters/adapter.h)
 *   markers:   the "balrun_markers" section's bytes, parsed by markers.c
 *   sanitizer runtimes the binary needs (libasan.so.8, libtsan.so.2,
 *              libclang_rt.asan-x86_64.so, ...) must come first in
 *              LD_PRELOAD, or ASan aborts the binary
 */
#ifndef BALRUN_ELFPROBE_H
#define BALRUN_ELFPROBE_H

#include "adapter.h"
#include "strbuf.h"

struct elf_probe {
	struct binary_facts facts;
	struct strbuf sanitizers;  /* ':'-separated sanitizer sonames from DT_NEEDED, ASan's first */
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
