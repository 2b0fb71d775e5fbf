/*
 * collect.c - check arguments, detect kinds, list tests; see collect.h.
 *
 * Listing runs every lister at once (at most LISTERS_AT_ONCE), reading their
 * pipes with poll() until each has exited and closed its pipes or its
 * deadline passed; a lister past its deadline is killed with its process
 * group.  Output kept per lister is bounded.
 */
#define _GNU_SOURCE
#include "collect.h"

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
#include "preload.h"
#include "proc.h"
#include "strvec.h"
#include "util.h"

#define LISTERS_AT_ONCE 8
#define LISTER_MAX_OUTPUT (16u << 20)

struct lister {
	uint32_t binary;
	struct proc proc;
	struct strbuf out;      /* stdout+stderr */
	struct strbuf events;   /* cmocka shim's event pipe */
	uint64_t deadline;
	pid_t pgid;
	int status;
	int reaped, timed_out;
};

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
static void classify(struct binary *b, const struct elf_probe *p, const char *shim, struct strbuf *notes)
{
	struct strbuf note = STRBUF_INIT;

	if (b->cmd.whole)
		b->adapter = adapter_by_name("plain");
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
	char *abs, *arg = c->program;
	struct binary *b;

	if (c->origin && (c->disabled || c->unrunnable)) {
		add_idle_binary(r, c);
		return 0;
	}
	if (!(abs = command_resolve(c, errors)))
		return -1;
	for (size_t i = 0; !c->origin && i < r->nbins; i++) {
		if (!r->bins[i].cmd.origin && !strcmp(r->bins[i].abspath, abs)) {
			free(abs);
			return 0;	/* named twice: collected once */
		}
	}
	if (elf_probe(abs, &probe, errors)) {
		strbuf_addch(errors, '\n');
		free(abs);
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
		return -1;
	}
	b = run_add_binary(r);
	b->cmd = *c;
	test_command_init(c);
	b->arg = xstrdup(b->cmd.program);
	b->abspath = abs;
	b->id = b->cmd.name ? collect_unique_id(r, b->cmd.name) : repo_relative(o->repo, abs);
	classify(b, &probe, o->shim, notes);
	if (probe.markers.len)
		b->markers = strbuf_detach(&probe.markers, &b->markers_len);
	elf_probe_release(&probe);
	return 0;
}

static int start_lister(struct lister *l, const struct binary *b, const struct collect_opts *o,
			struct strbuf *errors)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct proc_opts po = { 0 };
	char err[512];
	int ret;

	strvec_push(&argv, b->abspath);
	for (size_t i = 0; i < b->cmd.args.nr; i++)
		strvec_push(&argv, b->cmd.args.v[i]);
	strvec_env(&env, NULL);
	strvec_env_apply(&env, &b->cmd.env);
	strvec_setenv(&env, "LC_ALL", "C");
	if (*b->preload)
		strvec_env_prepend(&env, "LD_PRELOAD", b->preload, ':');
	b->adapter->list_command(&argv, &env);
	strvec_pushf(&env, "%s=%d", PRELOAD_ENV_FD, PRELOAD_EVENT_FD);
	po.extra_fd = PRELOAD_EVENT_FD;
	po.file = b->abspath;
	po.cwd = b->cmd.cwd;
	po.argv = argv.v;
	po.env = env.v;
	po.in = PROC_IO_DEVNULL;
	po.out = PROC_IO_PIPE;
	po.err = PROC_IO_STDOUT;
	po.new_pgroup = 1;
	ret = proc_spawn(&l->proc, &po, err, sizeof(err));
	if (ret)
		strbuf_addf(errors, "cannot list the tests of '%s': %s\n", b->id, err);
	l->deadline = now_ns() + (uint64_t)(o->timeout * 1e9);
	strvec_clear(&argv);
	strvec_clear(&env);
	return ret;
}

/* Read what is there; 1 while the fd is open, 0 at EOF (fd closed). */
static int drain(int *fd, struct strbuf *sb)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read_retry(*fd, buf, sizeof(buf));
		if (n > 0) {
			if (sb->len < LISTER_MAX_OUTPUT)
				strbuf_add(sb, buf, (size_t)n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		close(*fd);
		*fd = -1;
		return 0;
	}
}

/*
 * One step of a lister: read what arrived, reap it if it exited, enforce
 * the deadline.  Once the lister exited its pipes get 200 ms to close (a
 * daemon it left behind may hold them); then its process group is killed.
 * Returns 1 when the lister is finished.
 */
