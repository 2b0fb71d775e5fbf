/*
 * collect.c - check arguments and registered commands, detect each
 * binary's framework; see collect.h.  Listing them is listing.c's.
 */
#define _GNU_SOURCE
#include "collect-internal.h"

#include <errno.h>
#include <limits.h>
#include <search.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapter.h"
#include "elfprobe.h"
#include "libtool.h"
#include "preload.h"
#include "proc.h"
#include "strvec.h"
#include "util.h"

static int check_argument(const char *arg, struct strbuf *err)
{
	struct stat st;

	if (stat(arg, &st) < 0) {
		strbuf_addf(err, "'%s': %s\n", arg,
			    errno == ENOENT ? "no such file" : strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "'%s' is a directory, not a test binary (name the binaries in it)\n", arg);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		strbuf_addf(err, "'%s' is not a regular file\n", arg);
		return -1;
	}
	if (access(arg, X_OK) < 0) {
		strbuf_addf(err, "'%s' is not executable (chmod +x it, or build it first)\n", arg);
		return -1;
	}
	return 0;
}

/* Which adapter runs the binary, and with what LD_PRELOAD. */
static void classify(struct binary *b, const struct elf_probe *p, const struct collect_opts *o,
		     struct strbuf *notes)
{
	const char *shim = o->shim;
	struct strbuf note = STRBUF_INIT;

	if (b->cmd.whole)
		b->adapter = adapter_by_name("plain");
	else if (!b->cmd.framework && (b->conf = conf_frameworks_match(o->frameworks, b->abspath)))
		b->adapter = adapter_by_name("configured");
	else if (b->cmd.framework && !(b->adapter = adapter_by_name(b->cmd.framework))) {
		strbuf_addf(&note, "%s: no adapter for framework '%s': it runs whole\n",
			    b->id, b->cmd.framework);
		b->adapter = adapter_by_name("plain");
	} else if (!b->cmd.framework)
		b->adapter = adapter_recognise(&p->facts, b->id, &note);
	if (note.len) {
		strbuf_add(notes, note.buf, note.len);
		b->note = xstrndup(note.buf, strcspn(note.buf, "\n"));
	}
	strbuf_release(&note);
	if (b->adapter->flags & ADAPTER_PRELOAD)
		b->preload = p->sanitizers.len ? xasprintf("%s:%s", p->sanitizers.buf, shim) : xstrdup(shim);
	else
		b->preload = xstrdup("");
}

/* PATH as the command will see it: its own environment change, else balrun's. */
static const char *command_path_var(const struct test_command *c)
{
	const char *path = getenv("PATH");

	for (size_t i = 0; i < c->env.nr; i++)
		if (starts_with(c->env.v[i], "PATH="))
			path = c->env.v[i] + 5;
		else if (!strcmp(c->env.v[i], "PATH"))
			path = NULL;
	return path ? path : "/usr/bin:/bin";
}

/*
 * The file a registered command runs: a name with a slash is relative to
 * its working directory, a bare name is looked up on its PATH, as execvp
 * would.  Returned as a path balrun can check (malloc'd); NULL if a bare
 * name is found nowhere.
 */
static char *command_file(const struct test_command *c)
{
	const char *p;

	if (strchr(c->program, '/'))
		return c->program[0] == '/' || !c->cwd ? xstrdup(c->program) :
		       xasprintf("%s/%s", c->cwd, c->program);
	p = command_path_var(c);
	while (*p) {
		size_t n = strcspn(p, ":");
		char *file = xasprintf("%.*s%s%s", (int)n, p, n ? "/" : "", c->program);

		if (access(file, X_OK) == 0)
			return file;
		free(file);
		p += n + (p[n] == ':');
	}
	return NULL;
}

/* The program of command c, checked, as an absolute path; NULL with a line in errors. */
static char *command_resolve(const struct test_command *c, struct strbuf *errors)
{
	char *file, *abs;

	if (!c->origin) {
		if (check_argument(c->program, errors))
			return NULL;
		file = xstrdup(c->program);
	} else if (!(file = command_file(c))) {
		strbuf_addf(errors, "%s test '%s': its command '%s' is not found on its PATH\n", c->origin,
			    c->name, c->program);
		return NULL;
	} else if (access(file, X_OK) < 0) {
		strbuf_addf(errors, "%s test '%s': its command '%s' %s\n", c->origin, c->name, file,
			    errno == ENOENT ? "does not exist (is the project built?)" : "is not executable");
		free(file);
		return NULL;
	}
	abs = realpath(file, NULL);
	if (!abs)
		strbuf_addf(errors, "'%s': cannot resolve the path: %s\n", file, strerror(errno));
	free(file);
	return abs;
}

