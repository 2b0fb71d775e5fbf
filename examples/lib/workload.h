/*
 * workload.h - the time the example tests take, made real.
 *
 * The example suites stand in for a real project's tests: each one checks
 * real code from examples/lib/, and most also pause for a fixed time standing
 * for the I/O a real test would do (opening files, starting a server), so the
 * suites have a real project's heavy-tailed duration profile: most tests take
 * 10-100 ms, a few 0.5-2 s, one about 3 s.  The long ones are loops of real
 * work bounded by a deadline.  Durations are wall-clock time and honest:
 * balrun measures them.
 */
#ifndef EXAMPLES_WORKLOAD_H
#define EXAMPLES_WORKLOAD_H

#include <stdbool.h>
#include <stdint.h>

/* Sleep for ms milliseconds (resuming after signals): simulated I/O. */
void workload_sleep_ms(long ms);

/*
 * A deadline for a work loop:
 *
 *	struct workload_deadline d;
 *	for (workload_start(&d, 1500); workload_running(&d); )
 *		do_one_round();
 */
struct workload_deadline {
	uint64_t end_ns;
	unsigned long rounds;	/* how often workload_running() said yes */
};

void workload_start(struct workload_deadline *d, long ms);
bool workload_running(struct workload_deadline *d);

/* A deterministic pseudo-random generator (xorshift64*) for fuzz loops. */
uint64_t workload_random(uint64_t *state);

#endif
