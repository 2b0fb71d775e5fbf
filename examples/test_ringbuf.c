/*
 * test_ringbuf.c - cmocka suite for the ring buffer (lib/ringbuf.c).
 *
 * One group, "ringbuf_tests", with a per-test fixture that makes an 8-byte
 * buffer.  Quick checks pause briefly for simulated I/O; wraparound_soak
 * (1.6 s) and producer_consumer (0.8 s) are long loops of real work.
 * needs_network is skipped: it stands for a test this machine cannot run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ringbuf.h"
#include "workload.h"

static int make_buffer(void **state)
{
	static struct ringbuf rb;

	*state = &rb;
	return ringbuf_init(&rb, 8);
}

static int free_buffer(void **state)
{
	ringbuf_release(*state);
	return 0;
}

static void starts_empty(void **state)
{
	struct ringbuf *rb = *state;

	assert_int_equal(ringbuf_len(rb), 0);
	assert_int_equal(ringbuf_space(rb), 8);
	workload_sleep_ms(13);
}

static void write_then_read(void **state)
{
	char out[4] = "";

	assert_int_equal(ringbuf_write(*state, "abc", 3), 3);
	assert_int_equal(ringbuf_read(*state, out, sizeof(out)), 3);
	assert_memory_equal(out, "abc", 3);
	workload_sleep_ms(27);
}

static void write_truncates_when_full(void **state)
{
	assert_int_equal(ringbuf_write(*state, "0123456789", 10), 8);
	assert_int_equal(ringbuf_space(*state), 0);
	workload_sleep_ms(42);
}

static void peek_does_not_consume(void **state)
{
	char out[2];

	ringbuf_write(*state, "xy", 2);
	assert_int_equal(ringbuf_peek(*state, out, 2), 2);
	assert_int_equal(ringbuf_len(*state), 2);
	workload_sleep_ms(19);
}

static void wraps_around(void **state)
{
	char out[8];

	ringbuf_write(*state, "123456", 6);
	ringbuf_read(*state, out, 5);
	assert_int_equal(ringbuf_write(*state, "abcdefg", 7), 7);
	assert_int_equal(ringbuf_read(*state, out, 8), 8);
	assert_memory_equal(out, "6abcdefg", 8);
	workload_sleep_ms(58);
}

static void read_from_empty(void **state)
{
	char out[1];

	assert_int_equal(ringbuf_read(*state, out, 1), 0);
	workload_sleep_ms(81);
}

static void zero_capacity_refused(void **state)
{
	struct ringbuf rb;

	assert_int_equal(ringbuf_init(&rb, 0), -1);
	workload_sleep_ms(34);
}

static void needs_network(void **state)
{
	workload_sleep_ms(10);
	skip();
}

/* Random-sized writes and reads must keep the byte stream in order. */
static void wraparound_soak(void **state)
{
	struct workload_deadline d;
	uint64_t seed = 5;
	unsigned char next_in = 0, next_out = 0, buf[8];

	for (workload_start(&d, 1600); workload_running(&d); ) {
		size_t n = workload_random(&seed) % 9, moved;

		for (size_t i = 0; i < n; i++)
			buf[i] = (unsigned char)(next_in + i);
		next_in += (unsigned char)ringbuf_write(*state, buf, n);
		moved = ringbuf_read(*state, buf, workload_random(&seed) % 9);
		for (size_t i = 0; i < moved; i++)
			assert_int_equal(buf[i], next_out++);
	}
}

static void producer_consumer(void **state)
{
	struct workload_deadline d;
	char chunk[3] = "abc", out[3];

	for (workload_start(&d, 800); workload_running(&d); ) {
		assert_int_equal(ringbuf_write(*state, chunk, 3), 3);
		assert_int_equal(ringbuf_read(*state, out, 3), 3);
		assert_memory_equal(out, chunk, 3);
	}
}

int main(void)
{
	const struct CMUnitTest ringbuf_tests[] = {
		cmocka_unit_test_setup_teardown(starts_empty, make_buffer, free_buffer),
		cmocka_unit_test_setup_teardown(write_then_read, make_buffer, free_buffer),
		cmocka_unit_test_setup_teardown(write_truncates_when_full, make_buffer, free_buffer),
		cmocka_unit_test_setup_teardown(peek_does_not_consume, make_buffer, free_buffer),
		cmocka_unit_test_setup_teardown(wraps_around, make_buffer, free_buffer),
		cmocka_unit_test_setup_teardown(read_from_empty, make_buffer, free_buffer),
		cmocka_unit_test(zero_capacity_refused),
		cmocka_unit_test(needs_network),
		cmocka_unit_test_setup_teardown(wraparound_soak, make_buffer, free_buffer),
		cmocka_unit_test_setup_teardown(producer_consumer, make_buffer, free_buffer),
	};

	return cmocka_run_group_tests(ringbuf_tests, NULL, NULL);
}
