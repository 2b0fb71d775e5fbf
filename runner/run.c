/*
 * run.c - the runner's data model; see run.h.
 */
#include "run.h"

#include <string.h>

#include "strbuf.h"
#include "util.h"

/* A million tests are planned at once: keep the record at the size its comment says. */
_Static_assert(sizeof(struct test_case) == 144, "struct test_case is 144 bytes");

void run_init(struct run *r)
{
	memset(r, 0, sizeof(*r));
}

void test_command_init(struct test_command *c)
{
	memset(c, 0, sizeof(*c));
	c->skip_code = -1;
}

void test_command_release(struct test_command *c)
{
	free(c->name);
	free(c->program);
	free(c->cwd);
	free(c->unrunnable);
	strvec_clear(&c->args);
	strvec_clear(&c->env);
	strvec_clear(&c->pass_regex);
	strvec_clear(&c->fail_regex);
	strvec_clear(&c->skip_regex);
	strvec_clear(&c->locks);
	strvec_clear(&c->labels);
	strvec_clear(&c->fixtures_setup);
	strvec_clear(&c->fixtures_cleanup);
	strvec_clear(&c->fixtures_required);
	strvec_clear(&c->depends);
	test_command_init(c);
}

static void binary_release(struct binary *b)
{
	test_command_release(&b->cmd);
	free(b->arg);
	free(b->abspath);
	free(b->id);
	free(b->preload);
	free(b->note);
	free(b->markers);
	for (size_t i = 0; i < b->nscopes; i++)
		free(b->scopes[i]);
	free(b->scopes);
}

void test_attempt_release(struct test_attempt *a)
{
	free(a->message);
	free(a->output);
	a->message = a->output = NULL;
}

struct test_attempt test_move_attempt(struct test_case *t)
{
	struct test_attempt a = {
		.outcome = t->outcome, .duration = t->duration, .start = t->start, .end = t->end,
		.worker = t->worker, .message = t->message, .output = t->output,
		.output_len = t->output_len, .output_dropped = t->output_dropped,
	};

	t->message = t->output = NULL;
	t->output_len = 0;
	t->output_dropped = 0;
	return a;
}

void test_take_output(struct test_case *t, char **output, size_t *len, uint64_t dropped)
{
	free(t->output);
	t->output = *output;
	t->output_len = *len;
	t->output_dropped = dropped;
	*output = NULL;
	*len = 0;
}

static void test_release(struct test_case *t)
{
	free(t->message);
	free(t->output);
	struct test_more *m = t->more;

	if (!m)
		return;
	for (size_t i = 0; i < m->ntries; i++)
		test_attempt_release(&m->tries[i]);
	free(m->tries);
	if (m->alone)
		test_attempt_release(m->alone);
	free(m->alone);
	if (m->context)
		test_attempt_release(m->context);
	free(m->context);
	free(m);
}

struct test_more *test_more(struct test_case *t)
{
	if (!t->more)
		t->more = xcalloc(1, sizeof(*t->more));
	return t->more;
}

void run_release(struct run *r)
{
	for (size_t i = 0; i < r->nbins; i++)
		binary_release(&r->bins[i]);
	for (size_t i = 0; i < r->ntests; i++)
		test_release(&r->tests[i]);
	free(r->bins);
	free(r->tests);
	strpool_release(&r->ids);
	run_init(r);
}

struct binary *run_add_binary(struct run *r)
{
	ALLOC_GROW(r->bins, r->nbins + 1, r->bins_alloc);
	struct binary *b = &r->bins[r->nbins++];
	memset(b, 0, sizeof(*b));
	test_command_init(&b->cmd);
	b->overhead = -1;
	return b;
}

void run_reserve_tests(struct run *r, size_t more)
{
	if (r->ntests + more <= r->tests_alloc)
		return;
	r->tests_alloc = r->ntests + more;
	r->tests = xrealloc(r->tests, r->tests_alloc * sizeof(*r->tests));
}

struct test_case *run_add_test(struct run *r, uint32_t binary, const char *name)
{
	struct binary *b = &r->bins[binary];
	ALLOC_GROW(r->tests, r->ntests + 1, r->tests_alloc);
	struct test_case *t = &r->tests[r->ntests++];
	memset(t, 0, sizeof(*t));
	t->binary = binary;
	t->worker = -1;
	t->selected = 1;
	if (b->adapter->flags & ADAPTER_ONE_TEST) {
		t->id = (char *)strpool_adds(&r->ids, b->id);
		t->name = t->id;
	} else {
		/* "<binary id>::<name>", without printf: a listing can add 10^5 of them */
		size_t bl = strlen(b->id), nl = strlen(name);
		char *id = strpool_alloc(&r->ids, bl + nl + 2);

		memcpy(id, b->id, bl);
		memcpy(id + bl, "::", 2);
		memcpy(id + bl + 2, name, nl + 1);
		t->id = id;
		t->name = id + bl + 2;
	}
	return t;
}

void test_set_id(struct run *r, struct test_case *t, const char *id)
{
	size_t n = strlen(id), k = strlen(t->name);
	char *buf;
	const char *name;

	if (n >= k && !strcmp(id + n - k, t->name)) {
		buf = (char *)strpool_add(&r->ids, id, n);
		name = buf + n - k;
	} else {
		buf = strpool_alloc(&r->ids, n + k + 1);	/* "id\0name" */
		memcpy(buf, id, n + 1);
		memcpy(buf + n + 1, t->name, k + 1);
		name = buf + n + 1;
	}
	t->id = buf;	/* the old one stays in the pool until the run goes */
	t->name = name;
}

struct test_case *run_copy_test(struct run *r, const struct test_case *t)
{
	struct test_case *c = run_add_test(r, t->binary, t->name);

	c->ordinal = t->ordinal;
	c->scope = t->scope;
	c->scope_rank = t->scope_rank;
	c->check = t->check;
	if (test_timeout(t) > 0)
		test_more(c)->timeout = test_timeout(t);
	return c;
}

void test_finish(struct test_case *t, enum outcome o, const char *message)
{
	t->state = TEST_FINISHED;
	t->outcome = o;
	free(t->message);
	t->message = message && *message ? xstrdup(message) : NULL;
}

const char *run_display(const char *s, struct strbuf *scratch)
{
	size_t len = strlen(s);

	strbuf_reset(scratch);
	strbuf_add_escaped(scratch, s, len, STRBUF_ESCAPE_CONTROLS);
	return scratch->len == len ? s : scratch->buf;
}
