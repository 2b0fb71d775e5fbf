/*
 * workload.c - sleeping, deadlines and pseudo-random numbers for the example
 * suites (see workload.h).  Deadlines use CLOCK_MONOTONIC.
 */
#include <errno.h>
#include <time.h>

#include "workload.h"

static uint64_t workload_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void workload_sleep_ms(long ms)
{
	struct timespec left = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&left, &left) == -1 && errno == EINTR)
		;
}

void workload_start(struct workload_deadline *d, long ms)
{
	d->end_ns = workload_now_ns() + (uint64_t)ms * 1000000u;
	d->rounds = 0;
}

bool workload_running(struct workload_deadline *d)
{
	if (workload_now_ns() >= d->end_ns)
		return false;
	d->rounds++;
	return true;
}

uint64_t workload_random(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x9e3779b97f4a7c15u;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1du;
}
