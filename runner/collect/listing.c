/*
 * listing.c - run the binaries' listers and turn their listings into test
 * cases; see collect.h.
 *
 * Every lister runs at once (at most LISTERS_AT_ONCE), its pipes read with
 * poll() until it has exited and closed them or its deadline passed; a
 * lister past its deadline is killed with its process group.  Output kept
 * per lister is bounded.
 *
 * Registered tests often run one program many times, each time choosing
 * other cases by an argument or the environment (`gtest_discover_tests`
 * adds one CTest test per case with --gtest_filter; a Criterion suite may
 * be registered per test with --filter).  Two things keep that from costing
 * a process per case:
 *  - one listing per listing command: the choosing arguments are taken out
 *    first (a dry run of the adapter's adopt_command), and binaries whose
 *    listing command is then the same share one lister;
 *  - after adopt_command, a registered test whose command is the same as an
 *    earlier one's in everything that decides how its cases run (program,
 *    arguments, environment, directory, verdict rules, limits, markers, no
 *    ordering) hands its cases to that earlier binary, under their own ids,
 *    so they are batched together as the cases of a binary named on the
 *    command line are.
 */
#define _GNU_SOURCE
#include "collect-internal.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "adapter.h"
#include "preload.h"
#include "proc.h"
#include "strset.h"
#include "strvec.h"
#include "util.h"

#define LISTERS_AT_ONCE 8
#define LISTER_MAX_OUTPUT (16u << 20)

/* What a lister left: its output, event records and how it ended. */
struct raw_listing {
	struct strbuf out;      /* stdout+stderr */
	struct strbuf events;   /* the shim's event records */
	int status;
	int timed_out;
	int started;            /* 0: never started (the error is reported) or not its own */
};

struct lister {
	uint32_t binary;
	struct proc proc;
	struct raw_listing *raw;
	uint64_t deadline;
	pid_t pgid;
	int reaped;
};

/* The command that lists a binary: its arguments and environment changes. */
struct listing_command {
	struct strvec args, env;
	uint32_t owner;         /* the first binary with the same listing command */
};