static int lister_step(struct lister *l, uint64_t now)
{
	if (l->proc.out >= 0)
		drain(&l->proc.out, &l->out);
	if (l->proc.extra >= 0)
		drain(&l->proc.extra, &l->events);
	if (!l->reaped && proc_wait(&l->proc, &l->status, NULL, 1) == 1) {
		l->reaped = 1;
		if (l->deadline > now + 200000000u)
			l->deadline = now + 200000000u;
	}
	if (l->proc.out < 0 && l->proc.extra < 0 && l->reaped)
		return 1;
	if (now < l->deadline)
		return 0;
	kill(-l->pgid, SIGKILL);
	if (!l->reaped) {
		l->timed_out = 1;
		proc_wait(&l->proc, &l->status, NULL, 0);
		l->reaped = 1;
	}
	proc_close_fds(&l->proc);
	return 1;
}

static int poll_listers(struct lister *ls, size_t n)
{
	struct pollfd pfd[2 * LISTERS_AT_ONCE];
	nfds_t nfd = 0;
	uint64_t now = now_ns(), next = now + 50000000u;

	for (size_t i = 0; i < n; i++) {
		if (ls[i].proc.out >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = ls[i].proc.out, .events = POLLIN };
		if (ls[i].proc.extra >= 0)
			pfd[nfd++] = (struct pollfd){ .fd = ls[i].proc.extra, .events = POLLIN };
		if (ls[i].deadline < next)
			next = ls[i].deadline;
	}
	/* wake at least every 50 ms to reap listers that exited with pipes still held */
	return poll(pfd, nfd, next > now ? (int)((next - now) / 1000000u) + 1 : 0);
}

static char *first_line(const struct strbuf *sb)
{
	const char *s = sb->buf;
	while (*s == '\n')
		s++;
	size_t n = strcspn(s, "\n");
	if (n > 200)
		n = 200;
	return xstrndup(s, n);
}

static void lister_failed(const struct lister *l, const struct binary *b, const char *why,
			  struct strbuf *errors)
{
	char st[64];
	char *line = first_line(&l->out);

	if (l->timed_out)
		strbuf_addf(errors, "listing the tests of '%s' timed out after %s\n", b->id, why);
	else if (*line)
		strbuf_addf(errors, "listing the tests of '%s' failed (%s; %s): %s\n", b->id,
			    proc_describe_status(l->status, st, sizeof(st)), why, line);
	else
		strbuf_addf(errors, "listing the tests of '%s' failed (%s; %s)\n", b->id,
			    proc_describe_status(l->status, st, sizeof(st)), why);
	free(line);
}

/*
 * The k-th repeat of a name (k >= 2, in listing order) becomes "name#k",
 * so that every id of the binary is unique and stays the same from run to
 * run.  Names are looked up in a hash table of the names given out so far.
 */
static void unique_names(struct listing *l)
{
	struct hsearch_data tab;

	memset(&tab, 0, sizeof(tab));
	if (!hcreate_r(2 * l->n + 16, &tab))
		die("cannot make a hash table of %zu test names", l->n);
	for (size_t i = 0; i < l->n; i++) {
		ENTRY e = { .key = l->v[i].name }, *found;

		hsearch_r(e, FIND, &found, &tab);
		for (unsigned k = 2; found; k++) {
			char *name = xasprintf("%s#%u", l->v[i].name, k);
			e.key = name;
			hsearch_r(e, FIND, &found, &tab);
			if (found) {
				free(name);
				continue;
			}
			free(l->v[i].name);
			l->v[i].name = name;
		}
		e.key = l->v[i].name;
		hsearch_r(e, ENTER, &found, &tab);
	}
	hdestroy_r(&tab);
}

/* Scope names shown in ids and reports: a repeated cmocka group name gets "#k". */
static char **scope_names(struct listing *l)
{
	struct listing tmp = { 0 };
	char **out;

	for (size_t i = 0; i < l->nscopes; i++) {
		ALLOC_GROW(tmp.v, tmp.n + 1, tmp.alloc);
		tmp.v[tmp.n++].name = l->scopes[i];
	}
	unique_names(&tmp);
	out = xcalloc(l->nscopes ? l->nscopes : 1, sizeof(*out));
	for (size_t i = 0; i < l->nscopes; i++)
		out[i] = tmp.v[i].name;
	free(tmp.v);
	free(l->scopes);
	l->scopes = NULL;
	l->nscopes = 0;
	return out;
}

