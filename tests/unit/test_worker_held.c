/*
 * test_worker_held.c - starting work ahead (worker/held.h) through the real
 * worker: a PREPARE starts the Criterion binary's process, held in the
 * preload shim; the next RUN with exactly its command takes it (one
 * process in all), any other command discards it and starts its own, and
 * a held process never outlives its worker.  wf-criterion-held logs the pid
 * of every main process it starts (WF_HELD_LOG).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "worker-harness.h"

TestSuite(held, .timeout = 60);

#define HELD_BIN WF_DIR "/wf-criterion-held"

static char held_log[64];

/* A fresh WF_HELD_LOG for this test, inherited by the worker and its tests. */
static void held_setup(void)
{
	int fd;

	snprintf(held_log, sizeof(held_log), "/tmp/balrun-held-XXXXXX");
	fd = mkstemp(held_log);
	cr_assert_geq(fd, 0);
	close(fd);
	setenv("WF_HELD_LOG", held_log, 1);
}

static void held_teardown(void)
{
	unlink(held_log);
}

/* The pids wf-criterion-held logged, into pids (room for 8); how many. */
static int held_pids(long *pids)
{
	FILE *f = fopen(held_log, "r");
	int n = 0;

	cr_assert(f);
	while (n < 8 && fscanf(f, "%ld", &pids[n]) == 1)
		n++;
	fclose(f);
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait (up to 10 s) until n main processes logged their start. */
static void wait_for_starts(int n)
{
	long pids[8];

	for (int i = 0; i < 1000 && held_pids(pids) < n; i++)
		sleep_ms(10);
	cr_assert_eq(held_pids(pids), n);
}

/* Wait (up to 10 s) until pid is gone (reaped: a zombie still answers kill 0). */
static void wait_gone(long pid)
{
	int i;

	for (i = 0; i < 1000 && kill((pid_t)pid, 0) == 0; i++)
		sleep_ms(10);
	cr_assert_eq(kill((pid_t)pid, 0), -1, "process %ld is still there", pid);
	cr_assert_eq(errno, ESRCH);
}

static char *held_tests[] = { "held/quick", "held/pair" };
static uint64_t held_ordinals[] = { 1, 0 };

/* The invocation the shim runs: tests (none for a PREPARE) with their ordinals. */
static void held_inv(struct proto_invocation *inv, size_t ntests)
{
	one_inv(inv, HELD_BIN, "criterion", held_tests, ntests);
	inv->preload = PRELOAD_SO;
	inv->ordinals = ntests ? held_ordinals : NULL;
}

static void send_prepare(struct worker *w, uint32_t timeout_ms)
{
	struct proto_invocation inv;
	struct proto_msg m = { .type = PROTO_PREPARE };

	held_inv(&inv, 0);
	m.u.run = (struct proto_run){ .timeout_ms = timeout_ms, .inv = &inv, .ninv = 1 };
	cr_assert_eq(proto_send(w->p.in, &m), 0);
}

/* RUN held/quick and held/pair (with that time limit) and check both passed. */
static void run_pair(struct worker *w, uint32_t unit, uint32_t timeout_ms)
{
	struct proto_invocation inv;
	struct proto_run run = { .unit = unit, .timeout_ms = timeout_ms, .inv = &inv, .ninv = 1 };
	struct unit_log log;

	held_inv(&inv, 2);
	run_unit(w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	expect(&log, 1, OUTCOME_PASS, NULL);
	cr_assert_str_eq(log.done.errors[0], "");
	log_release(&log);
}

/* Start a worker and have it hold a process for HELD_BIN; its pid. */
static long start_held(struct worker *w)
{
	long pids[8];

	worker_start(w);
	send_prepare(w, 0);
	wait_for_starts(1);
	held_pids(pids);
	return pids[0];
}

static char *slow_test[] = { "held/slow" };
static uint64_t slow_ordinal[] = { 2 };

/* Send a unit of held/slow (1 s) and wait until its process started. */
static void send_slow(struct worker *w, struct proto_invocation *inv, struct proto_run *run,
		      struct unit_log *log)
{
	one_inv(inv, HELD_BIN, "criterion", slow_test, 1);
	inv->preload = PRELOAD_SO;
	inv->ordinals = slow_ordinal;
	*run = (struct proto_run){ .unit = 1, .inv = inv, .ninv = 1 };
	run_send(w, run, log);
	wait_for_starts(1);
}

Test(held, a_prepared_process_runs_the_next_unit, .init = held_setup, .fini = held_teardown)
{
	struct worker w;
	long pids[8];

	start_held(&w);	/* started before its RUN */
	run_pair(&w, 1, 0);
	cr_assert_eq(held_pids(pids), 1, "the unit started a process of its own");
	wait_gone(pids[0]);
	worker_stop(&w, 1);
}

Test(held, a_different_command_discards_the_held_process, .init = held_setup,
     .fini = held_teardown)
{
	struct worker w;
	long pids[8];

	start_held(&w);
	run_pair(&w, 1, 9000);	/* a time limit: --timeout=9, another command */
	cr_assert_eq(held_pids(pids), 2);
	cr_assert_neq(pids[0], pids[1]);
	wait_gone(pids[0]);
	worker_stop(&w, 1);
}

Test(held, a_held_process_that_died_is_replaced, .init = held_setup, .fini = held_teardown)
{
	struct worker w;
	long pids[8];

	pids[0] = start_held(&w);
	cr_assert_eq(kill((pid_t)pids[0], SIGKILL), 0);
	sleep_ms(50);
	run_pair(&w, 1, 0);
	cr_assert_eq(held_pids(pids), 2);
	worker_stop(&w, 1);
}

/* A PREPARE that arrives while a unit runs starts the process then, not after the unit. */
Test(held, a_prepare_during_a_unit_starts_at_once, .init = held_setup, .fini = held_teardown)
{
	struct proto_invocation inv;
	struct proto_run run;
	struct unit_log log;
	struct worker w;
	long pids[8];

	worker_start(&w);
	send_slow(&w, &inv, &run, &log);	/* the unit's own process started */
	send_prepare(&w, 0);
	collect_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	log_release(&log);
	/* held/slow sleeps 1 s: the held process logged its start before DONE */
	cr_assert_eq(held_pids(pids), 2, "the PREPARE waited for the end of the unit");
	run_pair(&w, 2, 0);
	cr_assert_eq(held_pids(pids), 2);
	worker_stop(&w, 1);
}

Test(held, a_held_process_leaves_with_its_worker, .init = held_setup, .fini = held_teardown)
{
	struct worker w;
	long pids[8];

	pids[0] = start_held(&w);
	worker_stop(&w, 0);	/* end of file: the worker exits, the shim reads end of file */
	wait_gone(pids[0]);
}

/* A PREPARE for a framework that cannot hold a process is ignored. */
Test(held, a_prepare_without_a_shim_starts_nothing, .init = held_setup, .fini = held_teardown)
{
	struct proto_invocation inv;
	struct proto_msg m = { .type = PROTO_PREPARE };
	struct worker w;
	long pids[8];

	worker_start(&w);
	one_inv(&inv, HELD_BIN, "criterion", NULL, 0);	/* no preload: the shim does not select */
	m.u.run = (struct proto_run){ .inv = &inv, .ninv = 1 };
	cr_assert_eq(proto_send(w.p.in, &m), 0);
	run_pair(&w, 1, 0);	/* pattern mode: runs as before */
	cr_assert_eq(held_pids(pids), 1);
	worker_stop(&w, 1);
}

/* A message other than PREPARE during a unit (BYE) waits for the unit's end. */
Test(held, a_bye_during_a_unit_waits_for_its_end, .init = held_setup, .fini = held_teardown)
{
	struct proto_invocation inv;
	struct proto_run run;
	struct proto_msg bye = { .type = PROTO_BYE };
	struct unit_log log;
	struct worker w;

	worker_start(&w);
	send_slow(&w, &inv, &run, &log);
	cr_assert_eq(proto_send(w.p.in, &bye), 0);
	collect_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	log_release(&log);
	worker_stop(&w, 0);	/* exits 0: the BYE was read */
}

/* An empty PREPARE (a unit that holds locks comes next) discards the held process. */
Test(held, an_empty_prepare_discards_the_held_process, .init = held_setup, .fini = held_teardown)
{
	struct proto_msg m = { .type = PROTO_PREPARE };
	struct worker w;
	long pids[8];

	pids[0] = start_held(&w);
	cr_assert_eq(proto_send(w.p.in, &m), 0);
	wait_gone(pids[0]);
	run_pair(&w, 1, 0);
	cr_assert_eq(held_pids(pids), 2);
	worker_stop(&w, 1);
}

/* A process held for a unit that runs another binary is discarded when that unit ends. */
Test(held, an_unused_held_process_ends_with_the_unit_it_was_for, .init = held_setup,
     .fini = held_teardown)
{
	char *add[] = { "math/add" };
	struct proto_invocation inv;
	struct proto_run run = { .unit = 1, .timeout_ms = 5000, .inv = &inv, .ninv = 1 };
	struct unit_log log;
	struct worker w;
	long pids[8];

	pids[0] = start_held(&w);
	one_inv(&inv, WF_DIR "/wf-criterion", "criterion", add, 1);
	run_unit(&w, &run, &log);
	expect(&log, 0, OUTCOME_PASS, NULL);
	log_release(&log);
	wait_gone(pids[0]);
	worker_stop(&w, 1);
}
