/*
 * test_kvdb.c - Criterion suite for the in-memory database (lib/kvdb.c).
 *
 * Every test gets a fresh database from the fixture.  Quick checks pause
 * briefly for simulated I/O; stress/many_keys (2 s), stress/churn (1.2 s)
 * and stress/compaction (1.8 s) are long loops of real work.  bugs/no_handle
 * crashes on purpose: it queries a database it never opened, and kvdb
 * functions do not check for NULL (a segfault that Criterion reports).
 */
#include <criterion/criterion.h>
#include <stdio.h>

#include "kvdb.h"
#include "workload.h"

static struct kvdb *db;

static void test_kvdb_open(void)
{
	db = kvdb_open();
	cr_assert_not_null(db);
}

static void test_kvdb_close(void)
{
	kvdb_close(db);
	db = NULL;
}

TestSuite(basic, .init = test_kvdb_open, .fini = test_kvdb_close);
TestSuite(stress, .init = test_kvdb_open, .fini = test_kvdb_close);

Test(basic, put_get)
{
	cr_assert_eq(kvdb_put(db, "lang", "C"), 0);
	cr_assert_str_eq(kvdb_get(db, "lang"), "C");
	workload_sleep_ms(16);
}

Test(basic, missing_key)
{
	cr_assert_null(kvdb_get(db, "nope"));
	workload_sleep_ms(11);
}

Test(basic, overwrite)
{
	kvdb_put(db, "k", "one");
	kvdb_put(db, "k", "two");
	cr_assert_str_eq(kvdb_get(db, "k"), "two");
	cr_assert_eq(kvdb_count(db), 1);
	workload_sleep_ms(38);
}

Test(basic, delete)
{
	kvdb_put(db, "k", "v");
	cr_assert_eq(kvdb_del(db, "k"), 0);
	cr_assert_null(kvdb_get(db, "k"));
	cr_assert_eq(kvdb_del(db, "k"), -1);
	cr_assert_eq(kvdb_count(db), 0);
	workload_sleep_ms(52);
}

Test(basic, empty_key_and_value)
{
	cr_assert_eq(kvdb_put(db, "", ""), 0);
	cr_assert_str_eq(kvdb_get(db, ""), "");
	workload_sleep_ms(24);
}

Test(basic, delete_keeps_probe_chain)
{
	char key[16];

	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		kvdb_put(db, key, key);
	}
	kvdb_del(db, "k3");
	for (int i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		if (i != 3)
			cr_assert_str_eq(kvdb_get(db, key), key);
	}
	workload_sleep_ms(95);
}

Test(basic, grows_past_initial_capacity)
{
	char key[16];

	for (int i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "key-%04d", i);
		cr_assert_eq(kvdb_put(db, key, "x"), 0);
	}
	cr_assert_eq(kvdb_count(db), 1000);
	workload_sleep_ms(66);
}

Test(stress, many_keys)
{
	struct workload_deadline d;
	char key[32];

	for (workload_start(&d, 2000); workload_running(&d); ) {
		snprintf(key, sizeof(key), "key-%lu", d.rounds % 50000);
		cr_assert_eq(kvdb_put(db, key, key), 0);
		cr_assert_str_eq(kvdb_get(db, key), key);
	}
	cr_assert_leq(kvdb_count(db), 50000);
}

Test(stress, churn)
{
	struct workload_deadline d;
	uint64_t seed = 99;
	char key[32];

	for (workload_start(&d, 1200); workload_running(&d); ) {
		snprintf(key, sizeof(key), "k%u", (unsigned)(workload_random(&seed) % 512));
		if (kvdb_get(db, key))
			cr_assert_eq(kvdb_del(db, key), 0);
		else
			cr_assert_eq(kvdb_put(db, key, "v"), 0);
	}
	cr_assert_leq(kvdb_count(db), 512);
}

/* Insert and delete in waves: tombstones must not make the table grow. */
Test(stress, compaction)
{
	struct workload_deadline d;
	char key[32];

	for (workload_start(&d, 1800); workload_running(&d); ) {
		for (int i = 0; i < 200; i++) {
			snprintf(key, sizeof(key), "w%lu-%d", d.rounds, i);
			kvdb_put(db, key, "v");
		}
		for (int i = 0; i < 200; i++) {
			snprintf(key, sizeof(key), "w%lu-%d", d.rounds, i);
			cr_assert_eq(kvdb_del(db, key), 0);
		}
		cr_assert_eq(kvdb_count(db), 0);
	}
}

Test(bugs, no_handle)
{
	struct kvdb *never_opened = NULL;

	workload_sleep_ms(30);
	cr_assert_null(kvdb_get(never_opened, "key"));
}