static void add_listing(struct run *r, uint32_t binary, struct listing *l)
{
	struct binary *b = &r->bins[binary];
	uint32_t *rank = xcalloc(l->nscopes ? l->nscopes : 1, sizeof(*rank));

	unique_names(l);
	b->nscopes = l->nscopes;
	for (size_t i = 0; i < l->n; i++) {
		struct test_case *t;

		if (l->v[i].filtered)
			continue;	/* ordinals stay the listing's: the shim selects by them */
		t = run_add_test(r, binary, l->v[i].name);
		t->disabled = l->v[i].disabled;
		t->ordinal = (uint32_t)i;
		t->scope = l->v[i].scope;
		t->scope_rank = rank[t->scope]++;
		t->check = l->v[i].check;
	}
	b->scopes = scope_names(l);
	free(rank);
}

/*
 * A registered command's own choice of cases (its adapter's adopt_command):
 * cases it would not run are left out, or the command runs whole.
 */
static void collect_adopt(struct binary *b, struct listing *found, struct strbuf *notes)
{
	struct strbuf why = STRBUF_INIT;
	size_t left = 0;

	if (b->adapter->adopt_command(&b->cmd.args, &b->cmd.env, found, &why)) {
		strbuf_addf(notes, "%s test '%s' runs whole: %s\n", b->cmd.origin, b->id, why.buf);
		b->adapter = adapter_by_name("plain");
		free(b->preload);
		b->preload = xstrdup("");
		listing_release(found);
	} else {
		for (size_t i = 0; i < found->n; i++)
			left += found->v[i].filtered;
		if (left && why.len)
			strbuf_addf(notes, "%s test '%s': %zu of its %zu cases left out, as its own runner "
				    "would: %s\n", b->cmd.origin, b->id, left, found->n, why.buf);
	}
	strbuf_release(&why);
}

/* The lister is done: its adapter reads what it left into found. */
static int lister_finish(struct run *r, struct lister *l, double timeout, struct listing *found,
			 struct strbuf *errors, struct strbuf *notes)
{
	struct binary *b = &r->bins[l->binary];
	struct strbuf why = STRBUF_INIT;
	char st[64];
	struct listing_output o = {
		.id = b->id, .out = l->out.buf, .out_len = l->out.len, .events = l->events.buf,
		.events_len = l->events.len,
		.exited_zero = WIFEXITED(l->status) && WEXITSTATUS(l->status) == 0,
		.status = proc_describe_status(l->status, st, sizeof(st)),
	};
	int ok = 0;

	if (l->timed_out)
		strbuf_addf(&why, "%gs (see --collect-timeout)", timeout);
	else
		ok = b->adapter->parse_listing(&o, found, &why, notes) == 0;
	if (ok && found->no_preload) {
		free(b->preload);
		b->preload = xstrdup("");
	}
	if (ok && b->cmd.origin && b->adapter->adopt_command)
		collect_adopt(b, found, notes);
	if (!ok)
		lister_failed(l, b, why.buf, errors);
	strbuf_release(&why);
	return ok ? 0 : -1;
}

static int list_all(struct run *r, const struct collect_opts *o, struct strbuf *errors,
		    struct strbuf *notes)
{
	struct lister ls[LISTERS_AT_ONCE];
	size_t active = 0, next = 0, nbins = r->nbins;
	struct listing *found = xcalloc(nbins ? nbins : 1, sizeof(*found));
	int failed = 0;

	while (next < nbins || active) {
		while (active < LISTERS_AT_ONCE && next < nbins) {
			uint32_t bi = (uint32_t)next++;
			struct lister *l = &ls[active];
			if (r->bins[bi].adapter->flags & ADAPTER_ONE_TEST)
				continue;
			memset(l, 0, sizeof(*l));
			strbuf_init(&l->out, 0);
			strbuf_init(&l->events, 0);
			l->binary = bi;
			if (start_lister(l, &r->bins[bi], o, errors)) {
				failed = 1;
				continue;
			}
			l->pgid = l->proc.pid;
			active++;
		}
		if (!active)
			break;
		poll_listers(ls, active);
		for (size_t i = 0; i < active;) {
			if (!lister_step(&ls[i], now_ns())) {
				i++;
				continue;
			}
			failed |= lister_finish(r, &ls[i], o->timeout, &found[ls[i].binary], errors,
						notes) != 0;
			strbuf_release(&ls[i].out);
			strbuf_release(&ls[i].events);
			ls[i] = ls[--active];
		}
	}
	/* add in command-line order, whatever order the listers finished in */
	for (size_t i = 0; i < nbins; i++) {
		if (r->bins[i].adapter->flags & ADAPTER_ONE_TEST)
			run_add_test(r, (uint32_t)i, NULL);
		else
			add_listing(r, (uint32_t)i, &found[i]);
		listing_release(&found[i]);
	}
	free(found);
	return failed ? -1 : 0;
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
	return list_all(r, o, errors, notes) ? COLLECT_ERROR : COLLECT_OK;
}
