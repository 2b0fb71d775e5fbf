/*
 * test_kvdb_persist.c - cmocka suite for saving and loading the database
 * (kvdb_save / kvdb_load in lib/kvdb.c).
 *
 * One group, "persist_tests"; its group setup makes a scratch directory under
 * $TMPDIR (or /tmp) and its teardown removes it.  Quick checks pause briefly
 * for simulated I/O; large_file (2 s), reload_cycles (1.5 s) and
 * many_small_files (1 s) are long loops of real file I/O.
 * value_with_newline fails on purpose: the file format does not escape
 * newlines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kvdb.h"
#include "workload.h"

static char scratch_dir[256];
static char scratch_file[300];

static int make_scratch_dir(void **state)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(scratch_dir, sizeof(scratch_dir), "%s/kvdb-persist-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch_dir))
		return -1;
	snprintf(scratch_file, sizeof(scratch_file), "%s/db.tsv", scratch_dir);
	return 0;
}

static int remove_scratch_dir(void **state)
{
	unlink(scratch_file);
	return rmdir(scratch_dir);
}

/* Save db, load the file into a new database and return that one. */
static struct kvdb *round_trip(struct kvdb *db)
{
	struct kvdb *copy = kvdb_open();

	assert_int_equal(kvdb_save(db, scratch_file), 0);
	assert_non_null(copy);
	assert_int_equal(kvdb_load(copy, scratch_file), 0);
	return copy;
}

static void empty_database(void **state)
{
	struct kvdb *db = kvdb_open(), *copy = round_trip(db);

	assert_int_equal(kvdb_count(copy), 0);
	kvdb_close(db);
	kvdb_close(copy);
	workload_sleep_ms(26);
}

static void values_survive(void **state)
{
	struct kvdb *db = kvdb_open(), *copy;

	kvdb_put(db, "host", "example.org");
	kvdb_put(db, "port", "8080");
	copy = round_trip(db);
	assert_string_equal(kvdb_get(copy, "host"), "example.org");
	assert_string_equal(kvdb_get(copy, "port"), "8080");
	kvdb_close(db);
	kvdb_close(copy);
	workload_sleep_ms(63);
}

static void load_missing_file(void **state)
{
	struct kvdb *db = kvdb_open();

	assert_int_equal(kvdb_load(db, "/nonexistent/kvdb.tsv"), -1);
	kvdb_close(db);
	workload_sleep_ms(17);
}

static void value_with_newline(void **state)
{
	struct kvdb *db = kvdb_open(), *copy;

	workload_sleep_ms(44);
	kvdb_put(db, "address", "1 Main St\nSpringfield");
	copy = round_trip(db);
	assert_string_equal(kvdb_get(copy, "address"), "1 Main St\nSpringfield");
	kvdb_close(db);
	kvdb_close(copy);
}

static void load_merges(void **state)
{
	struct kvdb *db = kvdb_open(), *other = kvdb_open();

	kvdb_put(db, "a", "1");
	assert_int_equal(kvdb_save(db, scratch_file), 0);
	kvdb_put(other, "b", "2");
	assert_int_equal(kvdb_load(other, scratch_file), 0);
	assert_int_equal(kvdb_count(other), 2);
	kvdb_close(db);
	kvdb_close(other);
	workload_sleep_ms(78);
}

static void large_file(void **state)
{
	struct workload_deadline d;
	struct kvdb *db = kvdb_open(), *copy;
	char key[32];

	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof(key), "row-%05d", i);
		kvdb_put(db, key, "some moderately long value for the row");
	}
	for (workload_start(&d, 2000); workload_running(&d); ) {
		copy = round_trip(db);
		assert_int_equal(kvdb_count(copy), 5000);
		kvdb_close(copy);
	}
	kvdb_close(db);
}

static void reload_cycles(void **state)
{
	struct workload_deadline d;
	struct kvdb *db = kvdb_open(), *copy;

	kvdb_put(db, "generation", "0");
	for (workload_start(&d, 1500); workload_running(&d); ) {
		char gen[32];

		snprintf(gen, sizeof(gen), "%lu", d.rounds);
		kvdb_put(db, "generation", gen);
		copy = round_trip(db);
		assert_string_equal(kvdb_get(copy, "generation"), gen);
		kvdb_close(db);
		db = copy;
	}
	kvdb_close(db);
}

static void many_small_files(void **state)
{
	struct workload_deadline d;
	struct kvdb *db = kvdb_open();

	kvdb_put(db, "k", "v");
	for (workload_start(&d, 1000); workload_running(&d); )
		assert_int_equal(kvdb_save(db, scratch_file), 0);
	kvdb_close(db);
}

int main(void)
{
	const struct CMUnitTest persist_tests[] = {
		cmocka_unit_test(empty_database),
		cmocka_unit_test(values_survive),
		cmocka_unit_test(load_missing_file),
		cmocka_unit_test(value_with_newline),
		cmocka_unit_test(load_merges),
		cmocka_unit_test(large_file),
		cmocka_unit_test(reload_cycles),
		cmocka_unit_test(many_small_files),
	};

	return cmocka_run_group_tests(persist_tests, make_scratch_dir, remove_scratch_dir);
}