/* Start listing b with the listing command args and environment changes cmdenv. */
static int start_lister(struct lister *l, const struct binary *b, const struct strvec *args,
			const struct strvec *cmdenv, const struct collect_opts *o, struct strbuf *errors)
{
	struct strvec argv = STRVEC_INIT, env = STRVEC_INIT;
	struct proc_opts po = { 0 };
	char err[512];
	int ret;

	if (b->conf) {	/* a framework taught in .balrun.conf: its list command */
		struct conf_subst sub = { .bin = b->abspath };

		conf_command_expand(b->conf->list.v, b->conf->list.nr, &sub, &argv);
	} else {
		strvec_push(&argv, b->abspath);
		for (size_t i = 0; i < args->nr; i++)
			strvec_push(&argv, args->v[i]);
	}
	strvec_env(&env, NULL);
	strvec_env_apply(&env, cmdenv);
	strvec_setenv(&env, "LC_ALL", "C");
	if (*b->preload)
		strvec_env_prepend(&env, "LD_PRELOAD", b->preload, ':');
	if (!b->conf)
		b->adapter->list_command(&argv, &env);
	strvec_pushf(&env, "%s=%d", PRELOAD_ENV_FD, PRELOAD_EVENT_FD);
	po.extra_fd = PRELOAD_EVENT_FD;
	po.file = argv.v[0];
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
		drain(&l->proc.out, &l->raw->out);
	if (l->proc.extra >= 0)
		drain(&l->proc.extra, &l->raw->events);
	if (!l->reaped && proc_wait(&l->proc, &l->raw->status, NULL, 1) == 1) {
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
		l->raw->timed_out = 1;
		proc_wait(&l->proc, &l->raw->status, NULL, 0);
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

static void lister_failed(const struct raw_listing *l, const struct binary *b, const char *why,
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
 * run.  Names are looked up in a set of the names given out so far.
 */
static void unique_names(struct listing *l)
{
	struct strset seen = STRSET_INIT;

	strset_reserve(&seen, l->n);
	for (size_t i = 0; i < l->n; i++) {
		if (strset_add(&seen, l->v[i].name))
			continue;   /* the usual case: one probe per name */
		for (unsigned k = 2;; k++) {
			char *name = xasprintf("%s#%u", l->v[i].name, k);

			if (strset_add(&seen, name)) {
				free(l->v[i].name);
				l->v[i].name = name;
				break;
			}
			free(name);
		}
	}
	strset_release(&seen);
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
		if (left && why.len && left + 1 < found->n)	/* one case kept: registered per case */
			strbuf_addf(notes, "%s test '%s': %zu of its %zu cases left out, as its own runner "
				    "would: %s\n", b->cmd.origin, b->id, left, found->n, why.buf);
	}
	strbuf_release(&why);
}

/* Binary b's listing l is in: its adapter reads it into found.  0, or -1 with a line in errors. */
static int listing_read(struct binary *b, const struct raw_listing *l, double timeout,
			struct listing *found, struct strbuf *errors, struct strbuf *notes)
{
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
	else if (b->conf)
		ok = conf_parse_listing(b->conf, &o, found, &why) == 0;
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

/* ---- sharing listings and binaries ---- */

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static int same_strvec(const struct strvec *a, const struct strvec *b)
{
	if (a->nr != b->nr)
		return 0;
	for (size_t i = 0; i < a->nr; i++)
		if (strcmp(a->v[i], b->v[i]))
			return 0;
	return 1;
}

static void listing_command_copy(const struct binary *b, struct listing_command *lc)
{
	for (size_t i = 0; i < b->cmd.args.nr; i++)
		strvec_push(&lc->args, b->cmd.args.v[i]);
	for (size_t i = 0; i < b->cmd.env.nr; i++)
		strvec_push(&lc->env, b->cmd.env.v[i]);
}

/*
 * The command that lists b: a registered command's arguments and
 * environment without what only chooses cases (a dry run of adopt_command
 * on copies, with no cases), so that commands choosing different cases of
 * one program share a listing.
 */
static void listing_command_of(const struct binary *b, struct listing_command *lc)
{
	struct listing none = { 0 };
	struct strbuf why = STRBUF_INIT;

	listing_command_copy(b, lc);
	if (b->cmd.origin && b->adapter->adopt_command &&
	    b->adapter->adopt_command(&lc->args, &lc->env, &none, &why)) {
		strvec_clear(&lc->args);	/* it would run whole: list it as it is */
		strvec_clear(&lc->env);
		listing_command_copy(b, lc);
	}
	listing_release(&none);
	strbuf_release(&why);
}

static int same_listing(const struct binary *a, const struct listing_command *la,
			const struct binary *b, const struct listing_command *lb)
{
	return a->adapter == b->adapter && !strcmp(a->abspath, b->abspath) &&
	       same_str(a->cmd.cwd, b->cmd.cwd) && !strcmp(a->preload, b->preload) &&
	       same_strvec(&la->args, &lb->args) && same_strvec(&la->env, &lb->env);
}

/* Two registered tests whose cases may run in one batch: the same in everything but the cases. */
static int same_run(const struct binary *a, const struct binary *b)
{
	const struct test_command *x = &a->cmd, *y = &b->cmd;

	return x->origin && y->origin && !x->whole && !y->whole && a->adapter == b->adapter &&
	       !(a->adapter->flags & ADAPTER_ONE_TEST) && !strcmp(a->abspath, b->abspath) &&
	       !strcmp(a->preload, b->preload) && same_str(x->cwd, y->cwd) &&
	       same_strvec(&x->args, &y->args) && same_strvec(&x->env, &y->env) &&
	       x->judge == y->judge && x->skip_code == y->skip_code && x->timeout == y->timeout &&
	       x->serial == y->serial && x->weight == y->weight && same_str(x->framework, y->framework) &&
	       same_strvec(&x->locks, &y->locks) && same_strvec(&x->labels, &y->labels) &&
	       same_strvec(&x->pass_regex, &y->pass_regex) && same_strvec(&x->fail_regex, &y->fail_regex) &&
	       same_strvec(&x->skip_regex, &y->skip_regex) &&
	       !x->fixtures_setup.nr && !x->fixtures_cleanup.nr && !x->fixtures_required.nr &&
	       !y->fixtures_setup.nr && !y->fixtures_cleanup.nr && !y->fixtures_required.nr &&
	       !x->depends.nr && !y->depends.nr && same_str(a->markers, b->markers);
}

/* The earlier binary whose batches binary i's cases join (i itself if none). */
static uint32_t run_host(const struct run *r, uint32_t i)
{
	for (uint32_t k = 0; k < i; k++)
		if (same_run(&r->bins[k], &r->bins[i]))
			return k;
	return i;
}

/* ---- adding the cases ---- */

/*
 * Add the cases of binary's listing l; they run as cases of host (binary
 * itself, or an earlier binary with the same command: run_host()) and keep
 * binary's id.
 */
static void add_listing(struct run *r, uint32_t binary, uint32_t host, struct listing *l)
{
	struct binary *b = &r->bins[binary];
	uint32_t *rank = xcalloc(l->nscopes ? l->nscopes : 1, sizeof(*rank));
	size_t kept = 0;

	unique_names(l);
	for (size_t i = 0; i < l->n; i++)
		kept += !l->v[i].filtered;
	b->nscopes = l->nscopes;
	run_reserve_tests(r, kept);
	for (size_t i = 0; i < l->n; i++) {
		struct test_case *t;

		if (l->v[i].filtered)
			continue;	/* ordinals stay the listing's: the shim selects by them */
		t = run_add_test(r, host, l->v[i].name);
		if (b->cmd.origin && kept == 1) {	/* a registered test of one case: its name */
			test_set_id(r, t, b->id);
		} else if (host != binary) {
			char *id = xasprintf("%s::%s", b->id, l->v[i].name);

			test_set_id(r, t, id);
			free(id);
		}
		t->disabled = l->v[i].disabled;
		t->ordinal = (uint32_t)i;
		t->scope = l->v[i].scope;
		t->scope_rank = rank[t->scope]++;
		t->check = l->v[i].check;
	}
	b->scopes = scope_names(l);
	free(rank);
}



/* Run the listers of the binaries that own their listing command, into raw[]. */
static int run_listers(struct run *r, const struct listing_command *lc, struct raw_listing *raw,
		       const struct collect_opts *o, struct strbuf *errors)
{
	struct lister ls[LISTERS_AT_ONCE];
	size_t active = 0, next = 0, nbins = r->nbins;
	int failed = 0;

	while (next < nbins || active) {
		while (active < LISTERS_AT_ONCE && next < nbins) {
			uint32_t bi = (uint32_t)next++;
			struct lister *l = &ls[active];

			if ((r->bins[bi].adapter->flags & ADAPTER_ONE_TEST) || lc[bi].owner != bi)
				continue;
			memset(l, 0, sizeof(*l));
			l->binary = bi;
			l->raw = &raw[bi];
			if (start_lister(l, &r->bins[bi], &lc[bi].args, &lc[bi].env, o, errors)) {
				failed = 1;
				continue;
			}
			raw[bi].started = 1;
			l->pgid = l->proc.pid;
			active++;
		}
		if (!active)
			break;
		poll_listers(ls, active);
		for (size_t i = 0; i < active;) {
			if (!lister_step(&ls[i], now_ns()))
				i++;
			else
				ls[i] = ls[--active];
		}
	}
	return failed;
}

int collect_list_all(struct run *r, const struct collect_opts *o, struct strbuf *errors,
		     struct strbuf *notes)
{
	size_t nbins = r->nbins;
	struct listing_command *lc = xcalloc(nbins ? nbins : 1, sizeof(*lc));
	struct raw_listing *raw = xcalloc(nbins ? nbins : 1, sizeof(*raw));
	struct listing *found = xcalloc(nbins ? nbins : 1, sizeof(*found));
	int failed;

	for (uint32_t i = 0; i < nbins; i++) {
		strbuf_init(&raw[i].out, 0);
		strbuf_init(&raw[i].events, 0);
		listing_command_of(&r->bins[i], &lc[i]);
		lc[i].owner = i;
		for (uint32_t k = 0; k < i && lc[i].owner == i; k++)
			if (lc[k].owner == k && same_listing(&r->bins[k], &lc[k], &r->bins[i], &lc[i]))
				lc[i].owner = k;
	}
	failed = run_listers(r, lc, raw, o, errors);
	for (uint32_t i = 0; i < nbins; i++)
		if (!(r->bins[i].adapter->flags & ADAPTER_ONE_TEST) && raw[lc[i].owner].started)
			failed |= listing_read(&r->bins[i], &raw[lc[i].owner], o->timeout, &found[i],
					       errors, notes) != 0;
	/* add in command-line order, whatever order the listers finished in */
	for (uint32_t i = 0; i < nbins; i++) {
		if (r->bins[i].adapter->flags & ADAPTER_ONE_TEST)
			run_add_test(r, i, NULL);
		else
			add_listing(r, i, run_host(r, i), &found[i]);
		listing_release(&found[i]);
		strvec_clear(&lc[i].args);
		strvec_clear(&lc[i].env);
		strbuf_release(&raw[i].out);
		strbuf_release(&raw[i].events);
	}
	free(found);
	free(raw);
	free(lc);
	return failed ? -1 : 0;
}
