/*
 * elfprobe.c - read an ELF file's dynamic section and symbol tables; see
 * elfprobe.h.
 */
#include "elfprobe.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/*
 * Sanitizer runtimes, by the start of their soname: gcc links them as
 * shared libraries (libasan.so.8), clang only with -shared-libsan
 * (libclang_rt.asan-x86_64.so; by default clang links its runtime into the
 * executable, which then needs nothing in LD_PRELOAD).  Rank 0 must be the
 * very first object loaded (ASan and HWASan abort otherwise: "ASan runtime
 * does not come first in initial library list"); the others go after them,
 * still before balrun's shim.  A binary needs at most one of rank 0.
 */
static const struct { const char *prefix; int rank; } sanitizer_libs[] = {
	{ "libasan.so", 0 }, { "libhwasan.so", 0 }, { "libclang_rt.asan", 0 },
	{ "libclang_rt.hwasan", 0 }, { "libtsan.so", 1 }, { "libclang_rt.tsan", 1 },
	{ "liblsan.so", 1 }, { "libclang_rt.lsan", 1 }, { "libubsan.so", 1 },
	{ "libclang_rt.ubsan", 1 }, { "libclang_rt.msan", 1 },
};

/*
 * The runtimes stay sonames: the dynamic loader resolves a name without a
 * slash in LD_PRELOAD as it resolves the executable's DT_NEEDED (its RPATH
 * or RUNPATH, $ORIGIN, the test's own LD_LIBRARY_PATH, ld.so.cache), in the
 * test's environment, which balrun cannot see when it collects.
 */
static void note_needed(struct elf_probe *p, const char *lib)
{
	strvec_push(&p->facts.needed, lib);
	for (size_t i = 0; i < ARRAY_SIZE(sanitizer_libs); i++) {
		if (!starts_with(lib, sanitizer_libs[i].prefix))
			continue;
		if (sanitizer_libs[i].rank == 0 && p->sanitizers.len) {
			char *rest = strbuf_detach(&p->sanitizers, NULL);

			strbuf_addf(&p->sanitizers, "%s:%s", lib, rest);
			free(rest);
		} else {
			if (p->sanitizers.len)
				strbuf_addch(&p->sanitizers, ':');
			strbuf_adds(&p->sanitizers, lib);
		}
		break;
	}
}

static void scan_dynamic(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct elf_probe *p)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data && i < n; i++) {
		GElf_Dyn dyn;
		const char *name;
		if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag != DT_NEEDED)
			continue;
		name = elf_strptr(elf, sh->sh_link, dyn.d_un.d_val);
		if (name)
			note_needed(p, name);
	}
}

/* Every named symbol, defined or only referenced. */
static void scan_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, struct elf_probe *p)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n = sh->sh_entsize ? sh->sh_size / sh->sh_entsize : 0;

	for (size_t i = 0; data && i < n; i++) {
		GElf_Sym sym;
		const char *name;
		if (!gelf_getsym(data, (int)i, &sym))
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (name && name[0])
			facts_add_symbol(&p->facts, name, sym.st_shndx != SHN_UNDEF);
	}
}

/* Copy the marker section written by include/balrun.h (parsed by markers.c). */
static void read_markers(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh, size_t shstrndx, struct elf_probe *p)
{
	const char *name = elf_strptr(elf, shstrndx, sh->sh_name);
	Elf_Data *data = NULL;

	if (!name || strcmp(name, "balrun_markers") || sh->sh_type != SHT_PROGBITS)
		return;
	while ((data = elf_getdata(scn, data)))
		if (data->d_buf)
			strbuf_add(&p->markers, data->d_buf, data->d_size);
}

static int probe_elf(int fd, const char *path, struct elf_probe *p, struct strbuf *err)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstrndx = 0;

	if (elf_version(EV_CURRENT) == EV_NONE) {
		strbuf_addf(err, "cannot initialise libelf: %s", elf_errmsg(-1));
		return -1;
	}
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		strbuf_addf(err, "'%s' looks like an ELF file but cannot be read: %s", path, elf_errmsg(-1));
		elf_end(elf);
		return -1;
	}
	p->facts.is_elf = eh.e_type == ET_EXEC || eh.e_type == ET_DYN;
	if (elf_getshdrstrndx(elf, &shstrndx))
		shstrndx = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_DYNAMIC)
			scan_dynamic(elf, scn, &sh, p);
		else if (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB)
			scan_symbols(elf, scn, &sh, p);
		else if (shstrndx)
			read_markers(elf, scn, &sh, shstrndx, p);
	}
	facts_sort(&p->facts);
	elf_end(elf);
	return 0;
}

int elf_probe(const char *path, struct elf_probe *p, struct strbuf *err)
{
	unsigned char magic[4] = { 0 };
	int fd, ret = 0;
	ssize_t n;

	memset(p, 0, sizeof(*p));
	facts_init(&p->facts);
	strbuf_init(&p->sanitizers, 0);
	strbuf_init(&p->markers, 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(err, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	n = read_retry(fd, magic, sizeof(magic));
	if (n >= 2 && magic[0] == '#' && magic[1] == '!')
		p->facts.is_script = 1;
	else if (n == 4 && !memcmp(magic, ELFMAG, SELFMAG))
		ret = probe_elf(fd, path, p, err);
	close(fd);
	return ret;
}

void elf_probe_release(struct elf_probe *p)
{
	facts_release(&p->facts);
	strbuf_release(&p->sanitizers);
	strbuf_release(&p->markers);
}