/* Add the binary of command c (moved into it).  0, or -1 with a line in errors. */
/*
 * The id of a registered test: its name, and "name#k" for the k-th test
 * of that name (CTest and meson names repeat across directories).  The
 * binary being added is the run's last.
 */
static char *collect_unique_id(const struct run *r, const char *name)
{
	unsigned k = 1;

	for (size_t i = 0; i + 1 < r->nbins; i++)
		k += r->bins[i].cmd.name && !strcmp(r->bins[i].cmd.name, name);
	return k > 1 ? xasprintf("%s#%u", name, k) : xstrdup(name);
}

/*
 * A registered test that will not run (DISABLED, or unrunnable: its
 * runner reports it without starting it): one test, nothing probed.
 */
static void add_idle_binary(struct run *r, struct test_command *c)
{
	struct binary *b = run_add_binary(r);

	b->cmd = *c;
	test_command_init(c);
	b->arg = xstrdup(b->cmd.program ? b->cmd.program : "");
	b->abspath = xstrdup(b->arg);
	b->id = collect_unique_id(r, b->cmd.name);
	b->adapter = adapter_by_name("plain");
	b->preload = xstrdup("");
}

static int add_binary(struct run *r, struct test_command *c, const struct collect_opts *o,
		      struct strbuf *errors, struct strbuf *notes)
{
	struct elf_probe probe;
	char *abs, *arg = c->program, *real, *id;
	struct binary *b;

	if (c->origin && (c->disabled || c->unrunnable)) {
		add_idle_binary(r, c);
		return 0;
	}
	if (!(abs = command_resolve(c, errors)))
		return -1;
	id = c->name ? NULL : repo_relative(o->repo, abs);	/* a wrapper's, not its program's */
	if ((real = libtool_see_through(c, abs, notes))) {
		free(abs);
		abs = real;
	}
	for (size_t i = 0; !c->origin && i < r->nbins; i++) {
		if (!r->bins[i].cmd.origin && !strcmp(r->bins[i].abspath, abs)) {
			free(abs);
			free(id);
			return 0;	/* named twice: collected once */
		}
	}
	if (elf_probe(abs, &probe, errors)) {
		strbuf_addch(errors, '\n');
		free(abs);
		free(id);
		return -1;
	}
	if (!probe.facts.is_elf && !probe.facts.is_script) {
		if (c->origin)
			strbuf_addf(errors, "%s test '%s': '%s' is neither an ELF executable nor a #! script\n",
				    c->origin, c->name, abs);
		else
			strbuf_addf(errors, "'%s' is not a test binary (neither an ELF executable nor a #! "
				    "script)\n", arg);
		elf_probe_release(&probe);
		free(abs);
		free(id);
		return -1;
	}
	b = run_add_binary(r);
	b->cmd = *c;
	test_command_init(c);
	b->arg = xstrdup(b->cmd.program);
	b->abspath = abs;
	b->id = b->cmd.name ? collect_unique_id(r, b->cmd.name) : id;
	classify(b, &probe, o, notes);
	if (probe.markers.len)
		b->markers = strbuf_detach(&probe.markers, &b->markers_len);
	elf_probe_release(&probe);
	return 0;
}

enum collect_status collect(struct run *r, struct test_command *cmds, size_t n,
			    const struct collect_opts *o, struct strbuf *errors, struct strbuf *notes)
{
	int bad = 0, registered = 0;

	for (size_t i = 0; i < n; i++) {
		registered |= cmds[i].origin != NULL;
		bad |= add_binary(r, &cmds[i], o, errors, notes) != 0;
	}
	if (bad)
		return registered ? COLLECT_ERROR : COLLECT_USAGE;
	return collect_list_all(r, o, errors, notes) ? COLLECT_ERROR : COLLECT_OK;
}
