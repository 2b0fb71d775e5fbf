/*
 * test_status.c - the status line's pieces that need no terminal
 * (output/status.c), and the lines a log gets: past 200 passing tests a
 * second only failures, said once; every line with -v.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "status.h"

Test(status, elide_middle)
{
	char buf[64];
	cr_expect_str_eq(status_elide_middle("short", 10, buf, sizeof(buf)), "short");
	cr_expect_str_eq(status_elide_middle("abcdefghijklmnop", 10, buf, sizeof(buf)), "abc...mnop");
	cr_expect_eq(strlen(status_elide_middle("abcdefghijklmnopqrstuvwxyz", 11, buf, sizeof(buf))), 11);
}

/* n tests of one binary, finished: every third fails when failing is set. */
static void finish_all(struct status_opts *o, size_t n, int failing, char **text)
{
	struct run r;
	struct run_observer obs = { 0 };
	struct binary *b;
	size_t len = 0;
	FILE *out = open_memstream(text, &len);
	struct status *s;

	o->out = out;
	run_init(&r);
	b = run_add_binary(&r);
	b->id = strdup("bin");
	b->adapter = adapter_by_name("criterion");
	for (size_t i = 0; i < n; i++) {
		char name[32];
		struct test_case *t;

		snprintf(name, sizeof(name), "s/t%zu", i);
		t = run_add_test(&r, 0, name);
		t->worker = 0;
		t->outcome = failing && i % 3 == 2 ? OUTCOME_FAIL : OUTCOME_PASS;
	}
	s = status_new(o);
	status_observer(s, &obs);
	obs.run_started(obs.data, n, 1);
	for (size_t i = 0; i < n; i++) {
		obs.test_started(obs.data, &r.tests[i], 0);
		obs.test_finished(obs.data, &r.tests[i]);
	}
	status_done(s);
	status_free(s);
	fclose(out);
	run_release(&r);
}

static size_t count_lines(const char *text, const char *prefix)
{
	size_t n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

Test(status, a_log_gets_no_more_passing_lines_past_200_a_second)
{
	struct status_opts o = { .color = 0, .verbose = 0 };
	char *text;

	finish_all(&o, 900, 1, &text);
	cr_expect_eq(count_lines(text, "PASS"), 200, "the first 200 print, then no more");
	cr_expect_eq(count_lines(text, "FAIL"), 300, "every failure still prints");
	cr_expect_eq(count_lines(text, "balrun: more than 200 tests a second"), 1, "said once");
	free(text);

	finish_all(&o, 150, 0, &text);
	cr_expect_eq(count_lines(text, "PASS"), 150, "a few tests all print");
	cr_expect_eq(count_lines(text, "balrun: more than"), 0);
	free(text);

	o.verbose = 1;
	finish_all(&o, 900, 1, &text);
	cr_expect_eq(count_lines(text, "PASS"), 600, "-v prints every test");
	cr_expect_eq(count_lines(text, "balrun: more than"), 0);
	free(text);
}
